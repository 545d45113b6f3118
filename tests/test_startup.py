"""Start-up: what the ``starvault`` command imports, run as a user runs it.

Each test starts the real console script in a fresh interpreter under ``-X importtime`` and
reads the modules it loaded. No timings are asserted here (they live in bench/); what is
asserted is that heavy libraries load only for the commands that use them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Libraries `check` and `--version` never need: graph export, site rendering, serving.
NEVER_FOR_CHECK = {
    "networkx",
    "jinja2",
    "nh3",
    "watchfiles",
    "starvault.graph",
    "starvault.site",
    "jsonschema",
}
# Needed only to parse a note that is not in the cache. (starvault.markdown's syntax
# module reads wiki-links from text without a parser; its profiles build the parser.)
PARSERS = {"markdown_it", "mdit_py_plugins", "yaml", "frontmatter", "starvault.markdown.profiles"}

VAULT = {
    "Home.md": "# Home\n\n- [[Ownership]]\n- [[Notes/Latency|latency]]\n",
    "Ownership.md": "---\ntitle: Ownership\naliases: [Owner]\n---\n# Ownership\n\n[[Home]]\n",
    "Notes/Latency.md": "---\ntags: [perf]\n---\nSee [[Ownership#Ownership]] and [[Gone]].\n",
}


def starvault_script() -> str:
    script = Path(sys.executable).with_name("starvault")
    found = str(script) if script.exists() else shutil.which("starvault")
    if not found:
        pytest.skip("the starvault console script is not installed")
    return found


def imported(*args: str, cwd: Path | None = None) -> tuple[subprocess.CompletedProcess[str], set]:
    """Run ``starvault ARGS`` under -X importtime; return the run and the modules it loaded."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [sys.executable, "-X", "importtime", starvault_script(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = set()
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "imported package":
                modules.add(name)
    return result, modules


def roots(modules: set) -> set:
    """Every module and each of its parent packages: {"a.b.c"} -> {"a", "a.b", "a.b.c"}."""
    out = set()
    for name in modules:
        parts = name.split(".")
        out.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return out


def test_version_imports_only_click_and_the_package():
    result, modules = imported("--version")
    assert result.returncode == 0, result.stderr
    assert "starvault, version" in result.stdout
    loaded = roots(modules)
    assert "click" in loaded and "starvault" in loaded  # the measurement did see imports
    heavy = (NEVER_FOR_CHECK | PARSERS | {"starvault.rules", "starvault.vault"}) & loaded
    assert not heavy


def test_help_lists_commands_without_importing_them():
    result, modules = imported("--help")
    assert result.returncode == 0
    assert "check" in result.stdout and "build" in result.stdout
    assert not {m for m in modules if m.startswith("starvault.cli.")}
    assert not (NEVER_FOR_CHECK | PARSERS) & roots(modules)


def test_importing_the_library_is_light():
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    code = "import sys, starvault; print(starvault.__version__); print(*sorted(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert not ({"click", "starvault.vault", "starvault.rules"} | PARSERS) & set(out)


@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif"])
def test_check_never_imports_graph_or_site_code(make_vault, fmt):
    root = make_vault(VAULT)
    result, modules = imported("check", str(root), "--format", fmt, "--no-cache")
    assert result.returncode == 1, result.stdout + result.stderr  # [[Gone]] is broken
    assert "LK001" in result.stdout
    loaded = roots(modules)
    assert "starvault.rules" in loaded and "markdown_it" in loaded  # a cold run parses
    assert not NEVER_FOR_CHECK & loaded


def test_warm_check_needs_no_parser(make_vault):
    root = make_vault(VAULT)
    cold, cold_modules = imported("check", str(root))
    assert cold.returncode == 1
    assert "yaml" in roots(cold_modules)  # front matter was parsed
    warm, modules = imported("check", str(root))
    assert warm.returncode == 1
    assert warm.stdout == cold.stdout  # same findings from the cache
    assert not (NEVER_FOR_CHECK | PARSERS) & roots(modules)


def test_warm_check_reparses_only_what_changed(make_vault):
    root = make_vault(VAULT)
    imported("check", str(root))
    (root / "Notes" / "Latency.md").write_text("See [[Ownership]].\n", encoding="utf-8")
    result, modules = imported("check", str(root))
    assert result.returncode == 0, result.stdout
    assert "markdown_it" in roots(modules)  # the edited note had to be parsed
    assert "yaml" not in roots(modules)  # and it has no front matter
