"""``starvault init``: a new vault that checks clean and builds.

It holds what every prep vault starts from: ``starvault.toml``, a Home note, the table of
contents, the seed's five question types, the note templates ``starvault new`` fills, a
``.gitignore`` for the built site and the cache, and a ``.pre-commit-config.yaml`` that
runs ``starvault check`` before each commit. Every note is written the way ``new`` writes
it (same templates, same front matter), so what ``init`` makes is what ``check`` expects.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .atomic import write_new
from .config import CONFIG_NAME
from .coverage import DEFAULT_QUESTION_TYPES
from .resources import templates_dir

TOC_NAME = "Table_of_Contents"
# The coverage rules that are errors in any vault without stories (see _config).
STARTING_WARNINGS = ("CV001", "CV003", "CV004", "CV005", "CV010")


class InitError(Exception):
    """The folder cannot become a new vault (it holds one already, or notes)."""


def _config(title: str) -> str:
    return (
        "# starvault configuration: every path here is read from this folder.\n"
        f'toc = "{TOC_NAME}"  # the course\'s table of contents\n'
        'note_templates = "_templates/notes"  # what `starvault new` fills in\n'
        "\n"
        "# A new vault has no stories yet: until it has, its coverage gaps are warnings, so\n"
        "# check passes and you can commit. Delete this table once your stories are in, and\n"
        "# check (and the pre-commit hook) hold you to the seed's checklist again.\n"
        "[severity]\n" + "".join(f'{code} = "warning"\n' for code in STARTING_WARNINGS) + "\n"
        "[site]\n"
        f"title = {_toml_string(title)}\n"
        'output = "site"  # where `starvault build` and `serve` write\n'
    )


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _home(types: list[tuple[str, str]]) -> str:
    links = "\n".join(f"- [[{title}]]" for _key, title in types)
    return (
        "# Home\n\n"
        "Your Staff+ behavioral interview preparation. Start with the course, write five to\n"
        "seven STAR stories, then practise them out loud.\n\n"
        "## Course\n\n"
        f"- [[{TOC_NAME}|Course Contents]]: the course pages in reading order "
        '(`starvault new course "Title" --set module="Module"` adds one).\n\n'
        "## Question types\n\n"
        f"{links}\n\n"
        "## Next steps\n\n"
        '- `starvault new story "Title"`: a STAR story (the command asks for its facts).\n'
        '- `starvault new question "Tell me about a time..." --set question_type=conflict`\n'
        "- `starvault check`: what is missing; `starvault build`: the prep site in `site/`.\n"
    )


def _toc() -> str:
    return (
        "---\ntype: toc\ntitle: Course Contents\n---\n\n"
        "# Course Contents\n\n"
        "%% One section per module (## Module name), each an ordered list of its course\n"
        "pages in reading order. `starvault new course` adds pages here. %%\n"
    )


GITIGNORE = "# Built by starvault: the prep site and the parse cache\n/site/\n.starvault-cache/\n"

PRE_COMMIT = """\
# Runs `starvault check` before each commit (https://pre-commit.com): pip install
# pre-commit, then `pre-commit install` in this repository.
repos:
  - repo: local
    hooks:
      - id: starvault-check
        name: starvault check
        entry: starvault check
        language: system
        # The whole vault is checked: a deleted or renamed note breaks links elsewhere.
        pass_filenames: false
        always_run: true
"""


def _blocking(root: Path) -> list[str]:
    """What in ``root`` makes it no place for a new vault: a config or notes."""
    if (root / CONFIG_NAME).exists():
        return [CONFIG_NAME]
    found: list[str] = []
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [os.path.join(dirpath, f) for f in files if f.lower().endswith(".md")]
        if found:
            break
    return found


def init_vault(root: Path, title: str = "Staff+ Behavioral Interview Prep") -> list[str]:
    """Create a new vault in ``root`` (made if missing); returns the files written.

    Refuses (:class:`InitError`) a folder that has a ``starvault.toml`` or any note: init
    never overwrites or mixes with an existing vault. Existing ``.gitignore`` and
    ``.pre-commit-config.yaml`` files are left alone.
    """
    from .authoring import draft_note
    from .vault import load

    if root.exists() and not root.is_dir():
        raise InitError(f"'{root}' is a file, not a folder")
    blocking = _blocking(root) if root.exists() else []
    if blocking:
        raise InitError(
            f"'{root}' already holds a vault or notes ({Path(blocking[0]).name}); "
            "init starts a new vault in an empty folder"
        )
    root.mkdir(parents=True, exist_ok=True)
    written: list[str] = []

    def put(rel: str, text: str) -> None:
        dest = root / rel
        if dest.exists():
            return
        dest.parent.mkdir(parents=True, exist_ok=True)
        write_new(dest, text.encode("utf-8"))
        written.append(rel)

    types = [(key, title.replace(" & ", " and ")) for key, title in DEFAULT_QUESTION_TYPES.items()]
    put(CONFIG_NAME, _config(title))
    put(".gitignore", GITIGNORE)
    put(".pre-commit-config.yaml", PRE_COMMIT)
    # The note templates, so `new` and the user's edits start from the same files.
    for src in sorted((templates_dir() / "notes").glob("*.md")):
        dest = root / "_templates" / "notes" / src.name
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dest)
            written.append(f"_templates/notes/{src.name}")
    put(f"{TOC_NAME}.md", _toc())
    put("Home.md", _home(types))
    vault = load(root, use_cache=False)
    for key, type_title in types:
        draft = draft_note(vault, "question-type", type_title, values={"key": key})
        put(draft.path, draft.text)
    return written
