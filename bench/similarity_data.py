"""Deterministic similarity benchmark cases built from ../shared/data/detect/outfox_dev.jsonl.

For one OUTFOX problem statement we take the human essay H, the gpt-3.5 essay A and the
davinci essay D. The chat log has 10 turns: the student pastes the prompt, the AI answers with A,
the student asks for more ideas, the AI answers with D (same topic: a hard negative), the student
pastes their own opening (the first two sentences of H: a `user` overlap that must never flag),
and some short advice turns. The submission is H with 1-3 blocks of H's sentences replaced by
1-3 consecutive sentences of A, transformed by the case kind:

- none: nothing inserted (H only) - the flag must stay off;
- prompt_restate: none, plus an introduction that restates the prompt - the flag must stay off;
- verbatim: sentences pasted as they are;
- near_verbatim: case changes, punctuation changes, a typo every ~8 words, a synonym swap and a
  dropped word per sentence;
- paraphrase: rule-based rewrite (there is no paraphrase model offline): every word found in a
  synonym table is swapped, connectives are replaced, contractions flipped, and "X because Y"
  clauses reordered; the result shares few word trigrams with A;
- mixed: one block of each of the three kinds.

Gold spans are the character ranges of the inserted sentences in the submission.
"""

from __future__ import annotations

import json
import os
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

DATA = Path(
    os.environ.get(
        "AAIE_SHARED_DATA", Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    )
)
KINDS = ("none", "prompt_restate", "verbatim", "near_verbatim", "paraphrase", "mixed")

SYNONYMS = {
    "important": "crucial", "many": "numerous", "people": "individuals", "help": "assist",
    "helps": "assists", "use": "utilize", "uses": "utilizes", "show": "demonstrate",
    "shows": "demonstrates", "think": "believe", "also": "additionally", "big": "large",
    "good": "beneficial", "bad": "harmful", "students": "pupils", "student": "pupil",
    "teacher": "instructor", "teachers": "instructors", "get": "obtain", "make": "create",
    "makes": "creates", "very": "extremely", "need": "require", "needs": "requires",
    "example": "instance", "allow": "enable", "allows": "enables", "provide": "offer",
    "provides": "offers", "improve": "enhance", "increase": "raise", "reduce": "decrease",
    "problem": "issue", "problems": "issues", "benefit": "advantage", "benefits": "advantages",
    "ability": "capacity", "child": "kid", "children": "kids", "often": "frequently",
    "help.": "assist.", "choose": "select", "able": "capable", "start": "begin", "end": "finish",
    "life": "existence", "lives": "existences", "world": "globe", "work": "labor",
    "job": "occupation", "jobs": "occupations", "learn": "study", "learning": "studying",
    "school": "academy", "schools": "academies", "opportunity": "chance",
    "opportunities": "chances", "skills": "abilities", "skill": "ability", "time": "period",
    "way": "manner", "ways": "methods", "however": "nevertheless", "therefore": "thus",
    "additionally": "furthermore", "moreover": "in addition", "overall": "all in all",
    "believe": "feel", "important.": "crucial.", "experience": "encounter",
    "experiences": "encounters", "understand": "comprehend", "change": "alter",
    "changes": "alterations", "can": "may", "should": "ought to", "could": "might",
    "want": "wish", "find": "discover", "keep": "retain", "give": "offer", "gives": "offers",
    "decision": "choice", "decisions": "choices", "positive": "favorable",
    "negative": "unfavorable", "advantage": "benefit", "disadvantages": "drawbacks",
    "potential": "possible", "significant": "considerable", "various": "diverse",
    "different": "distinct", "essential": "vital", "ensure": "guarantee", "support": "back",
    "especially": "particularly", "focus": "concentrate", "develop": "build",
    "knowledge": "understanding", "environment": "setting", "community": "society",
    "individual": "person", "individuals": "persons", "conclusion": "summary",
    "argue": "contend", "believes": "feels", "key": "central", "benefits.": "advantages.",
    "others": "other people", "success": "achievement", "successful": "prosperous",
    "increase.": "rise.", "help,": "assist,", "crucial": "vital", "ultimately": "in the end",
    "furthermore": "what is more", "because": "since", "although": "even though",
    "while": "whereas", "if": "provided that", "so": "thus", "but": "yet",
}  # fmt: skip
CONTRACTIONS = {
    "do not": "don't", "does not": "doesn't", "it is": "it's", "can not": "can't",
    "cannot": "can't", "they are": "they're", "is not": "isn't", "will not": "won't",
}  # fmt: skip

