"""Reading a story the way an interview coach does: the red flags behind ST003-ST012.

Each detector reads the parts a coach would read (the Action and the Short version for
"we without I", the Result for numbers, the Learnings for reflection, ...), sentence by
sentence, and returns :class:`Hit` objects: the line of the sentence as stored, the words
that trigger the flag, and what is wrong. The rules in ``rules/star.py`` turn hits into
findings. The word lists are data (``data/redflags.toml``, with where each entry comes from).

No NLP library: spaCy would need a model that its maintainers do not publish on PyPI and
costs a second to import; the patterns here are a few regular expressions per sentence.

The Staff+ part (:data:`SIGNALS`, :func:`staff_signals`, :func:`target_level`) is also what
coverage and the site read, so it lives here once.
"""

from __future__ import annotations

import re
import sys
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from .markdown.syntax import replace_wikilinks
from .schema import LEVELS, SCOPES, STAFF_SIGNALS
from .stories import Story, as_date, read_story

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

if TYPE_CHECKING:
    from .scan import Note
    from .vault import Vault

# The seed's four Staff+ look-fors, in its order: org-impact, ambiguity,
# technical-leadership, cross-functional (the schema's allowed `signals`).
SIGNALS: tuple[str, ...] = STAFF_SIGNALS
__all__ = ["LEVELS", "SCOPES", "SIGNALS", "staff_signals", "target_level"]


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a red flag shows: the line, the words a coach would point at, and why."""

    line: int
    quote: str
    message: str


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str  # plain text, one line, Markdown marks removed
    line: int  # 1-based line in the file as stored
    bullet: bool  # starts a list item (a subject-less "Profiled ..." is the speaker's)
    index: int  # position in its part


@lru_cache(maxsize=1)
def lexicon() -> dict[str, dict[str, list[str]]]:
    data = resources.files("starvault").joinpath("data", "redflags.toml").read_text("utf-8")
    return tomllib.loads(data)


def words_of(section: str, key: str) -> list[str]:
    return lexicon()[section][key]


@lru_cache(maxsize=64)
def phrase_pattern(section: str, key: str) -> re.Pattern[str]:
    """One alternation for a word list: whole words, any case, any run of spaces."""
    return any_of(tuple(words_of(section, key)))


@lru_cache(maxsize=256)
def any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    bodies = sorted(
        (r"\s+".join(re.escape(w) for w in p.split()) for p in phrases if p.split()),
        key=len,
        reverse=True,  # the longest phrase wins at a position
    )
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(bodies)})(?![\w-])", re.IGNORECASE)


def quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:") + "…"


# ---------------------------------------------------------------------------------------
# Sentences with their lines

_MARKS = re.compile(r"\*\*|__|(?<!\w)[*_](?=\w)|(?<=\w)[*_](?!\w)|`")
_MDLINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[[ xX]\]\s+)?")
_COMMENT = re.compile(r"<!--.*?-->|%%.*?%%", re.DOTALL)
# A sentence ends at . ! ? followed by space and a capital, digit or quote; abbreviations
# and initials do not end one.
_END = re.compile(r"(?<=[.!?])[\"”’)]*\s+(?=[\"“‘(]?[A-Z0-9])")
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|vs|approx|incl|Dr|Mr|Ms|Mrs|St|No|a\.m|p\.m)|\b[A-Z])\.$"
)


def _plain(line: str) -> str:
    line = replace_wikilinks(line)
    line = _MDLINK.sub(r"\1", line)
    return _MARKS.sub("", line).replace("’", "'")


def split_sentences(text: str, first_line: int) -> list[Sentence]:
    """The sentences of a part's Markdown; ``first_line`` is the file line of its first line."""
    text = _COMMENT.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    out: list[Sentence] = []
    block: list[tuple[int, str]] = []  # (line, text) of the current paragraph or item
    bullet = False
    fenced = False

    def flush() -> None:
        if not block:
            return
        # Join the block's lines, remembering where each line starts in the joined text.
        starts: list[tuple[int, int]] = []
        joined = ""
        for line_no, piece in block:
            if joined:
                joined += " "
            starts.append((len(joined), line_no))
            joined += piece
        begin = 0
        is_bullet = bullet
        for m in _END.finditer(joined):
            if _ABBREV.search(joined[: m.start()].rstrip('"”’)')):
                continue
            _emit(joined[begin : m.start()], begin, starts, is_bullet)
            is_bullet = False
            begin = m.end()
        _emit(joined[begin:], begin, starts, is_bullet)
        block.clear()

    def _emit(piece: str, at: int, starts: list[tuple[int, int]], is_bullet: bool) -> None:
        piece = piece.strip()
        if not re.search(r"[A-Za-z]", piece):
            return
        line_no = next(ln for pos, ln in reversed(starts) if pos <= at)
        out.append(Sentence(piece, line_no, is_bullet, len(out)))

    for offset, raw in enumerate(text.split("\n")):
        line_no = first_line + offset
        stripped = raw.strip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
            flush()
            continue
        if fenced:
            continue
        if not stripped or stripped.startswith(("#", "|")):
            flush()  # headings (Follow-ups' questions) and tables are not said
            continue
        m = _BULLET.match(raw)
        if m:
            flush()
            bullet = True
            block.append((line_no, _plain(raw[m.end() :].strip())))
            continue
        if stripped.startswith(">"):
            stripped = stripped.lstrip("> ")
        if not block:
            bullet = False
        block.append((line_no, _plain(stripped)))
    flush()
    return out


