"""starvault's benchmark suite: one script, one run, a Markdown table and bench/out/results.json.

    python bench/run.py check   [--sizes 1000,10000] [--skip-peers]
    python bench/run.py build   [--sizes 1000,10000] [--skip-peers]
    python bench/run.py scale   [--sizes 10000,50000] [--profile both|typed|links]
    python bench/run.py startup [--runs 20]
    python bench/run.py         # all three

Every measurement runs in a fresh subprocess. Wall time is taken around the whole process
(interpreter start and imports included) for starvault and for the floor alike. Peak memory is
sampled every 50 ms as the sum of RSS (and of PSS) over the child's whole process tree (its
session), so worker processes count; the exact peak of the largest single process comes from
wait4()'s ru_maxrss. A tool that fails is reported in the table with its error, not dropped.
See bench/README.md for what is measured and the targets.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"
LOGS = OUT / "logs"
sys.path.insert(0, str(BENCH))

import gen_vault  # noqa: E402
import verify_vault  # noqa: E402

LK_RULES = ("LK001", "LK002", "LK003", "LK005")
OTHER_LINK_RULES = ("LK004", "LK006", "LK008")  # none of these exist in the generated vaults
PEER_SIZE = 1000
APPENDED = "\nA line appended by the benchmark to change this note.\n"
PAGE = os.sysconf("SC_PAGE_SIZE")


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- measuring


@dataclass
class Run:
    cmd: list[str]
    rc: int | None
    wall: float
    maxrss_mib: float | None = None  # largest single process of the tree (wait4 ru_maxrss)
    tree_rss_mib: float | None = None  # sampled peak of the RSS summed over the process tree
    tree_pss_mib: float | None = None  # the same with PSS (shared pages split between processes)
    procs: int = 0  # most processes seen at once in the tree
    loadavg: float = 0.0  # 1-minute load average when the run started (2 cores)
    stdout_path: str = ""
    stderr_tail: str = ""
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def peak_mib(self) -> float | None:
        vals = [v for v in (self.tree_rss_mib, self.maxrss_mib) if v is not None]
        return max(vals) if vals else None

    def stdout(self) -> str:
        return Path(self.stdout_path).read_text(encoding="utf-8", errors="replace")


def _session_tree(sid: int) -> list[int]:
    """PIDs whose session is sid (the child runs in a new session, so: its whole tree)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        if int(fields[3]) == sid:  # fields: state ppid pgrp session ...
            pids.append(int(name))
    return pids


def _mem(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            rss = int(f.read().split()[1]) * PAGE
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
                    break
    except (OSError, ValueError, IndexError):
        pass
    return rss, pss


class Sampler(threading.Thread):
    def __init__(self, sid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.sid, self.interval = sid, interval
        self.stop = threading.Event()
        self.rss = self.pss = 0
        self.procs = 0

    def run(self) -> None:
        while not self.stop.is_set():
            pids = _session_tree(self.sid)
            rss = pss = 0
            for pid in pids:
                r, p = _mem(pid)
                rss, pss = rss + r, pss + p
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.procs = max(self.procs, len(pids))
            self.stop.wait(self.interval)


def measure(
    cmd: list[str],
    label: str,
    *,
    cwd: Path | None = None,
    timeout: float = 1800,
    sample: bool = True,
    env: dict[str, str] | None = None,
) -> Run:
    """Run cmd in a fresh process (its own session), time it and sample its memory."""
    LOGS.mkdir(parents=True, exist_ok=True)
    out_path = LOGS / f"{label}.stdout"
    err_path = LOGS / f"{label}.stderr"
    cmd = [str(c) for c in cmd]
    load = os.getloadavg()[0]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(
                cmd,
                stdout=out,
                stderr=err,
                stdin=subprocess.DEVNULL,
                cwd=cwd,
                start_new_session=True,
                env=env,
            )
        except OSError as e:
            return Run(cmd, None, 0.0, error=f"cannot start: {e}", stdout_path=str(out_path))
        sampler = Sampler(p.pid) if sample else None
        if sampler:
            sampler.start()
        timed_out = threading.Event()

        def kill() -> None:
            timed_out.set()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)

        timer = threading.Timer(timeout, kill)
        timer.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        if sampler:
            sampler.stop.set()
            sampler.join()
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(p.pid, signal.SIGKILL)  # leftovers of our own child's session, if any
    tail = err_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-15:]
    run = Run(
        cmd,
        p.returncode,
        round(wall, 4),
        maxrss_mib=round(ru.ru_maxrss / 1024, 1),
        stdout_path=str(out_path),
        stderr_tail="\n".join(tail),
        loadavg=round(load, 2),
    )
    if sampler and sampler.rss:
        run.tree_rss_mib = round(sampler.rss / 2**20, 1)
        run.tree_pss_mib = round(sampler.pss / 2**20, 1) if sampler.pss else None
        run.procs = sampler.procs
    if timed_out.is_set():
        run.error = f"timed out after {timeout:.0f} s"
    return run


def fail_text(run: Run, ok_codes: tuple[int, ...] = (0,)) -> str | None:
    """None when the run is fine, else a one-line error for the table."""
    if run.error:
        return run.error
    if run.rc not in ok_codes:
        last = run.stderr_tail.splitlines()[-1] if run.stderr_tail else "no stderr"
        return f"exit {run.rc}: {last[:160]}"
    return None


# --------------------------------------------------------------------------- vaults


