"""How fast `starvault lsp` answers an edit, measured through the protocol.

    python bench/lsp.py VAULT [--edits 20] [--server .venv/bin/starvault]

Starts the real server over stdio (debounce set to 0 through initializationOptions, so the
numbers are the server's own work; the editor-facing default adds 50 ms), waits for the
first diagnostics (the first index reads `.starvault-cache/` when it is there), then opens a
note and sends edits, each timed from `didChange` to the `publishDiagnostics` of that
note: typing a word, adding a broken link, renaming a heading that other notes link to.
Prints a Markdown table; the target is under 200 ms at 10,000 notes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

TARGET_MS = 200


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("starvault-bench", "0")
        self.arrived: dict[str, list[tuple[float, int]]] = {}
        self.event = asyncio.Event()


def _client() -> Client:
    client = Client()

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
        client.arrived.setdefault(params.uri, []).append(
            (time.perf_counter(), len(params.diagnostics))
        )
        client.event.set()

    @client.feature(lsp.WINDOW_SHOW_MESSAGE)
    def message(params: lsp.ShowMessageParams) -> None:
        print(f"server: {params.message}", file=sys.stderr)

    return client


async def _wait_for(client: Client, uri: str, after: float, timeout: float = 120) -> float:
    deadline = time.perf_counter() + timeout
    while True:
        got = [t for t, _ in client.arrived.get(uri, []) if t > after]
        if got:
            return got[0]
        client.event.clear()
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError(f"no diagnostics for {uri}")
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(client.event.wait(), left)


def _pick(root: Path) -> tuple[Path, str, str, str]:
    """A note with a heading that another note links to, the heading, and that note."""
    from starvault.vault import load

    vault = load(root)
    best = None
    for r in vault.links:
        sub = r.link.subpath or ""
        if r.path and r.path != r.source and sub and not sub.startswith("^") and "#" not in sub:
            note = vault.notes[r.path]
            h = next((h for h in note.headings if h.text == sub and h.level > 1), None)
            if h is not None:
                best = (root / r.path, r.path, h.text, r.source)
                break
    if best is None:
        path = next(iter(vault.notes))
        return root / path, path, "", path
    return best


async def run(root: Path, server: list[str], edits: int) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    file, rel, heading, linking = _pick(root)
    client = _client()
    started = time.perf_counter()
    await client.start_io(*server)
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(),
            root_uri=from_fs_path(str(root)),
            initialization_options={"debounce": 0},
        )
    )
    client.initialized(lsp.InitializedParams())
    while not client.arrived:
        client.event.clear()
        await asyncio.wait_for(client.event.wait(), 600)
    rows.append(("start to first diagnostics", f"{time.perf_counter() - started:.2f} s"))
    await asyncio.sleep(1.0)  # the rest of the first round
    uri = from_fs_path(str(file)) or ""
    text = file.read_text(encoding="utf-8")
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="markdown", version=1, text=text
            )
        )
    )
    await _wait_for(client, uri, 0)

    def make_heading(i: int) -> str:
        return re.sub(
            rf"^(#+ ){re.escape(heading)}$", rf"\g<1>{heading} v{i}", text, count=1, flags=re.M
        )

    kinds = {
        "type a word": lambda i: text + f"\nword {i}\n",
        "add a broken link": lambda i: text + f"\nSee [[Nowhere {i}]].\n",
        "rename a linked heading": make_heading,
    }
    version = 1
    for name, make in kinds.items():
        times = []
        for i in range(edits):
            version += 1
            sent = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=make(i))],
                )
            )
            got = await _wait_for(client, uri, sent)
            times.append((got - sent) * 1000)
            await asyncio.sleep(0.05)  # let the dependents' notifications drain
        times.sort()
        p90 = times[max(0, int(len(times) * 0.9) - 1)]
        rows.append(
            (
                f"edit -> diagnostics: {name}",
                f"median {statistics.median(times):.0f} ms, p90 {p90:.0f} ms, "
                f"max {times[-1]:.0f} ms",
            )
        )
    # The full pass: a note linking to the renamed heading gets its LK002, then loses it.
    other = from_fs_path(str(root / linking)) or ""
    times = []
    for i in range(3):
        for new in (make_heading(i), text):
            version += 1
            sent = time.perf_counter()
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=new)],
                )
            )
            got = await _wait_for(client, other, sent)
            times.append((got - sent) * 1000)
    rows.append(
        (
            "heading renamed -> linking note's diagnostics (full pass after a 350 ms pause)",
            f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms",
        )
    )
    rows.append(("edited note", f"{rel} (heading '{heading}'), linked from {linking}"))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("vault", type=Path)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--server", default=str(Path(sys.executable).with_name("starvault")))
    args = ap.parse_args(argv)
    root = args.vault.resolve()
    rows = asyncio.run(run(root, [args.server, "lsp"], args.edits))
    notes = sum(1 for _ in root.rglob("*.md"))
    print(f"| {notes} notes | result |\n|---|---|")
    for what, value in rows:
        print(f"| {what} | {value} |")
    print(f"\nTarget: edit -> diagnostics under {TARGET_MS} ms at 10,000 notes.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