CHAT_FILLER = [
    ("user", "Thanks. Can you give me some more ideas for this essay?"),
    ("user", "What do you think of my opening? {opening}"),
    (
        "ai",
        "It is a good start. Consider adding a clear thesis statement and one concrete example.",
    ),
    ("user", "How do I write a good conclusion?"),
    (
        "ai",
        "A strong conclusion restates your thesis in new words, sums up your main points and "
        "leaves the reader with a final thought.",
    ),
    ("user", "Thank you!"),
    ("ai", "You're welcome. Good luck with your essay!"),
]


@dataclass
class Case:
    id: str
    kind: str
    text: str
    prompt: str
    chat_log: list[dict[str, str]]
    gold: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, kind)
    gold_prompt: list[tuple[int, int]] = field(default_factory=list)


def sentences(text: str) -> list[str]:
    from aaie.engine.text import split_sentences

    return [s.text for s in split_sentences(text)]


def near_verbatim(sent: str, rng: random.Random) -> str:
    words = sent.split(" ")
    out = []
    dropped = False
    for k, w in enumerate(words):
        core = w.strip(".,;:!?\"'")
        r = rng.random()
        if not dropped and k > 2 and len(words) > 10 and r < 0.06:
            dropped = True
            continue
        if r < 0.12 and len(core) >= 5:  # typo: swap two inner letters
            i = rng.randrange(1, len(core) - 2)
            core2 = core[:i] + core[i + 1] + core[i] + core[i + 2 :]
            w = w.replace(core, core2, 1)
        elif r < 0.2 and core.lower() in SYNONYMS:
            w = w.replace(core, SYNONYMS[core.lower()], 1)
        elif r < 0.3:
            w = w.upper() if rng.random() < 0.3 else w.lower()
        elif r < 0.4:
            w = w.replace(",", "")
        out.append(w)
    s = " ".join(out)
    return s[:-1] + "!" if s.endswith(".") and rng.random() < 0.3 else s


def paraphrase(sent: str, rng: random.Random) -> str:
    s = sent
    m = re.match(r"^(.{20,}?),? because (.{15,})\.$", s)
    if m:  # "X because Y." -> "Since Y, x."
        s = f"Since {m.group(2)}, {m.group(1)[0].lower()}{m.group(1)[1:]}."
    for a, b in CONTRACTIONS.items():
        s = re.sub(rf"\b{a}\b", b, s, flags=re.IGNORECASE)
    words = []
    for w in s.split(" "):
        core = w.strip(".,;:!?\"'")
        low = core.lower()
        if low in SYNONYMS:
            rep = SYNONYMS[low]
            rep = rep[0].upper() + rep[1:] if core[:1].isupper() else rep
            w = w.replace(core, rep, 1)
        words.append(w)
    s = " ".join(words)
    s = re.sub(r"\b(really|truly|simply|actually|just|quite)\s+", "", s)
    # move a leading phrase ("In addition, ...") to the end of the sentence
    m = re.match(r"^([A-Z][^,]{3,30}), (.+)\.$", s)
    if m and rng.random() < 0.7:
        s = f"{m.group(2)[0].upper()}{m.group(2)[1:]}, {m.group(1)[0].lower()}{m.group(1)[1:]}."
    return s


