"""NV: course navigation, the seed's Module / Previous / Next blocks.

Every rule here except NV002 and NV005 is fixable: ``starvault check --fix`` rewrites the
Navigation blocks from the table of contents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..navigation import (
    Expected,
    NavBlock,
    NavLine,
    PageNav,
    expected,
    line_ok,
    page_nav,
    toc_note,
)
from . import Finding, rule

if TYPE_CHECKING:
    from ..scan import Note
    from ..vault import Vault

FIX_HINT = "(starvault check --fix rewrites it from the table of contents)"
UNLISTED_HINT = "(list the page in the table of contents; then starvault check --fix rewrites it)"


def _fix_hint(vault: Vault, note: Note) -> str:
    """--fix rewrites only the pages the table of contents lists: promise it only there."""
    return FIX_HINT if expected(vault, note) is not None else UNLISTED_HINT


def _pages(vault: Vault) -> Iterator[PageNav]:
    for note in vault.notes_of_type("course"):
        yield page_nav(vault, note)


def _blocks(page: PageNav) -> Iterator[tuple[str, NavBlock]]:
    if page.top is not None:
        yield "top", page.top
    if page.bottom is not None:
        yield "bottom", page.bottom


def _name(vault: Vault, path: str | None) -> str:
    if path is None:
        return "none"
    note = vault.notes.get(path)
    return note.name if note else path


def _said(vault: Vault, line: NavLine | None) -> str:
    """What a Navigation line points at, in words."""
    if line is None:
        return "nothing (no such line)"
    if line.none:
        return "none"
    if line.target is not None:
        return f"'{_name(vault, line.target)}'"
    if line.link is not None:
        return f"'{line.link.target}' (a broken link)"
    return f"'{line.shown()}' (not a link)"


@rule("NV001", "missing-navigation", fixable=True, inputs="course")
def missing_navigation(vault: Vault) -> Iterator[Finding]:
    """A course page without its Navigation block at the top or at the bottom.

    A course page (``type: course``) carries the same ``## Navigation`` block right after
    its title and again at the end, so a reader can move on from either place.

    **Anti-pattern**

    A course page that ends without a way to the next page.

    **Best practice**

    ::

        ## Navigation

        **Module:** [[../Table_of_Contents|Course Contents]] → Interview Preparation
        **Previous:** [[03_Papers_Reading_Guide|Papers Reading Guide]]
        **Next:** [[05_AI_Safety_Interview|AI Safety Interview]]
    """
    for page in _pages(vault):
        if page.top is None and page.bottom is None:
            where = "after the title and at the end"
        elif page.top is None:
            where = "after the title"
        elif page.bottom is None:
            where = "at the end"
        else:
            continue
        yield Finding(
            page.note.path,
            page.title_line,
            1,
            f"no Navigation block {where}: add '## Navigation' with Module, Previous and "
            f"Next lines {_fix_hint(vault, page.note)}",
        )


@rule("NV002", "navigation-not-reciprocal", inputs="course")
def navigation_not_reciprocal(vault: Vault) -> Iterator[Finding]:
    """Two pages disagree: A says Next is B, but B's Previous is not A (or the reverse).

    Read from each page's top block. Fix the page that is out of the course order; the
    table of contents decides (NV003 names which one).

    **Anti-pattern**

    ``04`` says ``**Next:** [[05_AI_Safety_Interview]]``, and ``05`` says
    ``**Previous:** [[03_Papers_Reading_Guide]]``.

    **Best practice**

    ``05`` says ``**Previous:** [[04_Behavioral_Interview]]``.
    """
    pages = {p.note.path: p for p in _pages(vault)}
    pairs = (("Next", "Previous"), ("Previous", "Next"))
    for path, page in pages.items():
        block = page.main
        if block is None:
            continue
        for key, back in pairs:
            line = block.lines.get(key)
            if line is None or line.target is None or line.target == path:
                continue
            other = pages.get(line.target)
            if other is None or other.main is None:
                continue
            answer = other.main.lines.get(back)
            if answer is not None and answer.target == path:
                continue
            yield Finding(
                path,
                line.line,
                line.column,
                f"{key} is '{_name(vault, line.target)}', but that page's {back} is "
                f"{_said(vault, answer)}: make the two pages agree {FIX_HINT}",
                target=line.link.target if line.link else None,
            )


def _wrong(vault: Vault, exp: Expected, key: str, line: NavLine) -> str:
    want = exp.target(key)
    if want is None:
        place = "first" if key == "Previous" else "last"
        return (
            f"{key} is {_said(vault, line)}, but this is the {place} page of the table of "
            f"contents: write '**{key}:** —' {FIX_HINT}"
        )
    name = _name(vault, want)
    return (
        f"{key} is {_said(vault, line)}, but the table of contents puts '{name}' "
        f"{'before' if key == 'Previous' else 'after'} this page: write "
        f"'**{key}:** [[{name}]]' {FIX_HINT}"
    )


@rule("NV003", "navigation-order", fixable=True, inputs="course")
def navigation_order(vault: Vault) -> Iterator[Finding]:
    """Previous or Next disagree with the order of the table of contents.

    The wiki-links of the table of contents (config ``toc``), in order, are the course
    order. The first page writes ``**Previous:** —`` and the last ``**Next:** —``.

    **Anti-pattern**

    ``**Next:** [[06_System_Design]]`` when the table of contents lists
    ``05_AI_Safety_Interview`` after this page.

    **Best practice**

    ``**Next:** [[05_AI_Safety_Interview|AI Safety Interview]]``
    """
    for page in _pages(vault):
        exp = expected(vault, page.note)
        if exp is None:
            continue
        for where, block in _blocks(page):
            for key in ("Previous", "Next"):
                line = block.lines.get(key)
                if line is None:
                    yield Finding(
                        page.note.path,
                        block.heading_line,
                        1,
                        f"the {where} Navigation block has no {key} line: add "
                        f"'**{key}:** ...' {FIX_HINT}",
                    )
                elif not line_ok(line, exp):
                    yield Finding(
                        page.note.path, line.line, line.column, _wrong(vault, exp, key, line)
                    )


@rule("NV004", "navigation-blocks-differ", fixable=True, inputs="course")
def navigation_blocks_differ(vault: Vault) -> Iterator[Finding]:
    """The top and bottom Navigation blocks of a page differ.

    Both blocks are the same three lines; a difference means one was edited and the
    other forgotten. Reported at the first differing line of the bottom block.

    **Anti-pattern**

    ``**Next:** [[05_AI_Safety_Interview]]`` at the top and ``**Next:** —`` at the bottom.

    **Best practice**

    The bottom block is a copy of the top block.
    """
    for page in _pages(vault):
        top, bottom = page.top, page.bottom
        if top is None or bottom is None:
            continue
        for key in ("Module", "Previous", "Next"):
            if top.normalised(key) == bottom.normalised(key):
                continue
            line = bottom.lines.get(key)
            said = top.lines.get(key)
            want = f"'{said.text.strip()}'" if said else f"no {key} line"
            yield Finding(
                page.note.path,
                line.line if line else bottom.heading_line,
                1,
                f"the bottom Navigation block differs from the top one at {key}: the top "
                f"has {want}; make them the same {_fix_hint(vault, page.note)}",
            )
            break


@rule("NV005", "not-in-toc", inputs="course")
def not_in_toc(vault: Vault) -> Iterator[Finding]:
    """A course page that the table of contents does not list (or no table of contents).

    The table of contents (``toc`` in starvault.toml, ``Table_of_Contents`` by default)
    defines the course order; a page it does not list has no place in it.

    **Anti-pattern**

    ``Interview_Preparation/06_System_Design.md`` (``type: course``) missing from
    ``Table_of_Contents.md``.

    **Best practice**

    ``4. [[Interview_Preparation/06_System_Design|System Design]]`` in the table of
    contents, where it belongs in the order.
    """
    pages = vault.notes_of_type("course")
    if not pages:
        return
    toc = toc_note(vault)
    if toc is None:
        yield Finding(
            ".",
            1,
            1,
            f"no table of contents '{vault.config.toc}': create it (type: toc) listing the "
            "course pages in order, or set toc in starvault.toml",
        )
        return
    for note in pages:
        if expected(vault, note) is None:
            page = page_nav(vault, note)
            yield Finding(
                note.path,
                page.title_line,
                1,
                f"the table of contents '{toc.name}' does not list this course page: add "
                f"[[{note.name}]] where it belongs in the course order",
            )


@rule("NV006", "wrong-module-link", fixable=True, inputs="course")
def wrong_module_link(vault: Vault) -> Iterator[Finding]:
    """The Module line does not link to the table of contents, or names another module.

    ``**Module:** [[../Table_of_Contents|Course Contents]] → Interview Preparation``: the
    link goes to the table of contents, and the text after the arrow is the page's
    ``module`` field.

    **Anti-pattern**

    ``**Module:** [[Home]] → Interview Preparation``

    **Best practice**

    ``**Module:** [[../Table_of_Contents|Course Contents]] → Interview Preparation``
    """
    toc = toc_note(vault)
    if toc is None:
        return
    for page in _pages(vault):
        exp = expected(vault, page.note)
        module = page.note.meta.get("module")
        module_name = module.strip() if isinstance(module, str) else ""
        hint = _fix_hint(vault, page.note)
        for where, block in _blocks(page):
            line = block.lines.get("Module")
            if line is None:
                yield Finding(
                    page.note.path,
                    block.heading_line,
                    1,
                    f"the {where} Navigation block has no Module line: add "
                    f"'**Module:** [[{toc.name}]]' {hint}",
                )
            elif line.target != toc.path:
                yield Finding(
                    page.note.path,
                    line.line,
                    line.column,
                    f"the Module line points to {_said(vault, line)}, not to the table of "
                    f"contents: link [[{toc.name}]] {hint}",
                    target=line.link.target if line.link else None,
                )
            elif exp is not None and module_name and not line_ok(line, exp):
                yield Finding(
                    page.note.path,
                    line.line,
                    line.column,
                    f"the Module line names '{line.after}', but the page's module is "
                    f"'{module_name}': end the line with '→ {module_name}' {hint}",
                )