def part_first_line(vault: Vault, story: Story, name: str) -> int:
    """The file line of the first line of a part's text (its heading and blanks skipped)."""
    part = story.parts[name]
    if part.source == "field":
        # A block scalar starts on the next line; a plain value on the key's own line.
        return part.line + (1 if "\n" in part.text.strip() else 0)
    lines = vault.text(story.note).split("\n")
    at = part.line  # 0-based index of the line after the heading
    while at < len(lines) and lines[at] == "":
        at += 1
    return at + 1


def sentences(vault: Vault, story: Story, name: str) -> list[Sentence]:
    """The sentences of one part of a story (empty when the part is missing)."""
    part = story.part(name)
    if part is None:
        return []
    key = (story.note.path, name)
    cache = _SENTENCES.setdefault(vault, {})
    found = cache.get(key)
    if found is None:
        found = split_sentences(part.text, part_first_line(vault, story, name))
        cache[key] = found
    return found


# Per vault, like stories.read_story: a vault's notes do not change under it.
_SENTENCES: weakref.WeakKeyDictionary[Vault, dict[tuple[str, str], list[Sentence]]] = (
    weakref.WeakKeyDictionary()
)


# ---------------------------------------------------------------------------------------
# ST003: who acted


@dataclass(frozen=True, slots=True)
class Agency:
    """A telling's actions by who did them."""

    mine: list[Sentence]  # "I designed", "Profiled under load" (a bullet without subject)
    ours: list[tuple[Sentence, str]]  # "we built", "a decision was made": the words
    hedged: list[tuple[Sentence, str]]  # "I think", "I was part of": the words


_PRONOUN_I = re.compile(r"(?<![\w'-])(I)(?![\w-])(?:'(?:ve|d|ll|m))?")
_WE = re.compile(
    r"(?<![\w'-])(?:we|we've|we'd|we'll|we're|our team|the team)(?![\w'-])"
    r"(?:\s+(?:\w+ly|also|then|first|all|both|jointly|together|eventually|finally|later|"
    r"quickly|still|just|again))*\s+(?P<verb>[a-z']+)",
    re.IGNORECASE,
)
# Passive actions without an agent ("a decision was made", "the teams were given").
_PASSIVE = re.compile(
    r"\b(?:was|were|got|had been|has been|have been)\s+(?:\w+ly\s+)?"
    r"(?P<verb>(?!(?:based|used|involved|expected|required|concerned|worried|interested|"
    r"supposed|able|asked|pleased|surprised|tired|done with)\b)[a-z]+ed|made|given|taken|"
    r"built|written|set|run|chosen|put|sent|kept|held|rolled)\b(?!\s+by\s+me\b)",
    re.IGNORECASE,
)
_WE_NOT_ACTIONS = frozenset(
    [
        "were",
        "was",
        "are",
        "is",
        "had",
        "have",
        "felt",
        "feel",
        "thought",
        "think",
        "believed",
        "knew",
        "needed",
        "wanted",
        "could",
        "would",
        "should",
        "might",
        "must",
        "may",
        "can",
        "did",
        "didn't",
        "don't",
        "wasn't",
        "weren't",
    ]
)


