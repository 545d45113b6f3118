"""``starvault.toml``: every setting with its default, validated on load.

A wrong key or a value of the wrong kind is a :class:`ConfigError` that names the file and
the key, so the CLI can exit 2 with a clear message instead of guessing.
"""

from __future__ import annotations

import math
import posixpath
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .schema import LEVELS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

CONFIG_NAME = "starvault.toml"
SEVERITIES = ("error", "warning", "info", "off")

# Your own blaming phrases, on top of the built-in ones in data/redflags.toml (ST006).
DEFAULT_BLAME_PHRASES: list[str] = []

# Topics the seed says not to ask about at the behavioral stage.
DEFAULT_AVOID_TOPICS = [
    "salary",
    "compensation",
    "equity",
    "bonus",
    "stock options",
    "vacation",
    "how many employees",
    "what does the company do",
    "when was the company founded",
]


# The seed's levels: the same list as a company note's `level` (schema.LEVELS).
TARGET_LEVELS = LEVELS


class ConfigError(Exception):
    """A problem in ``starvault.toml``: unknown key, wrong type or bad value."""


@dataclass
class Thresholds:
    """Numbers from the seed's checklist and red flags; every one can be tuned.

    This is the one place they live: the rules, ``coverage``, the dashboards and
    ``practice`` all read them from here.
    """

    stories_min: int = 5  # ready stories (no error-level ST or FM finding)
    stories_max: int = 7  # above: CV009
    story_types_min: int = 2
    failure_stories_min: int = 1  # below: error
    failure_stories_warn: int = 2  # below: warning
    asks_min: int = 3
    practice_min: int = 3  # sessions that meet the bar, per story
    # The seed's two-minute answer: ST005 warns above it, a practice session must finish
    # within it to count, the timer turns yellow at it, the charts draw it.
    short_version_warn_s: int = 120
    # "Too long: over three minutes": ST005's error, the timer's red, the red flag's default.
    short_version_error_s: int = 180
    practice_score_min: float = 4.0  # a session's average self-score (1-5) to count
    practice_per_day: int = 3  # sessions a day the next action plans with
    research_words_min: int = 15  # words a company research section needs to count
    staff_signal_stories_min: int = 2  # ready stories per Staff+ look-for (CV010)
    first_person_min_share: float = 0.3  # share of I/my/me among I+we words in the Action
    # Spaced repetition (starvault.schedule): FSRS's desired retention, raised when an
    # interview is near, and the longest gap between two rehearsals of a story.
    review_retention: float = 0.9
    review_retention_short: float = 0.95  # within review_short_window_days of the interview
    review_short_window_days: int = 30
    review_max_interval_days: int = 60
    # A session's rating: below this average self-score it is "Again" (forgotten); at or
    # above review_easy_from, and meeting the bar, it is "Easy".
    review_again_below: float = 3.0
    review_easy_from: float = 4.5
    # Practice laps: the Situation should not eat more than this share of the answer.
    situation_share_max: float = 0.33


@dataclass
class SiteConfig:
    title: str = "Interview prep"
    templates: str = "_templates"
    output: str = "site"

    def output_dir(self, root: Path) -> Path:
        """Where ``build`` and ``serve`` write by default: ``output`` read from the vault's
        folder (like every path in starvault.toml), wherever the command runs."""
        out = Path(self.output).expanduser()
        return out if out.is_absolute() else root / out


@dataclass
class Config:
    """Everything starvault reads from ``starvault.toml`` (all optional)."""

    toc: str = "Table_of_Contents"
    exclude: list[str] = field(default_factory=list)
    question_types: list[str] = field(default_factory=list)
    select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)
    words_per_minute: int = 150
    target_level: str = "staff"  # senior, staff or principal: the bar ST012 judges scope by
    note_templates: str = "_templates/notes"
    # Notes above this size are not parsed (VA003): one pasted log must not exhaust memory.
    max_note_kb: int = 8192
    blame_phrases: list[str] = field(default_factory=lambda: list(DEFAULT_BLAME_PHRASES))
    avoid_topics: list[str] = field(default_factory=lambda: list(DEFAULT_AVOID_TOPICS))
    thresholds: Thresholds = field(default_factory=Thresholds)
    site: SiteConfig = field(default_factory=SiteConfig)
    source: Path | None = None  # the file it came from, if any