def ensure_vault(n: int, seed: int = 0, profile: str = "links") -> tuple[Path, dict]:
    """bench/out/vault-N (vault-typed-N for the typed profile), regenerated when the
    generator (or N, or the seed) changed."""
    name = f"vault-{n}" if profile == "links" else f"vault-{profile}-{n}"
    root = OUT / name
    stamp = OUT / f"{name}.json"
    key = {"generator": gen_vault.source_sha(), "notes": n, "seed": seed, "profile": profile}
    manifest = OUT / f"{name}-manifest.json"
    if root.is_dir() and stamp.is_file() and manifest.is_file():
        data = json.loads(stamp.read_text(encoding="utf-8"))
        if data.get("key") == key:
            return root, data["info"]
    log(f"generating {root.name} ({n} notes)")
    if root.exists():
        shutil.rmtree(root)
    t0 = time.perf_counter()
    info = gen_vault.generate_profile(profile, root, n, seed)
    info["generate_s"] = round(time.perf_counter() - t0, 2)
    if profile != "links":  # no planted link problems to verify
        stamp.write_text(json.dumps({"key": key, "info": info}, indent=1), encoding="utf-8")
        return root, info
    log(f"self-checking {root.name} with bench/verify_vault.py")
    res = verify_vault.verify(root, manifest)
    info["self_check"] = {
        "reference_checker_matches_manifest": not res["missed"] and not res["extra"],
        "missed": res["missed"][:10],
        "extra": res["extra"][:10],
        "links": res["links"],
    }
    stamp.write_text(json.dumps({"key": key, "info": info}, indent=1), encoding="utf-8")
    return root, info


def warm_page_cache(root: Path) -> None:
    for dirpath, _dirs, files in os.walk(root):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                while fh.read(1 << 20):
                    pass


def fresh_copy(src: Path, dst: Path) -> Path:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".starvault-cache"))
    return dst


