"""ST: STAR stories, as the seed teaches them and as its red flags warn against."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from ..stories import STAR_PARTS, Story, read_story
from ..stories import speaking_seconds as _seconds
from . import Finding, in_scope, rule

if TYPE_CHECKING:
    from .. import redflags
    from ..vault import Vault


def _found(vault: Vault, story: Story, hit: redflags.Hit) -> Finding:
    """A red flag's finding at its sentence's line, at the quoted words' column if on it."""
    line_text = vault.text(story.note).split("\n")[hit.line - 1] if hit.line else ""
    at = line_text.lower().find(hit.quote.lower()) if hit.quote else -1
    return Finding(
        story.note.path, hit.line, at + 1 if at >= 0 else 1, hit.message, target=hit.quote or None
    )


def _stories(vault: Vault) -> Iterator[Story]:
    for note in in_scope(vault, vault.notes_of_type("story")):
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


@rule("ST001", "missing-star-part", scope="note")
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


@rule("ST002", "missing-learnings", scope="note")
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


@rule("ST003", "we-without-i", severity="warning", scope="note")
def we_without_i(vault: Vault) -> Iterator[Finding]:
    """The Action or the Short version tells the team's actions, not yours.

    Reads both tellings sentence by sentence and sorts the actions by who did them: yours
    ("I designed", or a resume bullet with no subject: "Profiled the service"), the team's
    ("we built", or a passive with no one doing it: "a decision was made"). A hedge ("I
    think we added") or a presence ("I was part of", "I was involved in", "I helped") is not
    an action of yours. Fires when the team has at least two actions and your share is under
    ``thresholds.first_person_min_share``; the finding points at the first "we" action.

    **Anti-pattern**

    ``I was involved in the design, where we decided on probabilistic matching. I think we
    also added a review step.``

    **Best practice**

    ``I proposed probabilistic matching, wrote the design and ran the review with the two
    product teams; the team of four built it.``
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.we_without_i(vault, story):
            yield _found(vault, story, hit)


@rule("ST004", "result-without-numbers", severity="warning", scope="note")
def result_without_numbers(vault: Vault) -> Iterator[Finding]:
    """A Result with no measured outcome: no value, no before and after.

    A figure is a value with its unit ("35 ms", "60%", "$310k", "3x"), a before and after
    ("from 30 hours to 4", "from about a month to under a week", "from weeks to days"), a
    change by an amount ("down 1.4 points"), a multiplier or a zero ("halved", "twice as
    fast", "zero incidents since"). A quarter, a year, a version or a metric's name ("Q2",
    "v1", "Spark 3.4", "p95 improved") is not a figure; nor are vague intensifiers ("much
    faster", "substantially better"). Only the Result counts: figures in the Situation or
    the impact field are not the outcome. The seed's red flag: "no specific numbers".

    **Anti-pattern**

    ``Gateway v2 went GA in Q4 and p95 latency improved substantially.``

    **Best practice**

    ``p95 latency fell from 900 ms to 240 ms; zero incidents since the cut-over.``
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.result_without_numbers(vault, story):
            yield _found(vault, story, hit)


@rule("ST005", "too-long", severity="warning", scope="note")
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


def _own_phrases(vault: Vault, story: Story) -> Iterator[Finding]:
    """The config's ``blame_phrases``, matched as written anywhere in the body."""
    phrases = [p for p in vault.config.blame_phrases if p.split()]
    if not phrases:
        return
    text = vault.text(story.note)
    found = _candidates(phrases, text.lower())
    if not found:
        return
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
            f"'{said}' blames others: describe the disagreement neutrally and your own part in it",
            target=" ".join(said.split()).lower(),
        )