_NESTED = {"thresholds": Thresholds, "site": SiteConfig}


def _check_type(where: str, value: Any, expected: Any) -> Any:
    if expected in ("int", int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be a whole number, got {value!r}")
        if value < 0:
            raise ConfigError(f"{where} must not be negative, got {value!r}")
        return value
    if expected in ("float", float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        if not math.isfinite(value):
            raise ConfigError(f"{where} must be a finite number, got {value!r}")
        return float(value)
    if expected in ("str", str):
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    if expected in ("list[str]",):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where} must be a list of strings, got {value!r}")
        return list(value)
    if expected in ("dict[str, str]",):
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {value!r}")
        out = {}
        for k, v in value.items():
            if v not in SEVERITIES:
                raise ConfigError(f"{where}.{k} must be one of {', '.join(SEVERITIES)}, got {v!r}")
            out[k.upper()] = v
        return out
    raise AssertionError(expected)  # pragma: no cover


def _build(cls: type, data: dict[str, Any], prefix: str) -> Any:
    known = {f.name: f for f in fields(cls) if f.name != "source"}
    values: dict[str, Any] = {}
    for key, value in data.items():
        where = f"{prefix}{key}"
        if key not in known:
            raise ConfigError(f"unknown key '{where}' (known: {', '.join(sorted(known))})")
        if key in _NESTED:
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}' must be a table")
            values[key] = _build(_NESTED[key], value, f"{where}.")
        else:
            values[key] = _check_type(f"'{where}'", value, known[key].type)
    return cls(**values)


def load_config(vault: Path) -> Config:
    """Read ``VAULT/starvault.toml``; defaults when there is none."""
    path = vault / CONFIG_NAME
    if not path.is_file():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    try:
        config = _build(Config, data, "")
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    config.source = path
    t = config.thresholds
    if t.stories_min > t.stories_max:
        raise ConfigError(f"{path}: thresholds.stories_min is above thresholds.stories_max")
    if config.target_level not in TARGET_LEVELS:
        raise ConfigError(
            f"{path}: 'target_level' must be one of {', '.join(TARGET_LEVELS)}, "
            f"got {config.target_level!r}"
        )
    if not 1 <= t.practice_score_min <= 5:
        raise ConfigError(f"{path}: thresholds.practice_score_min must be 1-5")
    for key in ("review_retention", "review_retention_short"):
        if not 0 < getattr(t, key) < 1:
            raise ConfigError(f"{path}: thresholds.{key} must be between 0 and 1 (exclusive)")
    if t.review_max_interval_days == 0:
        raise ConfigError(f"{path}: thresholds.review_max_interval_days must be above 0")
    if not 1 <= t.review_again_below <= t.review_easy_from <= 5:
        raise ConfigError(
            f"{path}: thresholds.review_again_below and review_easy_from must be 1-5, in order"
        )
    if not 0 < t.situation_share_max <= 1:
        raise ConfigError(f"{path}: thresholds.situation_share_max must be above 0, at most 1")
    if t.practice_per_day == 0:
        raise ConfigError(f"{path}: thresholds.practice_per_day must be above 0")
    if config.words_per_minute == 0:
        raise ConfigError(f"{path}: 'words_per_minute' must be above 0")
    if config.max_note_kb == 0:
        raise ConfigError(f"{path}: 'max_note_kb' must be above 0")
    for key, value in (
        ("site.templates", config.site.templates),
        ("note_templates", config.note_templates),
    ):
        if not inside_folder(value):
            raise ConfigError(f"{path}: '{key}' must be a folder inside the vault, got {value!r}")
    return config


def inside_folder(rel: str) -> bool:
    """Whether a configured folder stays inside the vault as written (no absolute path,
    no ``..`` out of it); symbolic links are checked where the folder is read."""
    rel = rel.replace("\\", "/")
    if rel.startswith("/") or (len(rel) > 1 and rel[1] == ":"):
        return False
    norm = posixpath.normpath(rel or ".")
    return norm != ".." and not norm.startswith("../")
