"""A vault (and an output folder) someone else wrote: nothing from them runs, nothing
outside is touched, work stays bounded, and every error is one clear line.

Each test builds the hostile input it needs; docs/threat-model.md says what they defend.
"""

from __future__ import annotations

import http.client
import json
import marshal
import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

import starvault
import starvault.cache as cache_mod
from conftest import start_serve
from starvault.cache import CACHE_DIR, FILE
from starvault.site import build
from starvault.site.build import MANIFEST
from starvault.vault import load

PAYLOAD = '<img src="x" onerror="alert(1)"><script>alert(2)</script>'
STARVAULT = str(Path(sys.executable).with_name("starvault"))


def run(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """The real command in its own process (a hang fails the test instead of the suite)."""
    return subprocess.run(
        [STARVAULT, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def no_traceback(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


# -- 1. no script from a note, whatever path rendered the page --------------------------
@pytest.mark.parametrize("embed", ["![[B#missing]]", "![[B#^missing]]", "![[B]]"])
def test_every_page_is_sanitised_whatever_embeds_it_has(make_vault, tmp_path, embed):
    root = make_vault(
        {
            "A.md": f'# A\n\n{embed}\n\n{PAYLOAD}\n\n<a href="javascript:alert(3)">x</a>\n',
            "B.md": f"# B\n\n## Part\n\n{PAYLOAD} text ^blk\n",
        }
    )
    out = tmp_path / "site"
    build(load(root), out)
    for name in ("A.html", "B.html"):
        html = (out / name).read_text("utf-8")
        main = html.split('<main id="content"', 1)[1]
        assert "onerror" not in main and "<script" not in main and "javascript:" not in main


def test_sample_home_page_style_embed_of_missing_section_is_sanitised(make_vault, tmp_path):
    # The sample vault's Home page was hit this way: an embed of a section that is gone.
    root = make_vault(
        {
            "Home.md": "# Home\n\n![[Checklist#Gone]]\n\n![[Evil]]\n",
            "Checklist.md": "# Checklist\n\n- [ ] one\n",
            "Evil.md": f"# Evil\n\n{PAYLOAD}\n",
        }
    )
    out = tmp_path / "site"
    build(load(root), out)
    main = (out / "Home.html").read_text("utf-8").split('<main id="content"', 1)[1]
    assert "onerror" not in main and "alert(2)" not in main


def test_every_page_carries_a_policy_that_runs_only_its_own_scripts(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n"})
    out = tmp_path / "site"
    build(load(root), out)
    for page in [out / "A.html", out / "index.html", *sorted((out / "dashboards").glob("*.html"))]:
        html = page.read_text("utf-8")
        assert html.startswith("<!doctype html>")
        head = html[:1024]
        assert 'http-equiv="Content-Security-Policy"' in head
        nonce = head.split("'nonce-", 1)[1].split("'", 1)[0]
        scripts = [s for s in html.split("<script")[1:]]
        assert scripts and all(f'nonce="{nonce}"' in s.split(">", 1)[0] for s in scripts)


# -- 2. nothing outside OUT is written or removed ----------------------------------------
@pytest.mark.parametrize(
    "edit",
    [
        lambda m, victim: m["pages"]["A.md"].update(out="../victim.txt"),
        lambda m, victim: m["pages"]["A.md"].update(out=str(victim)),
        lambda m, victim: m["attachments"].update({"../victim.txt": [1, 1]}),
        lambda m, victim: m["attachments"].update({str(victim): [1, 1]}),
        lambda m, victim: m["pages"].update({"Gone.md": {"key": "x", "out": "../victim.txt"}}),
    ],
    ids=["page-dotdot", "page-absolute", "file-dotdot", "file-absolute", "stale-page"],
)
def test_an_edited_manifest_never_touches_files_outside_out(make_vault, tmp_path, edit):
    root = make_vault({"A.md": "# A\n", "B.md": "# B\n[[A]]\n", "img.png": b"\x89PNG"})
    out = tmp_path / "out" / "site"
    build(load(root), out)
    victim = tmp_path / "out" / "victim.txt"
    victim.write_text("keep me", "utf-8")
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    edit(manifest, victim)
    (out / MANIFEST).write_text(json.dumps(manifest), "utf-8")
    (root / "A.md").write_text("# A changed\n", "utf-8")
    (root / "img.png").unlink()
    build(load(root), out)
    assert victim.read_text("utf-8") == "keep me"
    assert (out / "A.html").is_file()


@pytest.mark.parametrize(
    "manifest",
    [
        '{"version": "1", "global": 5, "pages": [], "attachments": {}, "embeds": {}}',
        '{"version": "1", "global": "g", "pages": {"A.md": "x"}, "attachments": {}, "embeds": {}}',
        '{"version": "1", "global": "g", "pages": {}, "attachments": {"a": "b"}, "embeds": 3}',
        "[" * 100_000,
        '"just a string"',
    ],
)
def test_a_manifest_of_the_wrong_shape_means_a_full_rebuild(make_vault, tmp_path, manifest):
    root = make_vault({"A.md": "# A\n![[B]]\n", "B.md": "# B\n"})
    out = tmp_path / "site"
    build(load(root), out)
    (out / MANIFEST).write_text(manifest, "utf-8")
    result = build(load(root), out)
    assert sorted(result.rendered) == ["A.md", "B.md"]


def test_links_planted_in_out_are_not_written_through(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n", "Sub/B.md": "# B\n"})
    out = tmp_path / "site"
    build(load(root), out)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "B.html").write_text("keep", "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("private", "utf-8")
    import shutil

    shutil.rmtree(out / "Sub")
    (out / "Sub").symlink_to(elsewhere)
    (out / "A.html").unlink()
    (out / "A.html").symlink_to(secret)
    (root / "Sub" / "B.md").write_text("# B changed\n", "utf-8")
    build(load(root), out)
    assert (elsewhere / "B.html").read_text("utf-8") == "keep"
    assert secret.read_text("utf-8") == "private"
    assert not (out / "Sub").is_symlink() and "B changed" in (out / "Sub/B.html").read_text()
    assert "private" not in (out / "A.html").read_text("utf-8")


# -- 3. no code from the vault runs -------------------------------------------------------
class _Boom:
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {os.environ['SV_MARK']}",))


def test_a_crafted_cache_runs_nothing_and_is_ignored(make_vault, tmp_path, monkeypatch):
    root = make_vault({"A.md": "---\ntype: x\n---\n[[Nowhere]]\n"})
    mark = tmp_path / "pwned"
    monkeypatch.setenv("SV_MARK", str(mark))
    evil_meta = pickle.dumps(_Boom())
    row = ("A.md", 0, 0, 4, True, evil_meta, marshal.dumps(()), (), {}, {}, ())
    folder = root / CACHE_DIR
    folder.mkdir()
    # Both the old layout and one that claims to be ours.
    for blob in (
        marshal.dumps({"key": "anything", "fingerprint": None, "rows": [(row, None)]}),
        b"starvault-cache\n" + b"\0" * 32 + marshal.dumps({"rows": [(row, None)]}),
    ):
        (folder / FILE).write_bytes(blob)
        proc = run("check", str(root), "--format", "json")
        no_traceback(proc)
        assert not mark.exists()
        assert json.loads(proc.stdout)["summary"]["error"] >= 1  # the broken link is found


@pytest.mark.parametrize("kind", ["fifo", "devzero", "folder-link", "dangling-gitignore"])
def test_a_strange_cache_is_a_cold_start_and_nothing_is_written_outside(make_vault, tmp_path, kind):
    root = make_vault({"A.md": "[[B]]\n", "B.md": "b\n"})
    folder = root / CACHE_DIR
    outside = tmp_path / "outside"
    outside.mkdir()
    if kind == "fifo":
        folder.mkdir()
        os.mkfifo(folder / FILE)
    elif kind == "devzero":
        folder.mkdir()
        (folder / FILE).symlink_to("/dev/zero")
    elif kind == "folder-link":
        folder.symlink_to(outside)
    else:
        folder.mkdir()
        (folder / ".gitignore").symlink_to(outside / "created-by-starvault")
    proc = run("check", str(root), timeout=60)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert list(outside.iterdir()) == []


def test_cache_keeps_dates_without_pickle(make_vault, monkeypatch):
    front = (
        "---\ndate: 2026-11-02\nat: 2026-11-02T10:00:00+01:00\nlabel: '2026-11-03'\n"
        "sessions: [2026-01-01, {on: 2026-02-02, notes: [2026-03-03T08:00:00]}]\n---\n"
    )
    root = make_vault({"P.md": front})
    cold = load(root).notes["P.md"].meta
    raw = (root / CACHE_DIR / FILE).read_bytes()
    assert b"pickle" not in raw and b"datetime\nd" not in raw
    warm = load(root).notes["P.md"].meta
    assert warm == cold and type(warm["date"]).__name__ == "date"
    assert type(warm["at"]).__name__ == "datetime" and warm["at"].utcoffset() is not None
    assert warm["label"] == "2026-11-03"  # a quoted date stays text
    assert type(warm["sessions"][1]["notes"][0]).__name__ == "datetime"
    # Another note changes: the whole cache is written again (no delta) with P's kept
    # row, still plain.
    monkeypatch.setattr(cache_mod, "DELTA_MIN", 0)
    monkeypatch.setattr(cache_mod, "DELTA_SHARE", 0.0)
    time.sleep(0.05)
    (root / "Q.md").write_text("# Q\n", "utf-8")
    before = (root / CACHE_DIR / FILE).stat().st_ino
    assert load(root).notes["P.md"].meta == cold
    assert (root / CACHE_DIR / FILE).stat().st_ino != before  # written again (atomically)
    assert load(root).notes["P.md"].meta == cold


@pytest.mark.parametrize(
    "expr",
    [
        "{{ cycler.__init__.__globals__.os.system('touch ' ~ mark) }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{% set x = [] %}{{ x.append(1) }}",
    ],
)
def test_vault_templates_are_sandboxed(make_vault, tmp_path, run_cli, expr):
    mark = tmp_path / "pwned"
    root = make_vault(
        {
            "A.md": "# A\n",
            "_templates/note.html": "{% set mark = '" + str(mark) + "' %}" + expr + "\n",
        }
    )
    proc = run("build", str(root), "-o", str(tmp_path / "site"))
    no_traceback(proc)
    assert not mark.exists()
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_vault_template_cannot_add_a_script_that_runs(make_vault, tmp_path):
    base = (Path(starvault.__file__).parent.parent.parent / "templates/base.html").read_text()
    evil = base.replace("</head>", "<script>alert(1)</script></head>")
    root = make_vault({"A.md": "# A\n", "_templates/base.html": evil})
    out = tmp_path / "site"
    build(load(root), out)
    html = (out / "A.html").read_text("utf-8")
    # The page's own policy comes first and the template's script has no nonce.
    assert html.index("Content-Security-Policy") < html.index("alert(1)")
    assert "<script>alert(1)" in html


# -- 4. nothing from outside the vault is published ---------------------------------------
def test_template_folder_links_out_of_the_vault_are_not_read(make_vault, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("/* private */", "utf-8")
    secret_html = tmp_path / "secret.html"
    secret_html.write_text("PRIVATE {{ 7 * 7 }}", "utf-8")
    root = make_vault(
        {
            "A.md": "# A\n",
            "_templates/static/own.css": "/* mine */",
            "_templates/static/own.js": "alert(1)",
        }
    )
    (root / "_templates/static/x.css").symlink_to(secret)
    (root / "_templates/note.html").symlink_to(secret_html)
    out = tmp_path / "site"
    build(load(root), out)
    assert (out / "static/own.css").read_text() == "/* mine */"
    assert not (out / "static/x.css").exists()
    assert not (out / "static/own.js").exists()  # a vault never ships a script
    assert "PRIVATE" not in (out / "A.html").read_text("utf-8")


@pytest.mark.parametrize("folder", ["../outside", "/etc", "a/../../outside"])
def test_template_folders_must_lie_inside_the_vault(make_vault, tmp_path, folder):
    root = make_vault({"A.md": "# A\n", "starvault.toml": f'[site]\ntemplates = "{folder}"\n'})
    proc = run("build", str(root), "-o", str(tmp_path / "site"))
    no_traceback(proc)
    assert proc.returncode == 2
    assert "inside the vault" in proc.stderr


def test_active_attachments_are_not_published(make_vault, tmp_path):
    root = make_vault(
        {
            "A.md": "# A\n![[ok.svg]] [x](page.html) ![[bad.svg]]\n",
            "ok.svg": '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1"/></svg>',
            "bad.svg": '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "page.html": "<script>alert(1)</script>",
            "code.js": "alert(1)",
        }
    )
    out = tmp_path / "site"
    build(load(root), out)
    assert (out / "ok.svg").is_file()
    assert not (out / "bad.svg").exists()
    assert not (out / "page.html").exists() and not (out / "code.js").exists()


# -- bounded work -----------------------------------------------------------------------
def test_a_megabyte_of_brackets_checks_and_builds(make_vault, tmp_path):
    root = make_vault({"Brackets.md": "[" * 1_000_000 + "\n", "B.md": "[[" * 200_000})
    for args in (("check", str(root)), ("build", str(root), "-o", str(tmp_path / "s"))):
        proc = run(*args, timeout=240)
        no_traceback(proc)
        assert proc.returncode in (0, 1), proc.stderr


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1e20", "-5"])
def test_practice_durations_must_be_finite_and_in_range(make_vault, tmp_path, value):
    root = make_vault(
        {
            "Practice/P.md": (
                "---\ntype: practice\ndate: 2026-11-02\nquestion: '[[Q]]'\nstory: '[[S]]'\n"
                f"duration_s: {value}\nmode: self\n---\n"
            ),
            "Q.md": "q\n",
            "S.md": "s\n",
        }
    )
    report = starvault.check(load(root), select=["FM003", "FM004"])
    found = [(d.rule, d.line) for d in report.diagnostics if d.path == "Practice/P.md"]
    assert found and found[0][1] == 6
    proc = run("coverage", str(root), "--format", "json")
    no_traceback(proc)

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    json.loads(proc.stdout, parse_constant=refuse)
    proc = run("build", str(root), "-o", str(tmp_path / "site"))
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr


def test_a_chain_of_a_thousand_embeds_builds(make_vault, tmp_path):
    files = {f"N{i}.md": f"# N{i}\n\n![[N{i + 1}]]\n" for i in range(1000)}
    files["N1000.md"] = "# end\n"
    root = make_vault(files)
    result = build(load(root), tmp_path / "site", jobs=1)
    assert result.pages == 1001


def test_embedding_all_to_all_is_capped_with_a_notice(make_vault, tmp_path):
    n = 40
    body = "\n\n".join(f"![[N{j}]]" for j in range(n))
    root = make_vault({f"N{i}.md": f"# N{i}\n\nnote {i} text\n\n{body}\n" for i in range(n)})
    out = tmp_path / "site"
    build(load(root), out)
    size = sum(p.stat().st_size for p in out.rglob("*.html"))
    assert size < 60_000_000
    assert "transcludes too much" in (out / "N0.html").read_text("utf-8")


def test_a_yaml_alias_bomb_is_refused(make_vault, tmp_path):
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    root = make_vault({"Bomb.md": "---\n" + "\n".join(lines) + "\n---\nbody\n", "B.md": "b\n"})
    report = starvault.check(load(root, use_cache=False), select=["VA002"])
    (d,) = report.diagnostics
    assert d.path == "Bomb.md" and "aliases" in d.message
    proc = run("build", str(root), "-o", str(tmp_path / "site"))
    no_traceback(proc)
    # Ordinary aliases still read.
    ok = make_vault({"A.md": "---\nx: &v [1, 2]\ny: *v\n---\n"}, name="ok")
    assert load(ok, use_cache=False).notes["A.md"].meta["y"] == [1, 2]


def test_ten_thousand_headings_and_twenty_thousand_links_build(make_vault, tmp_path):
    heads = "\n".join(f"## Heading {i}\n" for i in range(10_000))
    links = " ".join(f"[[#Heading {i % 10_000}]]" for i in range(20_000))
    root = make_vault({"Big.md": f"# Big\n\n{heads}\n\n{links}\n"})
    proc = run("build", str(root), "-o", str(tmp_path / "site"), timeout=240)
    no_traceback(proc)
    assert proc.returncode == 0, proc.stderr
    assert 'href="#heading-9999"' in (tmp_path / "site/Big.html").read_text("utf-8")


def test_notes_above_the_size_limit_are_reported_not_read(make_vault, tmp_path):
    root = make_vault(
        {
            "Huge.md": "x [[Missing]]\n" * 200,
            "Small.md": "[[Missing]]\n",
            "starvault.toml": "max_note_kb = 1\n",
        }
    )
    report = starvault.check(load(root, use_cache=False))
    got = {(d.rule, d.path) for d in report.diagnostics}
    assert ("VA003", "Huge.md") in got
    assert ("LK001", "Huge.md") not in got and ("LK001", "Small.md") in got
    build(load(root), tmp_path / "site")


def test_nesting_past_the_parser_limit_is_a_finding(make_vault):
    deep = "> " * 25 + "[[Lost]]\n"
    root = make_vault({"Deep.md": "# Deep\n\n" + deep, "Fine.md": "> > > quote\n"})
    report = starvault.check(load(root, use_cache=False), select=["VA004"])
    assert [(d.path, d.line) for d in report.diagnostics] == [("Deep.md", 3)]


# -- every error a clear line -------------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_a_finding(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n"})
    for name, data in ((b"Bad\xff name.md", b"# bad\n"), (b"pic\xfe.png", b"\x89PNG")):
        with open(os.path.join(os.fsencode(root), name), "wb") as fh:
            fh.write(data)
    for args in (
        ("check", str(root), "--format", "json"),
        ("graph", str(root), "--format", "graphml"),
        ("build", str(root), "-o", str(tmp_path / "site")),
    ):
        proc = run(*args)
        no_traceback(proc)
        assert proc.returncode in (0, 1), proc.stderr
    proc = run("check", str(root), "--format", "json")
    rules = [d["rule"] for d in json.loads(proc.stdout)["diagnostics"]]
    assert rules.count("VA001") == 2


def test_serve_refuses_foreign_hosts_and_nul_without_a_traceback(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n"})
    proc, base = start_serve(root, tmp_path / "site")
    try:
        assert base is not None
        host, port = base.split("//")[1].rstrip("/").split(":")

        def get(path: str, host_header: str) -> int:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.putrequest("GET", path, skip_host=True)
            conn.putheader("Host", host_header)
            conn.endheaders()
            status = conn.getresponse().status
            conn.close()
            return status

        assert get("/A.html", f"127.0.0.1:{port}") == 200
        assert get("/A.html", f"localhost:{port}") == 200
        assert get("/A.html", "evil.example:80") == 421
        assert get("/A.html", f"evil.example:{port}") == 421
        assert get("/%00", f"127.0.0.1:{port}") == 400
        assert get("/A.html%00.png", f"127.0.0.1:{port}") == 400
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert "Traceback" not in out


def test_what_a_killed_run_left_is_cleaned_up_and_live_runs_are_left_alone(make_vault, tmp_path):
    root = make_vault({"A.md": "# A\n"})
    out = tmp_path / "site"
    dead = 2**22 + 12345  # above the default pid_max: no such process
    leftovers = [
        tmp_path / f".site.tmp-{dead}-abcd",
        tmp_path / f".site.old-{dead}-efgh",
    ]
    for d in leftovers:
        d.mkdir()
        (d / "page.html").write_text("half", "utf-8")
    live = tmp_path / f".site.tmp-{os.getpid()}-live"
    live.mkdir()
    note_tmp = root / f".starvault-{dead}-x.tmp"
    note_tmp.write_text("half a note", "utf-8")
    build(load(root), out)
    assert not any(d.exists() for d in leftovers)
    assert live.exists()
    assert not note_tmp.exists()
    assert (root / "A.md").read_text("utf-8") == "# A\n"


def test_workers_do_not_outlive_a_killed_parent(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys, time
        from concurrent.futures import ProcessPoolExecutor
        import multiprocessing
        from starvault.atomic import die_with_parent

        def pid(_):
            return os.getpid()

        pool = ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork"),
                                   initializer=die_with_parent, initargs=(os.getpid(),))
        pids = set(pool.map(pid, range(20)))
        print(" ".join(map(str, pids)), flush=True)
        time.sleep(600)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 20
    alive = pids
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if _running(p)]
    assert alive == []


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_a_library_load_leaves_the_garbage_collector_as_it_was(make_vault):
    """Only a one-shot command freezes what a load built (a server or a program using the
    library would keep cyclic garbage for good); the collector is on again after."""
    import gc

    root = make_vault({"A.md": "---\ndate: 2026-01-01\n---\n# A\n", "B.md": "# B\n[[A]]\n"})
    before = gc.get_freeze_count()
    load(root)
    assert load(root).notes["A.md"].meta["date"].year == 2026  # from the cache
    assert gc.get_freeze_count() == before and gc.isenabled()
