"""``python -m starvault.cli``: the same command as the ``starvault`` script."""

from . import main

main()
