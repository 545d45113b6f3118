"""The static prep site: ``build`` (pages, dashboards, search) and ``serve``."""

from __future__ import annotations

from .build import BuildError, BuildResult, build

__all__ = ["BuildError", "BuildResult", "build"]