def _load(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def build_cases(n: int = 120, seed: int = 13) -> list[Case]:
    rows = _load(DATA / "detect" / "outfox_dev.jsonl")
    by_index: dict[str, dict[str, dict]] = {}
    for r in rows:
        key = f"{r['meta']['outfox_split']}-{r['meta']['index']}"
        by_index.setdefault(key, {})[r["generator"] or "human"] = r
    keys = sorted(
        k
        for k, v in by_index.items()
        if {"human", "gpt-3.5-turbo-0613", "text-davinci-003"} <= set(v)
    )
    rng = random.Random(seed)
    rng.shuffle(keys)
    cases = []
    for c, key in enumerate(keys[:n]):
        group = by_index[key]
        kind = KINDS[c % len(KINDS)]
        cases.append(_make_case(key, kind, group, random.Random(f"{seed}-{key}")))
    return cases


def _make_case(key: str, kind: str, group: dict[str, dict], rng: random.Random) -> Case:
    human, ai, other = group["human"], group["gpt-3.5-turbo-0613"], group["text-davinci-003"]
    prompt = human["prompt"]
    h_sents, a_sents = sentences(human["text"]), sentences(ai["text"])
    chat = [
        {"role": "user", "text": "Can you help me with this assignment? " + prompt},
        {"role": "ai", "text": ai["text"]},
        {"role": "user", "text": CHAT_FILLER[0][1]},
        {"role": "ai", "text": other["text"]},
    ]
    opening = " ".join(h_sents[:2])
    for role, text in CHAT_FILLER[1:]:
        chat.append({"role": role, "text": text.format(opening=opening)})
    blocks: list[str] = []
    if kind in ("verbatim", "near_verbatim", "paraphrase"):
        blocks = [kind] * rng.randint(1, 3)
    elif kind == "mixed":
        blocks = ["verbatim", "near_verbatim", "paraphrase"]
        rng.shuffle(blocks)
    pieces: list[tuple[str, str | None]] = [(s, None) for s in h_sents]
    used_a: set[int] = set()
    for block_kind in blocks:
        length = rng.randint(1, 3)
        a0 = rng.randrange(0, max(1, len(a_sents) - length))
        if any(a in used_a for a in range(a0, a0 + length)):
            continue
        used_a.update(range(a0, a0 + length))
        src = a_sents[a0 : a0 + length]
        if block_kind == "near_verbatim":
            src = [near_verbatim(s, rng) for s in src]
        elif block_kind == "paraphrase":
            src = [paraphrase(s, rng) for s in src]
        pos = rng.randrange(2, max(3, len(pieces)))  # never inside the student's own opening
        width = min(length, max(0, len(pieces) - pos))
        pieces[pos : pos + width] = [(s, block_kind) for s in src]
    text_parts: list[str] = []
    gold: list[tuple[int, int, str]] = []
    gold_prompt: list[tuple[int, int]] = []
    cursor = 0
    if kind == "prompt_restate":
        intro = "In this essay I will answer the question: " + _first_question(prompt)
        text_parts.append(intro + " ")
        gold_prompt.append((len("In this essay I will answer the question: "), len(intro)))
        cursor = len(intro) + 1
    for s, k in pieces:
        if k is not None:
            gold.append((cursor, cursor + len(s), k))
        text_parts.append(s + " ")
        cursor += len(s) + 1
    text = "".join(text_parts).rstrip()
    return Case(f"{key}-{kind}", kind, text, prompt, chat, _merge(gold), gold_prompt)


def _first_question(prompt: str) -> str:
    sents = sentences(prompt)
    return max(sents[:3], key=len) if sents else prompt


def _merge(gold: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    out: list[tuple[int, int, str]] = []
    for s, e, k in sorted(gold):
        if out and out[-1][2] == k and s - out[-1][1] <= 1:
            out[-1] = (out[-1][0], e, k)
        else:
            out.append((s, e, k))
    return out
