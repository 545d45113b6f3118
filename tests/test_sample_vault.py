"""The sample vault is the quick start's input and the example users copy: it must stay a
complete, ready candidate that every rule passes."""

from __future__ import annotations

import json

import starvault
from conftest import SAMPLE_VAULT
from starvault.coverage import compute


def test_sample_vault_has_no_errors_or_warnings(run_cli):
    result = run_cli("check", str(SAMPLE_VAULT), "--format", "json", "--no-cache")
    data = json.loads(result.output)
    assert result.exit_code == 0
    assert data["summary"]["error"] == 0 and data["summary"]["warning"] == 0, data
    assert data["notes"] >= 60


def test_sample_vault_content_matches_the_seed():
    vault = starvault.load(SAMPLE_VAULT, use_cache=False)
    cov = compute(vault)
    assert len(cov.stories) == 6
    assert sorted(qt.key for qt in cov.question_types) == [
        "ambiguity",
        "conflict",
        "cross-functional",
        "failure",
        "leadership",
    ]
    assert len(cov.principles) == 9 and all(p.stories for p in cov.principles)
    assert {k: len(v) for k, v in cov.asks.items()} == {"team": 3, "culture": 3, "growth": 3}
    assert len(cov.failure_stories) >= 2
    assert all(s.practice_count >= 3 for s in cov.stories)
    # Ready means ready: every story free of errors, three sessions each at the bar; the
    # earlier, slower sessions stay in the log and honestly do not count.
    assert len(cov.ready_stories) == 6
    assert all(s.sessions_counted >= 3 for s in cov.stories)
    assert any(not p.counted for p in cov.practice)
    assert all(not s.metrics for s in cov.stories)
    # The checklist is derived, not a hand-ticked note that can drift.
    assert vault.lookup("Pre-Interview Checklist") is None
    assert all(s.speaking_seconds and s.speaking_seconds < 120 for s in cov.stories)
    assert all(item.passed for item in cov.checklist)
    # The five questions the seed quotes, each answered by at least one story.
    prompts = {q.prompt.rstrip("?").lower() for q in cov.questions}
    assert "describe a disagreement with a colleague" in prompts
    assert "tell me about a project that failed" in prompts
    assert all(q.stories for q in cov.questions)
    # The course module, in order, starts and ends the navigation chain.
    course = [n.name for n in vault.notes_of_type("course")]
    assert sorted(course) == [
        "03_Papers_Reading_Guide",
        "04_Behavioral_Interview",
        "05_AI_Safety_Interview",
    ]
