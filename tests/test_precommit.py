"""The pre-commit hook, run by the real pre-commit in throwaway git repositories.

The hook's environment is built by pre-commit itself (``pip install`` of a snapshot of this
checkout, dependencies from PyPI), once per test session in a shared ``PRE_COMMIT_HOME``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

pytest.importorskip("pre_commit", reason="pre-commit is a test dependency")

# The coverage rules want a full prep vault (5-7 stories, ...); these tests are about links.
SETTINGS = 'select = ["LK", "VA"]\n'
VAULT = {
    "starvault.toml": SETTINGS,
    "Home.md": "# Home\n\nStart with [[Ownership]] and [[Latency Incident]].\n",
    "Ownership.md": "---\ntype: principle\ntitle: Ownership\n---\nSee [[Latency Incident]].\n",
    "Latency Incident.md": "A story about [[Ownership]]; back to [[Home]].\n",
}


def git_env(**extra: str) -> dict[str, str]:
    # Drop GIT_DIR, GIT_INDEX_FILE, ... in case the tests themselves run inside a git hook.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=env.get("HOME", "/tmp"),
        NO_COLOR="1",
    )
    env.update(extra)
    return env


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    out = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=env or git_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout's working tree (as ``try-repo`` would use it).

    Returns (path, commit). Tracked and untracked-but-not-ignored files are copied, so the
    hook under test is the one being edited, not the last commit.
    """
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    dest = tmp_path_factory.mktemp("hook-source")
    for rel in filter(None, files.split("\0")):
        src = REPO / rel
        if src.is_file():
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "snapshot")
    return dest, git(dest, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture
def user_repo(tmp_path: Path, hook_source: tuple[Path, str], pre_commit_home: Path):
    """A repository that adopts the hook as README shows: vault/ holds the notes."""
    source, rev = hook_source
    root = tmp_path / "user-repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, {f"vault/{k}": v for k, v in VAULT.items()})
    (root / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {source.as_posix()}\n"
        f"    rev: {rev}\n"
        "    hooks:\n"
        "      - id: starvault-check\n"
        "        args: [vault, --ignore, LK007]\n",
        encoding="utf-8",
    )
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "vault")
    return root


def pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*PRE_COMMIT, *args],
        cwd=cwd,
        env=git_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_manifest_and_own_config_are_valid() -> None:
    for command, name in (
        ("validate-manifest", ".pre-commit-hooks.yaml"),
        ("validate-config", ".pre-commit-config.yaml"),
    ):
        result = subprocess.run(
            [*PRE_COMMIT, command, str(REPO / name)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_hook_fails_on_a_broken_link_and_passes_once_fixed(user_repo: Path, pre_commit_home):
    write(user_repo, {"vault/Home.md": "# Home\n\nStart with [[Ownershp]].\n"})
    result = pre_commit(user_repo, pre_commit_home, "run", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "starvault check" in result.stdout and "Failed" in result.stdout
    assert "vault/Home.md:3:12: LK001 no note named 'Ownershp'; did you mean 'Ownership'?" in (
        result.stdout
    )

    write(user_repo, {"vault/Home.md": "# Home\n\nStart with [[Ownership]].\n"})
    result = pre_commit(user_repo, pre_commit_home, "run", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
    assert "LK001" not in result.stdout


def test_commit_that_only_deletes_a_linked_note_is_refused(user_repo: Path, pre_commit_home):
    installed = pre_commit(user_repo, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    head = git(user_repo, "rev-parse", "HEAD")
    git(user_repo, "rm", "-q", "vault/Latency Incident.md")
    # The notes that link to it are unchanged: only the deletion is staged.
    assert git(user_repo, "diff", "--cached", "--name-status") == "D\tvault/Latency Incident.md"
    env = git_env(PRE_COMMIT_HOME=str(pre_commit_home))
    commit = subprocess.run(
        ["git", "commit", "-m", "drop a story"],
        cwd=user_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert "vault/Home.md:3:30: LK001 no note named 'Latency Incident'" in output
    assert "vault/Ownership.md:5:5: LK001 no note named 'Latency Incident'" in output
    assert git(user_repo, "rev-parse", "HEAD") == head  # nothing was committed

    # Restoring the note (or fixing the links) lets the commit through.
    git(user_repo, "reset", "-q", "HEAD", "--", "vault/Latency Incident.md")
    git(user_repo, "checkout", "--", "vault/Latency Incident.md")
    write(user_repo, {"vault/Extra.md": "More on [[Ownership]], see [[Home]].\n"})
    git(user_repo, "add", "vault/Extra.md")
    commit = subprocess.run(
        ["git", "commit", "-m", "add a note"],
        cwd=user_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert git(user_repo, "rev-parse", "HEAD") != head


def test_try_repo_runs_the_hook_from_this_repository(
    tmp_path: Path, hook_source: tuple[Path, str], pre_commit_home: Path
):
    # try-repo passes no args, so here the repository itself is the vault.
    root = tmp_path / "vault-repo"
    root.mkdir()
    git(root, "init", "-q")
    write(root, {**VAULT, "Home.md": "# Home\n\n[[Ownership]] and [[Latency Incidnet]].\n"})
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "vault")
    source, _ = hook_source
    result = pre_commit(
        root, pre_commit_home, "try-repo", str(source), "starvault-check", "--all-files"
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Home.md:3:19: LK001 no note named 'Latency Incidnet'" in result.stdout
    assert "did you mean 'Latency Incident'?" in result.stdout


def test_own_config_checks_vault_folder(tmp_path: Path, pre_commit_home: Path):
    """The repository's own .pre-commit-config.yaml runs the installed starvault on vault/."""
    root = tmp_path / "checkout"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copy2(REPO / ".pre-commit-config.yaml", root / ".pre-commit-config.yaml")
    write(root, {f"vault/{k}": v for k, v in VAULT.items()})
    write(root, {"vault/Ownership.md": "See [[Latency Incident#Result]].\n"})
    git(root, "add", "-A")
    env = git_env(PRE_COMMIT_HOME=str(pre_commit_home))
    # `language: system` finds starvault on PATH, as in an activated development venv.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    result = subprocess.run(
        [*PRE_COMMIT, "run", "starvault-check", "--all-files"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "vault/Ownership.md:1:5: LK002" in result.stdout