def _i_is_action(after: str) -> tuple[bool, str]:
    """Whether "I" followed by ``after`` is the speaker acting; else the words that say not."""
    adverbs = words_of("first_person", "adverbs")
    rest = after.lower().lstrip()
    m = re.match(rf"(?:(?:{'|'.join(adverbs)}|\w+ly),?\s+)*", rest)
    rest = rest[m.end() :] if m else rest
    verb = re.match(r"[a-z']+", rest)
    if verb is None:
        return False, ""
    if verb.group(0) in words_of("first_person", "hedge_verbs"):
        return False, "I " + verb.group(0)
    non = phrase_pattern("first_person", "non_action_phrases").match(rest)
    if non:
        return False, "I " + non.group(0)
    return True, ""


def _is_past_verb(word: str) -> bool:
    low = word.lower()
    if low in words_of("first_person", "irregular_past"):
        return True
    return len(low) > 4 and low.endswith("ed") and low not in words_of("first_person", "not_verbs")


def agency(sents: Iterable[Sentence]) -> Agency:
    mine: list[Sentence] = []
    ours: list[tuple[Sentence, str]] = []
    hedged: list[tuple[Sentence, str]] = []
    for s in sents:
        text = s.text
        acted = False
        for m in _PRONOUN_I.finditer(text):
            # "I" after "as" or "than" is a comparison or an aside, not a clause's subject.
            before = text[: m.start()].rstrip().lower()
            if before.endswith((" as", " than")) and "'" not in m.group(0):
                continue
            ok, said = _i_is_action(text[m.end() :])
            if ok:
                acted = True
            elif said:
                hedged.append((s, said))
        if re.match(r"my (?:first |next |last )?(?:step|move|job|task|role|call)\b", text, re.I):
            acted = acted or bool(re.search(r"\bwas to \w+", text))
        first = re.match(r"[A-Za-z][a-z']+", text)
        if not acted and first and _is_past_verb(first.group(0)) and (s.bullet or s.index == 0):
            acted = True  # a resume bullet: "Profiled the service under replayed traffic."
        if acted:
            mine.append(s)
            continue
        for m in _WE.finditer(text):
            if m.group("verb").lower() not in _WE_NOT_ACTIONS:
                ours.append((s, m.group(0)))
                break
        else:
            m = _PASSIVE.search(text)
            if m and not _PRONOUN_I.search(text):
                ours.append((s, m.group(0)))
    return Agency(mine, ours, hedged)


def we_without_i(vault: Vault, story: Story) -> list[Hit]:
    """ST003: in the Action or the Short version, the actions are the team's, not yours."""
    share_min = vault.config.thresholds.first_person_min_share
    hits: list[Hit] = []
    for name in ("Action", "Short version"):
        sents = sentences(vault, story, name)
        found = agency(sents)
        n_mine, n_ours = len(found.mine), len(found.ours)
        if n_ours < 2 or n_mine / (n_mine + n_ours) >= share_min:
            continue
        first, said = found.ours[0]
        hedges = ", ".join(f"'{h}'" for h in dict.fromkeys(w for _, w in found.hedged[:3]))
        why = f"; 'I' appears only as {hedges}, which is not an action" if hedges else ""
        hits.append(
            Hit(
                first.line,
                said,
                f"the {name} tells {n_ours} actions as the team's ('{quote(said, 40)}') and "
                f"{n_mine} as yours{why}: say what you did yourself ('I designed ...', "
                "'I convinced ...')",
            )
        )
    return hits


# ---------------------------------------------------------------------------------------
# ST004: a measured result

_NUM = r"\d[\d,]*(?:\.\d+)?"
# Digits that name something rather than measure it: a quarter, a half, a year, a version,
# a percentile's name, a model's name.
_NOT_FIGURE = re.compile(
    r"\b(?:Q[1-4]|H[12]|FY\d{2,4}|(?:19|20)\d\d(?:s)?|v\d+(?:\.\d+)*|[pP]\d{2,3}(?:\.\d)?"
    r"|[A-Za-z]+-\d+(?:\.\d+)?|(?:version|release|gen|generation|level|tier|phase|stage|"
    r"step|day|week|sprint|round|series|[A-Z][a-z]+)\s+\d+(?:\.\d+)*|\d+(?:st|nd|rd|th))\b"
    r"(?!\s*(?:%|percent|ms\b|x\b|times\b))"
)