def note_to_touch(root: Path) -> Path:
    notes = sorted(p for p in root.rglob("*.md") if ".trash" not in p.parts)
    return notes[len(notes) // 2]


def append_line(path: Path) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(APPENDED)


# --------------------------------------------------------------------------- comparing


def _key(d: dict) -> tuple[str, int, str]:
    return (d["path"], int(d["line"]), d["rule"])


def same_target(reported: object, expected: str) -> bool:
    """A Markdown link's target may be reported as written or %-decoded: both are accepted."""
    if not isinstance(reported, str):
        return False
    norm = [unicodedata.normalize("NFC", unquote(x)) for x in (reported, expected)]
    return reported == expected or norm[0] == norm[1]


def target_kind(target: object) -> str:
    t = target if isinstance(target, str) else ""
    if t.startswith(("./", "../")):
        return "relative"
    if t.startswith("/"):
        return "vault-root /"
    if "/" in t:
        return "folder path"
    return "name"


def compare_with_manifest(diags: list[dict], manifest: list[dict]) -> dict:
    """Match reported LK001/2/3/5 findings to the planted ones by (path, line, rule).

    On one line, a finding whose target equals the planted target is matched first, so an
    extra finding that shares a line with a planted one is reported as the extra.
    """
    got_by: dict[tuple, list[dict]] = {}
    for d in diags:
        if d.get("rule") in LK_RULES:
            got_by.setdefault(_key(d), []).append(d)
    want_by: dict[tuple, list[dict]] = {}
    for m in manifest:
        want_by.setdefault(_key(m), []).append(m)
    found: list[tuple[dict, dict]] = []
    missed: list[dict] = []
    extra: list[dict] = []
    for k in sorted(set(got_by) | set(want_by)):
        got, want = list(got_by.get(k, [])), list(want_by.get(k, []))
        for m in list(want):
            hit = next((g for g in got if same_target(g.get("target"), m["target"])), None)
            if hit is not None:
                found.append((m, hit))
                got.remove(hit)
                want.remove(m)
        while want and got:  # same place and rule, different target
            found.append((want.pop(0), got.pop(0)))
        missed += want
        extra += got
    target_mismatch = [
        {"path": m["path"], "line": m["line"], "rule": m["rule"], "expected": m["target"],
         "reported": g.get("target")}
        for m, g in found
        if not same_target(g.get("target"), m["target"])
    ]  # fmt: skip
    extra_at = {(d["path"], d["line"]): d["rule"] for d in extra}
    wrong_rule = [
        {"path": m["path"], "line": m["line"], "expected": m["rule"],
         "reported": extra_at[(m["path"], m["line"])]}
        for m in missed
        if (m["path"], m["line"]) in extra_at
    ]  # fmt: skip
    fields = ("path", "line", "column", "rule", "target", "message")
    others = Counter(d.get("rule") for d in diags if d.get("rule") in OTHER_LINK_RULES)

    def count(items: list[dict], rule: str) -> int:
        return sum(1 for d in items if d["rule"] == rule)

    return {
        "expected": len(manifest),
        "found": len(found),
        "missed": len(missed),
        "extra": len(extra),
        "exact": not missed and not extra,
        "by_rule": {
            r: {
                "expected": count(manifest, r),
                "found": count([m for m, _ in found], r),
                "missed": count(missed, r),
                "extra": count(extra, r),
            }
            for r in LK_RULES
        },
        "missed_by_form": dict(Counter(d.get("form", "?") for d in missed)),
        "extra_by_target_kind": dict(Counter(target_kind(d.get("target")) for d in extra)),
        "wrong_rule": wrong_rule[:20],
        "target_mismatch": len(target_mismatch),
        "target_mismatch_examples": target_mismatch[:10],
        "missed_examples": missed[:25],
        "extra_examples": [{f: d.get(f) for f in fields} for d in extra[:25]],
        "unexpected_other_link_findings": dict(others),
    }


def parse_check_json(run: Run) -> tuple[dict | None, str | None]:
    try:
        data = json.loads(run.stdout())
    except (OSError, ValueError) as e:
        return None, f"output is not JSON ({e.__class__.__name__}: {str(e)[:80]})"
    if not isinstance(data, dict) or not isinstance(data.get("diagnostics"), list):
        return None, "JSON has no diagnostics list"
    return data, None


def lk_set(data: dict) -> Counter:
    return Counter(
        (d["path"], d["line"], d["rule"], d.get("target"))
        for d in data["diagnostics"]
        if d.get("rule") in LK_RULES + OTHER_LINK_RULES
    )


# --------------------------------------------------------------------------- peers


def ensure_venv(name: str, packages: list[str]) -> tuple[Path | None, str | None]:
    venv = OUT / name
    py = venv / "bin" / "python"
    marker = venv / ".bench-installed"
    if py.exists() and marker.exists():
        return venv, None
    log(f"creating {venv} and installing {' '.join(packages)}")
    if venv.exists():
        shutil.rmtree(venv)
    base = getattr(sys, "_base_executable", None) or shutil.which("python3") or sys.executable
    for cmd in (
        [base, "-m", "venv", str(venv)],
        [str(py), "-m", "pip", "install", "-q", *packages],
    ):
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            tail = (r.stderr or r.stdout).strip().splitlines()[-1:] or ["?"]
            return None, f"{' '.join(cmd[:4])}... failed: {tail[0][:160]}"
    marker.write_text(" ".join(packages) + "\n", encoding="utf-8")
    return venv, None


DECOY_PREFIXES = (
    "Not A Link", "Hidden Note", "Old Note", "Escaped Note", "Code Note", "Commented Note",
    "HTML Comment Note", "Indented Code Note", "Nested Fence Note",
)  # fmt: skip
OBSIDIANTOOLS_PROBE = r"""
import json, sys, time
from pathlib import Path
t0 = time.perf_counter()
from obsidiantools.api import Vault
t1 = time.perf_counter()
v = Vault(Path(sys.argv[1])).connect().gather()
t2 = time.perf_counter()
out = {
    "import_s": round(t1 - t0, 3),
    "connect_gather_s": round(t2 - t1, 3),
    "notes": len(v.md_file_index),
    "nonexistent_notes": sorted(v.nonexistent_notes),
    "nonexistent_media_files": sorted(v.nonexistent_media_files),
    "wikilinks": {k: list(x) for k, x in v.wikilinks_index.items()},
    "embedded": {k: list(x) for k, x in v.embedded_files_index.items()},
}
Path(sys.argv[2]).write_text(json.dumps(out), encoding="utf-8")
"""


def obsidiantools_analysis(probe: dict, manifest: list[dict]) -> dict:
    """Which planted broken note links obsidiantools reports, and what it gets wrong."""
    lk1 = [m for m in manifest if m["rule"] == "LK001"]
    wiki_targets = {m["target"].removesuffix(".md") for m in lk1 if m["form"] == "wikilink"}
    all_targets = {m["target"].removesuffix(".md") for m in lk1}
    reported = set(probe["nonexistent_notes"])
    found = sorted(wiki_targets & reported)
    missed = sorted(wiki_targets - reported)
    misreported = sorted(reported - all_targets)
    occurrences = Counter(t for links in probe["wikilinks"].values() for t in links)
    mis_links = sum(occurrences[t] for t in misreported)
    kinds: Counter = Counter()
    for name in misreported:
        if not name:
            kinds["same-note [[#heading]]"] += 1
        elif name.startswith(DECOY_PREFIXES) or "a_i" in name or "[3, 4" in name:
            kinds["not a link (code, comment, math, escaped)"] += 1
        elif "/" in name:
            kinds["folder or relative path"] += 1
        else:
            kinds["case, Unicode or .md variant"] += 1
    lk5 = {m["target"].split("#")[0] for m in manifest if m["rule"] == "LK005"}
    media = set(probe["nonexistent_media_files"])
    return {
        "planted_wikilink_lk001": len(wiki_targets),
        "found": len(found),
        "missed": len(missed),
        "missed_examples": missed[:10],
        "planted_lk001_not_wikilinks": len(lk1) - len(wiki_targets),
        "misreported_notes": len(misreported),
        "misreported_links": mis_links,
        "misreported_kinds": dict(kinds),
        "misreported_examples": misreported[:12],
        "wikilinks_seen": sum(occurrences.values()),
        "missing_media_reported": len(media),
        "planted_lk005_found": len(lk5 & media),
        "planted_lk005": len(lk5),
        "subpaths_checked": False,
    }


# --------------------------------------------------------------------------- commands


def status(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


class Table:
    def __init__(self, title: str) -> None:
        self.title = title
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, size: Any, what: str, value: str, target: str = "", st: str = "") -> None:
        self.rows.append((str(size), what, value, target, st))

    def render(self) -> str:
        head = ("Size", "Measurement", "Result", "Target", "Status")
        lines = [f"### {self.title}", "", "| " + " | ".join(head) + " |", "|---" * 5 + "|"]
        for r in self.rows:
            cells = [c.replace("|", "\\|").replace("\n", " ") for c in r]
            lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines)


def wall(run: Run) -> str:
    """Wall time, with the load average when the machine was busy (it skews timings)."""
    busy = f" (load {run.loadavg:.1f})" if run.loadavg >= 0.8 else ""
    return fmt_s(run.wall) + busy


