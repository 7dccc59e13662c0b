"""Student-habit rewrites of AI essays: a training augmentation (detector-5) and a benchmark probe.

A model that learnt "AI text is tidy" misses AI text that was told to sound like a student, and
there is no such data set here. So every OUTFOX train-split AI essay also enters training once
rewritten with the surface habits of student writing (strength drawn from 0.3-1.0, seeded by the
essay id): the detector has to find AI text by what remains. bench/detection.py applies the same
rewrite (other seeds, fixed strengths) to the never-trained `valid` texts as a robustness probe,
so that probe is not independent of the augmentation; the independent evidence is on clean text
of generators and sources that were not rewritten (docs/models/detector.md).

What it changes, each with a probability scaled by `strength` (0 = unchanged, 1 = full):
contractions ("do not" -> "don't"), plainer connectives ("Furthermore," -> "Also,"), dropped
commas, lower-case "i" and sentence starts, and typos (an adjacent-letter swap or a dropped
letter in ~3 % of the words). It does not change content, vocabulary or sentence structure, so it
measures reliance on surface cues, not robustness to paraphrasing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import random
import re

from aaie.engine.detection.data import Doc

MIN_STRENGTH, MAX_STRENGTH = 0.3, 1.0

AUGMENTED_SUFFIX = "-stu"  # a rewrite's id: its original's id and this

CONTRACTIONS = [
    ("do not", "don't"), ("does not", "doesn't"), ("it is", "it's"), ("cannot", "can't"),
    ("I am", "I'm"), ("they are", "they're"), ("is not", "isn't"), ("will not", "won't"),
    ("would not", "wouldn't"), ("that is", "that's"), ("we are", "we're"),
    ("are not", "aren't"), ("you are", "you're"), ("I would", "I'd"), ("there is", "there's"),
]  # fmt: skip
PLAIN_CONNECTIVES = [
    ("Furthermore,", "Also,"), ("Moreover,", "Plus,"), ("Additionally,", "Also,"),
    ("In conclusion,", "So"), ("However,", "But"), ("Overall,", "So yeah,"),
    ("Ultimately,", "In the end"), ("In addition,", "Also"), ("Therefore,", "So"),
    ("Consequently,", "So"), ("For instance,", "Like"), ("For example,", "Like"),
]  # fmt: skip


def seed_for(key: str) -> int:
    """A stable per-text seed (training uses f"{id}-aug", the benchmark probe the bare id)."""
    return int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10**6


def studentize(text: str, seed: int, strength: float = 1.0) -> str:
    rng = random.Random(seed)

    def maybe(p: float) -> bool:
        return rng.random() < p * strength

    for formal, casual in CONTRACTIONS:
        for a, b in ((formal, casual), (formal.capitalize(), casual.capitalize())):

            def contract(m: re.Match[str], b: str = b) -> str:
                return b if maybe(0.8) else m.group(0)

            text = re.sub(rf"\b{a}\b", contract, text)
    for formal, casual in PLAIN_CONNECTIVES:
        if maybe(1.0):
            text = text.replace(formal, casual)
    text = re.sub(r",", lambda m: "" if maybe(0.3) else ",", text)
    text = re.sub(r"\bI\b", lambda m: "i" if maybe(0.3) else "I", text)
    text = re.sub(
        r"(?<=[.!?] )([A-Z])", lambda m: m.group(1).lower() if maybe(0.1) else m.group(1), text
    )
    return " ".join(_typo(w, rng) if maybe(0.03) else w for w in text.split(" "))


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5 or not word.isalpha():
        return word
    i = rng.randrange(1, len(word) - 2)
    if rng.random() < 0.5:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def student_rewrites(docs: list[Doc]) -> list[Doc]:
    """One rewrite of every OUTFOX train-split AI essay: same label, source, generator, split and
    fold key (so cross-validation keeps it with its prompt), `meta["augmented"]` set."""
    out = []
    for d in docs:
        if d.split != "train" or d.source != "outfox" or d.label != "ai":
            continue
        seed = seed_for(f"{d.id}-aug")
        strength = random.Random(seed).uniform(MIN_STRENGTH, MAX_STRENGTH)
        text = studentize(d.text, seed, strength)
        meta = {**d.meta, "augmented": "student_habits", "strength": round(strength, 3)}
        spans = [(0, len(text))]
        out.append(
            dataclasses.replace(
                d, id=f"{d.id}{AUGMENTED_SUFFIX}", text=text, ai_spans=spans, meta=meta
            )
        )
    return out
