"""Reading a story the way an interview coach does: the red flags behind ST003-ST012.

Each detector reads the parts a coach would read (the Action and the Short version for
"we without I", the Result for numbers, the Learnings for reflection, ...), sentence by
sentence, and returns :class:`Hit` objects: the line of the sentence as stored, the words
that trigger the flag, and what is wrong. The rules in ``rules/star.py`` turn hits into
findings. The word lists are data (``data/redflags.toml``, with where each entry comes from).

No NLP library: spaCy would need a model that its maintainers do not publish on PyPI and
costs a second to import; the patterns here are a few regular expressions per sentence.

The Staff+ part (:data:`SIGNALS`, :func:`staff_signals`) is also what
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
from .stories import Story, read_story

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
__all__ = ["LEVELS", "SCOPES", "SIGNALS", "staff_signals"]


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


# A negated auxiliary, contracted or not: a word list that says "couldn't be bothered"
# also finds "could not be bothered", and the other way round.
_CONTRACTED = {
    "can't": "cannot",
    "won't": "will not",
    "shan't": "shall not",
    "couldn't": "could not",
    "wouldn't": "would not",
    "shouldn't": "should not",
    "didn't": "did not",
    "doesn't": "does not",
    "don't": "do not",
    "isn't": "is not",
    "aren't": "are not",
    "wasn't": "was not",
    "weren't": "were not",
    "hasn't": "has not",
    "haven't": "have not",
    "hadn't": "had not",
}
_UNCONTRACTED = {v: k for k, v in _CONTRACTED.items()}


def spellings(phrase: str) -> set[str]:
    """``phrase`` with its negations both contracted and spelled out."""
    low = " ".join(phrase.lower().split())
    out = {low}
    for short, full in _CONTRACTED.items():
        for form in list(out):
            padded = f" {form} "
            if f" {short} " in padded:
                out.add(padded.replace(f" {short} ", f" {full} ").strip())
            if f" {full} " in padded:
                out.add(padded.replace(f" {full} ", f" {short} ").strip())
    return out


def _body(phrase: str) -> str:
    """One phrase as a regex body: any run of spaces, either apostrophe."""
    return r"\s+".join(re.escape(w).replace("'", "['’]") for w in phrase.split())


@lru_cache(maxsize=256)
def any_of(phrases: tuple[str, ...]) -> re.Pattern[str]:
    bodies = sorted(
        {_body(v) for p in phrases if p.split() for v in spellings(p)},
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


# Words before a number that name a set or a span rather than count a result ("the two
# services", "shipped in two phases").
_SET_WORD_TEXT = "the these those both our their its his her all my in into across between among"
_SET_WORDS = _SET_WORD_TEXT.split()


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
        # a count in words, like the digits above: "nine decisions re-run", "caught
        # fourteen broken builds" (not "the two services", "both our teams": a set named,
        # not counted; not "one", which is as often "one of", "one day")
        re.compile(
            "".join(rf"(?<!\b{w} )" for w in _SET_WORDS)
            + rf"\b(?!(?:one|half|a)\b)(?:{numbers})(?:[\s-]+(?:{numbers}))*"
            r"\s+(?:[a-z-]+\s+)?[a-z]+s\b",
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
    r"\b(?:(?i:they|them|their|he|him|his|she|her|the [\w-]+ (?:team|teams|group|squad|"
    r"department|vendor|analysts|managers|engineers|side|lead|contractors?)|"
    # an outside party said bare ("Predictably, the vendor slipped")
    r"the (?:vendors?|contractors?|suppliers?|agency|consultants?|consultancy))|"
    r"(?<=[a-z,;:] )[A-Z][a-z]+(?:'s)?)\b"
)
# Someone else as the subject that opens a clause ("The lab systems team was, frankly, ...",
# "and their lead, honestly, ..."): not an opening phrase of place or time ("In one of
# them, honestly, ...").
_OTHER_SUBJECT = re.compile(
    r"\s*(?:(?:and|but|so|yet)\s+)?(?:they|he|she|(?:their|his|her) [\w-]+|"
    r"(?:the|their|his|her) (?:[\w'-]+ ){0,3}?"
    r"(?:team|teams|group|squad|department|vendor|vendors|analysts|managers|engineers|side|"
    r"lead|leads|contractors?|org|office|developers|owners)|[A-Z][a-z]+'s (?:[\w-]+ ){0,2}?"
    r"(?:team|group|org|people|engineers|lead))\b",
    re.I,
)
# After "honestly": a subject that is not the speaker, then a failing or a hindsight verb
# ("Honestly, infra should have told us", "Frankly, legal never answered").
_CANDID_SUBJECT = re.compile(
    r"[\s,]*(?!(?:i|we|my|our|it|this|that|there|almost|nobody|no one|everyone|the thing)\b)"
    r"\w+(?:\s+\w+)?\s+(?:should have|never|didn't|did not|failed|refused|kept|had not|"
    r"hadn't|wouldn't|would not|couldn't|could not)\b",
    re.I,
)
_NEGATED = re.compile(
    r"\b(?:not|never|no|nor|without|instead of|rather than|would have been|easy to|"
    r"tempting to|could have|nobody|no one|no-one|none of (?:us|them))\b|n't\b",
    re.I,
)
# The one judged is the speaker ("I was careless", "my sloppy script"): self-criticism.
_SELF_JUDGED = re.compile(
    r"\b(?:i|we)\s+(?:\w+\s+){0,2}?(?:was|were|had been|have been|'d been|am|are)\s+"
    r"(?:\w+\s+)?$|\b(?:my|our)\s+(?:own\s+)?$|"
    # "Our send API should have been idempotent": the speaker's own system or side
    r"^\W*(?:my|our)\s+(?!(?:[\w-]+\s+){0,2}(?:vendors?|contractors?|suppliers?|partners?|"
    r"clients?|customers?)\b)(?:[\w-]+\s+){0,3}$",
    re.I,
)


_TIME_CLAUSE = re.compile(r"\b(?:when|once|until|till|as|before|after|by the time)\b", re.I)


_VERB_GROUP = frozenset(
    [
        "to",
        "would",
        "could",
        "might",
        "had",
        "have",
        "has",
        "then",
        "also",
        "just",
        "even",
        "only",
        "wanted",
        "want",
        "wants",
        "tried",
        "went",
        "came",
        "later",
    ]
)


def _reported(text: str, at: int) -> bool:
    """Whether the words at ``at`` sit in what someone other than the speaker thought or
    said ("legal thought the engineers were careless")."""
    start = max(text.rfind(c, 0, at) for c in ";:.—")
    # a new clause after "but" is the speaker's again ("the PM said we'd ship, but they
    # never delivered")
    but = re.search(r".*\bbut\b", text[start + 1 : at], re.I | re.S)
    if but:
        start += but.end()
    clause = text[start + 1 : at]
    verbs = phrase_pattern("blame", "reported")
    clause = " ".join(clause.split()[-8:])  # the verb governs the words just after it
    for m in verbs.finditer(clause):
        # the sayer, past the words of a verb group ("I wanted to say", "we'd argue")
        subject = [
            w for w in re.findall(r"[\w']+", clause[: m.start()].lower()) if w not in _VERB_GROUP
        ]
        if subject and subject[-1] not in ("i", "we", "i'd", "we'd", "honestly", "frankly"):
            return True
    return False


# A participle after "should have been": a passive whose agent is left out, often the
# speaker ("should have been consulted", "should have been told").
_PASSIVE_AFTER = re.compile(
    r"\s+(?:\w+ly\s+)?(?:\w+ed|told|brought|given|shown|taken|kept|made|sent|"
    r"brought in|asked)\b",
    re.I,
)


@lru_cache(maxsize=1)
def _blame_frames() -> tuple[re.Pattern[str], ...]:
    """Blame told by its grammar rather than by one phrase, built from the word lists:

    - "I told you so" in any relative frame ("which I had pointed out from the start"),
      or a warning said to have been given all along ("I had flagged it from day one");
    - a dismissive adverb before another's refusal ("teams who simply didn't want to");
    - a motive assigned with "because" ("because they did not understand the model");
    - the speaker's word passed over, in the passive ("my ticket was ignored");
    - a hindsight verdict with someone else as the subject ("the vendor should have").
    """

    alt = _alt

    said = rf"(?:{alt('told_you_verbs')})"
    had = r"(?:\s+had|'d)?(?:\s+\w+ly)?"
    third = (
        r"(?:they|he|she|the (?:[\w'-]+ ){0,3}?(?:team|teams|group|vendor|vendors|lead|"
        r"side|org|department|contractors?|analysts|engineers|owners|[\w-]+s)|"
        r"(?:their|his|her) [\w-]+|[\w-]+ who|who)"
    )
    return (
        re.compile(rf"\b(?:{alt('told_you_relatives')})\s+i{had}\s+{said}\b", re.I),
        re.compile(rf"\bi{had}\s+{said}\b(?:[^.;]{{0,40}}?)\b(?:{alt('told_you_since')})\b", re.I),
        re.compile(rf"\b(?:{alt('dismissive')})\s+(?:{alt('unwilling')})\b", re.I),
        re.compile(
            rf"\b(?:because|since|as)\s+{third}\s+(?:simply\s+|just\s+)?"
            rf"(?:didn't|did not|don't|do not|wouldn't|would not|couldn't|could not|never)\s+"
            rf"(?:even\s+)?(?:{alt('motive_verbs')})\b",
            re.I,
        ),
        re.compile(
            rf"\b(?:my|our)\s+(?:[\w-]+\s+){{0,4}}?(?:was|were|had been|got|kept getting|"
            rf"kept being)\s+(?:\w+ly\s+|simply\s+|just\s+)?(?:{alt('slighted')})\b",
            re.I,
        ),
        re.compile(
            rf"\b{third}\s+(?:really\s+|clearly\s+|obviously\s+|simply\s+)?"
            rf"(?:{alt('hindsight')})\b(?!\s+been{_PASSIVE_AFTER.pattern})",
            re.I,
        ),
    )


def _alt(key: str) -> str:
    """A word list of the blame section as one regex alternation, longest first."""
    variants = {v for w in words_of("blame", key) for v in spellings(w)}
    return "|".join(_body(v) for v in sorted(variants, key=len, reverse=True))


@lru_cache(maxsize=1)
def _blame_model() -> dict[str, re.Pattern[str]]:
    """The general model of blame, as frames over word classes rather than phrases.

    Blame is (a) a negative outcome or cause attributed to another party, with the
    speaker not sharing it; (b) self-vindication, the record or the other side shown to
    prove the speaker right; (c) insinuation or sarcasm about someone unnamed or named.
    A party is another person or group as the head of a noun phrase ("the PM", "their
    lead", "our vendor", "management"); a system or a metric is never one.
    """
    own = rf"(?!(?:[\w'-]+\s+){{0,2}}?(?:{_alt('own_units')})\b)"
    # "that" and "this" take a head at most one word away: "the problem was that breaking
    # changes reached partners" is a clause, not a party
    party = (
        rf"(?:they|he|she|management|leadership|somebody|someone|(?-i:{_alt('bare_parties')})|"
        rf"(?:(?:the|their|his|her|our{own})\s+(?:[\w'-]+\s+){{0,3}}?|"
        rf"(?:that|this)\s+(?:[\w'-]+\s+)?)"
        rf"(?:{_alt('parties')}))(?!['’]s|\w|-)"
    )
    # a person's name is a party only with verbs only people do (systems fail, too)
    name = r"(?-i:[A-Z][a-z]+)(?:\s+(?-i:[A-Z][a-z]+))?"
    adverb = r"(?:\s+(?:\w+ly|just|still|even|then|also|again|all))?"
    return {
        "cause": re.compile(
            rf"\b(?:(?:the|a|one|our|my)\s+)?(?:(?:main|real|biggest|whole|only|actual|"
            rf"underlying)\s+)?(?:{_alt('cause_heads')})\s+(?:was|were|is|lay|lies|sat)"
            rf"(?:\s+(?:\w+ly|all|just|simply|squarely))?\s+(?:with\s+|on\s+)?{party}",
            re.I,
        ),
        # not "it was down to the PM to decide": whose call it was, not whose fault
        "cause_link": re.compile(
            rf"\b(?:{_alt('cause_verbs')})\s+(?:\w+ly\s+|all\s+|just\s+)?"
            rf"(?:{_alt('cause_links')})\s+(?:\w+ly\s+)?(?:them|him|{party})"
            rf"(?!\s+(?:to|and)\b)(?!\w)",
            re.I,
        ),
        "regret": re.compile(
            rf"\b(?:{_alt('regret')}),?\s+(?:(?:{party}){adverb}\s+"
            rf"(?:{_alt('obstruct_people')}|{_alt('obstruct')})|"
            rf"{name}{adverb}\s+(?:{_alt('obstruct_people')}))\b",
            re.I,
        ),
        "doom": re.compile(
            rf"\b(?:which|and that|that)\s+(?:is|was|'s|’s)\s+(?:\w+ly\s+|exactly\s+|"
            rf"just\s+)?(?:what|why)\s+(?:{_alt('doom')})\b|\b(?:{_alt('doom_phrases')})\b",
            re.I,
        ),
        "care": re.compile(
            rf"\b{party}{adverb}\s+(?:had\s+)?(?:did not|didn't|never|failed to|could not|"
            rf"couldn't|would not|wouldn't)\s+(?:even\s+|bother to\s+)?(?:[\w'-]+\s+){{1,4}}?"
            rf"(?:{_alt('care')})(?![\w-])",
            re.I,
        ),
        "insinuation": phrase_pattern("blame", "insinuation"),
        "vindication": phrase_pattern("blame", "vindication"),
        # "they vindicated the threshold I had argued for": vindication of the speaker
        "vindicated": re.compile(
            r"\bvindicat\w*(?=\W+(?:[\w'-]+\s+){0,4}?(?:me|my|our|us|I|we)\b)", re.I
        ),
        # a bare name or department doing what people do ("Marketing kept changing ...")
        "people_act": re.compile(
            rf"(?:{party}|{name}){adverb}\s+(?:{_alt('obstruct_people')})\b", re.I
        ),
        "concede": re.compile(
            rf"\b(?:{_alt('concede')})\s+(?:that\s+)?(?:their|his|her|they|he|she)\b"
            rf"[^.;:]{{0,50}}?\b(?:was|were|had been|'d been)\s+(?:\w+ly\s+|all\s+)?"
            rf"(?:{_alt('wrong')})\b",
            re.I,
        ),
        "counterfactual": re.compile(
            rf"\bif\s+{party}\s+had{adverb}\s+(?:{_alt('heeded')})\b|"
            rf"\bhad\s+{party}\s+(?:{_alt('heeded')})\b",
            re.I,
        ),
        # "I'm not one to point fingers, but security had sat on ...": a disclaimer the
        # clause after "but" breaks, with someone other than the speaker as its subject
        "disclaimed": re.compile(
            rf"(?:\b(?:not|never|no|without|won't|don't|do not)\b|n't\b)[^.;:]{{0,30}}?"
            rf"\b(?:{_alt('disclaimed')})\b[^.;:]{{0,40}}?,?\s+but\s+"
            rf"(?!(?:i|we|my|our|me|us|instead|rather|also)\b)",
            re.I,
        ),
        # "I had to clean up after the platform team": another's mess left to the speaker
        "mend": re.compile(
            rf"\b(?:{_alt('mend')})\s+(?:{party}|them|him|her|(?:their|his|her)\b)", re.I
        ),
        # "despite my repeated warnings": the speaker's word passed over by another
        "warned": re.compile(
            rf"\b(?:despite|in spite of|ignoring|ignored|against|disregarding)\s+(?:all\s+)?"
            rf"(?:my|our)\s+(?!own\b)(?:[\w-]+\s+){{0,2}}?(?:{_alt('warned')})\b",
            re.I,
        ),
        # "which anybody who had looked at the data would have known": competence insinuated
        "anybody": re.compile(
            rf"\b(?:{_alt('anybody')})\s+(?:[\w-]+\s+){{0,2}}?(?:(?:who|that)\b[^.;:]{{0,60}}?)?"
            rf"\bwould(?:\s+have|'ve)\s+(?:\w+ly\s+)?(?:known|seen|spotted|noticed|caught|"
            rf"realised|realized|guessed|understood)\b",
            re.I,
        ),
        # motive: a party said to value something above what it should have ("cared more
        # about the sales deck than whether it was true", "more interested in X than Y")
        "motive": re.compile(
            # past conduct only: "customers care more about predictability than price" is
            # a fact about a market, not a charge
            rf"\b(?:{party}|{name}){adverb}(?:\s*,[^,.;]{{1,30}},)?\s+(?:{_alt('preference')})"
            rf"\s+more\s+(?:interested\s+|concerned\s+|focused\s+|worried\s+|invested\s+)?"
            rf"(?:about|for|with|in|on|to)\b[^.;]{{1,80}}?\bthan\b",
            re.I,
        ),
        # motive: acting without a thought for the outcome ("without caring whether it was
        # ready", "without bothering to ask")
        "heedless": re.compile(rf"\bwithout\s+(?:even\s+|much\s+)?(?:{_alt('heedless')})\b", re.I),
        # sarcastic concession: "I'm sure trust & safety had their reasons"
        "sarcasm": re.compile(
            rf"\b(?:{_alt('sarcastic_lead')})\s+(?:that\s+)?(?:[\w&'-]+\s+){{1,4}}?"
            rf"(?:had|have|has|meant|mean|means)\s+(?:(?:their|its|his|her)\s+"
            rf"(?:reasons|priorities|motives)|well)\b",
            re.I,
        ),
        # proof kept of having been right: "I had the document to prove it"
        "proof": re.compile(
            rf"\b(?:i|we)\s+(?:still\s+)?(?:had|have|kept|keep|'ve got|have got)\s+"
            rf"(?:the|a|an|my|our)?\s*(?:[\w-]+\s+){{0,2}}?(?:{_alt('proof_items')})\s+"
            rf"to\s+(?:prove|show|back)\s+(?:it|that|this|me up|up)\b",
            re.I,
        ),
        # the speaker as the one competent person: "the only one in the room who had
        # actually bothered to read the code"
        "only_one": re.compile(
            r"\b(?:i|we)\s+(?:was|were)\s+the\s+only\s+(?:ones?|person|people|engineers?)\b"
            r"[^.;]{0,30}?\bwho\s+(?:had\s+)?(?:actually|even|bothered|cared|really)\b",
            re.I,
        ),
        # resentment: the speaker's side left with what others caused
        "left_with": re.compile(rf"\bleft\s+(?:{_alt('left_with')})\b", re.I),
        # resentment: a decision or a loss called needless ("redone twice for no good reason")
        "needless": phrase_pattern("blame", "needless"),
        # consequence laid on a party's act: "kept changing its mind, which cost us two
        # redesigns"
        "consequence": re.compile(
            rf"(?:,|;|\band)\s*(?:which|and that|that|this)\s+(?:\w+ly\s+|alone\s+)?"
            rf"(?:{_alt('consequence')})\b",
            re.I,
        ),
        "party": re.compile(rf"\b{party}", re.I),
        "share": phrase_pattern("blame", "share"),
        "speaker_subject": re.compile(r"\b(?:i|we)\s+(?:\w+\s+){0,2}$", re.I),
    }


@lru_cache(maxsize=1)
def _blame_triggers() -> dict[str, tuple[str, ...]]:
    """For each frame, words one of which must be in a sentence for it to match: a cheap
    test that spares the regexes on most sentences."""

    def longest(key: str) -> tuple[str, ...]:
        return tuple({max(w.lower().split(), key=len) for w in words_of("blame", key)})

    return {
        "cause": longest("cause_heads"),
        "cause_link": longest("cause_links"),
        "regret": longest("regret"),
        "care": longest("care"),
        "counterfactual": ("had",),
        "doom": longest("doom") + longest("doom_phrases"),
        "insinuation": longest("insinuation"),
        "vindication": longest("vindication"),
        "concede": longest("concede") + longest("wrong"),
        "vindicated": ("vindicat",),
        "disclaimed": ("but",),
        "mend": longest("mend"),
        "warned": longest("warned"),
        "anybody": ("would have", "would've"),
        "motive": ("than",),
        "heedless": ("without",),
        "sarcasm": ("reasons", "priorities", "motives", "meant", "mean"),
        "proof": ("prove", "show", "back"),
        "only_one": ("only",),
        "left_with": ("left",),
        "needless": longest("needless"),
        "consequence": longest("consequence"),
    }


# The speaker owning the miss an anybody-would-have frame describes.
_SELF_MISSED = re.compile(
    r"\b(?:i|we)\s+(?:had not|hadn't|did not|didn't|never|should have|should've|was|were)\b",
    re.I,
)


def _general_blame(masked: str) -> str | None:
    """The words of ``masked`` that blame by the general model, or None (see
    ``_blame_model``)."""
    model = _blame_model()
    low = masked.lower()
    keys = {key for key, words in _blame_triggers().items() if any(w in low for w in words)}
    if not keys:
        return None
    shared = model["share"].search(masked)
    for key in (
        "cause",
        "cause_link",
        "regret",
        "care",
        "counterfactual",
        "disclaimed",
        "mend",
        "warned",
        "anybody",
    ):
        if key not in keys:
            continue
        for m in model[key].finditer(masked):
            clause = _clause_before(masked, m.start())
            negated = key != "disclaimed" and _NEGATED.search(clause)
            if negated or _reported(masked, m.start()) or shared:
                continue  # "not because of the vendor"; what legal thought; "and I missed it"
            if key == "anybody" and _SELF_MISSED.search(masked):
                continue  # "anyone who had looked would have seen it, and I hadn't looked"
            return m.group(0)
    for key in ("motive", "heedless", "sarcasm", "proof", "only_one", "left_with", "needless"):
        if key not in keys:
            continue
        for m in model[key].finditer(masked):
            clause = _clause_before(masked, m.start())
            if key not in ("proof", "only_one") and (
                _NEGATED.search(clause) or _reported(masked, m.start())
            ):
                continue
            head = masked[: m.start()]
            # the heedless or the one who valued the wrong thing is someone else: not "I
            # shipped it without checking whether", "we cared more about speed than"
            if key in ("motive", "heedless") and (
                shared or re.search(r"(?:^|[,;]\s*|\b(?:and|but|so)\s+)(?:i|we)\b", head, re.I)
            ):
                continue
            # needless: a party in the sentence, not a system ("the pod restarted for no
            # good reason" is a bug)
            if key == "needless" and not (model["party"].search(head) or _THIRD.search(head)):
                continue
            return m.group(0)
    for m in model["consequence"].finditer(masked) if "consequence" in keys else ():
        head = masked[: m.start()]
        if shared or re.search(r"\b(?:i|we)\b", head, re.I):
            continue
        if model["people_act"].search(head) or model["regret"].search(head):
            return m.group(0)
    for m in model["doom"].finditer(masked) if "doom" in keys else ():
        head = masked[: m.start()]
        # the outcome laid at another party's door: someone else acts before it, and the
        # speaker is not the one who acted
        if (
            shared
            or model["speaker_subject"].search(head)
            or re.search(r"\b(?:i|we)\b", head, re.I)
        ):
            continue
        if model["regret"].search(head) or model["people_act"].search(head):
            return m.group(0)
        if _THIRD.search(head):
            return m.group(0)
    for key in ("insinuation", "vindication", "concede"):
        if key not in keys:
            continue
        for m in model[key].finditer(masked):
            if _NEGATED.search(_clause_before(masked, m.start())) and key != "insinuation":
                continue
            if key == "concede" and model["speaker_subject"].search(masked[: m.start()]):
                continue  # "I had to admit my estimate had been wrong"
            return m.group(0)
    for m in model["vindicated"].finditer(masked) if "vindicated" in keys else ():
        # the speaker's side vindicated ("vindicated the threshold I had argued for"), not
        # another's ("the results vindicated Marta's design, not mine")
        if not _NEGATED.search(_clause_before(masked, m.start())):
            return m.group(0)
    return None


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
    teams = _named_teams(vault, story)
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
            found = _blame_in(s.text, safe, told, direct, others, candour, teams)
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


def _named_teams(vault: Vault, story: Story) -> re.Pattern[str] | None:
    """The other teams a story names ("the payments team"), as a pattern for their bare
    name at the start of a clause ("payments had ..."); None when it names none."""
    _, own, _ = _own_team(_framing(vault, story))
    names = set(_other_teams(_story_text(vault, story), own))
    if not names:
        return None
    return re.compile(rf"(?:the )?(?:{'|'.join(map(re.escape, sorted(names)))})\b(?! team)", re.I)


def _blame_in(
    text: str,
    safe: re.Pattern[str],
    told: re.Pattern[str],
    direct: re.Pattern[str],
    others: re.Pattern[str],
    candour: re.Pattern[str],
    teams: re.Pattern[str] | None = None,
) -> str | None:
    masked = safe.sub(lambda m: "_" * len(m.group(0)), text)
    for pattern in (told, direct, others):
        for m in pattern.finditer(masked):
            if _NEGATED.search(_clause_before(masked, m.start())):
                continue  # "I didn't want to argue he was wrong"
            if re.match(r"c[ao]me around", m.group(0)) and _TIME_CLAUSE.search(
                _clause_before(masked, m.start())
            ):
                continue  # "when the release came around" is a date, not a person
            about_me = re.match(r"(?:i|my|vindicated|proved me)\b", m.group(0))
            if (
                pattern is not told
                and not about_me
                and (_reported(masked, m.start()) or _SELF_JUDGED.search(masked[: m.start()]))
            ):
                continue  # what legal thought of us; "I was careless"
            if m.group(0).lower() == "should have been" and _PASSIVE_AFTER.match(masked, m.end()):
                continue  # "the vendor should have been involved": by us, not their fault
            if pattern is others and not (_THIRD.search(masked) or candour.search(masked)):
                continue  # no one else in the sentence to blame, and no "honestly"
            return m.group(0)
    told_frame, said_early, dismissive, motive, slighted, hindsight = _blame_frames()
    for frame in (told_frame, said_early, slighted):
        for m in frame.finditer(masked):
            if not _NEGATED.search(_clause_before(masked, m.start())):
                return m.group(0)
    for frame in (dismissive, motive, hindsight):
        for m in frame.finditer(masked):
            clause = _clause_before(masked, m.start())
            if _NEGATED.search(clause) or _reported(masked, m.start()):
                continue
            # the one refusing is someone else: not "I simply didn't want to", and someone
            # else is in the sentence ("teams who simply didn't", "the vendor should have")
            if re.search(r"\b(?:i|we)\s+(?:\w+\s+){0,2}$", clause, re.I):
                continue
            if frame is dismissive and not (
                _THIRD.search(masked) or re.search(r"\bwho\s*$", clause, re.I)
            ):
                continue
            return m.group(0)
    general = _general_blame(masked)
    if general:
        return general
    m = candour.search(masked)
    if m:
        rest = masked[m.end() :]
        praise = phrase_pattern("blame", "praise")
        # a marker set inside the judgement ("The lab systems team was, frankly, the
        # bottleneck"): the one judged is the subject before it
        head = masked[: m.start()]
        if (
            re.search(r"[,—(]\s*$", head)
            and (_OTHER_SUBJECT.match(head) or (teams and teams.match(head.lstrip())))
            and not re.search(r"\b(?:I|we|my|our|me|us)\b", head, re.I)
            and not praise.search(masked)
        ):
            return m.group(0)
        # someone else: a pronoun, a name, or a team the story names, said bare
        # ("Frankly, payments had ignored red builds" after "the payments team")
        # The other must open the judgement (within a few words of the marker): in a long
        # run-on sentence a "they" far from "honestly" is someone else's clause.
        other = (
            (teams and teams.match(rest.lstrip(" ,")))
            or _THIRD.search(rest[:60])
            or _CANDID_SUBJECT.match(rest)
        )
        # the judgement is about the other when they open it, or come before the speaker
        # ("honestly the thing that surprised me was that nobody objected to Kafka" is not)
        me = re.search(r"\b(?:I|we|me)\b", rest, re.I)
        about_others = (
            other
            and not re.search(r"\b(?:I|we|my|our)\b", rest[:40])
            and not (me and other.start() > 30 and me.start() < other.start())
        )
        if about_others and not praise.search(rest[:60]):
            return m.group(0)
    return None


# ---------------------------------------------------------------------------------------
# ST007: applied later, concretely


# "I applied this on the next project", "we used the lesson there": a claim that the lesson
# was used, which says neither what was done nor how it went.
_APPLIED_CLAIM = re.compile(
    r"\b(?:i|we)\s+(?:\w+ly\s+|also\s+|then\s+|just\s+)?(?:applied|used|reused|carried|"
    r"took|brought|kept|remembered|followed|put)\s+(?:this|that|it|these|those|"
    r"(?:the|my|our) (?:same |new )?(?:lessons?|learnings?|ideas?|insights?|thinking|"
    r"principles?|experience|approach|method|mindset|rule)|what (?:i|we)(?:'d| had)? "
    r"learn(?:ed|t))\b",
    re.I,
)
_SPEAKER_PAST = re.compile(r"\b(?:i|we)\s+(?:(?:\w+ly|also|then|first|just)\s+)?([a-z']+)", re.I)


_PERFECT = re.compile(
    r"\b(?:has|have|'ve)\s+(?:(?:\w+ly|also|since|now|always|often|already)\s+)?"
    r"(?:been\s+)?[a-z]+\b",
    re.I,
)


def _when_past(low: str) -> bool:
    """A past occasion opened by "when" ("when I took over the plan", "when we migrated"),
    irregular verbs included: "I would not sign" after it is a past refusal, not a plan."""
    return any(
        _is_past_verb(m.group(1))
        for m in re.finditer(r"\bwhen (?:i|we|they|my team|our team) (?:\w+ly )?([a-z']+)", low)
    )


def _concrete(s: Sentence) -> bool:
    """A sentence that tells a later occasion: a past-tense action with a time or a figure.

    A claim of use ("I applied this on the next migration, and it went smoothly") is no
    occasion told unless the sentence also says what the speaker did, or measures it."""
    text = s.text
    low = text.lower()
    claim = _APPLIED_CLAIM.search(low)
    if claim and not figures(text):
        rest = low[: claim.start()] + low[claim.end() :]
        if not any(_is_past_verb(m.group(1)) for m in _SPEAKER_PAST.finditer(rest)):
            return False
    if (
        phrase_pattern("application", "future").search(text)
        and not re.search(r"\b(?:later|on the next|for the next|in the next)\b", low)
        and not _when_past(low)
    ):
        return False
    # A present perfect ("it has made my rollouts smoother", "I've used it since") is a
    # claim about a span of time, not a past occasion: its participle does not count.
    simple = _PERFECT.sub(" ", text)
    past = any(_is_past_verb(w) for w in re.findall(r"[A-Za-z']+", simple))
    if not past:
        return False
    if re.search(r"\b(?:i've|i have|has|have)\s+(?:\w+\s+)?(?:applied|used|done)\b", low):
        return False  # "I've applied this on several projects": a claim, not an occasion
    later = re.search(
        # "later" as a time, not as an adjective of a plural ("my later rollouts")
        r"\b(?:later(?! (?!years|months|weeks|days)[a-z]+s\b)|afterwards|after that|"
        r"(?:the|my|our) (?:next|following) \w+|"
        r"the same (?:approach|gate|template|method|review|process|check)|"
        r"(?:in|by) (?:january|february|march|april|may|june|july|"
        r"august|september|october|november|december|\d{4}))",
        low,
    )
    later = later or _when_past(low)
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
        else "a claim that the lesson was used, not what you did"
        if _APPLIED_CLAIM.search(first.text)
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


@lru_cache(maxsize=1)
def _authorities() -> re.Pattern[str]:
    """The authorities, in the singular or the plural and possessive ("the engineering
    directors' meeting", "the VPs")."""
    bodies = sorted(
        (r"\s+".join(map(re.escape, w.split())) for w in words_of("escalation", "authorities")),
        key=len,
        reverse=True,
    )
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(bodies)})(?:s|es)?(?:'s|s'|')?(?![\w-])", re.I)


def _masked_authorities(low: str) -> str:
    """The sentence with managers who decide nothing ("product manager") blanked out."""
    return phrase_pattern("escalation", "not_authorities").sub(lambda m: "_" * len(m.group(0)), low)


@lru_cache(maxsize=1)
def _talk_later() -> re.Pattern[str]:
    """ "before talking to", "without speaking to him first", "instead of going to her":
    the talk with the other party is placed after (or instead of) what the sentence does."""
    lead = "|".join(
        r"\s+".join(map(re.escape, w.split()))
        for w in sorted(words_of("escalation", "talk_later"), key=len, reverse=True)
    )
    verbs = "|".join(
        r"\s+".join(map(re.escape, w.split()))
        for w in sorted(words_of("escalation", "talk_verbs"), key=len, reverse=True)
    )
    # up to three words between ("before I had even talked", "without first properly
    # talking"), but not across a clause
    return re.compile(rf"\b(?:{lead})\s+(?:[\w']+\s+){{0,3}}?(?:{verbs})\b", re.I)


_LEADING_CLAUSE = re.compile(
    r"\s*(?:(?:rather than|instead of|before|after|without|when|once|since|because|as|"
    r"despite|to)\b[^,;]*[,;]\s*)?",
    re.I,
)


def _escalation(text: str, bullet: bool = False) -> tuple[int, str] | None:
    """Where the sentence takes a disagreement to an authority to settle, and its words.

    The speaker makes the move ("I asked our CTO", "we raised it with the VP", "my first
    move was to ask the CTO"; not "the VP asked me"), and the move is to have it settled:
    a verb of deciding after it, the conflict itself as what is taken ("took the
    disagreement to our director"), or the sentence says it came first ("went straight
    to", "before talking to her").
    """
    low = text.lower()
    if phrase_pattern("escalation", "jointly").search(low):
        return None  # escalating together, after talking, is the seed's good path
    masked = _masked_authorities(low)
    decide = phrase_pattern("escalation", "decide")
    moves = phrase_pattern("escalation", "moves")
    conflict = phrase_pattern("escalation", "conflict_objects")
    for a in _authorities().finditer(masked):
        before = masked[max(0, a.start() - 70) : a.start()]
        found = list(moves.finditer(before))
        if not found:
            continue
        move_at = a.start() - len(before) + found[-1].start()
        head = masked[:move_at]
        # In a resume-style bullet a move without a subject is the speaker's: it opens the
        # bullet, after a subordinate clause ("Rather than call him, went to our
        # director") or a chain of subject-less verbs ("Profiled it, then asked the VP").
        # (Not "Dana, rather than call me, asked the VP": Dana is the subject.)
        unsaid = bullet and (
            _LEADING_CLAUSE.fullmatch(head)
            or (
                _is_past_verb(head.split(" ", 1)[0])
                and re.search(r"(?:[,;:]|\band|\bthen)\s*$", head)
            )
        )
        if not unsaid and not re.search(
            r"(?:\b(?:i|we)\b|\bmy (?:first |only )?(?:move|step|reaction)\b)", head
        ):
            continue
        if re.search(r"\b(?:asked|told) (?:me|us)\b", masked[move_at : a.end()]):
            continue
        after = masked[move_at:]
        if (
            decide.search(after)
            or conflict.search(masked[max(0, move_at - 10) : a.end()])
            # "first", "straight" said of this move ("went straight to", "my first move
            # was"), not of anything else in the sentence ("in the first week")
            or re.search(
                r"\b(?:first|right away|straight|immediately|directly)\b",
                masked[max(0, move_at - 25) : a.end() + 15],
            )
            or _talk_later().search(masked)
        ):
            return move_at, text[move_at : a.end()]
    return None


def _direct_talk(text: str) -> int | None:
    """Where the speaker talks with the other party in the sentence, if they do.

    A talk with an authority ("met with my director") is not one, nor a pronoun after
    the authority ("asked our VP ... asked her to decide"), nor a talk the sentence puts
    later ("before talking to either side").
    """
    low = text.lower()
    if not re.search(r"\b(?:i|we)\b", low):
        return None
    masked = _masked_authorities(low)
    for m in _talk_later().finditer(masked):
        masked = masked[: m.start()] + "_" * (m.end() - m.start()) + masked[m.end() :]
    authority = _authorities()
    first_authority = authority.search(masked)
    talks = list(phrase_pattern("escalation", "direct_talk").finditer(masked))
    for m in phrase_pattern("escalation", "talk_with_person").finditer(masked):
        # the speaker's own verb ("I then called Mia"; not "a library called Hermes")
        own_verb = re.search(r"\b(?:i|we)(?: \w+)?\s*$", masked[: m.start()])
        if own_verb and _PERSON_NEXT.match(text, m.end()):
            talks.append(m)
    for m in sorted(talks, key=lambda m: m.start()):
        if authority.search(masked[m.end() : m.end() + 30]):
            continue  # a talk with the manager, not with the other side
        if _OWN_SIDE.match(masked, m.end()):
            continue  # "sat down with my team": the speaker's own side
        if re.search(
            r"\b(?:rather than|instead of|without)\s+(?:\w+\s+){0,2}$", masked[: m.start()]
        ):
            continue  # "rather than argue it out with Tomasz": a talk that did not happen
        pronoun = re.search(r"\b(?:him|her|them|it)\b", m.group(0))
        if pronoun and first_authority and first_authority.start() < m.start():
            continue  # "asked her" is the VP just named
        return m.start()
    return None


# Who a talk is with: a pronoun, a name, or a role on the other side ("their lead").
_PERSON_NEXT = re.compile(
    r"\s+(?:(?i:him|her|them|their|his|either|both|the other)\b|[A-Z][a-z]+\b|"
    r"(?i:the|our) [\w-]+(?: [\w-]+)? (?i:lead|owner|owners|team|engineers?|folks|people|"
    r"scientists?|designers?|analysts?)\b)"
)
_OWN_SIDE = re.compile(r"\s+(?:my|our) (?:own )?(?:team|squad|engineers|reports)\b")


def _talk_came_first(text: str) -> bool:
    return bool(phrase_pattern("escalation", "talk_first").search(text.lower()))


def _talk_party(text: str) -> str | None:
    """Who the conflict is with, when a sentence puts the talk with them later ("rather
    than argue it out with Tomasz", "before talking to the security lead"): the name or
    the head noun of the role, lower-cased; None for a pronoun or no one."""
    m = _talk_later().search(text)
    if not m:
        return None
    after = re.match(
        r"(?:\s+(?:it|this|things)(?:\s+out|\s+over|\s+through)?)?(?:\s+(?:to|with|at))?\s+"
        r"(?:(?P<name>(?-i:[A-Z][a-z]+))|(?:the|their|his|her|our)\s+(?:[\w-]+\s+){0,2}?"
        r"(?P<role>lead|owner|team|engineers?|manager|director|designer|pm|vendor|"
        r"scientists?|analysts?|architects?|squad|group))\b",
        text[m.end() :],
        re.I,
    )
    if not after:
        return None
    return (after.group("name") or after.group("role")).lower()


def escalation_first(vault: Vault, story: Story) -> list[Hit]:
    """ST010: the first move in a conflict was to ask a manager or leadership to decide.

    A talk counts as direct only with the other party of the disagreement: when the
    escalating sentence names who it put the talk off with ("rather than argue it out
    with Tomasz"), an earlier talk with someone else (pairing with other teams) does not
    end the search."""
    for name in ("Action", "Short version"):
        talked: list[str] = []  # each part tells the story from the start
        for s in sentences(vault, story, name):
            talk = _direct_talk(s.text)
            escalated = _escalation(s.text, s.bullet)
            if escalated is None or _talk_came_first(s.text):
                if talk is not None or _talk_came_first(s.text):
                    talked.append(s.text.lower())  # the other side heard first, maybe
                continue
            if talked:
                party = _talk_party(s.text)
                if party is None or any(re.search(rf"\b{re.escape(party)}\b", t) for t in talked):
                    break  # that party heard first: what follows is the good path
            at, said = escalated
            if talk is not None and talk < at and not _talk_later().search(s.text):
                break  # "I met Sam, and when we still disagreed we asked our VP"
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


def _framing(vault: Vault, story: Story) -> list[Sentence]:
    """Where a story says who the speaker is: the Situation, the Task and the Short
    version's opening sentence."""
    return [
        *sentences(vault, story, "Situation"),
        *sentences(vault, story, "Task"),
        *sentences(vault, story, "Short version")[:1],
    ]


def _declared(note: Note, key: str) -> Any:
    value = note.meta.get(key)
    return value if value not in (None, "", []) else None


# Reach a story states outright: a count of teams or organisations ("five product teams",
# "all seven tenant teams", "a dozen producer teams"), work across them, or org-wide work.
_TEAM_COUNT = re.compile(
    r"\b(?:[2-9]|\d\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|twenty|thirty|forty|fifty|dozens?|several|many|multiple|"
    r"all|every|each of (?:the|our)|other)\s+"
    # up to two describing words, not a magnitude ("4 million products" is a catalogue)
    r"(?:(?!(?:hundred|thousand|million|billion|k|m)\b)[\w-]+\s+){0,2}"
    r"(?:teams|groups|squads|tribes|organisations|organizations|departments|orgs|"
    r"business units|product lines|products|divisions|studios|business lines)\b|"
    # "asked every team", "each product team"
    r"\b(?:each|every) (?:[\w-]+ ){0,2}(?:team|squad|department|org|organi[sz]ation)\b",
    re.I,
)
_ACROSS = re.compile(
    # (not "across the fleet" or "three regions": machines and data centres, not people)
    r"\bacross (?:[\w-]+ ){0,3}(?:teams|org\w*|company|departments|groups|squads|functions|"
    r"products|business units|divisions|product lines)\b|"
    r"\b(?:company|org|organi[sz]ation|division)-wide\b",
    re.I,
)
# (a bare "organisations" is as often the customers as the company's own)
_ORG = re.compile(
    r"\b(?:company|org|organi[sz]ation)-wide\b|\bacross (?:the |our )?(?:whole |entire )?"
    r"(?:company|org|organi[sz]ation|business)\b|\b(?:every|all (?:the )?)"
    r"(?:departments?|business units?|divisions?)\b",
    re.I,
)
# A small count of people, in words or digits ("four", "4", "a handful of").
_FEW = (
    r"(?:(?<![\d.,])(?:[2-9]|1[0-2])(?![\d.,]?\d)|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|a (?:handful|couple|few)(?: of)?|a dozen)"
    # not the start of a larger number ("two hundred people")
    r"(?![\s-]+(?:hundred|thousand|million|billion|dozen)\b)"
)
_PEOPLE = (
    r"(?:people|persons|engineers|developers|devs|scientists|researchers|analysts|members|"
    r"folks|ics|designers|sres)"
)
_UNIT = r"(?:team|squad|group|pod|crew|unit)"
# The speaker's own team, as a story frames it ("on the checkout team", "team of four",
# "our data engineering team", "my squad"). "On the search team" is the speaker's only
# in a clause whose subject is the speaker ("I was the tech lead on the search team"; not
# "Lukas, a data scientist on the search team"), or when the sentence opens with it and
# goes on as the speaker ("In the search team of a marketplace, we were four"). Articles
# may be dropped ("I worked in payments team").
_TEAM_NAME = (
    r"(?!(?:every|each|all|other|another|several|many|both|some|two|three|four|five|six|"
    r"seven|eight|nine|ten|\d+)\b)[\w-]+(?: [\w-]+){0,2}"
)
_OWN_TEAM = re.compile(
    rf"(?:\bI\b[^,;.()]*?\b(?:on|in|joined|into|of|led|ran) (?:the |a |an |our |my )?"
    rf"(?P<name>{_TEAM_NAME}) (?:team|squad|group)\b(?!'s)|"
    rf"^(?:in|on|within|inside) (?:the |our |my |a |an )?(?P<lead>{_TEAM_NAME}) "
    rf"(?:team|squad|group)\b(?!'s)(?=[^.;]*?,\s*(?:I|we)\b)|"
    # a compact note that opens with the team and its size ("Payments app team at a
    # bank, six people.")
    rf"^(?P<note>{_TEAM_NAME}) (?:team|squad)\b(?!'s)(?=[^.;]*?,\s*(?:about |around )?"
    rf"{_FEW} (?:[\w-]+ )?{_PEOPLE}\b)|"
    r"\b(?:my|our) (?:own )?(?P<ours>[\w-]+(?: [\w-]+){0,2} )?(?:team|squad)\b"
    r"(?! (?:leads?|members?)\b)|"
    rf"\bthe team's\b|\bon the team\b|\b(?:a |the )?team of {_FEW}\b|"
    r"\b\w+-(?:person|engineer|people) team\b|\bthe (?:\w+ )?of us\b|"
    r"\b(?:our|my) (?:engineering )?manager asked me\b|\b(?:our|my) team lead\b|"
    r"\bteam, (?:\d+|\w+) engineers\b|\bone of (?:the |our )?\w+ (?:[\w-]+ )?(?:teams|squads)\b|"
    rf"\bwe were (?:only |just )?(?:a (?:small |tiny )?{_UNIT} of {_FEW}|{_FEW} {_PEOPLE})\b|"
    r"\bthe (?P<named>[\w-]+(?: [\w-]+)?) team, [\w ]{0,30}including me\b|"
    # a subject-less role line ("Senior engineer on perception.")
    rf"^(?:an? |the )?(?:[\w-]+ ){{0,2}}?(?:engineer|developer|scientist|sre|analyst|architect|"
    rf"designer|researcher)s? (?:on|in|within) (?:the |our )?(?P<role>{_TEAM_NAME}?)"
    rf"(?: team| squad| group)?\s*[.;]?$)",
    re.I,
)
# The speaker placing themself in a team anywhere in the story ("I was senior engineer on
# the perception team"): that team is no partner, wherever the sentence stands.
_I_IN_TEAM = re.compile(
    rf"\bI(?:'m| am| was| were)\b[^,;.()]{{0,40}}?\b(?:on|in|of|within) (?:the |our |my )?"
    rf"(?P<name>{_TEAM_NAME}) (?:team|squad|group)\b(?!'s)",
    re.I,
)
# How many people the speaker's own unit has, when the framing says it and it is small:
# "team of five", "squad (four engineers)", "team, 7 engineers", "a two-person team",
# "we were four people", "the three of us". One team's headcount, not a reach.
_HEADCOUNT = re.compile(
    # "team of five", "team with four people", "team of six ran" (not "a team of two
    # hundred", "a group of four services")
    rf"\b{_UNIT}\b\s+(?:of|with|had|has|was|is|consisting of|made up of)\s+"
    rf"(?:only |just |about |around )?{_FEW}(?:\s+(?:[\w-]+\s+)?{_PEOPLE}\b|"
    rf"\b(?!\s+(?:hundred|thousand|million|billion|dozen|[\w-]{{3,}}s)\b))|"
    # a count set off after the team: "team, 7 engineers", "team of a retailer, eight of us"
    rf",\s*(?:only |just |about |around )?{_FEW}\s+(?:[\w-]+\s+)?(?:{_PEOPLE}|of us)\b|"
    # "squad (four engineers)", "my team (billing, five engineers)"
    rf"\b{_UNIT}\s*\([^()]{{0,40}}?\b{_FEW}\s+(?:[\w-]+\s+)?{_PEOPLE}\b|"
    # "a two-person infra team", "a five-engineer squad", "a six-strong team"
    rf"\b{_FEW}[- ](?:person|people|engineer|member|strong|developer)s?\b"
    rf"(?:[\w -]{{0,30}}?)\b{_UNIT}\b|"
    rf"\bwe were (?:only |just )?(?:a (?:small |tiny )?{_UNIT} of {_FEW}|{_FEW} {_PEOPLE})\b|"
    rf"\bthe {_FEW} of us\b",
    re.I,
)
_OTHER_TEAM = re.compile(
    r"\bthe (?P<name>[\w-]+(?: [\w-]+)?) (?P<kind>team|teams|squad|squads)\b"
    # a team that only reports a problem is the feature's user, not a partner in the work
    r"(?!,? (?:\w+ )?(?:told|noticed|found|reported|complained|spotted|saw|flagged|filed|"
    r"opened|pinged|raised|asked about)\b)",
    re.I,
)
# A team that is named only to say it was not involved or not to blame is no partner.
_NOT_PARTNER = re.compile(r"\b(?:not|never|no|nor|without|didn't|blam\w*)\b", re.I)
# Role titles at or above Staff, and titles of a level below it.
_STAFF_TITLE = re.compile(
    r"\b(?:staff|principal|distinguished|fellow|architect|lead|head|director|manager|vp)\b",
    re.I,
)
_BELOW_TITLE = re.compile(
    r"\b(?:senior|sr|mid|middle|junior|associate|intermediate|ii|iii|engineer|developer|"
    r"scientist|analyst|programmer)\b",
    re.I,
)


# A count that only sets the scene: the company's size ("at a retailer with forty
# engineering teams", "our org has six squads") or the speaker's place in it ("one of
# five teams"), not teams the work reached.
_SCENE = re.compile(
    r"(?:\bone of (?:the |our )?|\b(?:at|in|for) an? [\w' -]{0,40}?\bwith\s+"
    r"(?:about |around |roughly |some |over )?|\b(?:company|organi[sz]ation|org|business|employer|"
    r"startup|firm|department|division|group)\b[^,;.]{0,25}?\b(?:has|had|have|with|of|"
    r"employs|employed|runs|ran|spans|spanned)\s+(?:about |around |roughly |some |over )?)$",
    re.I,
)


# A count of two ("two teams", "both departments", "across 2 squads") is reach a story may
# state of a pilot or a pair of neighbours: it weighs like two partner teams, it does not
# decide.
_TWO = re.compile(r"\b(?:two|2|both|a couple of|a pair of)\b", re.I)


# A count of the staffed sites of other sectors ("three acute hospitals", "all depots"),
# each with its own people and managers. A feature goes live in every site of one team's
# remit too, so a site count weighs like two partner teams: it lifts a story told at a
# Staff title, not one told from inside a small team at a Senior one.
_SITE_COUNT = re.compile(
    r"\b(?:[2-9]|\d\d+|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|twenty|thirty|forty|fifty|dozens?|several|many|multiple|"
    r"all|every)\s+(?:(?!(?:of|in|on|to|from|for|against|the|a|an)\b)[\w-]+\s+){0,3}?"
    # (not "stores", "sites" or "branches": data stores, web sites and git branches)
    r"(?:hospitals|wards|clinics|schools|plants|factories|warehouses|depots)\b",
    re.I,
)


def _stated_reach(text: str) -> tuple[str | None, int]:
    """A count of teams the story's work reached ("all seven tenant teams") that decides
    the scope, if any; else what the counts of two and of sites are worth (see
    :data:`_TWO`, :data:`_SITE_COUNT`)."""
    weak = 2 if _SITE_COUNT.search(text) else 0
    for m in _TEAM_COUNT.finditer(text):
        if _SCENE.search(text[max(0, m.start() - 80) : m.start()]):
            continue
        if _TWO.search(m.group(0)):
            weak = 2
            continue
        return m.group(0), weak
    for m in _ACROSS.finditer(text):
        if not _TWO.search(m.group(0)):
            return m.group(0), weak
        weak = 2
    return None, weak


def _own_team(framing: Iterable[Sentence]) -> tuple[list[str], set[str], str | None]:
    """The own-team phrases in the framing sentences, the own team's names (for
    exclusion), and the own unit's small headcount when an own-team sentence states it."""
    hits: list[str] = []
    names: set[str] = set()
    headcount: str | None = None
    for s in framing:
        found = [
            m
            for m in _OWN_TEAM.finditer(s.text)
            # a body drawn from several teams ("the programme leadership group", "the
            # architecture working group") is no home team
            if not _cross_body(m.group("name"))
        ]
        for m in found:
            hits.append(m.group(0))
            for key in ("name", "lead", "note", "ours", "named", "role"):
                if m.group(key):
                    name = m.group(key).strip().lower()
                    names |= {name, name.split()[-1]}
        count = _HEADCOUNT.search(s.text) if found else None
        if count and headcount is None:
            headcount = count.group(0)
    return hits, names, headcount


def _cross_body(name: str | None) -> bool:
    """Whether a group's name ends in a word of a body drawn from several teams."""
    words = (name or "").lower().split()
    return bool(words) and words[-1] in words_of("scope", "cross_bodies")


def _other_teams(text: str, own: set[str]) -> dict[str, int]:
    """Teams other than the speaker's that the story works with, and what each is worth:
    1 for a named team ("the growth team"), 2 for a named group of teams ("the regional
    teams"). A team named only to report a problem or to say it was not to blame counts
    for nothing."""
    found: dict[str, int] = {}
    not_a_team = set(words_of("scope", "not_a_team"))
    for m in _OTHER_TEAM.finditer(text):
        name = m.group("name").lower()
        words = name.split()
        if words[-1] in own or name in own or words[-1] in not_a_team:
            continue
        start = max(text.rfind(c, 0, m.start()) for c in ",;.:—")
        if _NOT_PARTNER.search(text[start + 1 : m.start()]):
            continue
        worth = 2 if m.group("kind").lower().endswith("s") else 1
        found[name] = max(found.get(name, 0), worth)
    return found


def _role_below_staff(note: Note) -> bool:
    """The story's role title names a level below Staff ("Senior Data Engineer")."""
    role = str(note.meta.get("role") or "")
    return bool(_BELOW_TITLE.search(role)) and not _STAFF_TITLE.search(role)


def text_scope(vault: Vault, story: Story) -> str:
    """ "org", "multi-team" or "team" read from the story, or "" when it does not say.

    Stated reach decides: org-wide work, or a count of three or more teams the work spans.
    Otherwise the other teams the story works with (a count of two weighs as two) are
    weighed against the evidence that the speaker sits inside one team: one partner team
    lifts a story told from inside a team at a Staff title; a Senior title, and a small
    stated headcount of the own unit, each raise that by one (the seed: Senior works at
    team and feature level). A story with no team in it at a title below Staff is a
    team's work.
    """
    cache = _SCOPES.setdefault(vault, {})
    if story.note.path not in cache:
        cache[story.note.path] = _text_scope(vault, story)
    return cache[story.note.path]


_SCOPES: weakref.WeakKeyDictionary[Vault, dict[str, str]] = weakref.WeakKeyDictionary()


def _text_scope(vault: Vault, story: Story) -> str:
    text = _story_text(vault, story)
    if _ORG.search(text):
        return "org"
    stated, weak = _stated_reach(text)
    if stated:
        return "multi-team"
    own_hits, own, headcount = _own_team(_framing(vault, story))
    for m in _I_IN_TEAM.finditer(text):
        if not _cross_body(m.group("name")):
            name = m.group("name").strip().lower()
            own |= {name, name.split()[-1]}
    reach = max(weak, sum(_other_teams(text, own).values()))
    below_title = _role_below_staff(story.note)
    # Each piece of evidence that the speaker sits inside one team raises the reach it
    # takes to lift the story: a Senior title, and a small headcount of the own unit
    # ("a squad of four engineers"), which says the team is the remit whatever the title.
    # A count of two stated ("a pilot with two departments") weighs as two partner teams.
    needed = 1 + bool(own_hits and below_title) + bool(headcount)
    if reach >= needed:
        return "multi-team"
    if own_hits or below_title:
        return "team"
    return ""


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
    """The Staff+ look-fors a story shows: its ``signals`` field, else read from its text
    (once per vault: coverage and ST012 both ask)."""
    memo = _SIGNALS.setdefault(vault, {})
    found = memo.get(note.path)
    if found is None:
        found = memo[note.path] = _staff_signals(vault, note)
    return found


_SIGNALS: weakref.WeakKeyDictionary[Vault, dict[str, frozenset[str]]] = weakref.WeakKeyDictionary()


def _staff_signals(vault: Vault, note: Note) -> frozenset[str]:
    declared = note.meta.get("signals")
    # An explicit list, even an empty one, is the candidate's own word; only a missing
    # (or blank) field leaves it to the text.
    if isinstance(declared, list) or _declared(note, "signals") is not None:
        values = declared if isinstance(declared, list) else [declared]
        return frozenset(
            str(v).strip().lower() for v in values if str(v).strip().lower() in SIGNALS
        )
    return detect_signals(vault, read_story(vault, note))


def below_staff_scope(vault: Vault, story: Story) -> list[Hit]:
    """ST012: the story shows one team's or one feature's work, below the target level."""
    from .coverage import target_level

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
    if anchor is not None and not _OWN_TEAM.search(anchor.text) and _role_below_staff(story.note):
        # no own-team sentence: the title and the absence of other teams say it
        where += f", as a {quote(str(story.note.meta.get('role')), 40)} naming no other team"
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
