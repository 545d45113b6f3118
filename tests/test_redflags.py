"""Red flags read like a coach reads them: ST003-ST012 on sentences written for these tests,
each rule with positives and hard negatives, the finding's line and quoted words, config
overrides and the Staff+ scope (fields, text, target level)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from starvault.coverage import target_level
from starvault.redflags import SIGNALS, figures, staff_signals
from starvault.rules import REGISTRY, check
from starvault.vault import load

ROOT = Path(__file__).resolve().parents[1]

# A strong Staff-level story: every red flag clean.
BASE = {
    "Situation": "Four product teams each ran their own image-resizing code; a bad deploy in "
    "one of them took down thumbnails for everyone twice in a quarter.",
    "Task": "As the staff engineer in the media platform group I took on turning the four "
    "copies into one service the teams would trust.",
    "Action": "- I interviewed the four team leads about what they needed.\n"
    "- I wrote the design and agreed the migration order with legal and the product leads.\n"
    "- We built the service in six weeks; I reviewed every client change myself.",
    "Result": "Thumbnail incidents fell from 6 a quarter to 0, and resize latency went from "
    "420 ms to 90 ms.",
    "Learnings": "- I waited too long to involve legal; I now bring them to the first review.",
    "Short version": "I merged four copies of our image code into one service that four teams "
    "now use; incidents fell from six a quarter to zero.",
    "Follow-ups": "### What would you do differently?\n\nInvolve legal earlier.",
}


def story(parts: dict[str, str | None] | None = None, front: str = "") -> str:
    merged = {**BASE, **(parts or {})}
    head = f"---\ntype: story\ntitle: Image Service\n{front}---\n\n# Image Service\n"
    body = "".join(f"\n## {k}\n\n{v}\n" for k, v in merged.items() if v is not None)
    return head + body


def found(make_vault, text: str, code: str, toml: str = "", name: str = "v") -> list:
    files = {"S.md": text}
    if toml:
        files["starvault.toml"] = toml
    report = check(load(make_vault(files, name=name), use_cache=False), select=[code])
    return [(d.line, d.column, d.message, d.target) for d in report.diagnostics]


def line_of(text: str, words: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if words in line)


def test_base_story_is_clean(make_vault):
    report = check(load(make_vault({"S.md": story()}), use_cache=False), select=["ST"])
    assert [d.rule for d in report.diagnostics] == []


def test_new_rules_are_registered_and_documented():
    for code in ("ST010", "ST011", "ST012"):
        doc = REGISTRY[code].doc
        assert "**Anti-pattern**" in doc and "**Best practice**" in doc


# -- ST003 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        # hedges and presence, never an action
        "- I think we first mapped the callers.\n- I was part of the group where we chose "
        "a queue.\n- We then rolled it out.",
        # passive voice: nobody acted
        "A plan was drawn up. The owners were given a deadline. A freeze was put in place.",
    ],
)
def test_st003_hedges_presence_and_passives(make_vault, action):
    assert len(found(make_vault, story({"Action": action}), "ST003")) == 1


def test_st003_short_version_alone(make_vault):
    short = "We planned the move. We ran the drill. We wrote the report and we fixed it."
    got = found(make_vault, story({"Short version": short}), "ST003")
    assert len(got) == 1 and "the Short version" in got[0][2]


@pytest.mark.parametrize(
    "action",
    [
        # resume bullets without a subject are the speaker's
        "- Profiled the service.\n- Rewrote the cache.\n- Paired with our two juniors.",
        # many "we"s, but every action is "I ..."
        "- I chose our queue, which we already ran.\n- I wrote our runbook for us.\n"
        "- I moved our team's jobs; we kept our on-call.",
    ],
)
def test_st003_hard_negatives(make_vault, action):
    assert found(make_vault, story({"Action": action}), "ST003") == []


# -- ST004 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "result",
    [
        "The service went GA in Q3 2024 on version 2.1 and p99 latency improved.",
        "Teams were far happier and incidents dropped substantially.",
        "It became one of the two flagship projects of the year.",
    ],
)
def test_st004_no_measured_outcome(make_vault, result):
    text = story({"Result": result})
    got = found(make_vault, text, "ST004")
    assert [g[0] for g in got] == [line_of(text, result[:20])]


@pytest.mark.parametrize(
    "result",
    [
        "Deploy time was halved.",
        "No paging incidents since the switch.",
        "Review turnaround went from about a fortnight to under two days.",
        "Onboarding a service went from weeks to hours.",
        "Zero lost messages since the cut-over.",
        "Error rate down 0.3 points.",
    ],
)
def test_st004_measurable_without_a_digit_or_with_one(make_vault, result):
    assert found(make_vault, story({"Result": result}), "ST004") == []


@pytest.mark.parametrize(
    "result",
    [
        # counts in words, like digits: what was caught or changed, counted
        "Eleven dashboards moved over and three were retired.",
        "The linter stopped twenty-two unsafe migrations in its first quarter.",
        "Six schema breaks were caught before release.",
    ],
)
def test_st004_counts_in_words_are_figures(make_vault, result):
    assert found(make_vault, story({"Result": result}), "ST004") == []


@pytest.mark.parametrize(
    "result",
    [
        # a set named, not a result counted: "the two squads", "in two phases"
        "The two squads were much happier with the new flow.",
        "It shipped in three stages and customers noticed it was far better.",
        "Both our teams felt the pipeline was vastly more reliable.",
    ],
)
def test_st004_a_named_set_is_no_figure(make_vault, result):
    text = story({"Result": result})
    assert [g[0] for g in found(make_vault, text, "ST004")] == [line_of(text, result[:20])]


def test_st004_figures_ignore_names():
    assert figures("We moved to Python 3.12 in Q4 and v2 shipped; p95 improved.") == []
    assert figures("p95 fell from 900 ms to 240 ms") != []


# -- ST006 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "words"),
    [
        ("Frankly, the billing team had never tested a rollback.", "Frankly"),
        ("The vendor, to put it kindly, was not ready.", "to put it kindly"),
        ("In the end the numbers showed I was right.", "I was right"),
        ("It failed on the first day, exactly as I had warned.", "as I had warned"),
        ("The analysts, despite good intentions, kept breaking the build.", "despite good"),
        # euphemism frames that announce a judgement
        ("Their release process was, to put it politely, improvised.", "to put it politely"),
        ("Ops, to be diplomatic about it, ignored the dashboards.", "to be diplomatic"),
    ],
)
def test_st006_open_and_polite_blame(make_vault, said, words):
    text = story({"Situation": BASE["Situation"] + " " + said})
    got = found(make_vault, text, "ST006")
    assert len(got) == 1
    line, _column, message, target = got[0]
    assert line == line_of(text, said[:15])
    assert target.lower().startswith(words.lower())
    assert "describe the disagreement neutrally" in message


@pytest.mark.parametrize(
    "said",
    [
        "It was my fault, and I said so in the blameless review.",
        "I did not blame the on-call engineer; the alert was mine.",
        "I was wrong about the lock, and I was not sure I was right about the index.",
        "We made the queue fault-tolerant.",
        "Honestly, I underestimated the migration.",
        "She pushed back, honestly for good reasons.",
        "It would have been easy to argue they were wrong, but they had a point.",
    ],
)
def test_st006_ownership_is_not_blame(make_vault, said):
    text = story({"Situation": BASE["Situation"] + " " + said})
    assert found(make_vault, text, "ST006") == []


@pytest.mark.parametrize(
    ("said", "words"),
    [
        # a judgement of character, the one judged named by a pronoun at the start
        ("Their architect was arrogant about the cache and never read my notes.", "arrogant"),
        # condescension about a person who changed their mind
        ("Marta eventually came around once she saw the dashboard.", "came around"),
    ],
)
def test_st006_judging_others(make_vault, said, words):
    text = story({"Action": BASE["Action"] + "\n- " + said})
    got = found(make_vault, text, "ST006")
    assert [(g[0], g[3]) for g in got] == [(line_of(text, said[:20]), words.lower())]


@pytest.mark.parametrize(
    "said",
    [
        # what one side thought of the other: a position in the conflict, described
        "Support thought our engineers were careless with tickets; we had never shown them "
        "the queue.",
        # the one judged is the speaker
        "I was careless with the migration order and it cost a day.",
        "My sloppy fixture data hid the bug for a week.",
        # technical senses and dates
        "We moved the images to lazy loading, which cut the first paint.",
        "When the next release came around, the checklist was ready.",
        # a candour marker before praise of the other side
        "Honestly, their design was better than mine.",
    ],
)
def test_st006_description_is_not_blame(make_vault, said):
    text = story({"Situation": BASE["Situation"] + " " + said})
    assert found(make_vault, text, "ST006") == []


def test_st006_candour_before_a_team_named_bare(make_vault):
    # the story names "the billing team"; later the bare name after "frankly" is them
    said = "Honestly, billing had let the retries pile up for a year."
    action = "- I met the billing team to agree the retry budget.\n- " + said
    text = story({"Action": action})
    got = found(make_vault, text, "ST006")
    assert [(g[0], g[3].lower()) for g in got] == [(line_of(text, said[:20]), "honestly")]
    # a bare word the story never names as a team is not someone to blame
    plain = story({"Action": "- I met the billing team.\n- Honestly, latency had grown slowly."})
    assert found(make_vault, plain, "ST006", name="plain") == []
    # nor is praise of the named team after the marker
    fair = story({"Action": "- I met the billing team.\n- Honestly, billing had a fair point."})
    assert found(make_vault, fair, "ST006", name="fair") == []


def test_st006_own_phrases_from_config(make_vault):
    text = story({"Result": BASE["Result"] + " The scapegoat was obvious."})
    assert found(make_vault, text, "ST006") == []
    got = found(make_vault, text, "ST006", 'blame_phrases = ["scapegoat"]\n', name="custom")
    assert [g[3] for g in got] == ["scapegoat"]


# Blame carried by grammar rather than by one phrase, each in several wordings.
@pytest.mark.parametrize(
    ("said", "words"),
    [
        # a disclaimer of blame that the clause after "but" breaks
        ("I'm not one to point fingers, but the vendor sat on our tickets for weeks.", "point"),
        ("I don't want to blame anyone, but ops had skipped the checklist again.", "blame"),
        # the speaker left to mend another's work
        ("Once more I had to clean up after the data team and rerun the backfill.", "clean"),
        ("I spent a week tidying up after them before the audit.", "tidying"),
        # the speaker's warnings passed over by another
        ("They built on the private API, despite my repeated warnings.", "despite my"),
        ("The schema went out against our advice and broke two consumers.", "against our"),
        # competence insinuated with an anybody-would-have frame
        (
            "The plan, which anyone who had opened the logs would have known was wrong, slipped.",
            "would have known",
        ),
        ("Any competent reviewer would have caught the missing index.", "any competent"),
    ],
)
def test_st006_blame_classes(make_vault, said, words):
    text = story({"Result": BASE["Result"] + " " + said})
    got = found(make_vault, text, "ST006")
    assert [g[0] for g in got] == [line_of(text, said[:20])]
    assert words.lower() in got[0][3].lower()


@pytest.mark.parametrize(
    "said",
    [
        # another's words or position, reported with a verb of saying or arguing
        "A customer emailed support to say she could not select dates at all.",
        "A nurse wrote in saying they never received the alert at all.",
        "The director objected that blameless reviews would let careless people off.",
        "Their lead argued that we were reckless to ship on a Friday.",
        # the same classes with the speaker as the one at fault, or no party
        "I didn't complain, but I logged each delay in the tracker.",
        "I had to clean up after the migration, which took a week.",
        "Anyone who had looked at the graph would have seen it, and I had not looked.",
        "We shipped despite my own warnings, and that was my call.",
    ],
)
def test_st006_class_hard_negatives(make_vault, said):
    text = story({"Result": BASE["Result"] + " " + said})
    assert found(make_vault, text, "ST006") == []


# The blame classes a coach flags, each a frame over a party and general English; the
# wordings are not the corpora's.
@pytest.mark.parametrize(
    ("said", "words"),
    [
        # motive attribution: a party valuing the wrong thing more
        ("The ops group always cared more about its own metrics than the launch.", "cared more"),
        ("Their director was more interested in the demo than in whether it worked.", "more"),
        ("The agency pushed the copy live without a thought for accessibility.", "without"),
        # a negation spelled out finds the contracted list entry, and the other way round
        ("The vendor could not be bothered to answer our tickets.", "could not be bothered"),
        # sarcastic concession
        ("I'm sure procurement had their reasons for the six-week delay.", "had their reasons"),
        ("No doubt the auditors meant well, but it cost a month.", "meant well"),
        # proof kept of having been right
        ("It broke in May, and we kept the emails to prove it.", "emails to prove it"),
        # the speaker as the only competent one
        ("I was the only engineer there who had even opened the runbook.", "only"),
        # resentment: left with another's consequences, or needless work
        ("Sales signed the deal and my team was left holding the bag.", "holding the bag"),
        ("The client changed the brief, so we rebuilt the site for no good reason.", "no good"),
        # a consequence laid on a party's act
        ("The board kept moving the deadline, which cost us a quarter.", "which cost us"),
    ],
)
def test_st006_coach_classes(make_vault, said, words):
    text = story({"Result": BASE["Result"] + " " + said})
    got = found(make_vault, text, "ST006")
    assert [g[0] for g in got] == [line_of(text, said[:20])]
    assert words.lower() in got[0][3].lower()


@pytest.mark.parametrize(
    "said",
    [
        # the same frames with the speaker as the one who valued or acted
        "I cared more about shipping on time than about the edge cases, and that was wrong.",
        "We shipped without a thought for the rollback, which was my call.",
        # a fact about a market, not conduct
        "Customers care more about predictable latency than about the algorithm.",
        # "their reasons" granted sincerely, and others' worries described fairly
        "They had their reasons: the audit was due that week.",
        "I'm sure of one thing: the checklist saved us twice.",
        "Security worried, fairly, that keys would leak, so I added rotation.",
        # a system, not a party, restarting needlessly; a noun "plan to"
        "The pod restarted for no good reason until we pinned the kernel.",
        "My own change kept failing, which cost us a day.",
        # the speaker's own system should have been better
        "Our send API should have been idempotent from the start, not the caller's job.",
        # a clause after "the problem was that", not a party
        "The problem was that breaking changes reached partners with no notice.",
        # credit to others and a quoted accusation rejected
        "I was the only one who knew the scheduler, so I paired with two researchers.",
        "Product said engineering was left to clean up, and I showed that was not so.",
    ],
)
def test_st006_coach_class_hard_negatives(make_vault, said):
    text = story({"Result": BASE["Result"] + " " + said})
    assert found(make_vault, text, "ST006") == []


@pytest.mark.parametrize(
    ("said", "words"),
    [
        # "I told you so" in any relative frame, or said to have been said all along
        ("They pushed the index live, which I had flagged weeks earlier.", "which I had flagged"),
        ("The cache fell over, something I'd warned them about.", "I'd warned"),
        ("I had raised the quota problem from day one, and it bit us.", "I had raised"),
        # a judgement with the candour marker inside it, after the one judged
        ("The data team was, frankly, the reason we slipped.", "frankly"),
        ("Their reviewers were, honestly, in no hurry.", "honestly"),
        # sarcasm and weariness markers before someone else
        ("Predictably, the vendor missed the second date too.", "Predictably"),
        ("The billing team, as usual, shipped without a flag.", "as usual"),
        # another's words quoted to judge a third party
        ("As my director put it, the infra team never met a deadline they liked.", "As my"),
        # a dismissive adverb before another's refusal
        ("Their lead simply refused to read the design.", "simply refused"),
        ("Most objections came from owners who just didn't want the extra work.", "just"),
        # a motive assigned with "because"
        ("The analysts kept the old model because they did not understand the new one.", "b"),
        ("Ops resisted, since they never bothered to read the runbook.", "bothered"),
        # the speaker's word passed over, in the passive with the agent implied
        ("My ticket about cert expiry was ignored for two quarters.", "My ticket"),
        ("Our warnings were brushed aside by the platform group.", "Our warnings"),
        # a hindsight verdict with someone else as the subject
        ("In hindsight the vendor should have tested the firmware.", "the vendor should"),
        ("Looking back, they ought to have told us about the freeze.", "they ought"),
    ],
)
def test_st006_blame_told_by_grammar(make_vault, said, words):
    text = story({"Result": BASE["Result"] + " " + said})
    got = found(make_vault, text, "ST006")
    assert [g[0] for g in got] == [line_of(text, said[:20])]
    assert words.lower() in got[0][3].lower()


@pytest.mark.parametrize(
    "said",
    [
        # the same frames with the speaker as the one refusing, late or wrong
        "I simply didn't want to rush the migration.",
        "In hindsight I should have involved the vendor earlier.",
        "We should have tested the firmware on real hardware.",
        # a passive whose left-out agent is the speaker
        "The vendor should have been involved from the first week, and that was my call.",
        # a warning told as what it made possible, not as being right
        "I had pointed out the risk in the design review, so we had a rollback ready.",
        # the passive negated, a proposal turned down without a slight
        "Their concerns were not ignored; we logged each one.",
        "My proposal was rejected, and the review showed why.",
        # the candour marker before praise, or after a phrase of place
        "The platform team, honestly, had good reasons to say no.",
        "In one of the services, frankly, the config was a mess.",
        "As usual, we ran a blameless review.",
        # what one side thought of the other, reported
        "Legal thought the engineers simply didn't care about consent.",
    ],
)
def test_st006_grammar_hard_negatives(make_vault, said):
    text = story({"Result": BASE["Result"] + " " + said})
    assert found(make_vault, text, "ST006") == []


@pytest.mark.parametrize(
    ("said", "words"),
    [
        # (a) a negative cause laid on another party, the speaker not sharing it
        ("Unfortunately the product manager kept moving the launch date.", "kept moving"),
        ("Sadly, their lead changed his mind three weeks before the freeze.", "changed his"),
        ("The real problem was the vendor, who shipped untested firmware.", "problem was"),
        ("The delay was mostly down to the data team.", "down to"),
        ("The slip was because of them, not the design.", "because of them"),
        ("Marketing kept changing the copy daily, which is what killed the test.", "killed"),
        ("The contractors did not document the schema properly.", "properly"),
        ("Once again the vendor missed the date.", "missed"),
        # counterfactual blame
        ("If the security team had listened in January, we would have shipped.", "listened"),
        ("Had management listened, none of this would have happened.", "management"),
        # (b) self-vindication
        ("The outcome speaks for itself.", "speaks for itself"),
        ("Six months on, the platform group came round to my proposal.", "came round"),
        ("The incident proved my point about canaries.", "proved my point"),
        ("In the end the finance lead had to concede that her forecast had been wrong.", "conc"),
        ("The audit results vindicated the approach I had pushed for.", "vindicated"),
        # (c) insinuation and sarcasm as a class
        ("The architects, in their wisdom, chose a single region.", "wisdom"),
        ("Not to point fingers, but the same people ran every release.", "point fingers"),
        ("I won't name anyone, but one team skipped the review.", "name anyone"),
    ],
)
def test_st006_general_model(make_vault, said, words):
    text = story({"Result": BASE["Result"] + " " + said})
    got = found(make_vault, text, "ST006")
    assert [g[0] for g in got] == [line_of(text, said[:20])]
    assert words.lower() in got[0][3].lower()


@pytest.mark.parametrize(
    "said",
    [
        # ownership and non-blame
        "The blame is mine: I approved the rollout.",
        "I take the blame for the missed date.",
        "I did not blame the vendor; their spec was ambiguous.",
        # a process, a system or a metric is no culprit
        "The release process is what needed to change.",
        "Latency regressed by 40 ms, which is what broke the checkout SLO.",
        "Unfortunately the cluster kept dropping connections under load.",
        "The real problem was the retry policy, not any team.",
        "The problem was that our schema allowed nulls.",
        # whose call it was, an event, the speaker as the one who failed
        "It was down to the PM to decide the launch date.",
        "Unfortunately the vendor went out of business in May.",
        "If we had listened to the vendor, we would have shipped earlier.",
        "I had to admit my estimate had been wrong.",
        "Unfortunately the PM kept changing the scope, and I never pushed back, my mistake.",
        # credit to others, a quoted word rejected, a hypothetical
        "The results vindicated Marta's hypothesis, not mine.",
        "Credit where it's due: the infra team's design was better than mine.",
        "Someone in the retro said the content team had sabotaged it; I disagreed.",
        "Let's say we had ten teams; the plan would still work.",
        # a talk, a capacity limit, a surprise about the speaker's own assumption
        "Sat with their lead and looked at the code together.",
        "The data team had no staff to review it properly, so I paired with them.",
        "Honestly the thing that surprised me was that nobody objected to Kafka.",
    ],
)
def test_st006_general_model_hard_negatives(make_vault, said):
    text = story({"Result": BASE["Result"] + " " + said})
    assert found(make_vault, text, "ST006") == []


# -- ST007 ------------------------------------------------------------------------------

FAILED = "failure: true\n"


@pytest.mark.parametrize(
    ("applied", "kind"),
    [
        ("From now on I will add a load test before every launch.", "an intention"),
        ("We plan to add a load test before the next launch.", "an intention"),
        ("When I lead a migration again, I would stage it.", "an intention"),
        ("Since then I always load-test before launches.", "a general habit"),
        ("I have applied this on many projects and it made a big difference.", "a general"),
        ("TODO: write this up.", "a placeholder"),
        # an occasion named, but not what was done there nor how it went in figures
        (
            "I applied the lesson on the following migration, and it went far more smoothly.",
            "a claim",
        ),
        ("On our next launch we used this, and it was a lot calmer.", "a claim"),
    ],
)
def test_st007_applied_is_not_an_occasion(make_vault, applied, kind):
    text = story({"Applied": applied}, front=FAILED)
    got = found(make_vault, text, "ST007")
    assert len(got) == 1
    assert got[0][0] == line_of(text, applied[:12])
    assert kind in got[0][2]


@pytest.mark.parametrize(
    "applied",
    [
        "Three months later I load-tested the search launch at twice the forecast and found "
        "a pool limit before users did.",
        "Going forward I made load tests part of launch review; on the next launch it caught "
        "a leak at 40% of the forecast.",
        # a claim of use that also says what the speaker did, or measures it
        "I used this on the next rollout; I staged it by region and halted at the first "
        "canary alarm.",
        "I applied the same lesson to the next cut-over, which took 9 minutes instead of 2 hours.",
        # "plan to" as a noun, and a past refusal after a "when" with an irregular verb
        "On the next billing rewrite I took a rollback plan to the review and we reverted once.",
        "When we began the search migration, I would not cut over until a restore had passed.",
    ],
)
def test_st007_later_occasion(make_vault, applied):
    assert found(make_vault, story({"Applied": applied}, front=FAILED), "ST007") == []


@pytest.mark.parametrize(
    "applied",
    [
        # a habit, then a present perfect: a claim about a span of time
        "Since then I involve owners early. It has made my later rollouts much calmer.",
        "I've shared this with every team since, and it has helped a lot.",
        # "later" describing a plural of occasions, none of them told
        "My later migrations went far more smoothly because of it.",
    ],
)
def test_st007_claims_over_a_span_are_no_occasion(make_vault, applied):
    text = story({"Applied": applied}, front=FAILED)
    assert [g[0] for g in found(make_vault, text, "ST007")] == [line_of(text, applied[:12])]


def test_st007_perfect_next_to_a_told_occasion(make_vault):
    applied = "I have since run two rollouts this way; the second, in March, needed no revert."
    assert found(make_vault, story({"Applied": applied}, front=FAILED), "ST007") == []


def test_st007_missing_applied_points_at_the_title(make_vault):
    text = story(front=FAILED)
    got = found(make_vault, text, "ST007")
    assert [g[0] for g in got] == [line_of(text, "# Image Service")]
    assert "no Applied" in got[0][2]


# -- ST010 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    [
        "- When Priya objected to the schema, I asked our director to make the call.\n"
        "- I then met Priya to plan the rollout.",
        "- My first move was to get the VP to sponsor the change.\n- I sat down with Tom.",
        "- We took the dispute to the architecture council and asked it to rule.",
        # the talk is put after the escalation; "him" after the CTO is the CTO
        "- Before speaking to Ana at any length, I took the disagreement to our CTO and "
        "asked him to pick a design.\n- He sent me back to agree it with her.",
        # indirect wordings: the conflict itself taken up, over someone's head
        "- I raised the dispute with my director before I had spoken to Jun.",
        "- Instead of meeting Oren, I went over his head to the head of platform.",
        # "called" names a library here, it is no talk with the other side
        "- We wrapped the queue in a library called Hermes, and when Ana objected I asked "
        "our VP to decide.",
        # resume-style bullets: the move has no subject, it is the speaker's
        "- Rather than work it out with Dana, asked our VP to approve my schema over her "
        "objection.",
        "- Took the disagreement to the head of data before meeting Ravi.",
        "- Benchmarked both designs, then got our director to sign off on mine.",
    ],
)
def test_st010_escalation_first(make_vault, action):
    text = story({"Action": action})
    got = found(make_vault, text, "ST010")
    assert len(got) == 1
    assert got[0][0] == line_of(text, action.split("\n")[0][2:30])
    assert "talk with the other person first" in got[0][2]


@pytest.mark.parametrize(
    "action",
    [
        # any authority noun: C-suite abbreviations, heads, bodies, a skip-level
        "- When Lena objected, I booked time with our CRO to ask her to make the call.",
        "- My first move was to email the CMIO and ask him to instruct the lab team to "
        "change their feed.",
        "- I went straight to the studio head and asked him to overrule the art team.",
        "- When Lena objected, I went to my skip-level and asked him to pick my design.",
        "- I asked the architecture council for a ruling as soon as Lena objected.",
        "- I immediately took the disagreement to the steering committee.",
        # the conflict put on an authority's agenda before any talk
        "- I put the schema question on our CTO's agenda before talking to Lena.",
        # having the authority order the other side about
        "- I messaged our department head right away and asked her to make the data team "
        "roll back.",
    ],
)
def test_st010_authorities_and_requests(make_vault, action):
    text = story({"Action": action + "\n- I then sat down with Lena."})
    got = found(make_vault, text, "ST010")
    assert [g[0] for g in got] == [line_of(text, action[2:30])]


@pytest.mark.parametrize(
    "action",
    [
        # an incident's severity, not a person
        "- The incident was escalated to SEV1 and I joined the bridge.",
        # informing a manager, or a head start
        "- I kept my manager informed about the rollout every week.",
        "- I let our department head know the launch would slip.",
        "- I got a head start on the migration by profiling it first.",
        # the talk came first, then a joint request to the body
        "- I spent an afternoon with Lena; we still disagreed, so together we asked the "
        "steering committee for a ruling.",
        # an approach to the other party, not to an authority
        "- I approached Lena and asked her what worried her about the schema.",
    ],
)
def test_st010_authority_hard_negatives(make_vault, action):
    assert found(make_vault, story({"Action": action}), "ST010") == []


@pytest.mark.parametrize(
    "action",
    [
        # a direct talk first, then escalating together
        "- I sat down with Priya for an hour to understand her concern.\n"
        "- We still disagreed, so we took one joint memo to our director.",
        # telling a manager is not asking them to decide
        "- I told my director the forecast was wrong and that it was mine.",
        # the manager asks, not the speaker
        "- Our director asked me to decide between the two designs.",
        # the talk came first, said in the same sentence
        "- After two long conversations with Marco, I asked our VP to decide.",
        "- Before escalating anything, I spent an afternoon with the mobile lead.\n"
        "- We then asked our director to choose.",
        # a talk with a manager about how to approach the other side
        "- I met with my director to get her advice on how to approach Tom.\n"
        "- I then sat down with Tom.",
        # a subject-less bullet whose move came after the talk
        "- Sat down with Dana for an afternoon; when that failed, asked our VP to weigh in.",
        # the subject is the other side, not the speaker
        "- Dana, rather than sort it out with me, asked our VP to decide.",
        # "first" said of something else than the move ("in the first week")
        "- Our panel met weekly.\n- I put two nurses on the review panel, and in the first "
        "week they caught a dosing bug.",
        # "directly" said of the talk, the manager asked only later in the same sentence
        "- I went to their lead directly twice, and only when the date was lost did I ask "
        "my director for help.",
    ],
)
def test_st010_hard_negatives(make_vault, action):
    assert found(make_vault, story({"Action": action}), "ST010") == []


@pytest.mark.parametrize(
    "action",
    [
        # an authority in the plural or possessive ("the directors' meeting")
        "- Before I had even spoken to their lead, I put the issue on the agenda of the "
        "engineering directors' meeting.",
        "- Without talking to Noor, I asked the VPs to rule on the schema.",
        # an earlier talk with someone else is no talk with the other party
        "- I paired with the first three teams on their migrations.\n"
        "- Rather than argue it out with Tomasz, I went straight to the CTO and asked him "
        "to set a hard date.",
        "- I met the design team to walk through the mocks.\n"
        "- Before talking to the search lead, I asked our director to make the call.",
    ],
)
def test_st010_the_talk_must_be_with_the_other_party(make_vault, action):
    text = story({"Action": action})
    got = found(make_vault, text, "ST010")
    last = action.split("\n")[-1]
    assert [g[0] for g in got] == [line_of(text, last[2:30])]


@pytest.mark.parametrize(
    "action",
    [
        # the earlier talk was with the party the escalating sentence names
        "- I met Tomasz twice about the shutdown date.\n"
        "- Rather than argue it out with Tomasz a third time, I asked the CTO to decide.",
        "- I sat down with the search lead for an hour.\n"
        "- Before talking to the search lead again, I asked our director to make the call.",
        # a pronoun leaves the party open: an earlier talk counts
        "- I sat down with Lena to hear her concerns.\n"
        "- Rather than argue with her again, we asked our VP together.",
    ],
)
def test_st010_talk_with_the_named_party_first(make_vault, action):
    assert found(make_vault, story({"Action": action}), "ST010") == []


# -- ST011 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "learnings",
    [
        "- Communication is everything.\n- Product teams should own their alerts.",
        "- I think trust is the foundation of any launch.\n- Leadership must set goals.",
    ],
)
def test_st011_platitudes_and_others(make_vault, learnings):
    text = story({"Learnings": learnings})
    got = found(make_vault, text, "ST011")
    assert [g[0] for g in got] == [line_of(text, learnings.split("\n")[0])]


@pytest.mark.parametrize(
    "learnings",
    [
        "- The support agents taught me how customers really ask; I now invite them early.",
        "- Dashboards do not fix habits. I should have paired with the team first.",
    ],
)
def test_st011_self_directed(make_vault, learnings):
    assert found(make_vault, story({"Learnings": learnings}), "ST011") == []


def test_st011_missing_learnings_is_st002s(make_vault):
    assert found(make_vault, story({"Learnings": None}), "ST011") == []


# -- ST012 and the Staff+ API ------------------------------------------------------------

TEAM = {
    "Situation": "I was a senior engineer on the payments web team, six engineers.",
    "Task": "Our manager asked me to make the checkout form faster this quarter.",
    "Action": "- I profiled the form and removed two blocking scripts.\n- I added a cache.",
    "Short version": "On my team I made the checkout form faster by removing two scripts.",
}


def test_st012_team_scope_from_text(make_vault):
    text = story(TEAM)
    got = found(make_vault, text, "ST012")
    assert [g[0] for g in got] == [line_of(text, "Our manager asked me")]
    assert got[0][3].startswith("Our manager asked me to make the checkout form")
    assert "below a staff target" in got[0][2]


def scoped(role: str, situation: str, task: str, action: str) -> str:
    short = "I fixed it in three weeks and the errors fell from 40 a day to 2."
    parts = {"Situation": situation, "Task": task, "Action": action, "Short version": short}
    return story(parts, front=f"role: {role}\n")


@pytest.mark.parametrize(
    ("role", "situation", "task", "action"),
    [
        # one team's feature, and a team named only to say it was not to blame
        (
            "Senior Backend Engineer",
            "I worked on our refunds team of five.",
            "I owned the refund worker.",
            "- I fixed the retry loop.\n- I did not blame the ledger team for the bad input.",
        ),
        # a team that only reported the problem is no partner, at a Senior title one
        # partner team does not lift a team story
        (
            "Senior Data Engineer",
            "On my analytics squad we ran the nightly export.",
            "The finance team noticed gaps in the export; I had to find them.",
            "- I paired with the billing team on the missing rows and added a row-count check.",
        ),
        # the count of teams sets the scene; the speaker is "one of" them
        (
            "Senior Engineer",
            "At a retailer with forty engineering teams, ours was one of six teams in search.",
            "I had to fix typo tolerance.",
            "- I tuned the analyzer and added tests.",
        ),
        # machines, not people: a fleet is no reach
        (
            "Senior Site Reliability Engineer",
            "My team ran the edge proxies.",
            "I was asked to patch the TLS library.",
            "- I rolled the patch across the fleet in two days.",
        ),
        # no team named at all, at a title below Staff: one person's feature
        (
            "Software Engineer II",
            "The fraud model was drifting.",
            "I had to retrain it.",
            "- I rebuilt the features and retrained the model.",
        ),
    ],
)
def test_st012_team_work_read_from_text(make_vault, role, situation, task, action):
    assert len(found(make_vault, scoped(role, situation, task, action), "ST012")) == 1


# The own unit's small headcount, in its phrasing variants, raises the reach it takes.
@pytest.mark.parametrize(
    ("role", "situation", "task", "action"),
    [
        # a Staff title, the squad's size in parentheses in digits, one other team only
        (
            "Staff Backend Engineer",
            "I was the staff engineer on the checkout API squad (5 engineers).",
            "Checkout timeouts at lunch peaks were my goal for the half.",
            "- I resized the pool.\n- The fraud team objected to longer timeouts, so I agreed "
            "a retry budget with them.",
        ),
        # articles dropped, the team opening the sentence, the size as "we were N"
        (
            "Senior Data Engineer",
            "In data ingestion team of our bank, we were three engineers.",
            "I owned the nightly loader.",
            "- I rewrote the loader and the ledger team and the risk team reviewed the schema.",
        ),
        # word order: the size after the verb, in digits
        (
            "Staff Engineer",
            "My squad was 4 people and owned the Android app.",
            "I had to cut the app's cold start.",
            "- I deferred two SDKs after agreeing the order with the analytics team.",
        ),
        # a count of two (a pilot's users) weighs, it does not decide
        (
            "Senior ML Engineer",
            "We were a team of four in the internal tools group.",
            "I built the model part of the policy assistant.",
            "- I fine-tuned the model and we piloted it with two departments.",
        ),
        # the size set off after the team, as a compact note
        (
            "Staff Mobile Engineer",
            "Payments app team at a neobank, six people.",
            "I owned the card screen.",
            "- I rebuilt the screen with the design team.",
        ),
    ],
)
def test_st012_small_own_unit_needs_more_reach(make_vault, role, situation, task, action):
    text = scoped(role, situation, task, action)
    got = found(make_vault, text, "ST012")
    assert [g[0] for g in got] == [line_of(text, situation[:20])]


@pytest.mark.parametrize(
    ("role", "situation", "task", "action"),
    [
        # a small team, but a count of teams the work reached decides
        (
            "Staff Engineer",
            "I was the staff engineer on the queue team (six engineers).",
            "The old broker had to go.",
            "- I moved nine product teams onto the new queue.",
        ),
        # a small team at a Staff title with two partner teams
        (
            "Staff Search Engineer",
            "Our squad of five owned search indexing.",
            "Index builds took a night.",
            "- I agreed the schema with the catalogue team and the pricing team and led the "
            "migration.",
        ),
        # a large unit is no small headcount ("two hundred people")
        (
            "Staff Engineer",
            "I was a staff engineer in an engineering group of two hundred people.",
            "Deploys were slow.",
            "- I agreed the rollout plan with the billing team.",
        ),
        # a count of two with no headcount at a Staff title
        (
            "Staff Engineer",
            "My team owned the ledger.",
            "The ledger had to move to a new schema.",
            "- I led the cut-over with two partner teams.",
        ),
    ],
)
def test_st012_small_own_unit_with_reach(make_vault, role, situation, task, action):
    assert found(make_vault, scoped(role, situation, task, action), "ST012") == []


@pytest.mark.parametrize(
    ("role", "situation", "task", "action"),
    [
        # at a Staff title, one team worked with lifts a story told from inside a team
        (
            "Staff ML Engineer",
            "My team owned the ranking model for notifications.",
            "The growth team wanted more pushes; I had to protect the channel.",
            "- I built three scenarios with the growth analyst.",
        ),
        # at a Senior title, two partner teams and an adoption do
        (
            "Senior Mobile Engineer",
            "I was on the mobile team.",
            "Release trains kept slipping.",
            "- I set one release checklist with the QA team and the backend team.",
        ),
        # a count of teams the work reached decides, whatever the title
        (
            "Senior Data Engineer",
            "I was on the data platform team.",
            "Producer changes broke pipelines every week.",
            "- I built a contract check that eleven producer teams adopted.",
        ),
        # the speaker's clause decides whose team it is: "Lukas, ... on the search team"
        (
            "Staff ML Engineer",
            "Lukas, a scientist on the search team, argued for waiting.",
            "I had promised the seller team a launch.",
            "- I shipped the cold-start model behind a flag.",
        ),
    ],
)
def test_st012_reach_read_from_text(make_vault, role, situation, task, action):
    assert found(make_vault, scoped(role, situation, task, action), "ST012") == []


def test_st012_sites_of_other_sectors_weigh_as_reach(make_vault):
    # at a Staff title, a count of hospitals or wards lifts a story told from a unit
    lifted = scoped(
        "Staff Data Scientist",
        "I was the data scientist in the analytics team of a trust running three hospitals.",
        "I led the forecast rollout to fourteen medical and surgical wards.",
        "- I built the model and the dashboard.",
    )
    assert found(make_vault, lifted, "ST012") == []
    # at a Senior title in a small team, going live in all depots is one team's feature;
    # and data stores are no sites
    for action in (
        "- We went live in all depots on the deadline.",
        "- I replayed every request against the stores.",
    ):
        below = scoped(
            "Senior Backend Engineer",
            "I was on the integrations team, a team of four engineers.",
            "I had to ship the OCR integration.",
            action,
        )
        assert len(found(make_vault, below, "ST012", name=f"v{len(action)}")) == 1


def test_st012_own_team_named_anywhere(make_vault):
    # the framing says the team only in a subject-less role line; a later sentence names
    # it as the speaker's, so it is no partner team
    parts = {
        "Situation": "- Delivery robots, one lidar each.\n- Calibration done by hand.",
        "Task": "- Senior engineer on perception. Calibration was mine to improve.",
        "Action": "- We wrote a script and validated it on robots.",
        "Short version": "Robots needed calibration. I was the senior engineer on the "
        "perception team, and we automated it.",
    }
    text = story(parts, front="role: Senior Robotics Engineer\n")
    assert len(found(make_vault, text, "ST012")) == 1


@pytest.mark.parametrize(
    "task",
    [
        "I was part of the programme leadership group with the agency product owners.",
        "I sat in the architecture working group with leads from payments and search.",
    ],
)
def test_st012_cross_team_body_is_no_home_team(make_vault, task):
    parts = {
        "Situation": "Benefits were run by separate agencies with their own systems.",
        "Task": task,
        "Action": "- I wrote the rules design and proposed the migration order.",
        "Short version": "I proposed one rules engine and its design.",
    }
    text = story(parts, front="role: Principal Engineer\n")
    assert found(make_vault, text, "ST012") == []


def test_st012_fields_win_over_text(make_vault):
    declared = "scope: multi-team\nsignals: [cross-functional, technical-leadership]\n"
    assert found(make_vault, story(TEAM, front=declared), "ST012") == []
    wide = story(front="scope: team\n")  # the base story is wide, but the field says team
    assert len(found(make_vault, wide, "ST012", name="declared")) == 1


def test_st012_target_level(make_vault):
    text = story(TEAM)
    assert found(make_vault, text, "ST012", 'target_level = "senior"\n') == []
    # principal needs an organisation-wide scope
    org = story(front="scope: multi-team\nsignals: [org-impact, ambiguity]\n")
    assert found(make_vault, org, "ST012", 'target_level = "principal"\n', name="p") != []


def test_st012_company_level_overrides_config(make_vault):
    root = make_vault(
        {
            "S.md": story(TEAM),
            "Acme.md": "---\ntype: company\nname: Acme\nlevel: senior\n---\n# Acme\n",
        }
    )
    vault = load(root, use_cache=False)
    assert target_level(vault) == "senior"
    assert check(vault, select=["ST012"]).diagnostics == []


def test_target_level_nearest_interview(make_vault):
    root = make_vault(
        {
            "A.md": "---\ntype: company\nname: A\nlevel: principal\n"
            "interview_date: 2999-01-02\n---\n",
            "B.md": "---\ntype: company\nname: B\nlevel: senior\ninterview_date: 2999-01-01\n---\n",
        }
    )
    assert target_level(load(root, use_cache=False)) == "senior"


def test_bad_target_level_is_a_config_error(make_vault, run_cli):
    root = make_vault({"S.md": story(), "starvault.toml": 'target_level = "guru"\n'})
    result = run_cli("check", str(root))
    assert result.exit_code == 2 and "target_level" in result.output


def test_staff_signals_declared_and_detected(make_vault):
    root = make_vault(
        {
            "D.md": story(front="signals: [ambiguity, nonsense]\n"),
            "T.md": story(),
        }
    )
    vault = load(root, use_cache=False)
    assert staff_signals(vault, vault.notes["D.md"]) == frozenset({"ambiguity"})
    detected = staff_signals(vault, vault.notes["T.md"])
    assert "org-impact" in detected and detected <= set(SIGNALS)


def test_fields_are_in_the_schema(make_vault):
    bad = story(front="scope: galaxy\nsignals: [charisma]\n")
    report = check(load(make_vault({"S.md": bad}), use_cache=False), select=["FM"])
    said = [
        d.message for d in report.diagnostics if "galaxy" in d.message or "charisma" in d.message
    ]
    assert len(said) == 2


# -- bench/redflags.py -------------------------------------------------------------------


def test_bench_prints_the_confusion_table(make_vault):
    root = make_vault(
        {
            "Good.md": story(),
            "Team.md": story(TEAM),
            "labels.json": json.dumps(
                [
                    {"file": "Good.md", "flags": {"below-staff-scope": False}},
                    {"file": "Team.md", "flags": {"below-staff-scope": False}},
                ]
            ),
        }
    )
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "redflags.py"), str(root)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "below-staff-scope (ST012) false alarm: Team.md" in out
    row = next(line for line in out.splitlines() if line.startswith("below-staff-scope"))
    assert row.split()[2:6] == ["0", "1", "0", "1"]  # TP FP FN TN
    # --verbose on one half prints that half's findings only: the other stays unread
    even = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "redflags.py"),
            str(root),
            "--files",
            "odd",
            "--verbose",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Good.md" not in even and "Team.md:" in even


# -- ST006: a candour word, and blame denied by a negative subject -----------------------


@pytest.mark.parametrize(
    "result",
    [
        # a negative subject denies the blame
        "Nobody was to blame for the outage; the alert simply had no owner.",
        "No one was to blame, and I said so in the review.",
        # "honestly" far from the "they" of a long run-on sentence: no one judged
        "Okay so, we had a shared widget kit, but honestly almost nobody used it at first, "
        "maybe two squads, and the rest had built their own pickers and menus over the years.",
    ],
)
def test_st006_negative_subjects_and_distant_candour_are_not_blame(make_vault, result):
    assert found(make_vault, story({"Result": result}), "ST006") == []


@pytest.mark.parametrize(
    "result",
    [
        "Honestly, procurement should have warned us that the licence ran out in May.",
        "Frankly, facilities never answered the three tickets we raised.",
    ],
)
def test_st006_candour_then_another_subject_failing_is_blame(make_vault, result):
    text = story({"Result": result + " Latency fell by 40%."})
    assert [g[0] for g in found(make_vault, text, "ST006")] == [line_of(text, result[:20])]
