"""Generate a deterministic synthetic Obsidian-style vault for benchmarks.

    python bench/gen_vault.py OUT --notes 10000 [--seed 0] [--force]

The vault has nested folders (3 levels, 30 folders), YAML front matter, 300-1,500 words of
lorem-like prose per note with ATX and setext headings, lists, tables, callouts, code fences,
inline code, comments, math and block ids, and about 12 links per note in every form
Obsidian knows (see SPEC section 3). Text that looks like a link but is not one (inside code,
math, comments, escaped brackets) is sprinkled in as decoys.

A known set of problems is planted, about one per 50 notes: broken note links (LK001), broken
headings (LK002), broken block references (LK003) and missing attachments (LK005). They are
recorded in ``OUT/../<name>-manifest.json`` (outside the vault) as a list of
``{"path", "line", "rule", "target", "form"}``. Every other link resolves under the rules of
SPEC section 3, so a correct checker reports exactly the planted set for those four rules.
Note names are unique (case-insensitively, after NFC) except a small planted set of duplicate
names, which are only ever linked with a path that picks one of them exactly.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import posixpath
import random
import shutil
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

# --------------------------------------------------------------------------- vocabulary


def _words(text: str) -> list[str]:
    return text.split()


LOREM = _words(
    "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt "
    "ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco "
    "laboris nisi aliquip ex ea commodo consequat duis aute irure in reprehenderit voluptate "
    "velit esse cillum fugiat nulla pariatur excepteur sint occaecat cupidatat non proident "
    "sunt culpa qui officia deserunt mollit anim id est laborum"
)
PROSE = LOREM + _words(
    "system latency throughput design review team migration budget rollout incident customer "
    "metric pipeline cache index query service owner deadline launch platform cost risk scope "
    "the a of and to with for on by from we I they it this that was were is are have had "
    "plan goal result impact data model schema contract release quarter roadmap tradeoff "
    "stakeholder feedback hiring mentor outage postmortem dashboard alert capacity shard "
    "replica queue worker batch stream partner vendor security audit compliance process"
)
TITLE_WORDS = _words(
    "Alpha Beta Gamma Delta Orbit Vector Signal Harbor Summit Canyon River Forest Meadow "
    "Lantern Compass Anchor Beacon Bridge Castle Falcon Garden Horizon Island Jasper Kernel "
    "Ledger Marble Nebula Oasis Pillar Quartz Raven Saffron Timber Umbra Velvet Willow Zephyr "
    "Amber Birch Cedar Dune Ember Fjord Glacier Hollow Ivory Juniper Kestrel Lagoon Maple "
    "Nimbus Onyx Prairie Quill Ridge Sierra Tundra Valley Wren Yarrow Atlas Bastion Cipher "
    "Drift Echo Flux Grove Helix Iris Jetty Knoll Lumen Mesa Nova Opal Prism Quasar Relay "
    "Strata Tidal Unity Vertex Wave Axis Blaze Crest Delta Envoy Forge Glyph Haven Inlet "
    "Journey Keystone Lattice Mosaic Nexus Outpost Pulse Quorum Rally Sable Thistle Upland "
    "Vista Warden Review Strategy Design Migration Budget Rollout Incident Customer Metrics "
    "Pipeline Cache Index Query Service Launch Platform Roadmap Hiring Mentoring Outage "
    "Capacity Security Audit Planning Retro Interview Notes Ideas Draft Summary Proposal"
)
TITLE_WORDS = list(dict.fromkeys(TITLE_WORDS))
ACCENTED = ["Café", "Résumé", "Naïve", "Crème", "Façade", "Déjà", "Élan", "Señor"]
DUP_NAMES = [
    "Meeting Notes",
    "Weekly Review",
    "Open Questions",
    "Reading List",
    "Scratchpad",
    "Retrospective",
    "Inbox",
    "Backlog",
]
FOLDERS: dict[str, dict[str, list[str]]] = {
    "Projects": {
        "Alpha Launch": ["Drafts", "Archive"],
        "Billing": ["Drafts", "Meetings"],
        "Search Relevance": ["2023", "2024"],
    },
    "Areas": {
        "Engineering": ["Architecture", "Archive"],
        "Leadership": ["1-1s", "Drafts"],
        "Hiring": ["Loops", "2024"],
    },
    "Resources": {
        "Books": ["Read", "To Read"],
        "Papers": ["Systems", "Archive"],
        "Talks": ["Conferences", "Meetups"],
    },
}
ATTACH_DIR = "attachments"
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)
PDF_MIN = (
    b"%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PUNCT = set('!"#$%&()*+,.:;<=>?@^`{|}~/[]\\')
RULES = ("LK001", "LK002", "LK003", "LK005")


def heading_key(text: str) -> str:
    """Normalise a heading or a link subpath the way SPEC 3.8 describes."""
    s = "".join(" " if c in PUNCT else c for c in text)
    return " ".join(s.split()).casefold()


def name_key(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def source_sha() -> str:
    """Hash of the generator (this file and gen_typed.py): a cached vault is stale when it
    changes."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update((here / "gen_typed.py").read_bytes())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------- plan


@dataclass
class Heading:
    level: int
    text: str
    setext: bool = False
    parent: int | None = None  # index of the enclosing H2 for an H3


@dataclass
class BlockId:
    bid: str
    section: int  # index into NotePlan.headings
    kind: str  # para | list | table


