"""Shared fixtures: small vaults written inside each test, and the CLI as a user runs it."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from starvault.cli import cli

REPO = Path(__file__).resolve().parents[1]
SAMPLE_VAULT = REPO / "vault"

VaultFactory = Callable[..., Path]


@pytest.fixture
def make_vault(tmp_path: Path) -> VaultFactory:
    """make_vault({"A.md": "text", "img.png": b"..."}) -> the vault folder.

    Text is written byte for byte (no newline translation), so CRLF tests see CRLF.
    """

    def _make(files: dict[str, str | bytes], name: str = "vault") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_bytes(content.encode("utf-8"))
        return root

    return _make


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """run_cli("check", str(vault), "--format", "json") -> click Result (exit_code, output)."""
    runner = CliRunner()

    def _run(*args: str, input: str | None = None) -> Result:
        return runner.invoke(cli, list(args), input=input, catch_exceptions=False)

    return _run


def start_serve(root: Path, out: Path) -> tuple[subprocess.Popen[str], str | None]:
    """Run `starvault serve` on a free port; (process, base URL once it said it, or None)."""
    starvault = str(Path(sys.executable).with_name("starvault"))
    proc = subprocess.Popen(
        [starvault, "serve", str(root), "-o", str(out), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = re.search(r"on (http://127\.0\.0\.1:\d+/)", line)
        if m:
            return proc, m.group(1)
    return proc, None