def fmt_s(x: float | None) -> str:
    return "—" if x is None else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


def mem_text(run: Run) -> str:
    parts = []
    if run.tree_rss_mib is not None:
        parts.append(f"tree RSS {run.tree_rss_mib:.0f} MiB")
    if run.tree_pss_mib is not None:
        parts.append(f"PSS {run.tree_pss_mib:.0f}")
    if run.maxrss_mib is not None:
        parts.append(f"largest process {run.maxrss_mib:.0f}")
    if run.procs:
        parts.append(f"{run.procs} proc")
    return ", ".join(parts) or "—"


def run_floor(
    py: str, t: Table, r: dict[str, Any], n: int, root: Path, key: str, extra: list[str], what: str
) -> tuple[Run, dict[str, Any]] | None:
    """Run ``floor.py ROOT *extra`` once, keep it in ``r[key]``; None (and an ERROR row)
    when it fails."""
    log(f"{what} at {n}")
    run = measure([py, BENCH / "floor.py", root, *extra], f"{key}-{n}")
    err = fail_text(run)
    if err:
        t.add(n, what, f"error: {err}", "", "ERROR")
        return None
    result = json.loads(run.stdout())
    r[key] = {**asdict(run), "result": result}
    return run, result


def cmd_check(args: argparse.Namespace, sv: str, py: str) -> tuple[dict, Table]:
    t = Table("check")
    res: dict[str, Any] = {"sizes": {}}
    cold_at: dict[int, float] = {}
    for n in args.sizes:
        root, info = ensure_vault(n)
        manifest = json.loads(Path(info["manifest"]).read_text(encoding="utf-8"))
        r: dict[str, Any] = {"vault": info}
        res["sizes"][str(n)] = r
        sc = info.get("self_check", {})
        t.add(
            n,
            "vault",
            f"{info['notes']} notes, {info['links']} links, "
            f"{info['bytes'] / 2**20:.0f} MiB, {info['planted']} planted "
            f"({', '.join(f'{k} {v}' for k, v in info['planted_by_rule'].items())})",
            "reference checker = manifest",
            status(sc.get("reference_checker_matches_manifest")),
        )
        warm_page_cache(root)

        fl = run_floor(py, t, r, n, root, "floor", [], "floor (frontmatter + regex + networkx)")
        floor_wall = fl[0].wall if fl else None
        if fl:
            t.add(
                n,
                "floor (frontmatter + regex + networkx)",
                f"{wall(fl[0])} wall ({fmt_s(fl[1]['seconds'])} in loop), {fl[1]['links']} [[ ]]",
            )
        # References for reading the target (not targets): PERF-NOTES' floor, whose YAML
        # loader was pure Python, and markdown-it-py's stock block parse alone.
        refs: dict[str, float] = {}
        for key, extra, what in (
            ("floor_py_yaml", ["--yaml", "python"], "reference: floor, pure-Python YAML"),
            ("block_parse", ["--mode", "block"], "reference: markdown-it-py block parse alone"),
        ):
            ref = run_floor(py, t, r, n, root, key, extra, what)
            if ref:
                refs[key] = ref[0].wall
                times = f", {ref[0].wall / floor_wall:.1f}x the floor" if floor_wall else ""
                t.add(n, what, f"{wall(ref[0])} wall, one process{times}")

        log(f"starvault check --no-cache at {n}")
        cold = measure(
            [sv, "check", root, "--no-cache", "--format", "json"], f"check-cold-{n}", cwd=OUT
        )
        r["cold"] = asdict(cold)
        err = fail_text(cold, (0, 1))
        data = None
        if not err:
            data, err = parse_check_json(cold)
        if err:
            t.add(n, "starvault check --no-cache", f"error: {err}", "", "ERROR")
        else:
            assert data is not None
            cold_at[n] = cold.wall
            ratio = cold.wall / floor_wall if floor_wall else None
            r["cold_over_floor"] = round(ratio, 2) if ratio else None
            t.add(
                n,
                "starvault check --no-cache (cold)",
                f"{wall(cold)}; {data.get('notes')} notes, {data.get('links')} links "
                f"(generator: {info['links']})",
            )
            t.add(
                n,
                "cold / floor",
                f"{ratio:.2f}x" if ratio else "—",
                "≤ 2.0 at 10k",
                status(ratio <= 2.0 if ratio and n >= 10000 else None),
            )
            for key, what in (
                ("floor_py_yaml", "cold / floor with pure-Python YAML (reference)"),
                ("block_parse", "cold / block parse alone (reference)"),
            ):
                if key in refs:
                    r[f"cold_over_{key}"] = round(cold.wall / refs[key], 2)
                    t.add(n, what, f"{cold.wall / refs[key]:.2f}x")
            peak = cold.peak_mib
            t.add(
                n,
                "cold peak memory",
                mem_text(cold),
                "< 400 MiB at 10k",
                status(peak < 400 if peak and n >= 10000 else None),
            )
            cmp = compare_with_manifest(data["diagnostics"], manifest)
            r["correctness"] = cmp
            detail = ", ".join(
                f"{k} {v['found']}/{v['expected']}" + (f" +{v['extra']}" if v["extra"] else "")
                for k, v in cmp["by_rule"].items()
            )
            t.add(
                n,
                "planted LK001/2/3/5 found / missed / extra",
                f"{cmp['found']} / {cmp['missed']} / {cmp['extra']} ({detail})",
                "exactly the manifest",
                status(cmp["exact"]),
            )
            if cmp["unexpected_other_link_findings"]:
                t.add(
                    n,
                    "unexpected LK004/LK006/LK008",
                    json.dumps(cmp["unexpected_other_link_findings"]),
                    "0",
                    "FAIL",
                )
            if cmp["target_mismatch"]:
                ex = cmp["target_mismatch_examples"][0]
                t.add(
                    n,
                    "`target` differs from the link as written",
                    f"{cmp['target_mismatch']} (e.g. {ex['path']}:{ex['line']} "
                    f"{ex['reported']!r} vs {ex['expected']!r})",
                    "0",
                    "FAIL",
                )
            if cmp["extra"]:
                kinds = ", ".join(f"{v} {k}" for k, v in cmp["extra_by_target_kind"].items())
                t.add(n, "  extra findings by link target", kinds)
            for ex in cmp["missed_examples"][:3]:
                t.add(
                    n,
                    "  missed",
                    f"{ex['path']}:{ex['line']} {ex['rule']} {ex['target']!r} ({ex.get('form')})",
                )
            for ex in cmp["extra_examples"][:3]:
                t.add(n, "  extra", f"{ex['path']}:{ex['line']} {ex['rule']} {ex['target']!r}")

            # warm: fill the cache, change one note, check again
            log(f"warm check at {n}")
            work = fresh_copy(root, OUT / f"warm-{n}")
            argv = [sv, "check", work, "--format", "json"]
            fill = measure(argv, f"check-fill-{n}", cwd=OUT)
            err = fail_text(fill, (0, 1))
            if err:
                t.add(n, "starvault check (cache fill)", f"error: {err}", "", "ERROR")
            else:
                touched = note_to_touch(work)
                append_line(touched)
                warm = measure(argv, f"check-warm-{n}", cwd=OUT)
                noop = measure(argv, f"check-noop-{n}", cwd=OUT)
                r["fill"], r["warm"], r["noop"] = asdict(fill), asdict(warm), asdict(noop)
                r["touched"] = str(touched.relative_to(work))
                err = fail_text(warm, (0, 1))
                wdata = None
                if not err:
                    wdata, err = parse_check_json(warm)
                if err:
                    t.add(n, "starvault check, 1 note changed (warm)", f"error: {err}", "", "ERROR")
                else:
                    assert wdata is not None
                    ratio = warm.wall / cold.wall
                    r["warm_over_cold"] = round(ratio, 3)
                    same = lk_set(wdata) == lk_set(data)
                    r["warm_matches_cold"] = same
                    t.add(
                        n,
                        "starvault check, 1 note changed (warm)",
                        f"{wall(warm)} (cache fill run {fmt_s(fill.wall)}, "
                        f"no change {fmt_s(noop.wall)})",
                        "< 1 s at 10k",
                        status(warm.wall < 1.0 if n >= 10000 else None),
                    )
                    # The issue states both warm targets at 10,000 notes; smaller vaults
                    # show the ratio (there interpreter start and imports dominate).
                    t.add(
                        n,
                        "warm / cold",
                        f"{ratio:.3f}",
                        "< 0.2 at 10k",
                        status(ratio < 0.2 if n >= 10000 else None),
                    )
                    t.add(
                        n,
                        "warm link findings = cold link findings",
                        str(same),
                        "True",
                        status(same),
                    )

        if n == PEER_SIZE and not args.skip_peers:
            res["obsidiantools"] = run_obsidiantools(root, manifest, cold_at.get(n), t)
    return res, t


