"""ST: STAR stories, as the seed teaches them and as its red flags warn against."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ..stories import STAR_PARTS, Story, first_person, has_figure, read_story
from ..stories import speaking_seconds as _seconds
from . import Finding, rule

if TYPE_CHECKING:
    from ..vault import Vault


def _stories(vault: Vault) -> Iterator[Story]:
    for note in vault.notes_of_type("story"):
        yield read_story(vault, note)


def _missing(story: Story, name: str) -> tuple[int, str]:
    """Where to report a missing or empty part, and how to say it."""
    found = story.parts.get(name)
    if found is not None:
        where = "section" if found.source == "section" else "field"
        return found.line, f"the {name} {where} is empty"
    return story.title_line, f"no {name}"


def _how(name: str) -> str:
    field = name.lower().replace(" ", "_").replace("-", "_")
    return f"add a '## {name}' section (or a '{field}:' field)"


@rule("ST001", "missing-star-part")
def missing_star_part(vault: Vault) -> Iterator[Finding]:
    """A story without its Situation, Task, Action or Result.

    Each part is an H2 section with that title, or a front matter field of that name in
    lower case. An answer that skips a part leaves the interviewer guessing: no context,
    no stake, nothing you did, or no outcome.

    **Anti-pattern**

    ::

        ## Situation
        Support agents spent 40% of their time searching documents.
        ## Result
        Search time fell by 60%.

    **Best practice**

    Add ``## Task`` (what you were responsible for) and ``## Action`` (what you did).
    """
    for story in _stories(vault):
        for name in STAR_PARTS:
            if story.part(name) is None:
                line, what = _missing(story, name)
                yield Finding(story.note.path, line, 1, f"{what}: {_how(name)}")


@rule("ST002", "missing-learnings")
def missing_learnings(vault: Vault) -> Iterator[Finding]:
    """A story without Learnings: what you took from it.

    The seed's strong answer ends on a learning ("starting with a narrow scope is critical
    for ML projects"); at Staff+ level reflection is part of the signal.

    **Anti-pattern**

    A story that ends at ``## Result``.

    **Best practice**

    ::

        ## Learnings
        A narrow first scope makes an ML problem measurable and the first win fast.
    """
    for story in _stories(vault):
        if story.part("Learnings") is None:
            line, what = _missing(story, "Learnings")
            yield Finding(
                story.note.path,
                line,
                1,
                f"{what}: {_how('Learnings')} with what you would keep or change next time",
            )


@rule("ST003", "we-without-i", severity="warning")
def we_without_i(vault: Vault) -> Iterator[Finding]:
    """The Action says "we" and never "I": the interviewer cannot tell what you did.

    Counts first-person words in the Action: I, my, me, I'm, I've, myself against we,
    our, us, we're, ourselves. Fires when the plural appears and the singular never does,
    or when the singular's share is under ``thresholds.first_person_min_share``.

    **Anti-pattern**

    ``We ran discovery, we designed a hybrid search and we convinced stakeholders.``

    **Best practice**

    ``I ran discovery with ten agents, designed the hybrid search and convinced
    stakeholders to start with an MVP; the team of four built it.``
    """
    share_min = vault.config.thresholds.first_person_min_share
    for story in _stories(vault):
        action = story.part("Action")
        if action is None:
            continue
        singular, plural = first_person(action.text)
        if not plural:
            continue
        share = singular / (singular + plural)
        if singular == 0:
            msg = f"the Action says 'we' {plural} times and 'I' never"
        elif share < share_min:
            msg = (
                f"the Action says 'I' {singular} times against 'we' {plural} times "
                f"({share:.0%}, under {share_min:.0%})"
            )
        else:
            continue
        yield Finding(
            story.note.path,
            action.line,
            1,
            f"{msg}: say what you did yourself ('I designed ...', 'I convinced ...')",
        )


@rule("ST004", "result-without-numbers", severity="warning")
def result_without_numbers(vault: Vault) -> Iterator[Finding]:
    """A Result with no measurable figure.

    A figure is any digit (``60%``, ``3x``, ``$2M``), money, a number word ("sixty
    percent", "two hundred"), or a multiplier ("twice", "halved", "tenfold"). The seed's
    red flag: "no specific numbers".

    **Anti-pattern**

    ``Search got much faster and the agents were happier.``

    **Best practice**

    ``Search time fell by 60% and CSAT rose from 72% to 85%.``
    """
    for story in _stories(vault):
        result = story.part("Result")
        if result is not None and not has_figure(result.text):
            yield Finding(
                story.note.path,
                result.line,
                1,
                "the Result has no figure: add a measured outcome (a percentage, time or "
                "money saved, a count, 'twice as fast')",
            )


@rule("ST005", "too-long", severity="warning")
def too_long(vault: Vault) -> Iterator[Finding]:
    """The Short version takes over two minutes to say (an error over three).

    Speaking time is the Short version's words at ``words_per_minute`` (150 by default);
    the limits are ``thresholds.short_version_warn_s`` and ``short_version_error_s``.
    The seed's red flag: "too long (over three minutes without being asked)".

    **Anti-pattern**

    A Short version of 450 words: three minutes at 150 words a minute.

    **Best practice**

    Around 250 words: keep one number per part, move detail to the Follow-ups.
    """
    config = vault.config
    t = config.thresholds
    for story in _stories(vault):
        short = story.part("Short version")
        if short is None:
            continue
        seconds = _seconds(short.text, config.words_per_minute)
        if seconds <= t.short_version_warn_s:
            continue
        severity = "error" if seconds > t.short_version_error_s else "warning"
        limit_words = int(t.short_version_warn_s * config.words_per_minute / 60)
        spoken = f"{int(seconds // 60)} min {int(seconds % 60):02d} s"
        yield Finding(
            story.note.path,
            short.line,
            1,
            f"the Short version takes {spoken} to say at {config.words_per_minute} words a "
            f"minute: cut it to about {limit_words} words (under {t.short_version_warn_s} s)",
            severity=severity,
        )


@lru_cache(maxsize=256)
def _blame_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """One alternation for the phrases: whole words, any case, any run of spaces."""
    bodies = sorted(
        (r"\s+".join(re.escape(w) for w in p.split()) for p in phrases),
        key=len,
        reverse=True,  # the longest phrase wins at a position
    )
    return re.compile(rf"(?<!\w)(?:{'|'.join(bodies)})(?!\w)", re.IGNORECASE)


def _candidates(phrases: list[str], lowered: str) -> tuple[str, ...]:
    """The phrases whose longest word occurs in the text: a cheap filter before the regex."""
    return tuple(p for p in phrases if max(p.lower().split(), key=len) in lowered)


@rule("ST006", "blaming-language", severity="warning")
def blaming_language(vault: Vault) -> Iterator[Finding]:
    """Wording that blames others ("they were wrong", "not my fault").

    Matches the phrases of ``blame_phrases`` in the config, case-insensitively and as
    whole words, anywhere in the story a candidate would say out loud. The seed's red
    flags: "blaming others", "I was right and they were wrong".

    **Anti-pattern**

    ``The launch slipped, but it was not my fault: the data team was late.``

    **Best practice**

    ``The launch slipped by a week; I now agree data deadlines with the data team at
    kick-off.``
    """
    phrases = [p for p in vault.config.blame_phrases if p.split()]
    if not phrases:
        return
    for story in _stories(vault):
        text = vault.text(story.note)
        found = _candidates(phrases, text.lower())
        if not found:
            continue
        pattern = _blame_pattern(found)
        body = 0
        for _ in range(story.note.body_line - 1):
            body = text.find("\n", body) + 1
        for m in pattern.finditer(text, body):
            said = m.group(0)
            if "\n" in said:
                continue  # a phrase is said on one line
            line_start = text.rfind("\n", 0, m.start()) + 1
            yield Finding(
                story.note.path,
                text.count("\n", 0, m.start()) + 1,
                m.start() - line_start + 1,
                f"'{said}' blames others: describe the disagreement neutrally "
                "and your own part in it",
                target=" ".join(said.split()).lower(),
            )


@rule("ST007", "failure-without-application")
def failure_without_application(vault: Vault) -> Iterator[Finding]:
    """A failure story (``failure: true``) without its Applied part.

    The seed: a good failure answer shows "how you applied them later". Without it the
    learning is a claim; with it, it is evidence.

    **Anti-pattern**

    A failure story that ends at ``## Learnings``.

    **Best practice**

    ::

        ## Applied
        On the next project I defined guardrail metrics before the A/B test.
    """
    for story in _stories(vault):
        if story.failure and story.part("Applied") is None:
            line, what = _missing(story, "Applied")
            yield Finding(
                story.note.path,
                line,
                1,
                f"{what} in this failure story: {_how('Applied')} telling how you used "
                "the lesson later",
            )


@rule("ST008", "missing-follow-ups", severity="warning")
def missing_follow_ups(vault: Vault) -> Iterator[Finding]:
    """A story without prepared answers to the follow-up questions.

    The seed: "be ready for follow-ups: what would you do differently, how did you
    measure success, what was the hardest part".

    **Anti-pattern**

    A story with no ``## Follow-ups`` section.

    **Best practice**

    ::

        ## Follow-ups
        ### What would you do differently?
        ### How did you measure success?
        ### What was the hardest part?
    """
    for story in _stories(vault):
        if story.part("Follow-ups") is None:
            line, what = _missing(story, "Follow-ups")
            yield Finding(
                story.note.path,
                line,
                1,
                f"{what}: {_how('Follow-ups')} answering what you would do differently, "
                "how you measured success and what was the hardest part",
            )


@rule("ST009", "missing-short-version", severity="warning")
def missing_short_version(vault: Vault) -> Iterator[Finding]:
    """A story without its two-minute telling.

    The seed: "prepare a two-minute version for most questions". The Short version is
    what ST005 times and what ``starvault practice`` shows.

    **Anti-pattern**

    A story with only the long STAR sections.

    **Best practice**

    ::

        ## Short version
        About 250 words in your own spoken voice: situation, what you did, the number,
        the lesson.
    """
    for story in _stories(vault):
        if story.part("Short version") is None:
            line, what = _missing(story, "Short version")
            yield Finding(
                story.note.path,
                line,
                1,
                f"{what}: {_how('Short version')} of about 250 words, the two-minute telling",
            )
