"""Synthetic hybrids for training the sentence model (never for calibration or evaluation).

The DEV data holds 1,432 spliced OUTFOX hybrids, 1,150 of them in the train split, with five mix
types. The sentence model learns where AI text sits inside human text, so more and more varied
mixes help it: every OUTFOX train-split (human essay, AI essay of the same prompt) pair, for all
three generators, gets several seeded mixes, and every Fast-DetectGPT train-split (human text, AI
text of the same item) pair one. Only `train`-split pairs are used, so the `valid` split stays
unseen; each hybrid keeps the `fold_key` of its source prompt, so cross-validation never sees a
prompt's essays on both sides.

Layout follows the DEV hybrids: one space between sentences, one newline between paragraphs
(essays without paragraph breaks use groups of ~4 sentences as paragraphs). Layout is not a
feature of the detector, so this cannot leak.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict

from aaie.engine.detection.data import Doc
from aaie.engine.text import split_sentences

SEED = 29
MIXES = (
    "ai_intro",
    "ai_conclusion",
    "alternating_paragraphs",
    "ai_block",
    "ai_sentences",
    "ai_middle_paragraph",
    "ai_short_passages",
)
MIXES_PER_PAIR = 3
MIN_AI_FRACTION, MAX_AI_FRACTION = 0.1, 0.9
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")

Paragraphs = list[list[str]]
Tagged = list[list[tuple[str, bool]]]  # paragraphs of (sentence, is_ai)


def paragraphs(text: str, group: int = 4) -> Paragraphs:
    """Sentences per paragraph; a text without paragraph breaks is cut into groups of ~4."""
    paras = [[s.text for s in split_sentences(block)] for block in text.split("\n")]
    paras = [p for p in paras if p]
    if len(paras) == 1 and len(paras[0]) > group + 1:
        flat = paras[0]
        paras = [flat[i : i + group] for i in range(0, len(flat), group)]
        if len(paras) > 1 and len(paras[-1]) < 2:
            paras[-2] += paras.pop()
    return paras


def render(tagged: Tagged) -> tuple[str, list[tuple[int, int]]]:
    """Text and merged AI character spans."""
    parts: list[str] = []
    spans: list[tuple[int, int]] = []
    pos = 0
    for pi, para in enumerate(tagged):
        if pi:
            parts.append("\n")
            pos += 1
        for si, (sent, is_ai) in enumerate(para):
            if si:
                parts.append(" ")
                pos += 1
            if is_ai:
                if spans and spans[-1][1] in (pos - 1, pos):
                    spans[-1] = (spans[-1][0], pos + len(sent))
                else:
                    spans.append((pos, pos + len(sent)))
            parts.append(sent)
            pos += len(sent)
    return "".join(parts), spans


def _tag(paras: Paragraphs, is_ai: bool) -> Tagged:
    return [[(s, is_ai) for s in p] for p in paras]


def mix(human: Paragraphs, ai: Paragraphs, kind: str, rng: random.Random) -> Tagged | None:
    """One hybrid of the given kind, or None when the pair cannot make it."""
    ai_flat = [s for p in ai for s in p]
    if len(human) < 2 or len(ai_flat) < 3:
        return None
    if kind == "ai_intro":
        return _tag(ai[:1], True) + _tag(human[1:], False)
    if kind == "ai_conclusion":
        return _tag(human[:-1], False) + _tag(ai[-1:], True)
    if kind == "ai_middle_paragraph":
        cut = rng.randrange(1, len(human))
        return _tag(human[:cut], False) + _tag([rng.choice(ai)], True) + _tag(human[cut:], False)
    if kind == "alternating_paragraphs":
        first_ai = rng.random() < 0.5
        out: Tagged = []
        for i in range(max(len(human), len(ai))):
            use_ai = (i % 2 == 0) == first_ai
            src = ai if use_ai else human
            if i < len(src):
                out += _tag([src[i]], use_ai)
        return out
    tagged = _tag(human, False)
    slots = [(pi, si) for pi, p in enumerate(tagged) for si in range(len(p))]
    n = len(slots)
    if n < 4:
        return None
    start = rng.randrange(len(ai_flat))
    feed = (ai_flat[(start + k) % len(ai_flat)] for k in range(10_000))
    if kind == "ai_block":
        length = max(2, round(n * rng.uniform(0.2, 0.6)))
        first = rng.randrange(0, n - length + 1)
        chosen = slots[first : first + length]
    elif kind == "ai_sentences":
        q = rng.uniform(0.15, 0.45)
        chosen = [s for s in slots if rng.random() < q] or [rng.choice(slots)]
    elif kind == "ai_short_passages":
        chosen = []
        for _ in range(rng.choice((1, 2))):
            length = rng.choice((2, 3))
            first = rng.randrange(0, max(1, n - length + 1))
            chosen += slots[first : first + length]
    else:
        raise ValueError(kind)
    for pi, si in sorted(set(chosen)):
        tagged[pi][si] = (next(feed), True)
    return tagged


def _ai_fraction(tagged: Tagged) -> float:
    total = sum(len(s) for p in tagged for s, _ in p)
    return sum(len(s) for p in tagged for s, a in p if a) / max(total, 1)


def _doc(base: Doc, ai: Doc, tagged: Tagged, kind: str, source: str, n: int) -> Doc:
    text, spans = render(tagged)
    return Doc(
        id=f"synth-{ai.id}-{kind}-{n}",
        text=text,
        label="hybrid",
        source=source,
        generator=ai.generator,
        group="ai",
        split="train",
        fold_key=base.fold_key,
        domain=base.domain,
        ai_spans=spans,
        meta={"mix": kind, "synthetic": True, "human_id": base.id, "ai_id": ai.id},
    )


def outfox_hybrids(docs: list[Doc], per_pair: int = MIXES_PER_PAIR, seed: int = SEED) -> list[Doc]:
    """Seeded mixes of every train-split OUTFOX (human, AI) pair of the same prompt."""
    rng = random.Random(seed)
    humans = {
        d.meta.get("index"): d
        for d in docs
        if d.source == "outfox" and d.label == "human" and d.split == "train"
    }
    ais = sorted(
        (d for d in docs if d.source == "outfox" and d.label == "ai" and d.split == "train"),
        key=lambda d: d.id,
    )
    out: list[Doc] = []
    for ai in ais:
        human = humans.get(ai.meta.get("index"))
        if human is None:
            continue
        hp, ap = paragraphs(human.text), paragraphs(ai.text)
        for n, kind in enumerate(rng.sample(MIXES, per_pair)):
            tagged = mix(hp, ap, kind, rng)
            if tagged and MIN_AI_FRACTION <= _ai_fraction(tagged) <= MAX_AI_FRACTION:
                out.append(_doc(human, ai, tagged, kind, "synth_outfox", n))
    return out


def _complete(sentences: list[str]) -> list[str]:
    """Drop a last sentence cut off mid-way (Fast-DetectGPT texts were truncated)."""
    if sentences and not _TERMINAL.search(sentences[-1]):
        return sentences[:-1]
    return sentences


def fastdetectgpt_hybrids(docs: list[Doc], seed: int = SEED) -> list[Doc]:
    """One seeded mix of every train-split Fast-DetectGPT (human, AI) pair of the same item:
    a human opening continued by the AI, an AI block, or scattered AI sentences."""
    rng = random.Random(seed)
    humans = {
        d.id: d
        for d in docs
        if d.source == "fastdetectgpt" and d.label == "human" and d.split == "train"
    }
    by_human: dict[str, list[Doc]] = defaultdict(list)
    for d in docs:
        if d.source == "fastdetectgpt" and d.label == "ai" and d.split == "train":
            by_human[str(d.meta.get("human_id"))].append(d)
    out: list[Doc] = []
    for hid in sorted(by_human):
        human = humans.get(hid)
        if human is None:
            continue
        h = _complete([s.text for s in split_sentences(human.text)])
        for ai in sorted(by_human[hid], key=lambda d: d.id):
            prefix = int(ai.meta.get("human_prefix_chars", 0) or 0)
            a = _complete([s.text for s in split_sentences(ai.text) if s.start >= prefix])
            if len(h) < 4 or len(a) < 2:
                continue
            kind = rng.choice(("ai_continuation", "ai_block", "ai_sentences"))
            if kind == "ai_continuation":
                cut = rng.randrange(2, len(h) - 1)
                tagged = [[(s, False) for s in h[:cut]] + [(s, True) for s in a]]
            else:
                tagged = mix([h[: len(h) // 2], h[len(h) // 2 :]], [a], kind, rng) or []
            if tagged and MIN_AI_FRACTION <= _ai_fraction(tagged) <= MAX_AI_FRACTION:
                out.append(_doc(human, ai, tagged, kind, "synth_fastdetectgpt", 0))
    return out


# detector-8: hybrids from the BiScope and L2R pairs (a human text and an LLM's text written from
# it or rewritten from it), in genres beyond essays. "polished_sentences" puts the AI text's
# sentence at the same relative position in place of scattered human sentences: the closest we
# can make, from these data, to a document an LLM polished sentence by sentence.
PAIRED_MIXES = ("polished_sentences", "ai_block", "ai_continuation")
PAIRED_HYBRIDS_PER_SOURCE = 1200


def paired_hybrids(docs: list[Doc], source: str, seed: int = SEED) -> list[Doc]:
    """One seeded mix per train-split AI text of `source` whose human text is in the corpus."""
    rng = random.Random(f"{seed}-{source}")
    humans = {d.id: d for d in docs if d.label == "human" and d.split == "train"}
    ais = sorted(
        (d for d in docs if d.source == source and d.label == "ai" and d.split == "train"),
        key=lambda d: d.id,
    )
    out: list[Doc] = []
    for ai in ais:
        human = humans.get(str(ai.meta.get("human_id")))
        if human is None:
            continue
        h = [s.text for s in split_sentences(human.text)]
        a = [s.text for s in split_sentences(ai.text)]
        if len(h) < 4 or len(a) < 2:
            continue
        kind = rng.choice(PAIRED_MIXES)
        tagged = _paired_mix(h, a, kind, rng)
        if tagged and MIN_AI_FRACTION <= _ai_fraction(tagged) <= MAX_AI_FRACTION:
            out.append(_doc(human, ai, tagged, kind, f"synth_{source}", 0))
    if len(out) > PAIRED_HYBRIDS_PER_SOURCE:
        out = sorted(rng.sample(out, PAIRED_HYBRIDS_PER_SOURCE), key=lambda d: d.id)
    return out


def _paired_mix(h: list[str], a: list[str], kind: str, rng: random.Random) -> Tagged | None:
    if kind == "polished_sentences":
        share = rng.uniform(0.2, 0.6)
        picked = {i for i in range(len(h)) if rng.random() < share}
        row = [
            (a[min(len(a) - 1, round(i * len(a) / len(h)))], True) if i in picked else (t, False)
            for i, t in enumerate(h)
        ]
        return [row]
    if kind == "ai_continuation":
        cut = rng.randrange(2, len(h) - 1)
        rest = a[round(cut * len(a) / len(h)) :] or a[-1:]
        return [[(t, False) for t in h[:cut]] + [(t, True) for t in rest]]
    return mix([h[: len(h) // 2], h[len(h) // 2 :]], [a], "ai_block", rng)


def synthetic_hybrids(docs: list[Doc]) -> list[Doc]:
    return (
        outfox_hybrids(docs)
        + fastdetectgpt_hybrids(docs)
        + paired_hybrids(docs, "biscope")
        + paired_hybrids(docs, "l2r")
    )