@lru_cache(maxsize=1)
def _figure_patterns() -> tuple[re.Pattern[str], ...]:
    units = "|".join(re.escape(u) for u in sorted(words_of("figures", "units"), key=len)[::-1])
    numbers = "|".join(
        r"\s+".join(map(re.escape, w.split()))
        for w in sorted(words_of("figures", "number_words"), key=len)[::-1]
    )
    num = rf"(?:{_NUM}|(?:{numbers})(?:[\s-]+(?:{numbers}))*|an?|few)"
    span = r"(?:about|around|roughly|nearly|almost|under|over|below|above|just|less than|"
    span += r"more than|close to|at least|at most|only)"
    return (
        # a value with a unit, money or a multiplier: "60%", "35 ms", "$310k", "3x"
        re.compile(rf"[$€£¥₹]\s?{_NUM}|{_NUM}\s?(?:%|x\b|k\b|m\b|bn\b)|{_NUM}\s*(?:→|->)"),
        re.compile(rf"(?<![\w-])(?:{_NUM}|(?:{numbers}))[\s-]+(?:\w+[\s-]+)?(?:{units})\b", re.I),
        # before and after: "from 30 hours to 4", "from weeks to days", "went from a month
        # to under a week"
        re.compile(
            rf"\bfrom\s+(?:{span}\s+)?(?:{num}\s+)?[\w-]+\s+to\s+(?:{span}\s+)?(?:{num})",
            re.I,
        ),
        re.compile(rf"\bfrom\s+(?:{units})\s+to\s+(?:{units})\b", re.I),
        # "by 40%", "cut by a third", "down 1.4 points"
        re.compile(
            rf"\b(?:by|down|up|fell|rose|dropped|cut|saved|grew|reduced|increased)\s+"
            rf"(?:{span}\s+)?(?:{_NUM}|(?:{numbers})\b|a (?:third|quarter|fifth|half|tenth))",
            re.I,
        ),
        # multipliers and zeros: "halved", "twice as fast", "zero incidents since"
        re.compile(
            r"\b(?:halved|halving|doubled|doubling|tripled|quadrupled|twice|thrice|"
            r"\w+fold|zero\s+[\w-]+|no\s+(?:[\w-]+\s+){0,3}(?:since|in the (?:first|next|"
            r"following|last)))",
            re.I,
        ),
        # a bare count with digits: "12 repositories", "nine of ten teams"
        re.compile(rf"(?<![\w.-]){_NUM}(?![\w.-])"),
        # "nine of ten teams" (not "one of the two", which names membership, not a share)
        re.compile(
            rf"\b(?!one\b)(?:{numbers}|{_NUM})\s+(?:of|out of)\s+(?:the\s+)?(?:{numbers}|{_NUM})\b",
            re.I,
        ),
    )


def figures(text: str) -> list[str]:
    """The measured figures in plain text (quarters, years, versions and names removed)."""
    cleaned = _NOT_FIGURE.sub(" ", text)
    found: list[str] = []
    for pattern in _figure_patterns():
        found.extend(m.group(0) for m in pattern.finditer(cleaned))
    return found


def result_without_numbers(vault: Vault, story: Story) -> list[Hit]:
    """ST004: no sentence of the Result gives a value, a before/after or a multiplier."""
    result = story.part("Result")
    if result is None:
        return []
    sents = sentences(vault, story, "Result")
    if any(figures(s.text) for s in sents):
        return []
    vague = phrase_pattern("figures", "vague")
    claim = next((s for s in sents if vague.search(s.text)), sents[0] if sents else None)
    if claim is None:
        return []
    m = vague.search(claim.text)
    said = f"'{m.group(0)}' in " if m else ""
    return [
        Hit(
            claim.line,
            quote(claim.text, 60),
            f"the Result has no figure ({said}'{quote(claim.text, 60)}'): add a measured "
            "outcome with its value (a percentage, time or money saved, a count, before and "
            "after); a quarter, a version or a metric's name alone is not a figure",
        )
    ]


