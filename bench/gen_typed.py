"""The ``typed`` profile of ``gen_vault.py``: a vault as it looks on the first day of adopting
starvault in a large existing vault.

A quarter each of STAR stories, behavioral questions, course pages and plain notes, plus a
table of contents, a few principles and question types. Most typed notes carry the findings a
real first run shows (a missing STAR part, a short Result without numbers, an unknown question
type, a navigation block that points at the wrong page, ...), so every rule family has work:
the warm paths are measured against real per-note work, not against empty rule runs.

Deterministic for a given (notes, seed). No planted link problems: the manifest is empty and
``run.py`` does not match link findings on this profile.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = [
    "team",
    "model",
    "data",
    "launch",
    "metric",
    "latency",
    "review",
    "budget",
    "pipeline",
    "customer",
    "partner",
    "risk",
    "decision",
    "trade-off",
    "rollout",
    "incident",
    "design",
    "migration",
    "quality",
    "roadmap",
    "hiring",
    "feedback",
    "platform",
    "service",
    "evaluation",
    "training",
    "baseline",
    "experiment",
    "dashboard",
    "alignment",
    "scope",
    "deadline",
    "dependency",
    "stakeholder",
    "architecture",
    "cost",
    "reliability",
    "accuracy",
    "signal",
]
QTYPES = [
    ("leadership", "Leadership and Influence"),
    ("conflict", "Conflict Resolution"),
    ("failure", "Failure and Learning"),
    ("ambiguity", "Ambiguity and Decision Making"),
    ("cross-functional", "Cross-functional Collaboration"),
    ("technical-leadership", "Technical Leadership"),
    ("mentoring", "Mentoring and Growth"),
    ("delivery", "Delivering Under Pressure"),
]
PRINCIPLES = [
    "Customer Obsession", "Ownership", "Invent and Simplify", "Are Right, A Lot",
    "Learn and Be Curious", "Hire and Develop the Best", "Insist on the Highest Standards",
    "Think Big", "Bias for Action", "Frugality", "Earn Trust", "Dive Deep",
    "Have Backbone; Disagree and Commit", "Deliver Results",
]  # fmt: skip
MODULES = ["Foundations", "Systems", "Leadership", "Practice", "Interviews", "Advanced"]
PARTS = ["Situation", "Task", "Action", "Result", "Learnings", "Applied", "Short version"]


def _sentence(rng: random.Random, lo: int = 8, hi: int = 18) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def _para(rng: random.Random, n: int) -> str:
    return " ".join(_sentence(rng) for _ in range(n))


def _q(text: str) -> str:
    return '"' + text.replace('"', "'") + '"'


def generate_typed(root: Path, notes: int, seed: int = 0) -> dict:
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not empty")
    rng = random.Random(f"typed-{seed}")
    quarter = max(1, notes // 4)
    n_story, n_question, n_course = quarter, quarter, quarter
    fixed = len(QTYPES) + len(PRINCIPLES) + 1  # + the table of contents
    n_plain = max(0, notes - n_story - n_question - n_course - fixed)
    stories = [f"Story {i:05d} {rng.choice(WORDS).title()}" for i in range(n_story)]
    questions = [f"Question {i:05d} {rng.choice(WORDS).title()}" for i in range(n_question)]
    per_module = max(1, -(-n_course // len(MODULES)))
    courses = [
        (MODULES[i // per_module % len(MODULES)], f"{i:05d}_Lesson_{rng.choice(WORDS).title()}")
        for i in range(n_course)
    ]
    plain = [f"Note {i:05d} {rng.choice(WORDS).title()}" for i in range(n_plain)]
    files: dict[str, str] = {}

    for key, name in QTYPES:
        body = f"# {name}\n\n{_para(rng, 4)}\n\n## Questions\n\n"
        body += "".join(f"- [[{q}]]\n" for q in rng.sample(questions, min(3, len(questions))))
        files[f"Question Types/{name}.md"] = (
            f"---\ntype: question-type\nkey: {key}\ntitle: {_q(name)}\n---\n\n{body}"
        )
    for name in PRINCIPLES:
        files[f"Principles/{name}.md"] = (
            f"---\ntype: principle\ntitle: {_q(name)}\n---\n\n# {name}\n\n{_para(rng, 5)}\n"
        )

    keys = [k for k, _ in QTYPES]
    for i, name in enumerate(stories):
        flaw = i % 10  # 0-6: one typical finding each; 7-9: clean
        qts = rng.sample(keys, 1 if flaw == 5 else rng.randint(2, 3))
        if flaw == 6:
            qts[0] = "teamwork-ish"  # not a question-type key
        prin = ", ".join(_q(f"[[{p}]]") for p in rng.sample(PRINCIPLES, rng.randint(1, 3)))
        fm = [
            "type: story",
            f"title: {_q(name)}",
            f"project: {_q(_sentence(rng, 3, 6))}",
            f"role: {'Staff Engineer' if i % 2 else 'Tech Lead'}",
            f"question_types: [{', '.join(qts)}]",
            f"principles: [{prin}]",
            f"failure: {'true' if i % 7 == 0 else 'false'}",
            f"scope: {rng.choice(['team', 'multi-team', 'org'])}",
        ]
        if flaw != 0:
            fm.insert(4, f'impact: "latency -{rng.randint(5, 60)}% for {rng.randint(2, 90)} teams"')
        lines = ["---", *fm, "---", "", f"# {name}", ""]
        q = questions[i % len(questions)]
        lines += [f"Answers [[{q}]].", ""]
        for part in PARTS:
            if flaw == 1 and part == "Result":
                continue
            if flaw == 2 and part == "Learnings":
                continue
            lines += [f"## {part}", ""]
            if part == "Action":
                lines += [f"- I {_sentence(rng, 6, 14).lower()}" for _ in range(rng.randint(3, 6))]
            elif part == "Result" and flaw != 3:
                lines += [
                    f"- Cost fell by {rng.randint(5, 70)}% across {rng.randint(2, 40)} services.",
                    f"- {_sentence(rng)}",
                ]
            elif part == "Short version" and flaw == 4:
                lines += [_para(rng, 60)]  # far too long to tell in two minutes
            else:
                lines += [_para(rng, rng.randint(2, 5))]
            lines.append("")
        files[f"Stories/{name}.md"] = "\n".join(lines)

    for i, name in enumerate(questions):
        key = keys[i % len(keys)] if i % 9 else "unknown-type"
        linked = [stories[j % len(stories)] for j in (i, i * 7 + 3)] if i % 5 else []
        sl = ", ".join(_q(f"[[{s}]]") for s in linked)
        lines = [
            "---",
            "type: question",
            f"title: {_q(name)}",
            f"question_type: {key}",
            f"prompt: {_q('Tell me about a time ' + _sentence(rng, 5, 9).lower())}",
            f"stories: [{sl}]",
            "---",
            "",
            f"# {name}",
            "",
            "## What to demonstrate",
            "",
            *[f"- {_sentence(rng)}" for _ in range(3)],
            "",
            "## Stories that answer it",
            "",
            *[f"- [[{s}]]" for s in linked],
            "",
            _para(rng, rng.randint(3, 8)),
            "",
        ]
        files[f"Questions/{name}.md"] = "\n".join(lines)

    toc = ["---", "type: toc", "title: Course Contents", "---", "", "# Course Contents", ""]
    current = None
    for module, stem in courses:
        if module != current:
            toc += ["", f"## {module}", ""]
            current = module
        toc.append(f"1. [[{module}/{stem}|{stem}]]")
    files["Table_of_Contents.md"] = "\n".join(toc) + "\n"
    for i, (module, stem) in enumerate(courses):
        prev = courses[i - 1] if i > 0 else None
        nxt = courses[i + 1] if i + 1 < len(courses) else None
        if i % 8 == 3 and nxt is not None:  # a stale Next link: a typical NV finding
            nxt = courses[min(i + 2, len(courses) - 1)]
        toc_link = "[[../Table_of_Contents|Course Contents]]"
        nav = ["## Navigation", "", f"**Module:** {toc_link} → {module}"]
        if prev:
            nav.append(f"**Previous:** [[{prev[0]}/{prev[1]}|{prev[1]}]]")
        if nxt:
            nav.append(f"**Next:** [[{nxt[0]}/{nxt[1]}|{nxt[1]}]]")
        top = nav if i % 11 != 5 else []  # a page without its top block
        body = [
            "---",
            "type: course",
            f"title: {_q(stem.replace('_', ' '))}",
            f"module: {module}",
            "---",
            "",
            f"# {stem.replace('_', ' ')}",
            "",
            *top,
            "",
            "---",
            "",
            "## Introduction",
            "",
            _para(rng, rng.randint(4, 9)),
            "",
            f"See [[{rng.choice(stories)}]] and [[{rng.choice(PRINCIPLES)}]].",
            "",
            "### Details",
            "",
            _para(rng, rng.randint(4, 12)),
            "",
            "---",
            "",
            *nav,
            "",
        ]
        files[f"{module}/{stem}.md"] = "\n".join(body)

    for name in plain:
        links = [rng.choice(stories), rng.choice(questions), rng.choice(plain)]
        body = [f"# {name}", "", _para(rng, rng.randint(4, 10)), ""]
        body += [f"- see [[{t}]]" for t in links]
        body += ["", "## Notes", "", _para(rng, rng.randint(4, 14)), ""]
        files[f"Notes/{name}.md"] = "\n".join(body)

    nbytes = 0
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        path.write_bytes(data)
        nbytes += len(data)
    (root / "starvault.toml").write_text('toc = "Table_of_Contents"\n', encoding="utf-8")
    manifest_path = root.parent / f"{root.name}-manifest.json"
    manifest_path.write_text("[]\n", encoding="utf-8")
    return {
        "profile": "typed",
        "notes": len(files),
        "seed": seed,
        "stories": n_story,
        "questions": n_question,
        "course_pages": n_course,
        "plain": n_plain,
        "bytes": nbytes,
        "planted": 0,
        "manifest": str(manifest_path),
    }
