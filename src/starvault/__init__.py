"""starvault: check, graph and publish an Obsidian-style interview preparation vault.

The library API (the CLI is a thin layer over it)::

    import starvault
    vault = starvault.load("vault")          # notes, links, backlinks, orphans, graph
    report = starvault.check(vault)          # diagnostics, as `starvault check` prints them

Heavy modules (markdown-it, networkx, jinja2) load on first use, so importing starvault
and asking for its version stay fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Config", "ConfigError", "Vault", "VaultError", "__version__", "check", "load"]

if TYPE_CHECKING:
    from .config import Config, ConfigError
    from .rules import check
    from .vault import Vault, VaultError, load

_LAZY = {
    "load": "vault",
    "Vault": "vault",
    "VaultError": "vault",
    "Config": "config",
    "ConfigError": "config",
    "check": "rules",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'starvault' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