def run_obsidiantools(root: Path, manifest: list[dict], sv_cold: float | None, t: Table) -> dict:
    n = PEER_SIZE
    venv, err = ensure_venv("venv-obsidiantools", ["obsidiantools"])
    if err or venv is None:
        t.add(n, "obsidiantools", f"error: {err}", "", "ERROR")
        return {"error": err}
    probe_py = OUT / "obsidiantools_probe.py"
    probe_py.write_text(OBSIDIANTOOLS_PROBE, encoding="utf-8")
    probe_out = OUT / f"obsidiantools-{n}.json"
    probe_out.unlink(missing_ok=True)
    log(f"obsidiantools Vault(path).connect().gather() at {n} (slow)")
    run = measure(
        [venv / "bin" / "python", probe_py, root, probe_out], f"obsidiantools-{n}", timeout=3600
    )
    err = fail_text(run)
    if err:
        t.add(n, "obsidiantools connect().gather()", f"error: {err}", "", "ERROR")
        return {"run": asdict(run), "error": err}
    probe = json.loads(probe_out.read_text(encoding="utf-8"))
    ana = obsidiantools_analysis(probe, manifest)
    t.add(
        n,
        "obsidiantools connect().gather()",
        f"{wall(run)} wall ({fmt_s(probe['connect_gather_s'])} in connect+gather); {mem_text(run)}",
    )
    ratio = run.wall / sv_cold if sv_cold else None
    t.add(
        n,
        "obsidiantools / starvault cold",
        f"{ratio:.1f}x" if ratio else "—",
        "≥ 30",
        status(ratio >= 30 if ratio else None),
    )
    t.add(
        n,
        "obsidiantools: planted broken wiki-links reported",
        f"{ana['found']}/{ana['planted_wikilink_lk001']} (missed {ana['missed']}; "
        f"{ana['planted_lk001_not_wikilinks']} planted LK001 in embeds, Markdown links or "
        "front matter are outside its nonexistent_notes; headings and blocks unchecked)",
    )
    t.add(
        n,
        "obsidiantools: misreported as nonexistent",
        f"{ana['misreported_notes']} names in {ana['misreported_links']} links: "
        + ", ".join(f"{v} {k}" for k, v in ana["misreported_kinds"].items()),
    )
    t.add(
        n,
        "obsidiantools: nonexistent_media_files",
        f"{ana['missing_media_reported']} reported, {ana['planted_lk005_found']} of the "
        f"{ana['planted_lk005']} planted missing attachments among them",
    )
    return {"run": asdict(run), "analysis": ana, "connect_gather_s": probe["connect_gather_s"]}


