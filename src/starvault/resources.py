"""Where packaged resources live: ``templates/`` ships inside the wheel as
``starvault/templates``; in a source checkout (editable install) it is the repository's
top-level ``templates/`` folder."""

from __future__ import annotations

from pathlib import Path


def templates_dir() -> Path:
    packaged = Path(__file__).with_name("templates")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "templates"
