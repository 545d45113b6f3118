"""An independent reference checker for the generated benchmark vaults.

    python bench/verify_vault.py VAULT [--manifest VAULT/../NAME-manifest.json]

It extracts links the way SPEC section 3 describes (nothing inside code, math, comments or
escaped brackets; front matter wiki-links count), resolves them as Obsidian does, checks
heading and block subpaths, and compares its LK001/LK002/LK003/LK005 findings with the
generator's manifest. It exists to prove the generator's claim that a correct checker
reports exactly the planted set; it is line-based and understands the Markdown the generator
writes, not every Markdown document. Exit 0 when the findings match the manifest exactly.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

PUNCT = set('!"#$%&()*+,.:;<=>?@^`{|}~/[]\\')
WIKI = re.compile(r"(!?)\[\[((?:[^\]]|\](?!\]))*?)\]\]")
MDLINK = re.compile(r"(!?)\[([^\]]*)\]\((<[^>]*>|[^)\s]+)\)")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s")
BLOCK_END = re.compile(r"(?:^|\s)\^([A-Za-z0-9-]+)\s*$")
INLINE_CODE = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
INLINE_COMMENT = re.compile(r"%%.*?%%")
INLINE_HTML_COMMENT = re.compile(r"<!--.*?-->")
INLINE_MATH = re.compile(r"\$(?=\S)[^$]*?(?<=\S)\$")
ESCAPED = re.compile(r"\\[\[\]]")
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def heading_key(text: str) -> str:
    s = "".join(" " if c in PUNCT else c for c in text)
    return " ".join(s.split()).casefold()


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@dataclass
class Link:
    line: int
    raw: str  # the path part as written
    subpath: str | None
    embed: bool
    markdown: bool


@dataclass
class Note:
    rel: str
    headings: list[tuple[int, str]] = field(default_factory=list)  # (level, key)
    blocks: set[str] = field(default_factory=set)
    links: list[Link] = field(default_factory=list)


def _mask(line: str) -> str:
    """Blank out inline code, comments, math and escaped brackets, keeping columns."""
    for rx in (INLINE_CODE, INLINE_COMMENT, INLINE_HTML_COMMENT, INLINE_MATH, ESCAPED):
        line = rx.sub(lambda m: " " * len(m.group(0)), line)
    return line


def _split_target(inner: str) -> tuple[str, str | None]:
    # a table escapes the pipe as \|; the shown text starts at the first pipe
    inner = inner.replace("\\|", "|")
    path = inner.split("|", 1)[0]
    if "#" in path:
        p, sub = path.split("#", 1)
        return p, sub
    return path, None


def parse_note(rel: str, text: str) -> Note:
    note = Note(rel)
    lines = text.split("\n")
    start = 0
    if lines and lines[0] == "---":
        for j in range(1, len(lines)):
            if lines[j] in ("---", "..."):
                for k in range(1, j):
                    for m in re.finditer(r"\"(!?)\[\[(.*?)\]\]\"", lines[k]):
                        p, sub = _split_target(m.group(2))
                        note.links.append(Link(k + 1, p, sub, bool(m.group(1)), False))
                start = j + 1
                break
    fence: str | None = None
    in_math = in_comment = in_html = False
    prev_blank = True
    prev_list = False
    para_line: str | None = None  # text of the previous paragraph line (for setext)
    for j in range(start, len(lines)):
        line = lines[j]
        lineno = j + 1
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                fence = None
            continue
        if in_math:
            in_math = line.strip() != "$$"
            continue
        if in_comment:
            in_comment = "%%" not in line
            continue
        if in_html:
            in_html = "-->" not in line
            continue
        if not line.strip():
            prev_blank, para_line = True, None
            continue
        if not line.startswith(" ") and not LIST_ITEM.match(line):
            prev_list = False
        m = FENCE.match(line)
        if m:
            fence, para_line = m.group(1), None
            continue
        if line.strip() == "$$":
            in_math, para_line = True, None
            continue
        if line.strip() == "%%":
            in_comment, para_line = True, None
            continue
        if line.lstrip(" ").startswith("<!--") and len(line) - len(line.lstrip(" ")) < 4:
            # an HTML block (it may interrupt a paragraph): the whole line is not Markdown
            in_html, para_line = "-->" not in line, None
            continue
        if line.startswith("    ") and prev_blank and not prev_list:
            continue  # indented code
        prev_blank = False
        is_list = bool(LIST_ITEM.match(line))
        if is_list:
            prev_list = True
        elif not line.startswith(" "):
            prev_list = False
        m = SETEXT.match(line)
        if m and para_line is not None:
            level = 1 if m.group(1)[0] == "=" else 2
            note.headings.append((level, heading_key(para_line)))
            para_line = None
            continue
        m = ATX.match(line)
        if m:
            note.headings.append((len(m.group(1)), heading_key(m.group(2) or "")))
            para_line = None
            continue
        masked = _mask(line)
        b = BLOCK_END.search(masked)
        if b and not re.search(r"\]\]\^", masked):
            note.blocks.add(b.group(1).casefold())
        for m in WIKI.finditer(masked):
            p, sub = _split_target(line[m.start(2) : m.end(2)])
            note.links.append(Link(lineno, p, sub, bool(m.group(1)), False))
        for m in MDLINK.finditer(masked):
            dest = line[m.start(3) : m.end(3)]
            if dest.startswith("<"):
                dest = dest[1:-1]
            if SCHEME.match(dest) or dest.startswith("#"):
                continue
            path, _, sub = dest.partition("#")
            note.links.append(Link(lineno, unquote(path), sub or None, bool(m.group(1)), True))
        para_line = None if (is_list or line.startswith(("|", ">"))) else line
    return note


class Vault:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, str] = {}  # casefolded NFC path -> real path
        self.by_base: dict[str, list[str]] = {}
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for f in filenames:
                rel = nfc(os.path.relpath(os.path.join(dirpath, f), root).replace(os.sep, "/"))
                self.files[rel.casefold()] = rel
                self.by_base.setdefault(posixpath.basename(rel).casefold(), []).append(rel)
        self.notes: dict[str, Note] = {}

    def lookup(self, p: str) -> str | None:
        return self.files.get(p.casefold()) or self.files.get((p + ".md").casefold())

    def resolve(self, raw: str, src: str) -> str | None:
        p = nfc(raw.strip())
        folder = posixpath.dirname(src)
        if p.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(folder, p))
            return None if joined.startswith("..") else self.lookup(joined)
        if p.startswith("/"):
            return self.lookup(p.lstrip("/"))
        exact = self.lookup(p)
        if exact:
            return exact
        cands = []
        for q in (p, p + ".md"):
            base = posixpath.basename(q).casefold()
            cands += [
                c for c in self.by_base.get(base, []) if c.casefold().endswith("/" + q.casefold())
            ]
        if not cands:
            return None
        under = [c for c in cands if folder and c.startswith(folder + "/")]
        return sorted(under or cands, key=lambda c: (c.count("/"), len(c)))[0]

    def check_subpath(self, target: Note, sub: str) -> str | None:
        """Return LK002/LK003 if the subpath does not exist in target."""
        if sub.startswith("^"):
            return None if sub[1:].casefold() in target.blocks else "LK003"
        parts = [heading_key(s) for s in sub.split("#") if s.strip()]
        lo, hi, level = 0, len(target.headings), 0
        for part in parts:
            for k in range(lo, hi):
                lvl, key = target.headings[k]
                if key == part and lvl > level:
                    level = lvl
                    lo = k + 1
                    hi = next(
                        (
                            x
                            for x in range(k + 1, len(target.headings))
                            if target.headings[x][0] <= lvl
                        ),
                        len(target.headings),
                    )
                    break
            else:
                return "LK002"
        return None

    def findings(self) -> list[dict]:
        for key, rel in self.files.items():
            if key.endswith(".md"):
                text = (self.root / rel).read_text(encoding="utf-8")
                self.notes[rel] = parse_note(rel, text)
        out = []
        for rel, note in self.notes.items():
            for ln in note.links:
                raw = ln.raw
                target = rel if not raw.strip() else self.resolve(raw, rel)
                if target is None:
                    ext = posixpath.splitext(raw.strip())[1].lower()
                    is_file = bool(ext) and ext != ".md" and " " not in ext
                    rule = "LK005" if is_file else "LK001"
                    out.append({"path": rel, "line": ln.line, "rule": rule, "target": raw})
                    continue
                if ln.subpath and target.endswith(".md"):
                    rule = self.check_subpath(self.notes[target], ln.subpath)
                    if rule:
                        out.append({"path": rel, "line": ln.line, "rule": rule, "target": raw})
        return sorted(out, key=lambda d: (d["path"], d["line"], d["rule"]))


def compare(found: list[dict], manifest: list[dict]) -> dict:
    want = Counter((d["path"], d["line"], d["rule"]) for d in manifest)
    got = Counter((d["path"], d["line"], d["rule"]) for d in found)
    return {
        "expected": sum(want.values()),
        "found": sum((want & got).values()),
        "missed": sorted((want - got).elements()),
        "extra": sorted((got - want).elements()),
    }


def verify(root: Path, manifest_path: Path | None = None) -> dict:
    root = Path(root)
    manifest_path = manifest_path or root.parent / f"{root.name}-manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    v = Vault(root)
    found = v.findings()
    res = compare(found, manifest)
    res["links"] = sum(len(n.links) for n in v.notes.values())
    res["notes"] = len(v.notes)
    return res


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--manifest", type=Path)
    args = ap.parse_args(argv)
    res = verify(args.vault, args.manifest)
    print(json.dumps(res, indent=1))
    return 0 if not res["missed"] and not res["extra"] else 1


if __name__ == "__main__":
    sys.exit(main())
