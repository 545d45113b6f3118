"""Add what real public vaults hold (issue 12) to a generated vault: footnotes, template
placeholders, NFD file names, NUL bytes, colon and empty Markdown links, canvases and an
earlier site build, with exactly one planted finding per canvas (a file node to a
missing note, LK001).

    python bench/gen_vault.py /tmp/v --notes 10000
    python bench/gen_obsidian.py /tmp/v --notes 2000
    time starvault check /tmp/v --no-cache

Prints the number of planted findings; a check of the vault must report, besides the base
vault's findings, exactly those.
"""

from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

KINDS = 6


def add(root: Path, notes: int) -> dict[str, int]:
    existing = sorted(
        p
        for p in root.rglob("*.md")
        if not any(part.startswith(".") for part in p.relative_to(root).parts)
    )[:200]
    # Linked by path: never ambiguous, whatever names the base vault repeats.
    names = [p.relative_to(root).as_posix()[:-3] for p in existing] or ["Home"]
    folder = root / "Obsidian"
    folder.mkdir(exist_ok=True)
    index = []
    planted = 0
    for i in range(notes):
        kind = i % KINDS
        other = names[i % len(names)]
        name = f"Real {i}"
        if kind == 0:
            text = (
                f"# {name}\n\nCute[^1], 可爱[^2], linked[^3] and ^[see [[{other}]]].\n\n"
                "[^1]: Adorable\n[^2]: 非常可爱的猫\n[^3]: [label](https://example.com/x)\n"
            )
        elif kind == 1:
            text = (
                "---\ncreated: {{date}}\ntitle: {{title}}\nday: {{date:YYYY-MM-DD}}\n"
                f'updated: <% tp.date.now("YYYY-MM-DD: HH") %>\nsee: "[[{other}]]"\n---\n'
                f"# {name}\n"
            )
        elif kind == 2:
            name = unicodedata.normalize("NFD", f"Café {i}")
            text = f"# Café {i}\n\nThe espresso machine. ^espresso\n"
        elif kind == 3:
            text = f"# {name}\n\n```\n\x00\x01 pasted\n```\n\nSee [[Café {i - 1}#^espresso]].\n"
        elif kind == 4:
            text = f"# {name}\n\n[v2](<(https://example.com/x#y)>) [kindle]() [[{other}]]\n"
        else:
            nodes = [
                {
                    "id": "a",
                    "type": "file",
                    "file": existing[i % len(existing)].relative_to(root).as_posix(),
                },
                {"id": "b", "type": "text", "text": f"Plan: [[{other}]]"},
                {"id": "c", "type": "file", "file": f"Missing {i}.md"},
            ]
            rows = ",\n".join("\t\t" + json.dumps(n, ensure_ascii=False) for n in nodes)
            board = '{\n\t"nodes":[\n' + rows + '\n\t],\n\t"edges":[]\n}\n'
            (folder / f"Board {i}.canvas").write_text(board, "utf-8")
            index.append(f"- ![[Board {i}.canvas]]")
            planted += 1
            text = f"# {name}\n\n[[{other}]]\n"
        (folder / f"{name}.md").write_bytes(text.encode("utf-8"))
        index.append(f"- [[{unicodedata.normalize('NFC', name)}]]")
    (folder / "Index.md").write_text("# Index\n\n" + "\n".join(index) + "\n", "utf-8")
    site = root / "public"
    site.mkdir(exist_ok=True)
    (site / ".starvault-build.json").write_text("{}", "utf-8")
    for i in range(50):
        (site / f"old {i}.md").write_text("[[Nowhere]]\n", "utf-8")
    return {"LK001": planted}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path, help="a vault made by gen_vault.py")
    ap.add_argument("--notes", type=int, default=600)
    args = ap.parse_args(argv)
    planted = add(args.vault, args.notes)
    print(json.dumps({"added_notes": args.notes, "planted": planted}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