# ---------------------------------------------------------------------------------------
# ST006: blame

_THIRD = re.compile(
    r"\b(?:they|them|their|he|him|his|she|her|the [\w-]+ (?:team|teams|group|squad|"
    r"department|vendor|analysts|managers|engineers|side)|(?<=[a-z,;:] )[A-Z][a-z]+(?:'s)?)\b"
)
_NEGATED = re.compile(
    r"\b(?:not|never|no|nor|without|instead of|rather than|would have been|easy to|"
    r"tempting to|could have)\b|n't\b",
    re.I,
)
_POSITIVE = re.compile(
    r"\b(?:good reasons?|fair|right to|legitimate|reasonable|valid|"
    r"a good point|correct)\b",
    re.I,
)


def _clause_before(text: str, at: int) -> str:
    """The words of the clause before position ``at`` (back to a comma, colon or dash)."""
    start = max(text.rfind(c, 0, at) for c in ",;:—")
    return text[start + 1 : at]


def blaming_language(vault: Vault, story: Story) -> list[Hit]:
    """ST006: wording that puts the fault on others, openly or politely."""
    direct = phrase_pattern("blame", "direct")
    others = phrase_pattern("blame", "about_others")
    told = phrase_pattern("blame", "told_you")
    candour = phrase_pattern("blame", "candour")
    safe = phrase_pattern("blame", "not_blame")
    hits: list[Hit] = []
    for name in (
        "Situation",
        "Task",
        "Action",
        "Result",
        "Learnings",
        "Short version",
        "Follow-ups",
        "Applied",
    ):
        for s in sentences(vault, story, name):
            found = _blame_in(s.text, safe, told, direct, others, candour)
            if found:
                hits.append(
                    Hit(
                        s.line,
                        found,
                        f"'{quote(found, 50)}' puts the fault on others ('{quote(s.text, 70)}'): "
                        "describe the disagreement neutrally, their position fairly, and your "
                        "own part in it",
                    )
                )
    return hits


def _blame_in(
    text: str,
    safe: re.Pattern[str],
    told: re.Pattern[str],
    direct: re.Pattern[str],
    others: re.Pattern[str],
    candour: re.Pattern[str],
) -> str | None:
    masked = safe.sub(lambda m: "_" * len(m.group(0)), text)
    for pattern in (told, direct, others):
        for m in pattern.finditer(masked):
            if _NEGATED.search(_clause_before(masked, m.start())):
                continue  # "I didn't want to argue he was wrong"
            if pattern is others and not (_THIRD.search(masked) or candour.search(masked)):
                continue  # no one else in the sentence to blame, and no "honestly"
            return m.group(0)
    m = candour.search(masked)
    if m:
        rest = masked[m.end() :]
        about_others = _THIRD.search(rest) and not re.search(r"\b(?:I|we|my|our)\b", rest[:40])
        if about_others and not _POSITIVE.search(rest[:60]):
            return m.group(0)
    return None


# ---------------------------------------------------------------------------------------
# ST007: applied later, concretely


def _concrete(s: Sentence) -> bool:
    """A sentence that tells a later occasion: a past-tense action with a time or a figure."""
    text = s.text
    low = text.lower()
    if phrase_pattern("application", "future").search(text) and not re.search(
        r"\b(?:later|when \w+ \w+ed|on the next|for the next)\b", low
    ):
        return False
    past = any(_is_past_verb(w) for w in re.findall(r"[A-Za-z']+", text))
    if not past:
        return False
    if re.search(r"\b(?:i've|i have|has|have)\s+(?:\w+\s+)?(?:applied|used|done)\b", low):
        return False  # "I've applied this on several projects": a claim, not an occasion
    later = re.search(
        r"\b(?:later|afterwards|after that|(?:the|my|our) (?:next|following) \w+|"
        r"the same (?:approach|gate|template|method|review|process|check)|"
        r"when (?:we|i|they) \w+ed|(?:in|by) (?:january|february|march|april|may|june|july|"
        r"august|september|october|november|december|\d{4}))",
        low,
    )
    measured = figures(text)
    if not later and phrase_pattern("application", "habit").search(text) and not measured:
        return False  # "these days cost is a concern in every design I lead"
    return bool(later or measured)