def build_not_implemented(run: Run) -> bool:
    return run.rc == 2 and "No such command" in run.stderr_tail


def cmd_build(args: argparse.Namespace, sv: str, py: str) -> tuple[dict, Table]:
    t = Table("build")
    res: dict[str, Any] = {"sizes": {}}
    build_at: dict[int, float] = {}
    for n in args.sizes:
        root, _info = ensure_vault(n)
        r: dict[str, Any] = {}
        res["sizes"][str(n)] = r
        warm_page_cache(root)
        label = "render floor (frontmatter + markdown-it-py render)"
        fl = run_floor(py, t, r, n, root, "render_floor", ["--mode", "render"], label)
        floor_wall = fl[0].wall if fl else None
        if fl:
            t.add(n, label, f"{wall(fl[0])} wall ({fmt_s(fl[1]['seconds'])} in loop)")

        log(f"starvault build at {n}")
        work = fresh_copy(root, OUT / f"build-{n}")
        site = OUT / f"site-{n}"
        if site.exists():
            shutil.rmtree(site)
        argv = [sv, "build", work, "-o", site]
        full = measure(argv, f"build-full-{n}", cwd=OUT)
        r["full"] = asdict(full)
        if build_not_implemented(full):
            r["not_implemented"] = True
            t.add(
                n, "starvault build", "not implemented yet (`No such command 'build'`)", "", "n/a"
            )
            continue
        err = fail_text(full, (0, 1))
        if err:
            t.add(n, "starvault build (full)", f"error: {err}", "", "ERROR")
            continue
        build_at[n] = full.wall
        ratio = full.wall / floor_wall if floor_wall else None
        r["full_over_floor"] = round(ratio, 2) if ratio else None
        pages = sum(1 for _ in site.rglob("*.html")) if site.exists() else 0
        t.add(n, "starvault build (full)", f"{wall(full)}, {pages} HTML files; {mem_text(full)}")
        t.add(
            n,
            "full build / render floor",
            f"{ratio:.2f}x" if ratio else "—",
            "≤ 1.5 at 10k",
            status(ratio <= 1.5 if ratio and n >= 10000 else None),
        )
        touched = note_to_touch(work)
        append_line(touched)
        re_run = measure(argv, f"build-rebuild-{n}", cwd=OUT)
        r["rebuild"] = asdict(re_run)
        err = fail_text(re_run, (0, 1))
        if err:
            t.add(n, "starvault build, 1 note changed", f"error: {err}", "", "ERROR")
        else:
            t.add(
                n,
                "starvault build, 1 note changed",
                wall(re_run),
                "< 2 s at 10k",
                status(re_run.wall < 2.0 if n >= 10000 else None),
            )

    if PEER_SIZE in args.sizes and not args.skip_peers:
        res["mkdocs"] = run_mkdocs(build_at.get(PEER_SIZE), t)
    return res, t


def run_mkdocs(sv_build: float | None, t: Table) -> dict:
    n = PEER_SIZE
    venv, err = ensure_venv("venv-mkdocs", ["mkdocs", "mkdocs-roamlinks-plugin"])
    if err or venv is None:
        t.add(n, "mkdocs + roamlinks", f"error: {err}", "", "ERROR")
        return {"error": err}
    root, _info = ensure_vault(n)
    cfg_dir = OUT / f"mkdocs-{n}"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    site = OUT / f"mkdocs-site-{n}"
    if site.exists():
        shutil.rmtree(site)
    cfg = cfg_dir / "mkdocs.yml"
    cfg.write_text(
        f"site_name: bench vault {n}\n"
        f"docs_dir: {json.dumps(str(root))}\n"
        f"site_dir: {json.dumps(str(site))}\n"
        "plugins:\n  - roamlinks\n",
        encoding="utf-8",
    )
    log(f"mkdocs build at {n} (slow)")
    run = measure(
        [venv / "bin" / "mkdocs", "build", "-f", cfg, "--clean"],
        f"mkdocs-{n}",
        cwd=cfg_dir,
        timeout=3600,
    )
    err = fail_text(run)
    if err:
        t.add(n, "mkdocs build + roamlinks", f"error: {err}", "", "ERROR")
        return {"run": asdict(run), "error": err}
    t.add(n, "mkdocs build + roamlinks", f"{wall(run)}; {mem_text(run)}")
    ratio = run.wall / sv_build if sv_build else None
    t.add(
        n,
        "mkdocs / starvault build",
        f"{ratio:.1f}x" if ratio else "— (no starvault build)",
        "≥ 20",
        status(ratio >= 20 if ratio else None),
    )
    return {"run": asdict(run), "over_starvault": round(ratio, 1) if ratio else None}