@dataclass
class NotePlan:
    idx: int
    name: str
    folder: str  # "" for the vault root
    words: int
    ftype: str | None
    has_fm: bool
    aliases: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    blocks: list[BlockId] = field(default_factory=list)
    fence_comment: str | None = None  # a "# ..." line that exists only inside a code fence
    fake_block: str | None = None  # "![[img.png]]^id": looks like a block id, is not one
    dup: bool = False

    @property
    def stem_path(self) -> str:
        return f"{self.folder}/{self.name}" if self.folder else self.name

    @property
    def rel(self) -> str:
        return self.stem_path + ".md"


def _title(rng: random.Random, lo: int, hi: int) -> str:
    return " ".join(rng.sample(TITLE_WORDS, rng.randint(lo, hi)))


def _heading_text(rng: random.Random) -> str:
    words = [w.capitalize() for w in rng.choices(PROSE[:69] + TITLE_WORDS, k=rng.randint(1, 4))]
    r = rng.random()
    if r < 0.10:
        return " ".join(words) + "?"
    if r < 0.15:
        return f"{words[0]}: {' '.join(words[1:]) or 'Overview'}"
    if r < 0.19:
        return " ".join(words) + " (draft)"
    if r < 0.22:
        return f"Q&A {' '.join(words)}"
    if r < 0.25:
        return f"{words[0]}, {' '.join(words[1:]) or 'Again'}"
    if r < 0.27 and len(words) > 1:
        return f"The *{words[0]}* {' '.join(words[1:])}"
    if r < 0.29:
        return f"{words[0]}'s {' '.join(words[1:]) or 'Plan'}"
    return " ".join(words)