def failure_without_application(vault: Vault, story: Story) -> list[Hit]:
    """ST007: a failure story whose Applied is missing, a plan, a habit or a placeholder."""
    if not story.failure:
        return []
    applied = story.part("Applied")
    if applied is None:
        return [Hit(0, "", "")]  # the rule reports the missing part where it belongs
    sents = sentences(vault, story, "Applied")
    if any(_concrete(s) for s in sents):
        return []
    first = sents[0] if sents else None
    if first is None:
        return [Hit(0, "", "")]
    future = phrase_pattern("application", "future").search(first.text)
    kind = (
        "a placeholder"
        if re.match(r"\s*(?:todo|tbd|fixme|xxx)\b", first.text, re.I)
        else "an intention"
        if future
        else "a general habit"
    )
    return [
        Hit(
            first.line,
            quote(first.text, 60),
            f"the Applied part is {kind} ('{quote(first.text, 60)}'), not a later occasion: "
            "tell when you used the lesson (the next project, what you did, what happened)",
        )
    ]


# ---------------------------------------------------------------------------------------
# ST010: escalation as the first move


_MOVE = re.compile(
    r"\b(?:escalated|escalate|raised|brought|took|went|asked|ask|got|get|set up a meeting|"
    r"requested|appealed|pulled in|looped in|flagged|called in|go|bring|take)\b"
)


def _escalation(text: str) -> str | None:
    """The words that take a disagreement to an authority to settle, if the sentence does."""
    low = text.lower()
    if phrase_pattern("escalation", "jointly").search(low):
        return None  # escalating together, after talking, is the seed's good path
    masked = phrase_pattern("escalation", "not_authorities").sub(
        lambda m: "_" * len(m.group(0)), low
    )
    decide = phrase_pattern("escalation", "decide")
    for a in phrase_pattern("escalation", "authorities").finditer(masked):
        before = masked[max(0, a.start() - 70) : a.start()]
        moves = list(_MOVE.finditer(before))
        if not moves:
            continue
        move_at = a.start() - len(before) + moves[-1].start()
        # The speaker makes the move: "I asked our CTO", "we raised it with the VP",
        # "my first move was to ask the CTO"; not "the VP asked me".
        head = masked[:move_at]
        if not re.search(r"(?:\b(?:i|we)\b|\bmy first (?:move|step)\b)", head):
            continue
        if re.search(r"\b(?:asked|told) (?:me|us)\b", masked[move_at : a.end()]):
            continue
        after = masked[move_at:]
        if decide.search(after) or re.search(r"\b(?:first|right away|straight)\b", masked):
            return text[move_at : a.end()]
    return None


def _direct_talk(text: str) -> bool:
    low = text.lower()
    if not re.search(r"\b(?:i|we)\b", low):
        return False
    if phrase_pattern("escalation", "authorities").search(
        phrase_pattern("escalation", "not_authorities").sub("", low)
    ) and not re.search(r"\bbefore\b", low):
        return False
    return bool(phrase_pattern("escalation", "direct_talk").search(low))


def escalation_first(vault: Vault, story: Story) -> list[Hit]:
    """ST010: the first move in a conflict was to ask a manager or leadership to decide."""
    for name in ("Action", "Short version"):
        for s in sentences(vault, story, name):
            if _direct_talk(s.text):
                break
            said = _escalation(s.text)
            if said:
                return [
                    Hit(
                        s.line,
                        said,
                        f"the first move in the conflict is to escalate ('{quote(said, 70)}'): "
                        "talk with the other person first, understand their position, and "
                        "escalate together only if that fails",
                    )
                ]
    return []


# ---------------------------------------------------------------------------------------
# ST011: reflection