@rule("ST006", "blaming-language", severity="warning", scope="note")
def blaming_language(vault: Vault) -> Iterator[Finding]:
    """Wording that puts the fault on others, openly or politely.

    Reads every sentence a candidate would say. Open blame ("their fault", "they were
    wrong", "incompetent"), "I told you so" ("as I had warned", "vindicated", "came
    around"), and polite blame: a candour marker that introduces a judgement of someone
    else ("Honestly, the ads team was protecting its roadmap", "despite good intentions",
    "to put it kindly"). Ownership is not blame: "it was my fault", "blameless postmortem",
    "I did not blame the team", "I was wrong", and the technical "fault-tolerant". Nor is
    description: what one side thought of the other ("legal thought we were careless"), a
    judgement of yourself ("I was careless"), "lazy loading". Blame told by its grammar
    counts too: "which I had pointed out from the start", a candour marker inside the
    judgement ("the lab team was, frankly, the bottleneck"), "predictably" or "as usual"
    before someone else, "teams who simply didn't want to", "because they did not
    understand", "my ticket was ignored", "in hindsight the vendor should have" (not "we
    should have", nor "should have been consulted"). Beyond phrases, a general model:
    a negative cause laid on another party, the speaker not sharing it ("Unfortunately the
    PM kept changing the requirements", "the problem was mostly the vendor", "..., which is
    what sank the launch", "they did not read the spec properly", "if the leads had
    listened"); self-vindication ("the record speaks for itself", "came round to my
    design", "had to admit their estimate was wrong", "vindicated the threshold I argued
    for"); insinuation and sarcasm ("I won't name names, but", "in their infinite wisdom").
    A system, a metric or a process is no party ("latency regressed, which broke the SLO").
    The built-in words are in ``data/redflags.toml``; ``blame_phrases`` in the config adds
    your own. The seed's red flags: "blaming others", "I was right and they were wrong".

    **Anti-pattern**

    ``The launch slipped because, frankly, the data team never read the spec, exactly as I
    had warned.``

    **Best practice**

    ``The launch slipped by a week; the data team and I had read the spec differently, so I
    now agree data deadlines with them at kick-off.``
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.blaming_language(vault, story):
            yield _found(vault, story, hit)
        yield from _own_phrases(vault, story)


@rule("ST007", "failure-without-application", scope="note")
def failure_without_application(vault: Vault) -> Iterator[Finding]:
    """A failure story (``failure: true``) whose Applied part is missing, a plan or a habit.

    The seed: a good failure answer shows "how you applied them later". Applied must tell a
    later occasion: a past-tense action with when it happened or what it changed ("Eight
    months later I led ...; no downtime"). Only intentions ("Going forward I'll ..."), a
    habit with no occasion ("Since then I always ..."), a claim ("I've applied this on
    several projects") or a placeholder ("TODO") is not evidence.

    **Anti-pattern**

    ::

        ## Applied
        Going forward, I will define guardrail metrics before any A/B test.

    **Best practice**

    ::

        ## Applied
        On the next ranking launch I defined two guardrail metrics before the A/B test;
        one of them stopped the rollout at 5% of traffic.
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.failure_without_application(vault, story):
            if hit.line:
                yield _found(vault, story, hit)
                continue
            line, what = _missing(story, "Applied")
            yield Finding(
                story.note.path,
                line,
                1,
                f"{what} in this failure story: {_how('Applied')} telling how you used "
                "the lesson later",
            )


@rule("ST008", "missing-follow-ups", severity="warning", scope="note")
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


@rule("ST009", "missing-short-version", severity="warning", scope="note")
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


@rule("ST010", "escalation-first", severity="warning", scope="note")
def escalation_first(vault: Vault) -> Iterator[Finding]:
    """In a conflict, the first move was to ask a manager or leadership to decide.

    Reads the Action, then the Short version, in order: a sentence where you (or "we") take
    the disagreement to a manager, director, VP, any C-suite title (CRO, CMIO), a head
    ("the studio head"), a skip-level, a board, council or steering committee to decide,
    rule, mandate or sponsor, or to order the other side ("ask him to instruct the lab
    team"), by any route (emailing them, booking time with them, putting it on their
    agenda), before any sentence where you talk with the other side (a one-to-one, a lunch,
    an afternoon with their team). Inside a sentence its order counts: "before talking to
    her, I took the disagreement to our CTO" is escalation first, "after two talks with
    him, we asked our VP" is not. Escalating together after talking is fine; telling your
    director about a problem is not escalation. Only stories with a conflict are read. The
    seed's red flag: "escalation as the first step".

    **Anti-pattern**

    ``When Sam disagreed with my design, I asked our director to make the call.``

    **Best practice**

    ``I asked Sam for an hour to understand his concern; when we still disagreed on a
    priority neither of us owned, we took one joint memo to our director.``
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.escalation_first(vault, story):
            yield _found(vault, story, hit)


@rule("ST011", "no-reflection", severity="warning", scope="note")
def no_reflection(vault: Vault) -> Iterator[Finding]:
    """The Learnings are platitudes or about others: nothing about what you would change.

    A learning counts when it is about you: what you did, should have done, would do or
    now do ("I should have asked...", "I now run..."), or what it taught you. "Stakeholder
    buy-in is critical", "managers should set this up front" and "I think trust is
    everything" are not. The seed's red flag: "lack of reflection". A story without
    Learnings is ST002's.

    **Anti-pattern**

    ::

        ## Learnings
        - Communication is key.
        - Leadership should set guardrails up front.

    **Best practice**

    ::

        ## Learnings
        - I argued from a metric when examples would have convinced faster; I now bring
          five real cases to the first meeting.
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.no_reflection(vault, story):
            yield _found(vault, story, hit)


@rule("ST012", "below-staff-scope", severity="info", scope="note", reads=("target-level",))
def below_staff_scope(vault: Vault) -> Iterator[Finding]:
    """The story shows one team's or one feature's work, below the target level.

    The seed: Senior works at team and feature level; Staff at multi-team and organisation
    level and defines the problems. A story's ``scope`` (team, multi-team, org, company)
    and ``signals`` (org-impact, ambiguity, technical-leadership, cross-functional) front
    matter fields say it; without them, the text is read: a count of teams reached or
    org-wide work decides, otherwise the teams worked with are weighed against the
    own-team framing and the ``role`` title (one partner team at a Staff title, two at a
    Senior one, one more when the framing states a small headcount of your own unit, "a
    squad of four engineers"; a count of two teams weighs as two partners and does not
    decide), and the look-fors (unclear problems turned into a plan, direction set,
    other functions led) are read for a story that names no team. ``target_level``
    (senior, staff, principal) in the config, or a company note's ``level``, sets the bar:
    at senior nothing fires; at staff a team-scope story, or one with at most one look-for,
    fires; at principal an organisation-wide scope and three look-fors are needed.

    **Anti-pattern**

    ``I was a senior engineer on the checkout team; our manager asked me to speed up the
    checkout page.``

    **Best practice**

    ``Checkout latency cost three product teams conversions; I set the performance budget
    they all adopted and agreed the trade-offs with product and finance.``
    """
    for story in _stories(vault):
        from .. import redflags  # the word lists load only when a story is read

        for hit in redflags.below_staff_scope(vault, story):
            yield _found(vault, story, hit)