def time_runs(cmd: list[str], runs: int, cwd: Path) -> dict:
    hf = shutil.which("hyperfine")
    if hf:
        export = LOGS / "hyperfine.json"
        r = subprocess.run(
            [
                hf,
                "--runs",
                str(runs),
                "--warmup",
                "2",
                "-N",
                "-i",
                "--export-json",
                str(export),
                " ".join(f"'{c}'" for c in cmd),
            ],
            cwd=cwd,
            capture_output=True,
            text=True,
        )
        if r.returncode == 0:
            times = json.loads(export.read_text())["results"][0]["times"]
            codes = json.loads(export.read_text())["results"][0].get("exit_codes", [])
            return {"tool": "hyperfine", "times": times, "exit_codes": sorted(set(codes))}
    times, codes = [], set()
    for i in range(runs + 2):
        t0 = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        codes.add(p.returncode)
        if i >= 2:  # two warm-up runs
            times.append(dt)
        last_err = p.stderr.decode(errors="replace").strip().splitlines()[-1:]
    return {
        "tool": "subprocess",
        "times": times,
        "exit_codes": sorted(codes),
        "stderr_tail": last_err[0] if last_err else "",
    }


def cmd_startup(args: argparse.Namespace, sv: str, py: str) -> tuple[dict, Table]:
    t = Table("startup")
    res: dict[str, Any] = {}
    sample = REPO / "vault"
    copy = fresh_copy(sample, OUT / "sample-vault")  # run on a copy: never write into vault/
    n_notes = sum(1 for _ in copy.rglob("*.md"))
    cases = [
        ("starvault --version", [sv, "--version"], 0.150, (0,)),
        ("starvault check vault", [sv, "check", copy.name], 0.500, (0, 1)),
        ("starvault check vault --no-cache", [sv, "check", copy.name, "--no-cache"], None, (0, 1)),
    ]
    for label, cmd, target, ok_codes in cases:
        log(f"timing {label} x{args.runs}")
        r = time_runs(cmd, args.runs, OUT)
        bad = [c for c in r["exit_codes"] if c not in ok_codes]
        med, mn = statistics.median(r["times"]), min(r["times"])
        r.update(median=round(med, 4), min=round(mn, 4))
        res[label] = r
        if bad:
            t.add(
                f"{n_notes} notes" if "check" in label else "",
                label,
                f"error: exit {bad} {r.get('stderr_tail', '')[:120]}",
                "",
                "ERROR",
            )
            continue
        t.add(
            f"{n_notes} notes" if "check" in label else "",
            label,
            f"median {fmt_s(med)}, min {fmt_s(mn)} ({len(r['times'])} runs, {r['tool']})",
            f"< {target * 1000:.0f} ms" if target else "",
            status(med < target if target else None),
        )
    return res, t


# --------------------------------------------------------------------------- main


def meta(sv: str) -> dict:
    def out(cmd: list[str]) -> str:
        try:
            return subprocess.run(cmd, capture_output=True, text=True, cwd=REPO).stdout.strip()
        except OSError as e:
            return f"error: {e}"

    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git": out(["git", "rev-parse", "--short", "HEAD"]),
        "starvault": out([sv, "--version"]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_at_start": os.getloadavg(),
        "memory": "peak = max(sampled sum of RSS over the process tree, wait4 ru_maxrss)",
    }


def cmd_scale(args: argparse.Namespace, sv: str, py: str) -> tuple[dict, Table]:
    """The warm paths of issue 14, for each profile (default both) and size: cold check
    (and its ratio to the parse floor), check after one note changed (and its ratio to
    cold), check with nothing changed, full build (and its ratio to markdown-it-py's bare
    render of the same notes), build with nothing changed and after one note changed; each
    with the peak memory of its whole process tree."""
    profiles = gen_vault.PROFILES if args.profile == "both" else (args.profile,)
    t = Table(f"scale ({', '.join(profiles)})")
    res: dict[str, Any] = {"sizes": {}}
    for profile in profiles:
        for n in args.sizes:
            r = _scale_one(args, sv, py, t, profile, n)
            res["sizes"][f"{profile}-{n}"] = r
    return res, t