def _plan_headings(rng: random.Random, plan: NotePlan) -> None:
    seen: set[str] = set()

    def add(level: int, text: str, setext: bool = False, parent: int | None = None) -> int:
        plan.headings.append(Heading(level, text, setext, parent))
        seen.add(heading_key(text))
        return len(plan.headings) - 1

    def fresh() -> str:
        while True:
            t = _heading_text(rng)
            if heading_key(t) and heading_key(t) not in seen:
                return t

    r = rng.random()
    if r < 0.75:
        add(1, plan.name)
    elif r < 0.85:
        add(1, plan.name, setext=True)
    n_h2 = max(2, min(8, plan.words // 180))
    for _ in range(n_h2):
        h2 = add(2, fresh(), setext=rng.random() < 0.15)
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            add(3, fresh(), parent=h2)


def _block_id(rng: random.Random, used: set[str]) -> str:
    while True:
        if rng.random() < 0.6:
            bid = f"blk-{rng.randint(1, 99)}"
        else:
            bid = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789", k=6))
        if bid.casefold() not in used:
            used.add(bid.casefold())
            return bid


def _all_folders() -> list[str]:
    out: list[str] = []
    for top, subs in FOLDERS.items():
        out.append(top)
        for sub, leaves in subs.items():
            out.append(f"{top}/{sub}")
            out.extend(f"{top}/{sub}/{leaf}" for leaf in leaves)
    return out


def plan_vault(notes: int, seed: int) -> list[NotePlan]:
    folders = _all_folders()
    grng = random.Random(f"global-{seed}")
    used = {name_key(n) for n in DUP_NAMES}
    plans: list[NotePlan] = []
    for i in range(notes):
        rng = random.Random(f"plan-{seed}-{i}")
        while True:
            r = rng.random()
            if r < 0.01:
                name = f"{rng.choice(ACCENTED)} {_title(rng, 1, 2)}"
            elif r < 0.06:
                name = f"{_title(rng, 2, 3)} ({rng.randint(2015, 2025)})"
            elif r < 0.08:
                name = f"{_title(rng, 1, 2)} & {_title(rng, 1, 1)}"
            elif r < 0.10:
                name = f"{_title(rng, 1, 1)}'s {_title(rng, 1, 2)}"
            elif r < 0.12:
                name = f"{_title(rng, 2, 2)} - {rng.randint(1, 99)}"
            else:
                name = _title(rng, 2, 4)
            if name_key(name) not in used:
                used.add(name_key(name))
                break
        folder = "" if rng.random() < 0.03 else rng.choice(folders)
        words = rng.randint(300, 1500)
        ftype = rng.choices([None, "ask", "company", "principle"], [45, 30, 15, 10])[0]
        plan = NotePlan(i, name, folder, words, ftype, has_fm=rng.random() < 0.9)
        if plan.has_fm and rng.random() < 0.5:
            initials = "".join(w[0] for w in name.split() if w[0].isalpha()).upper()
            plan.aliases.append(f"{initials or 'N'}-{i}")
        _plan_headings(rng, plan)
        ids: set[str] = set()
        secs = list(range(len(plan.headings)))
        for _ in range(rng.randint(1, 4)):
            kind = rng.choices(["para", "list", "table"], [6, 3, 1])[0]
            plan.blocks.append(BlockId(_block_id(rng, ids), rng.choice(secs), kind))
        if rng.random() < 0.6:
            plan.fence_comment = f"todo {' '.join(rng.sample(LOREM, 2))} {i}"
        if rng.random() < 0.02:
            plan.fake_block = _block_id(rng, ids)
        plans.append(plan)

    # A few names used by several notes: only ever linked by an exact path.
    n_groups = min(len(DUP_NAMES), max(2, notes // 1000))
    candidates = grng.sample(range(notes), n_groups * 3)
    for g in range(n_groups):
        copies = grng.randint(2, 3)
        chosen_folders = grng.sample(folders, copies)
        for c in range(copies):
            p = plans[candidates[g * 3 + c]]
            p.name = DUP_NAMES[g]
            p.folder = chosen_folders[c]
            p.dup = True
            if p.headings and p.headings[0].level == 1:
                p.headings[0].text = p.name
    return plans


# --------------------------------------------------------------------------- rendering


@dataclass
class Tok:
    text: str
    planted: dict | None = None
    is_link: bool = True


class NoteWriter:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.manifest: list[dict] = []
        self.links = 0

    def emit(self, line: str = "", toks: list[Tok] | None = None) -> int:
        self.lines.append(line)
        lineno = len(self.lines)
        for t in toks or []:
            if t.is_link:
                self.links += 1
            if t.planted is not None:
                self.manifest.append({**t.planted, "line": lineno})
        return lineno

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


class VaultWriter:
    def __init__(self, plans: list[NotePlan], seed: int) -> None:
        self.plans = plans
        self.seed = seed
        self.by_folder: dict[str, list[int]] = {}
        for p in plans:
            self.by_folder.setdefault(p.folder, []).append(p.idx)
        self.regular = [p.idx for p in plans if not p.dup]
        hub_rng = random.Random(f"hubs-{seed}")
        self.hubs = hub_rng.sample(self.regular, max(1, len(self.regular) // 50))
        n_img = max(5, len(plans) // 100)
        self.images = [f"img-{k:03d}.png" for k in range(n_img)] + ["diagram overview.png"]
        self.pdfs = [f"spec-{k:02d}.pdf" for k in range(max(2, len(plans) // 1000))]
        self.canvas = "Board.canvas"
        self.with_h3 = [
            p.idx for p in plans if not p.dup and any(h.parent is not None for h in p.headings)
        ]
        self.with_fence = [p.idx for p in plans if not p.dup and p.fence_comment]
        self.with_fake = [p.idx for p in plans if not p.dup and p.fake_block]
        self.trashed = "Trashed Idea"

    # ---- link forms -------------------------------------------------------------

    def pick_target(self, rng: random.Random, src: NotePlan) -> NotePlan:
        while True:
            if rng.random() < 0.2:
                t = self.plans[rng.choice(self.hubs)]
            elif rng.random() < 0.01:
                t = self.plans[rng.randrange(len(self.plans))]  # may be a duplicate name
            else:
                t = self.plans[rng.choice(self.regular)]
            if t.idx != src.idx:
                return t

    @staticmethod
    def shown(rng: random.Random) -> str:
        return " ".join(rng.choices(LOREM, k=rng.randint(1, 3)))

    @staticmethod
    def heading_variant(rng: random.Random, text: str) -> str:
        r = rng.random()
        if r < 0.6:
            return text
        if r < 0.85:
            return heading_key(text)
        return text.rstrip("?").upper() if rng.random() < 0.3 else text.rstrip("?")

    def name_variant(self, rng: random.Random, t: NotePlan) -> str:
        name = t.name
        if not name.isascii() and rng.random() < 0.5:
            return unicodedata.normalize("NFD", name)
        r = rng.random()
        if r < 0.04:
            return name.lower()
        if r < 0.06:
            return name.upper()
        if r < 0.08:
            return name + ".md"
        return name

    def wiki(self, inner: str, shown: str | None, table: bool, embed: bool = False) -> str:
        bang = "!" if embed else ""
        if shown is None:
            return f"{bang}[[{inner}]]"
        sep = "\\|" if table else "|"
        return f"{bang}[[{inner}{sep}{shown}]]"

    def exact_path(self, rng: random.Random, src: NotePlan, t: NotePlan) -> str:
        """A link path that picks t exactly, whatever other note shares its name."""
        r = rng.random()
        if r < 0.5:
            return t.stem_path
        if r < 0.7:
            return "/" + t.stem_path
        rel = posixpath.relpath(t.stem_path, src.folder or ".")
        return rel if rel.startswith("../") else "./" + rel

    def valid_link(self, rng: random.Random, src: NotePlan, table: bool) -> str:
        t = self.pick_target(rng, src)
        form = rng.choices(
            [
                "plain", "alias", "heading", "nested", "block", "self", "path", "slash",
                "relative", "embed", "image", "pdf", "md", "md_angle", "md_path", "canvas",
                "md_image",
            ],
            [25, 15, 10, 2, 6, 5, 6, 1, 5, 3, 4, 1, 8, 5, 1, 0.5, 1],
        )[0]  # fmt: skip
        shown = self.shown(rng) if rng.random() < 0.3 else None
        path = self.exact_path(rng, src, t) if t.dup else self.name_variant(rng, t)
        if form == "alias":
            return self.wiki(path, self.shown(rng), table)
        if form == "heading":
            h = rng.choice(t.headings) if t.headings else None
            if h is not None:
                return self.wiki(f"{path}#{self.heading_variant(rng, h.text)}", shown, table)
        if form == "nested":
            subs = [h for h in t.headings if h.parent is not None]
            if subs:
                h3 = rng.choice(subs)
                h2 = t.headings[h3.parent]  # type: ignore[index]
                sub = f"{self.heading_variant(rng, h2.text)}#{self.heading_variant(rng, h3.text)}"
                return self.wiki(f"{path}#{sub}", shown, table)
        if form == "block":
            b = rng.choice(t.blocks)
            bid = b.bid.upper() if rng.random() < 0.05 else b.bid
            return self.wiki(f"{path}#^{bid}", shown, table)
        if form == "self":
            if rng.random() < 0.8 and src.headings:
                h = rng.choice(src.headings)
                return self.wiki(f"#{self.heading_variant(rng, h.text)}", shown, table)
            return self.wiki(f"#^{rng.choice(src.blocks).bid}", shown, table)
        if form == "path" and t.folder and not t.dup:
            parts = t.stem_path.split("/")
            k = rng.randint(2, len(parts))
            return self.wiki("/".join(parts[-k:]), shown, table)
        if form == "slash":
            return self.wiki("/" + t.stem_path, shown, table)
        if form == "relative":
            rel = posixpath.relpath(t.stem_path, src.folder or ".")
            return self.wiki(rel if rel.startswith("../") else "./" + rel, shown, table)
        if form == "embed":
            if rng.random() < 0.3 and t.headings:
                path = f"{path}#{rng.choice(t.headings).text}"
            return self.wiki(path, None, table, embed=True)
        if form == "image":
            img = rng.choice(self.images)
            if rng.random() < 0.2:
                img = f"{ATTACH_DIR}/{img}"
            return self.wiki(img, "200" if rng.random() < 0.6 else None, table, embed=True)
        if form == "pdf":
            pdf = rng.choice(self.pdfs)
            if rng.random() < 0.5:
                return self.wiki(f"{pdf}#page={rng.randint(1, 9)}", None, table, embed=True)
            return self.wiki(pdf, shown, table)
        if form == "canvas":
            return self.wiki(self.canvas, shown, table)
        if form == "md_image":
            img = rng.choice(self.images)
            return f"![{self.shown(rng)}]({quote(ATTACH_DIR + '/' + img)})"
        if form in ("md", "md_angle", "md_path"):
            dest = t.rel if t.dup or form == "md_path" else t.name + ".md"
            if form == "md_angle":
                return f"[{self.shown(rng)}](<{dest}>)"
            return f"[{self.shown(rng)}]({quote(dest)})"
        return self.wiki(path, shown, table)

    # ---- planted problems -------------------------------------------------------------

    PLANTED_KINDS: tuple[str, ...] = (
        "lk1_plain", "lk1_alias", "lk1_embed", "lk1_md", "lk1_md_angle", "lk1_folder",
        "lk1_relative", "lk1_alias_only", "lk1_url", "lk1_trash", "lk1_frontmatter",
        "lk1_slash",
        "lk2_heading", "lk2_self", "lk2_nested", "lk2_code", "lk2_embed",
        "lk3_missing", "lk3_other", "lk3_embed", "lk3_self", "lk3_fake",
        "lk5_image", "lk5_image_size", "lk5_pdf", "lk5_md",
    )  # fmt: skip

    def planted(self, rng: random.Random, src: NotePlan, kind: str, k: int, table: bool) -> Tok:
        """Render one planted problem. k numbers it, so every planted target is distinct."""

        def tok(text: str, rule: str, target: str, form: str) -> Tok:
            return Tok(text, {"path": src.rel, "rule": rule, "target": target, "form": form})

        def other() -> NotePlan:
            return self.plans[rng.choice(self.regular)]

        if kind in ("lk1_plain", "lk1_frontmatter"):
            form = "wikilink" if kind == "lk1_plain" else "frontmatter"
            target = f"Nonexistent Note {k}"
            return tok(self.wiki(target, None, table), "LK001", target, form)
        if kind == "lk1_alias":
            target = f"Nonexistent Note {k}"
            return tok(self.wiki(target, self.shown(rng), table), "LK001", target, "wikilink")
        if kind == "lk1_embed":
            target = f"Missing Embed {k}"
            return tok(self.wiki(target, None, table, embed=True), "LK001", target, "embed")
        if kind in ("lk1_md", "lk1_md_angle"):
            dest = f"Missing Note {k}.md"
            if kind == "lk1_md_angle":
                return tok(f"[{self.shown(rng)}](<{dest}>)", "LK001", dest, "mdlink")
            return tok(f"[{self.shown(rng)}]({quote(dest)})", "LK001", quote(dest), "mdlink")
        if kind == "lk1_folder":
            target = f"Nowhere {k}/{other().name}"
            return tok(self.wiki(target, None, table), "LK001", target, "wikilink")
        if kind == "lk1_relative":
            # ../Name where Name exists in the vault but not in the parent folder: no fallback.
            parent = posixpath.dirname(src.folder)
            t = other()
            while t.folder == parent or t.idx == src.idx:
                t = other()
            target = f"../{t.name}" if src.folder else f"./{t.name}-{k}"
            return tok(self.wiki(target, None, table), "LK001", target, "wikilink")
        if kind == "lk1_slash":
            t = other()
            target = f"/{t.name}" if t.folder else f"/Nowhere {k}/{t.name}"
            return tok(self.wiki(target, None, table), "LK001", target, "wikilink")
        if kind == "lk1_alias_only":
            t = other()
            while not t.aliases:
                t = other()
            return tok(self.wiki(t.aliases[0], None, table), "LK001", t.aliases[0], "wikilink")
        if kind == "lk1_url":
            target = f"https://example.com/page-{k}"
            return tok(self.wiki(target, None, table), "LK001", target, "wikilink")
        if kind == "lk1_trash":
            return tok(self.wiki(self.trashed, None, table), "LK001", self.trashed, "wikilink")
        if kind in ("lk2_heading", "lk2_embed"):
            t = other()
            embed = kind == "lk2_embed"
            return tok(self.wiki(f"{t.name}#Nonexistent Heading {k}", None, table, embed=embed),
                       "LK002", t.name, "embed" if embed else "wikilink")  # fmt: skip
        if kind == "lk2_self":
            return tok(self.wiki(f"#Missing Section {k}", None, table), "LK002", "", "wikilink")
        if kind == "lk2_nested":
            # #A#B where B is a real heading of the note, but under another H2 than A.
            for _ in range(50):
                t = self.plans[rng.choice(self.with_h3)]
                h2s = [i for i, h in enumerate(t.headings) if h.level == 2]
                b = rng.choice([h for h in t.headings if h.parent is not None])
                a_choices = [i for i in h2s if i != b.parent]
                if a_choices:
                    a = t.headings[rng.choice(a_choices)]
                    return tok(self.wiki(f"{t.name}#{a.text}#{b.text}", None, table),
                               "LK002", t.name, "wikilink")  # fmt: skip
        if kind in ("lk2_code", "lk2_nested"):
            # a "# comment" line inside a code fence is not a heading
            t = self.plans[rng.choice(self.with_fence)]
            return tok(self.wiki(f"{t.name}#{t.fence_comment}", None, table),
                       "LK002", t.name, "wikilink")  # fmt: skip
        if kind in ("lk3_missing", "lk3_embed"):
            t = other()
            embed = kind == "lk3_embed"
            return tok(self.wiki(f"{t.name}#^missing-{k}", None, table, embed=embed),
                       "LK003", t.name, "embed" if embed else "wikilink")  # fmt: skip
        if kind == "lk3_other":
            t = other()
            own = {b.bid.casefold() for b in t.blocks} | {(t.fake_block or "").casefold()}
            u = other()
            while u.blocks[0].bid.casefold() in own:
                u = other()
            return tok(self.wiki(f"{t.name}#^{u.blocks[0].bid}", None, table),
                       "LK003", t.name, "wikilink")  # fmt: skip
        if kind == "lk3_self":
            return tok(self.wiki(f"#^nothere-{k}", None, table), "LK003", "", "wikilink")
        if kind == "lk3_fake":
            t = self.plans[rng.choice(self.with_fake)] if self.with_fake else other()
            bid = t.fake_block or f"fake-{k}"
            return tok(self.wiki(f"{t.name}#^{bid}", None, table), "LK003", t.name, "wikilink")
        if kind == "lk5_image":
            target = f"missing-image-{k}.png"
            return tok(self.wiki(target, None, table, embed=True), "LK005", target, "embed")
        if kind == "lk5_image_size":
            target = f"missing-diagram-{k}.png"
            return tok(self.wiki(target, "200", table, embed=True), "LK005", target, "embed")
        if kind == "lk5_pdf":
            target = f"missing-spec-{k}.pdf"
            return tok(self.wiki(f"{target}#page=2", None, table, embed=True),
                       "LK005", target, "embed")  # fmt: skip
        if kind == "lk5_md":
            target = f"{ATTACH_DIR}/missing-{k}.pdf"
            return tok(f"[{self.shown(rng)}]({quote(target)})", "LK005", quote(target), "mdlink")
        raise ValueError(kind)

    # ---- decoys: link-like text that is not a link ---------------------------------------

    @staticmethod
    def decoy_inline(rng: random.Random, k: str) -> Tok:
        forms = [
            f"`[[Not A Link {k}]]`",
            f"``code ` [[Not A Link {k}]]``",
            f"%% hidden [[Hidden Note {k}]] %%",
            f"<!-- old: [[Old Note {k}]] -->",
            f"\\[\\[Escaped Note {k}\\]\\]",
            "$M = [[1, 2], [3, 4]]$",
            f"`![[not-an-image-{k}.png]]`",
        ]
        return Tok(rng.choice(forms), is_link=False)

    # ---- blocks ---------------------------------------------------------------------

    def sentence_words(self, rng: random.Random, n: int) -> list[str]:
        words = rng.choices(PROSE, k=n)
        out: list[str] = []
        i = 0
        while i < len(words):
            m = rng.randint(6, 16)
            sent = words[i : i + m]
            sent[0] = sent[0].capitalize()
            sent[-1] = sent[-1] + rng.choice(".....?!")
            out.extend(sent)
            i += m
        r = rng.random()
        if out and r < 0.15:
            j = rng.randrange(len(out))
            out[j] = f"**{out[j].rstrip('.?!')}**" + ("." if out[j][-1] in ".?!" else "")
        elif out and r < 0.25:
            j = rng.randrange(len(out))
            out[j] = f"`{out[j].rstrip('.?!')}()`"
        elif out and r < 0.3:
            out.insert(rng.randrange(len(out)), "$x^2 + y_1$")
        return out

    @staticmethod
    def mix(rng: random.Random, words: list[str], toks: list[Tok]) -> list[Tok]:
        items: list[Tok] = [Tok(w, is_link=False) for w in words]
        for t in toks:
            # "<!--" opening a line would start an HTML block that swallows the whole line
            lo = 1 if t.text.startswith("<") else 0
            items.insert(rng.randint(lo, max(lo, len(items))), t)
        return items

    @staticmethod
    def wrap(items: list[Tok], width: int) -> list[list[Tok]]:
        lines: list[list[Tok]] = [[]]
        length = 0
        for t in items:
            if lines[-1] and length + 1 + len(t.text) > width and not t.text.startswith("<"):
                lines.append([])
                length = 0
            lines[-1].append(t)
            length += len(t.text) + 1
        return lines

    def paragraph(
        self, w: NoteWriter, rng: random.Random, n_words: int, toks: list[Tok], bid: str | None
    ) -> None:
        items = self.mix(rng, self.sentence_words(rng, max(5, n_words)), toks)
        width = rng.choice((72, 80, 100)) if rng.random() < 0.3 else 10**9
        rows = self.wrap(items, width)
        w.blank()
        for j, row in enumerate(rows):
            text = " ".join(t.text for t in row)
            if bid is not None and j == len(rows) - 1:
                text += f" ^{bid}"
            w.emit(text, row)
        w.blank()

    def list_block(
        self, w: NoteWriter, rng: random.Random, toks: list[Tok], bid: str | None, n_words: int
    ) -> None:
        n_items = max(2, len(toks), 1 + (bid is not None))
        marker = rng.choice(["-", "*", "1.", "- [ ]", "- [x]"])
        per = max(3, n_words // n_items)
        w.blank()
        for j in range(n_items):
            item_toks = [toks[j]] if j < len(toks) else []
            items = self.mix(rng, self.sentence_words(rng, rng.randint(3, per)), item_toks)
            m = f"{j + 1}." if marker == "1." else marker
            indent = "  " if j > 0 and marker == "-" and rng.random() < 0.2 else ""
            text = f"{indent}{m} " + " ".join(t.text for t in items)
            if bid is not None and j == n_items - 1:
                text += f" ^{bid}"
            w.emit(text, items)
        w.blank()

    def table_block(
        self, w: NoteWriter, rng: random.Random, src: NotePlan, toks: list[Tok], bid: str | None
    ) -> None:
        n_rows = max(2, len(toks))
        w.blank()
        w.emit("| Item | Link | Notes |")
        w.emit("| --- | :---: | --- |")
        for j in range(n_rows):
            cell = toks[j] if j < len(toks) else Tok(" ".join(rng.choices(LOREM, k=2)), None, False)
            note = " ".join(rng.choices(PROSE, k=rng.randint(2, 6)))
            w.emit(f"| {rng.choice(LOREM)} {j} | {cell.text} | {note} |", [cell])
        if bid is not None:
            w.blank()
            w.emit(f"^{bid}")
        w.blank()

    def fence_block(self, w: NoteWriter, rng: random.Random, comment: str | None, k: str) -> None:
        w.blank()
        style = rng.random()
        fence, lang = ("~~~", "") if style < 0.15 else ("```", rng.choice(["python", "js", ""]))
        if style > 0.92:
            fence, lang = "````", "markdown"
        w.emit(f"{fence}{lang}")
        if fence == "````":
            w.emit("```")
            w.emit(f"[[Nested Fence Note {k}]]")
            w.emit("```")
        w.emit("def compute(items):")
        if comment:
            w.emit(f"    # {comment}")
        w.emit(f'    label = "[[Code Note {k}]]"  # not a link')
        w.emit(f"    return [[x] for x in items]  # ![[fence-{k}.png]]")
        w.emit(fence)
        w.blank()

    def decoy_block(self, w: NoteWriter, rng: random.Random, k: str, after_list: bool) -> None:
        r = rng.random()
        w.blank()
        if r < 0.3 and not after_list:
            w.emit(f"    indented = '[[Indented Code Note {k}]]'")
            w.emit("    more = 1")
        elif r < 0.55:
            w.emit("%%")
            w.emit(f"A multi-line comment with [[Commented Note {k}]] and ![[gone-{k}.png]].")
            w.emit("%%")
        elif r < 0.75:
            w.emit("$$")
            w.emit(f"\\sum_i [[a_i]] = b_{{{k}}}")
            w.emit("$$")
        else:
            w.emit("<!--")
            w.emit(f"[[HTML Comment Note {k}]]")
            w.emit("-->")
        w.blank()

    def heading(self, w: NoteWriter, h: Heading) -> None:
        w.blank()
        if h.setext:
            w.emit(h.text)
            w.emit(("=" if h.level == 1 else "-") * max(3, len(h.text)))
        else:
            w.emit(f"{'#' * h.level} {h.text}")
        w.blank()

    def front_matter(
        self, w: NoteWriter, rng: random.Random, p: NotePlan, fm_toks: list[Tok]
    ) -> None:
        w.emit("---")
        if p.ftype:
            w.emit(f"type: {p.ftype}")
        w.emit(f"title: {json.dumps(p.name, ensure_ascii=False)}")
        if p.ftype == "ask":
            w.emit(f"category: {rng.choice(['team', 'culture', 'growth'])}")
        elif p.ftype == "company":
            w.emit(f"name: {json.dumps(p.name, ensure_ascii=False)}")
            w.emit("role: Staff Engineer")
            w.emit(f"interview_date: 2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
        w.emit(f"tags: [{', '.join(rng.sample(LOREM, rng.randint(1, 3)))}]")
        if p.aliases:
            w.emit(f"aliases: [{', '.join(json.dumps(a) for a in p.aliases)}]")
        if fm_toks:
            if rng.random() < 0.5:
                vals = ", ".join(json.dumps(t.text, ensure_ascii=False) for t in fm_toks)
                w.emit(f"related: [{vals}]", fm_toks)
            else:
                w.emit("related:")
                for t in fm_toks:
                    w.emit(f"  - {json.dumps(t.text, ensure_ascii=False)}", [t])
        w.emit(
            f"created: 20{rng.randint(18, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        )
        w.emit("---")

    def fm_link(self, rng: random.Random, src: NotePlan) -> Tok:
        t = self.pick_target(rng, src)
        path = self.exact_path(rng, src, t) if t.dup else t.name
        if rng.random() < 0.3:
            return Tok(f"[[{path}|{self.shown(rng)}]]")
        return Tok(f"[[{path}]]")

    def render(self, p: NotePlan, planted_kind: str | None, k: int) -> NoteWriter:
        rng = random.Random(f"body-{self.seed}-{p.idx}")
        w = NoteWriter()
        n_links = rng.randint(5, 18)
        planted_in_fm = planted_kind == "lk1_frontmatter"
        fm_toks: list[Tok] = []
        if p.has_fm or planted_in_fm:
            if rng.random() < 0.3:
                fm_toks = [self.fm_link(rng, p) for _ in range(rng.randint(1, 2))]
            if planted_in_fm:
                bad = self.planted(rng, p, "lk1_frontmatter", k, False)
                fm_toks.insert(rng.randint(0, len(fm_toks)), bad)
            n_links -= len(fm_toks)
            self.front_matter(w, rng, p, fm_toks)

        # Links are drawn lazily, so that a link in a table gets the escaped pipe.
        sections = list(range(len(p.headings))) or [-1]
        quota = {s: 0 for s in sections}
        for _ in range(max(0, n_links)):
            quota[rng.choice(sections)] += 1
        planted_section = rng.choice(sections) if planted_kind and not planted_in_fm else None
        if planted_section is not None:
            quota[planted_section] += 1
        words_per = max(40, p.words // len(sections))
        decoy_sections = set(rng.sample(sections, min(len(sections), rng.randint(1, 3))))
        fence_section = rng.choice(sections) if p.fence_comment else None
        fake_section = rng.choice(sections) if p.fake_block else None
        decoy_n = 0

        def draw(count: int, table: bool, pending: list[bool]) -> list[Tok]:
            out = []
            for _ in range(count):
                if pending[0]:
                    pending[0] = False
                    out.append(self.planted(rng, p, planted_kind, k, table))  # type: ignore[arg-type]
                else:
                    out.append(Tok(self.valid_link(rng, p, table)))
            return out

        for s in sections:
            if s >= 0:
                self.heading(w, p.headings[s])
            pending = [s == planted_section]
            q = quota[s]
            words = words_per
            blocks = [b for b in p.blocks if b.section == s]
            kinds = [b.kind for b in blocks]
            # always at least one paragraph, then the blocks that carry ids
            plan_blocks: list[tuple[str, str | None]] = [("para", None)]
            plan_blocks += [(b.kind, b.bid) for b in blocks]
            extra = rng.random()
            if extra < 0.25 and "list" not in kinds:
                plan_blocks.append(("list", None))
            elif extra < 0.35 and "table" not in kinds:
                plan_blocks.append(("table", None))
            elif extra < 0.45:
                plan_blocks.append(("callout", None))
            if words > 250:
                plan_blocks.append(("para", None))
            rng.shuffle(plan_blocks)
            last_kind = "heading"
            n_blocks = len(plan_blocks)
            for j, (kind, bid) in enumerate(plan_blocks):
                take = q if j == n_blocks - 1 else rng.randint(0, q)
                q -= take
                share = words // n_blocks
                if kind == "para":
                    toks = draw(take, False, pending)
                    if s in decoy_sections and j == 0:
                        decoy_n += 1
                        toks.append(self.decoy_inline(rng, f"{p.idx}-{decoy_n}"))
                    self.paragraph(w, rng, share, toks, bid)
                elif kind == "list":
                    self.list_block(w, rng, draw(take, False, pending), bid, share)
                elif kind == "table":
                    self.table_block(w, rng, p, draw(take, True, pending), bid)
                elif kind == "callout":
                    toks = self.mix(
                        rng, self.sentence_words(rng, share), draw(take, False, pending)
                    )
                    w.blank()
                    w.emit(
                        f"> [!{rng.choice(['note', 'tip', 'warning'])}] {self.shown(rng).title()}"
                    )
                    w.emit("> " + " ".join(t.text for t in toks), toks)
                    w.blank()
                last_kind = kind
            if s == fence_section:
                self.fence_block(w, rng, p.fence_comment, str(p.idx))
                last_kind = "fence"
            elif rng.random() < 0.1:
                self.fence_block(w, rng, None, f"{p.idx}-{s}")
                last_kind = "fence"
            if s in decoy_sections:
                decoy_n += 1
                self.decoy_block(w, rng, f"{p.idx}-{decoy_n}", last_kind in ("list", "callout"))
            if s == fake_section:
                w.blank()
                tok = Tok(f"![[{rng.choice(self.images)}]]^{p.fake_block}")
                w.emit(tok.text, [tok])
                w.blank()
            if rng.random() < 0.08:
                w.blank()
                w.emit(rng.choice(["***", "---", "* * *"]))
                w.blank()
            if s == sections[-1] and rng.random() < 0.3:
                w.blank()
                w.emit(
                    f"See [the site](https://example.com/{p.idx}) or <https://example.org/{p.idx}>."
                )
        if w.lines and w.lines[-1] == "":
            w.lines.pop()
        return w


def generate(root: Path, notes: int, seed: int = 0) -> dict:
    """Write a vault of `notes` notes into `root` (which must not exist or be empty).

    The manifest of planted problems goes to ``root.parent / f"{root.name}-manifest.json"``.
    Returns a summary: counts of notes, links, words, bytes and planted problems.
    """
    root = Path(root)
    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists and is not empty")
    plans = plan_vault(notes, seed)
    vw = VaultWriter(plans, seed)
    grng = random.Random(f"planted-{seed}")
    n_planted = max(len(RULES), round(notes / 50))
    eligible = [p.idx for p in plans if not p.dup]
    planted_notes = sorted(grng.sample(eligible, min(n_planted, len(eligible))))
    # Rules in the proportion 2:1:1:1, each rule cycling through its variants.
    variants = {r: [k for k in vw.PLANTED_KINDS if k.startswith(f"lk{r[-1]}_")] for r in RULES}
    for v in variants.values():
        grng.shuffle(v)
    rule_cycle = ["LK001", "LK002", "LK001", "LK003", "LK005"]
    grng.shuffle(planted_notes)
    planted_kind: dict[int, tuple[str, int]] = {}
    used = dict.fromkeys(RULES, 0)
    for j, idx in enumerate(planted_notes):
        rule = rule_cycle[j % len(rule_cycle)]
        v = variants[rule]
        planted_kind[idx] = (v[used[rule] % len(v)], j + 1)
        used[rule] += 1

    root.mkdir(parents=True, exist_ok=True)
    manifest: list[dict] = []
    links = words = nbytes = 0
    made: set[str] = set()
    for p in plans:
        kind, k = planted_kind.get(p.idx, (None, 0))
        w = vw.render(p, kind, k)
        text = "\n".join(w.lines) + "\n"
        if p.folder not in made:
            (root / p.folder).mkdir(parents=True, exist_ok=True)
            made.add(p.folder)
        data = text.encode("utf-8")
        (root / p.rel).write_bytes(data)
        nbytes += len(data)
        words += len(text.split())
        links += w.links
        manifest.extend(w.manifest)

    att = root / ATTACH_DIR
    att.mkdir(exist_ok=True)
    for img in vw.images:
        (att / img).write_bytes(PNG_1X1)
    (att / "docs").mkdir(exist_ok=True)
    for pdf in vw.pdfs:
        (att / "docs" / pdf).write_bytes(PDF_MIN)
    (att / vw.canvas).write_text('{"nodes": [], "edges": []}\n', encoding="utf-8")
    # Dot-folders are not part of the vault: nothing in them counts, and nothing links there.
    (root / ".obsidian").mkdir(exist_ok=True)
    (root / ".obsidian" / "app.json").write_text("{}\n", encoding="utf-8")
    (root / ".trash").mkdir(exist_ok=True)
    (root / ".trash" / f"{vw.trashed}.md").write_text(
        "# Trashed\n\nA deleted note with [[A Broken Link In The Trash]].\n", encoding="utf-8"
    )

    manifest.sort(key=lambda d: (d["path"], d["line"], d["rule"]))
    manifest = [
        {"path": d["path"], "line": d["line"], "rule": d["rule"], "target": d["target"],
         "form": d["form"]}
        for d in manifest
    ]  # fmt: skip
    manifest_path = root.parent / f"{root.name}-manifest.json"
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", "utf-8")
    by_rule = {r: sum(1 for d in manifest if d["rule"] == r) for r in RULES}
    dup_names = sorted({p.name for p in plans if p.dup})
    return {
        "notes": notes,
        "seed": seed,
        "generator": source_sha(),
        "links": links,
        "words": words,
        "bytes": nbytes,
        "folders": len(_all_folders()),
        "attachments": len(vw.images) + len(vw.pdfs) + 1,
        "planted": len(manifest),
        "planted_by_rule": by_rule,
        "duplicate_names": dup_names,
        "manifest": str(manifest_path),
    }


PROFILES = ("links", "typed")


def generate_profile(profile: str, root: Path, notes: int, seed: int = 0) -> dict:
    """``generate`` for the default profile, ``gen_typed.generate_typed`` for ``typed``."""
    if profile == "typed":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from gen_typed import generate_typed

        return generate_typed(root, notes, seed)
    return generate(root, notes, seed)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="vault folder to create")
    ap.add_argument("--notes", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--force", action="store_true", help="replace OUT if it exists")
    ap.add_argument(
        "--profile",
        choices=PROFILES,
        default="links",
        help="links: prose with every link form and planted link problems (default); "
        "typed: a quarter each stories, questions, course pages, plain notes (gen_typed.py)",
    )
    args = ap.parse_args(argv)
    if args.force and args.out.exists():
        shutil.rmtree(args.out)
    try:
        info = generate_profile(args.profile, args.out, args.notes, args.seed)
    except FileExistsError as e:
        print(f"error: {e} (use --force)", file=sys.stderr)
        return 2
    print(json.dumps(info, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
