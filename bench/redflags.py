"""Red-flag rules against a labeled folder of stories: a confusion table per flag.

    .venv/bin/python bench/redflags.py FOLDER [--files even|odd] [--verbose]

FOLDER holds story notes and ``labels.json``: a list of ``{"file": ..., "flags": {flag:
bool}}``. A story counts as flagged when ``starvault.check`` (the library API, with the
folder's ``starvault.toml`` if it has one) reports the flag's rule anywhere in its file.
``--files even|odd`` scores every second labeled story only (a dev half and a held-out half).
The per-flag table is printed last, so ``| tail -n 12`` shows it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

# flag in labels.json -> the rule that must report it
FLAGS = {
    "we-without-i": "ST003",
    "result-without-numbers": "ST004",
    "too-long": "ST005",
    "blaming-language": "ST006",
    "failure-without-application": "ST007",
    "escalation-first": "ST010",
    "no-reflection": "ST011",
    "below-staff-scope": "ST012",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", choices=("all", "even", "odd"), default="all")
    parser.add_argument("--verbose", action="store_true", help="print each finding's message")
    args = parser.parse_args(argv)

    import starvault

    labels = json.loads((args.folder / "labels.json").read_text(encoding="utf-8"))
    labels = sorted(labels, key=lambda entry: entry["file"])
    if args.files != "all":
        labels = labels[(0 if args.files == "even" else 1) :: 2]
    started = time.perf_counter()
    vault = starvault.load(args.folder, use_cache=False)
    report = starvault.check(vault, select=sorted(set(FLAGS.values())))
    elapsed = time.perf_counter() - started
    reported: dict[str, set[str]] = {}
    # Only the selected half's findings are printed: --files odd --verbose must not show
    # the held-out half's text.
    selected = {entry["file"] for entry in labels}
    for d in report.diagnostics:
        reported.setdefault(d.path, set()).add(d.rule)
        if args.verbose and d.path in selected:
            print(f"{d.path}:{d.line}: {d.rule} {d.message}")

    rows = []
    misses: list[str] = []
    for flag, code in FLAGS.items():
        tp = fp = fn = tn = 0
        for entry in labels:
            truth = bool(entry["flags"].get(flag))
            said = code in reported.get(entry["file"], set())
            if truth and said:
                tp += 1
            elif said:
                fp += 1
                misses.append(f"  {flag} ({code}) false alarm: {entry['file']}")
            elif truth:
                fn += 1
                misses.append(f"  {flag} ({code}) missed: {entry['file']}")
            else:
                tn += 1
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        rows.append((flag, code, tp, fp, fn, tn, precision, recall))

    if misses:
        print("Missed and falsely flagged stories:")
        print("\n".join(misses))
    print(
        f"{len(labels)} labeled stories in {args.folder} ({args.files}); check took {elapsed:.2f} s"
    )
    print(
        f"{'flag':<28} {'rule':<5} {'TP':>3} {'FP':>3} {'FN':>3} {'TN':>3} {'prec':>5} {'rec':>5}"
    )
    for flag, code, tp, fp, fn, tn, precision, recall in rows:
        print(
            f"{flag:<28} {code:<5} {tp:>3} {fp:>3} {fn:>3} {tn:>3} {precision:>5.2f} {recall:>5.2f}"
        )
    worst = min(min(r[6], r[7]) for r in rows)
    print(f"lowest precision or recall: {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