def _self_directed(text: str) -> bool:
    low = text.lower().replace("’", "'")
    low = phrase_pattern("reflection", "frames").sub(" ", low)
    if re.search(r"\b(?:me|my|myself|mine)\b", low):
        return True
    for m in re.finditer(r"(?<![\w'-])i(?:'d|'ll|'ve|'m)?(?![\w-])", low):
        rest = low[m.end() :]
        if re.match(r"'(?:d|ll|ve|m)\b", low[m.start() + 1 :]):
            return True
        ok, _ = _i_is_action(rest)
        if ok or re.match(r"\s+(?:should|would|could|had|was|did|didn't|wasn't|underestim)", rest):
            return True
    return bool(re.search(r"\b(?:next time|in hindsight|looking back),? we\b", low))


def no_reflection(vault: Vault, story: Story) -> list[Hit]:
    """ST011: the Learnings are about others or platitudes: nothing you would change."""
    sents = sentences(vault, story, "Learnings")
    if not sents or any(_self_directed(s.text) for s in sents):
        return []
    first = sents[0]
    return [
        Hit(
            first.line,
            quote(first.text, 60),
            f"the Learnings are general or about others ('{quote(first.text, 60)}'), nothing "
            "about you: say what you would do differently, or what you now do ('I now ...', "
            "'I should have ...')",
        )
    ]


# ---------------------------------------------------------------------------------------
# ST012 and the Staff+ look-fors


def _story_text(vault: Vault, story: Story) -> str:
    return " ".join(
        s.text
        for n in ("Situation", "Task", "Action", "Result", "Short version")
        for s in sentences(vault, story, n)
    )


def _declared(note: Note, key: str) -> Any:
    value = note.meta.get(key)
    return value if value not in (None, "", []) else None


_TEAM_COUNT = re.compile(
    r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty|"
    r"thirty|forty|fifty|dozens?|several|many|multiple|all|every|other|each)\s+"
    r"(?:[\w-]+\s+){0,2}(?:teams|groups|squads|organisations|organizations|departments|orgs|"
    r"business units|product lines|products)\b",
    re.I,
)
_ACROSS = re.compile(
    r"\bacross (?:[\w-]+ ){0,3}(?:teams|org\w*|company|departments|groups|squads|functions|"
    r"regions|fleet|products|business units)\b|\b(?:company|org|organi[sz]ation)-wide\b",
    re.I,
)
_ORG = re.compile(
    r"\b(?:company|org|organi[sz]ation)-wide\b|\bacross (?:the |our )?(?:whole |entire )?"
    r"(?:company|org|organi[sz]ation|business)\b|\b(?:departments|organi[sz]ations|"
    r"business units)\b",
    re.I,
)
# The speaker's own team, as a story frames it ("on the checkout team", "team of four").
_OWN_TEAM = re.compile(
    r"\b(?:(?:on|in|joined) (?:the|our|my) (?P<name>[\w-]+(?: [\w-]+)?) team\b|my team\b|"
    r"our team\b|the team's\b|on the team\b|team of (?:\d+|\w+)\b|\w+-person team\b|"
    r"(?:our|my) (?:engineering )?manager asked me\b|(?:our|my) team lead\b|"
    r"team, (?:\d+|\w+) engineers\b|\bthe (?P<named>[\w-]+(?: [\w-]+)?) team, [\w ]{0,30}"
    r"including me\b)",
    re.I,
)
_OTHER_TEAM = re.compile(
    r"\bthe (?P<name>[\w-]+(?: [\w-]+)?) (?:team|teams|squad|squads)\b"
    # a team that only reports a problem is the feature's user, not a partner in the work
    r"(?!,? (?:\w+ )?(?:told|noticed|found|reported|complained|spotted|saw|flagged)\b)",
    re.I,
)


def _other_teams(text: str, own: set[str]) -> set[str]:
    """Named teams in the story that are not the speaker's own ("the growth team")."""
    found = set()
    for m in _OTHER_TEAM.finditer(text):
        name = m.group("name").lower()
        last = name.split()[-1]
        if last in own or name in own or last in ("same", "whole", "small", "new", "my", "our"):
            continue
        found.add(name)
    return found


def text_scope(vault: Vault, story: Story) -> str:
    """ "org", "multi-team" or "team" read from the story, or "" when it does not say."""
    text = _story_text(vault, story)
    if _ORG.search(text):
        return "org"
    if _TEAM_COUNT.search(text) or _ACROSS.search(text):
        return "multi-team"
    framing = " ".join(s.text for n in ("Situation", "Task") for s in sentences(vault, story, n))
    own_hits = list(_OWN_TEAM.finditer(framing))
    own = {
        (m.group("name") or m.group("named")).lower()
        for m in own_hits
        if m.group("name") or m.group("named")
    }
    own |= {name.split()[-1] for name in own}
    if _other_teams(text, own):
        return "multi-team"
    return "team" if own_hits else ""