def _scale_one(
    args: argparse.Namespace, sv: str, py: str, t: Table, profile: str, n: int
) -> dict[str, Any]:
    big = n >= 10000
    at = f"{n} {profile}"
    root, info = ensure_vault(n, profile=profile)
    r: dict[str, Any] = {"info": info}
    warm_page_cache(root)
    floor = run_floor(py, t, r, n, root, "floor", [], "floor (frontmatter + regex + networkx)")
    render_floor = None
    if not args.skip_render_floor:
        label = "render floor (frontmatter + markdown-it-py render)"
        fl = run_floor(py, t, r, n, root, "render_floor", ["--mode", "render"], label)
        render_floor = fl[0].wall if fl else None
        if fl:
            t.add(at, label, f"{wall(fl[0])}; {mem_text(fl[0])}")
    work = fresh_copy(root, OUT / f"scale-{profile}-{n}")
    check = [sv, "check", work, "--format", "json"]
    log(f"scale {at}: cold check")
    cold = measure([*check, "--no-cache"], f"scale-cold-{profile}-{n}", cwd=OUT)
    r["cold"] = asdict(cold)
    data, err = parse_check_json(cold)
    if err:
        t.add(at, "check --no-cache (cold)", f"error: {err}", "", "ERROR")
        return r
    n_diag = len(data.get("diagnostics", [])) if data else 0
    cold_ratio = cold.wall / floor[0].wall if floor else None
    over = f", {cold_ratio:.2f}x the floor" if cold_ratio else ""
    t.add(
        at,
        "check --no-cache (cold)",
        f"{wall(cold)}{over}, {n_diag} findings; {mem_text(cold)}",
        "≤ 3.7x the floor (the issue's baseline)",
        status(cold_ratio <= 3.7 if big and cold_ratio else None),
    )
    fill = measure(check, f"scale-fill-{profile}-{n}", cwd=OUT)
    r["fill"] = asdict(fill)
    append_line(note_to_touch(work))
    warm = measure(check, f"scale-warm-{profile}-{n}", cwd=OUT)
    r["warm"] = asdict(warm)
    ratio = warm.wall / cold.wall if cold.wall else None
    r["warm_over_cold"] = round(ratio, 3) if ratio else None
    limit = 1.0 if n <= 10000 else 5.0
    met = warm.wall < limit and (n > 10000 or (ratio is not None and ratio <= 0.2))
    t.add(
        at,
        "check, 1 note changed",
        f"{wall(warm)} ({ratio:.3f} of cold); {mem_text(warm)}",
        "< 1 s and ≤ 0.2 of cold at 10k; < 5 s at 50k",
        status(met if big else None),
    )
    same = measure(check, f"scale-same-{profile}-{n}", cwd=OUT)
    r["unchanged"] = asdict(same)
    t.add(at, "check, nothing changed", f"{wall(same)}; {mem_text(same)}")
    site = OUT / f"scale-site-{profile}-{n}"
    if site.exists():
        shutil.rmtree(site)
    build = [sv, "build", work, "-o", site]
    log(f"scale {at}: full build")
    full = measure(build, f"scale-build-{profile}-{n}", cwd=OUT)
    r["build_full"] = asdict(full)
    err = fail_text(full, (0, 1))
    if err:
        t.add(at, "build (full)", f"error: {err}", "", "ERROR")
        return r
    mem_limit = 600 if n <= 10000 else 1536
    peak = full.peak_mib
    t.add(
        at,
        "build (full)",
        f"{wall(full)}; {mem_text(full)}",
        "< 600 MiB at 10k; < 1.5 GiB at 50k",
        status(peak < mem_limit if big and peak is not None else None),
    )
    if render_floor:
        over_render = full.wall / render_floor
        r["full_over_render_floor"] = round(over_render, 2)
        t.add(
            at,
            "full build / render floor",
            f"{over_render:.2f}x",
            "≤ 1.5x at 10k",
            status(over_render <= 1.5 if n == 10000 else None),
        )
    again = measure(build, f"scale-build-same-{profile}-{n}", cwd=OUT)
    r["build_unchanged"] = asdict(again)
    t.add(
        at,
        "build, nothing changed",
        f"{wall(again)}; {mem_text(again)}",
        "< 2 s at 10k",
        status(again.wall < 2.0 if n == 10000 else None),
    )
    append_line(note_to_touch(work))
    one = measure(build, f"scale-build-one-{profile}-{n}", cwd=OUT)
    r["build_one"] = asdict(one)
    t.add(
        at,
        "build, 1 note changed",
        f"{wall(one)}; {mem_text(one)}",
        "< 2 s at 10k",
        status(one.wall < 2.0 if n == 10000 else None),
    )
    return r


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "command", nargs="?", choices=["check", "build", "startup", "scale", "all"], default="all"
    )
    ap.add_argument(
        "--profile",
        choices=[*gen_vault.PROFILES, "both"],
        default="both",
        help="scale: the vault profile (default both; see gen_vault.py --profile)",
    )
    ap.add_argument(
        "--skip-render-floor",
        action="store_true",
        help="scale: do not run markdown-it-py's bare render (the full build's reference)",
    )
    ap.add_argument(
        "--sizes", default="1000,10000", help="comma-separated vault sizes (default 1000,10000)"
    )
    ap.add_argument("--skip-peers", action="store_true", help="skip obsidiantools and mkdocs")
    ap.add_argument("--runs", type=int, default=20, help="startup: runs per command")
    ap.add_argument("--starvault", default=str(REPO / ".venv" / "bin" / "starvault"))
    ap.add_argument(
        "--python",
        default=None,
        help="interpreter for the floors (needs "
        "python-frontmatter, networkx, markdown-it-py); default: the repo's .venv",
    )
    args = ap.parse_args(argv)
    args.sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    sv = args.starvault if Path(args.starvault).exists() else (shutil.which("starvault") or "")
    if not sv:
        print("error: no starvault executable (pass --starvault PATH)", file=sys.stderr)
        return 2
    py = args.python or str(REPO / ".venv" / "bin" / "python")
    if not Path(py).exists():
        py = sys.executable
    OUT.mkdir(parents=True, exist_ok=True)
    results_path = OUT / "results.json"
    results: dict[str, Any] = {}
    if results_path.exists():
        with contextlib.suppress(ValueError):
            results = json.loads(results_path.read_text(encoding="utf-8"))
    commands = ["check", "build", "startup"] if args.command == "all" else [args.command]
    tables = []
    for c in commands:
        fn = {"check": cmd_check, "build": cmd_build, "startup": cmd_startup, "scale": cmd_scale}[c]
        started = meta(sv)  # the starvault revision measured is the one at the start
        res, table = fn(args, sv, py)
        res["meta"] = started
        # keep earlier results of other sizes and of peers skipped this time
        merged = dict(results.get(c) or {})
        sizes = {**merged.get("sizes", {}), **res.get("sizes", {})}
        merged.update(res)
        if sizes:
            merged["sizes"] = sizes
        results[c] = merged
        results_path.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        tables.append(table)
        print(table.render() + "\n", flush=True)
    log(f"wrote {results_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