def detect_signals(vault: Vault, story: Story) -> frozenset[str]:
    """The Staff+ look-fors the story's text shows."""
    text = _story_text(vault, story)
    found: set[str] = set()
    if text_scope(vault, story) in ("multi-team", "org"):
        found.add("org-impact")
    for signal, key in (
        ("ambiguity", "ambiguity"),
        ("technical-leadership", "technical_leadership"),
        ("cross-functional", "cross_functional"),
    ):
        # two different cues, so one stray word ("design", "risk") does not make a signal
        cues = {m.group(0).lower() for m in phrase_pattern("scope", key).finditer(text)}
        if len(cues) >= 2:
            found.add(signal)
    return frozenset(found)


def story_scope(vault: Vault, story: Story) -> str:
    """The declared ``scope``, else the scope read from the text ("" when it does not say)."""
    declared = _declared(story.note, "scope")
    if isinstance(declared, str) and declared.strip().lower() in SCOPES:
        return declared.strip().lower()
    return text_scope(vault, story)


def staff_signals(vault: Vault, note: Note) -> frozenset[str]:
    """The Staff+ look-fors a story shows: its ``signals`` field, else read from its text."""
    declared = note.meta.get("signals")
    # An explicit list, even an empty one, is the candidate's own word; only a missing
    # (or blank) field leaves it to the text.
    if isinstance(declared, list) or _declared(note, "signals") is not None:
        values = declared if isinstance(declared, list) else [declared]
        return frozenset(
            str(v).strip().lower() for v in values if str(v).strip().lower() in SIGNALS
        )
    return detect_signals(vault, read_story(vault, note))


def target_level(vault: Vault) -> str:
    """The level prepared for: ``target_level`` in the config, overridden by the ``level`` of
    the company note (of the only one, else of the one whose interview is next; past
    interviews after upcoming ones, undated companies last)."""
    import datetime

    config_level = getattr(vault.config, "target_level", "staff")
    levelled = [
        n
        for n in vault.notes_of_type("company")
        if str(n.meta.get("level") or "").strip().lower() in LEVELS
    ]
    if not levelled:
        return config_level if config_level in LEVELS else "staff"
    today = datetime.date.today()

    def order(note: Note) -> tuple[int, int, str]:
        day = as_date(note.meta.get("interview_date"))
        if day is None:
            return (2, 0, note.path)
        gap = (day - today).days
        return (0, gap, note.path) if gap >= 0 else (1, -gap, note.path)

    return str(min(levelled, key=order).meta["level"]).strip().lower()


def below_staff_scope(vault: Vault, story: Story) -> list[Hit]:
    """ST012: the story shows one team's or one feature's work, below the target level."""
    level = target_level(vault)
    if level == "senior":
        return []  # the seed's Senior bar is team and feature scope: every story meets it
    scope = story_scope(vault, story)
    signals = staff_signals(vault, story.note)
    if level == "principal":
        below = scope not in ("org", "company") and len(signals) < len(SIGNALS) - 1
    else:
        below = scope == "team" or (not scope and not signals)
    if not below:
        return []
    sents = sentences(vault, story, "Task") + sentences(vault, story, "Situation")
    anchor = next((s for s in sents if _OWN_TEAM.search(s.text)), sents[0] if sents else None)
    line = anchor.line if anchor else story.title_line
    shown = ", ".join(s for s in SIGNALS if s in signals) or "none"
    said = quote(anchor.text, 60) if anchor else ""
    where = f" ('{said}')" if said else ""
    return [
        Hit(
            line,
            said,
            f"the story reads as {scope or 'unscoped'} work{where}, below a {level} target "
            f"(Staff+ look-fors shown: {shown}): tell the impact beyond your team, the "
            "ambiguity you turned into a plan, the direction you set or the functions you "
            "led (or set 'scope' and 'signals' in the front matter)",
        )
    ]
