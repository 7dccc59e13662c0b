"""Strongly paraphrased chat-log copies: flag rate, span F1 and false flags, per kind.

Run: .venv/bin/python bench/similarity_paraphrase.py [--n 60]
     [--split dev|test|fresh|fresh2|fresh3|fresh4]
     [--n-outfox N] [--n-fp N] [--n-same-topic N] [--sweep]

Positives come from ../shared/data/detect/biscope.jsonl.gz: an AI text is the chat turn (the
AI's answer), and the same model's rewrite of it "to sound more human" (same pair_index and
generator) is what the student pastes, 50-76 % of the submission's words. The student's own
sentences around it come from an OUTFOX human student essay (BiScope's own human texts are not
used: BiScope made its AI texts from them, so they are not independent of the chat turn).

Kinds (positives: the pasted passage is gold):
- humanised: BiScope's rewrite as it is;
- reordered: the rewrite with its sentences shuffled;
- rewritten: the rewrite, shuffled, then each sentence rewritten by rule (clauses moved,
  synonyms swapped, contractions; bench/similarity_data.paraphrase): the hardest;
Negatives (nothing copied; the flag must stay off):
- human_same_prompt: an OUTFOX human essay, with the chat holding the two AI essays OUTFOX has
  on the same problem statement (gpt-3.5 and davinci: independent answers to the same prompt);
- human_other: the same essay with a chat on another BiScope topic;
- human_fp2021: a Feedback Prize 2021 student essay (the OUTFOX essays' own population) with a
  chat holding the two OUTFOX AI essays whose problem statement is closest to it in content
  words (the same PERSUADE prompt, nearly always): more same-topic negatives than OUTFOX has.
- human_same_topic (session 10): a Feedback Prize 2021 essay with a chat holding the two
  OUTFOX AI essays of a problem statement on the essay's own topic (fp2021's `meta.topic`; OUTFOX
  statements are tagged with a topic by nearest topic centroid, `outfox_topic`), the nearest such
  statement in content words. Its essays are drawn with SAME_TOPIC_SEED from what no earlier run
  used: the same-prompt negatives that replace OUTFOX's, of which none is unseen any more.

Splits (`--split`): BiScope pairs and OUTFOX problem statements are split by hash into dev
(tuning; SHA-1 % 3 != 0) and test (% 3 == 0). The old `test` split was looked at twice in
session 8 (its first 20 pairs and 20 OUTFOX essays after shuffling with seed 20), so `fresh`
is the test split without those (domain, pair_index) keys and OUTFOX essays, shuffled with
FRESH_SEED: disjoint from dev by the hash, from the old test runs by construction (checked
at run time). `fresh2` is what the one `fresh` run (FRESH_RUN) left unused, shuffled with
FRESH2_SEED; it has no unseen OUTFOX essay left, so its same-prompt negatives are fresh's again.
`fresh3` (session 10) is what the `fresh` and `fresh2` runs (FRESH_RUN, FRESH2_RUN) left unused,
BiScope pairs and Feedback Prize essays alike, shuffled with FRESH3_SEED; same-prompt OUTFOX
negatives are fresh's again (seen twice before). It was run once, in session 10 (FRESH3_RUN, with
600 `human_same_topic` negatives). `fresh4` (session 10, round 2) is what the three fresh runs
left unused, shuffled with FRESH4_SEED (chosen before any of its cases was built); its
`human_same_topic` essays are unused ones of fp2021's `valid` topics again. It was evaluated in
session 10 (FRESH4_RUN; main's rule and two candidate rules, see docs/benchmarks/similarity.md):
spent too. A next held-out split must leave out `_fresh_used("fresh4")` as well.
Feedback Prize essays: dev takes the essays of `train` topics, the others those of `valid`
topics (fp2021's own topic split, so no prompt is in both).
Targets (issue #20): flagged on >= 80 % of positives, span F1 >= 0.8, <= 1 % false flags;
rates are given with Wilson 95 % intervals.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import math
import os
import platform
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from similarity import mask, merged, nonspace
from similarity_data import DATA, paraphrase, sentences

POSITIVE = ("humanised", "reordered", "rewritten")
NEGATIVE = ("human_same_prompt", "human_fp2021", "human_same_topic", "human_other")
OLD_TEST_SEED, OLD_TEST_N = 20, 20  # what session 8's two test runs used
FRESH_SEED = 1206  # chosen once, before any fresh case was built (2026-12-06)
FRESH_RUN = {"n": 100, "n_outfox": 147, "n_fp": 100}  # the one run on `fresh` (session 9)
FRESH2_SEED = 1207  # `fresh2`: what `fresh` left unused, for the guard tuned after that run
FRESH2_RUN = {"n": 100, "n_outfox": 147, "n_fp": 200}  # the one run on `fresh2` (session 9)
FRESH3_SEED = 1208  # `fresh3`: what `fresh` and `fresh2` left unused (2026-12-06, session 10)
FRESH3_RUN = {"n": 100, "n_outfox": 147, "n_same_topic": 600}  # the one run on `fresh3` (s. 10)
FRESH4_SEED = 1211  # `fresh4`: what the three fresh runs left unused (session 10, round 2)
FRESH4_RUN = {"n": 100, "n_outfox": 147, "n_same_topic": 600}  # the runs on `fresh4` (s. 10)
SAME_TOPIC_SEED = 1210  # `human_same_topic` essays (session 10, fixed before any case was built)
DOMAINS = ("Essay", "Creative", "Arxiv")  # BiScope domains with essay-length texts
FRESH_SPLITS = ("fresh", "fresh2", "fresh3", "fresh4")  # held-out splits, in the order run


@dataclass
class Case:
    id: str
    kind: str
    text: str
    chat_log: list[dict[str, str]]
    gold: list[tuple[int, int]] = field(default_factory=list)


def _split_of(key: str) -> str:
    return "test" if int(hashlib.sha1(key.encode()).hexdigest(), 16) % 3 == 0 else "dev"


def _hash_split(split: str) -> str:
    return "test" if split in ("test", *FRESH_SPLITS) else split


@functools.cache
def _fresh_used(split: str = "fresh") -> tuple[frozenset[tuple[str, int]], frozenset[str]]:
    """BiScope keys and Feedback Prize texts of the one run on `fresh` (`fresh2`, `fresh3`):
    what a later held-out split must leave out."""
    run = {"fresh2": FRESH2_RUN, "fresh3": FRESH3_RUN, "fresh4": FRESH4_RUN}.get(split, FRESH_RUN)
    cases = build_cases(split=split, **run)  # type: ignore[arg-type]
    keys = frozenset(_pair_key(c) for c in cases if c.kind in POSITIVE)
    fp = ("human_fp2021", "human_same_topic")
    return keys, frozenset(c.text for c in cases if c.kind in fp)


def _used_before(split: str) -> tuple[set[tuple[str, int]], set[str]]:
    """BiScope keys and Feedback Prize texts of the fresh runs before `split`."""
    earlier = FRESH_SPLITS[: FRESH_SPLITS.index(split)] if split in FRESH_SPLITS else ()
    keys: set[tuple[str, int]] = set()
    texts: set[str] = set()
    for e in earlier:
        k, t = _fresh_used(e)
        keys |= k
        texts |= t
    return keys, texts


def _pair_key(case: Case) -> tuple[str, int]:
    head = case.id.split(":")[0]  # domain-generator-index
    return (head.split("-", 1)[0], int(head.rsplit("-", 1)[1]))


def _old_test_keys() -> tuple[set[tuple[str, int]], set[str]]:
    """(domain, pair_index) keys and OUTFOX keys of session 8's test runs (seed 20, n 20)."""
    rng = random.Random(OLD_TEST_SEED)
    pairs, outfox = _load_pairs("test"), _load_outfox("test")
    rng.shuffle(pairs)
    rng.shuffle(outfox)
    used = {(p["key"][0], p["key"][2]) for p in pairs[:OLD_TEST_N]}
    return used, {o["key"] for o in outfox[:OLD_TEST_N]}


def load_pairs(split: str) -> list[dict]:
    pairs = _load_pairs(_hash_split(split))
    if split in FRESH_SPLITS:
        used, _ = _old_test_keys()
        used |= _used_before(split)[0]
        pairs = [p for p in pairs if (p["key"][0], p["key"][2]) not in used]
    return pairs


def load_outfox(split: str) -> list[dict]:
    outfox = _load_outfox(_hash_split(split))
    if split in FRESH_SPLITS:  # no unseen OUTFOX essay left: fresh's again
        _, used = _old_test_keys()
        outfox = [o for o in outfox if o["key"] not in used]
    return outfox


def _load_pairs(split: str) -> list[dict]:
    with gzip.open(DATA / "detect" / "biscope.jsonl.gz", "rt") as fh:
        recs = [json.loads(x) for x in fh]
    by: dict[tuple, dict] = {}
    for r in recs:
        m = r["meta"]
        if r["label"] != "ai" or m["domain"] not in DOMAINS:
            continue
        key = (m["domain"], r["generator"], m["pair_index"])
        by.setdefault(key, {})["para" if m.get("paraphrased") else "ai"] = r
    out = []
    for key, v in sorted(by.items(), key=lambda kv: str(kv[0])):
        if "ai" not in v or "para" not in v or _split_of(f"{key[0]}:{key[2]}") != split:
            continue
        if not 120 <= len(v["para"]["text"].split()) <= 700:
            continue
        out.append({"key": key, "ai": v["ai"]["text"], "para": v["para"]["text"]})
    return out


def _load_outfox(split: str) -> list[dict]:
    """OUTFOX problem statements with a human essay and two AI essays on the same prompt."""
    by: dict[str, dict[str, str]] = {}
    with open(DATA / "detect" / "outfox_dev.jsonl", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            key = f"{r['meta']['outfox_split']}-{r['meta']['index']}"
            by.setdefault(key, {})[r["generator"] or "human"] = r["text"]
    need = {"human", "gpt-3.5-turbo-0613", "text-davinci-003"}
    return [
        {"key": k, **v} for k, v in sorted(by.items()) if need <= set(v) and _split_of(k) == split
    ]


def load_fp2021(split: str, n: int, rng: random.Random) -> list[str]:
    """n Feedback Prize essays of the split's topics (dev: fp2021 `train`, else `valid`)."""
    want = "train" if split == "dev" else "valid"
    with gzip.open(DATA / "detect" / "fp2021_human.jsonl.gz", "rt", encoding="utf-8") as fh:
        texts = [r["text"] for r in map(json.loads, fh) if r["split"] == want]
    texts = [t for t in texts if 150 <= len(t.split()) <= 900 and "Generic_" not in t]
    if split in FRESH_SPLITS[1:]:
        seen = _used_before(split)[1]
        texts = [t for t in texts if t not in seen]
    rng.shuffle(texts)
    return texts[:n]


def _stems(text: str) -> dict[str, float]:
    words = re.findall(r"[a-z]{4,}", text.casefold())
    counts: dict[str, float] = {}
    for w in words:
        counts[w[:6]] = counts.get(w[:6], 0.0) + 1.0
    return counts


def nearest_outfox(text: str, outfox: list[dict]) -> dict:
    """The OUTFOX problem statement closest to an essay (cosine of word-stem counts of the
    statement's human essay and AI essays; IDF over those documents)."""
    docs = [_stems(o["human"] + " " + o["gpt-3.5-turbo-0613"]) for o in outfox]
    df: dict[str, int] = {}
    for d in docs:
        for w in d:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(len(docs) / c) for w, c in df.items()}

    def vec(d: dict[str, float]) -> dict[str, float]:
        v = {w: c * idf.get(w, 0.0) for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {w: x / norm for w, x in v.items()}

    q = vec(_stems(text))
    scores = [sum(q.get(w, 0.0) * x for w, x in vec(d).items()) for d in docs]
    return outfox[int(np.argmax(scores))]


def _chat(ai_text: str) -> list[dict[str, str]]:
    return [
        {"role": "user", "text": "Can you write this for me? Make it good."},
        {"role": "ai", "text": ai_text},
        {"role": "user", "text": "Thanks, can you make it sound more natural?"},
        {"role": "ai", "text": "Of course! Here are some tips: vary your sentences, use your "
         "own examples, and read it aloud before you hand it in."},
    ]  # fmt: skip


def _assemble(pasted: list[str], own: list[str], rng: random.Random) -> tuple[str, list]:
    """Own sentences around the pasted block, so the pasted share is 50-76 % of the words."""
    words = sum(len(s.split()) for s in pasted)
    target = rng.uniform(0.5, 0.76)
    own_needed = words * (1 - target) / target
    before, after, used = [], [], 0
    for i, s in enumerate(own):
        if used >= own_needed:
            break
        (before if i % 2 == 0 else after).append(s)
        used += len(s.split())
    parts = [" ".join(before), " ".join(pasted), " ".join(after)]
    text = ""
    gold = []
    for k, part in enumerate(parts):
        if not part:
            continue
        if text:
            text += "\n\n"
        if k == 1:
            gold.append((len(text), len(text) + len(part)))
        text += part
    return text, gold


def build_cases(
    n: int,
    split: str,
    seed: int | None = None,
    n_outfox: int | None = None,
    n_fp: int = 0,
    n_same_topic: int = 0,
) -> list[Case]:
    """n BiScope pairs (three positives each), n_outfox OUTFOX essays (default n; two
    negatives each), n_fp Feedback Prize essays and n_same_topic Feedback Prize essays paired by
    topic (one negative each)."""
    seeds = {"fresh": FRESH_SEED, "fresh2": FRESH2_SEED, "fresh3": FRESH3_SEED}
    seeds["fresh4"] = FRESH4_SEED
    rng = random.Random(seeds.get(split, 20) if seed is None else seed)
    pairs = load_pairs(split)
    all_outfox = load_outfox(split)
    outfox = list(all_outfox)
    rng.shuffle(pairs)
    rng.shuffle(outfox)
    pairs, outfox = pairs[:n], outfox[: max(n if n_outfox is None else n_outfox, 1)]
    cases = []
    for i, p in enumerate(pairs):
        pid = "-".join(map(str, p["key"]))
        para = sentences(p["para"])
        own = sentences(outfox[i % len(outfox)]["human"])
        for kind in POSITIVE:
            pasted = list(para)
            if kind != "humanised":
                rng.shuffle(pasted)
            if kind == "rewritten":
                pasted = [paraphrase(s, rng) for s in pasted]
            text, gold = _assemble(pasted, own, rng)
            cases.append(Case(f"{pid}:{kind}", kind, text, _chat(p["ai"]), gold))
    for i, o in enumerate(outfox):
        chat = _chat(o["gpt-3.5-turbo-0613"])
        chat[3] = {"role": "ai", "text": o["text-davinci-003"]}
        cases.append(Case(f"outfox-{o['key']}:human_same_prompt", "human_same_prompt",
                          o["human"], chat))  # fmt: skip
        other = pairs[i % len(pairs)]["ai"] if pairs else ""
        cases.append(Case(f"outfox-{o['key']}:human_other", "human_other", o["human"],
                          _chat(other)))  # fmt: skip
    for i, essay in enumerate(load_fp2021(split, n_fp, rng)):
        o = nearest_outfox(essay, all_outfox)
        chat = _chat(o["gpt-3.5-turbo-0613"])
        chat[3] = {"role": "ai", "text": o["text-davinci-003"]}
        cases.append(Case(f"fp2021-{i}:{o['key']}", "human_fp2021", essay, chat))
    used = {c.text for c in cases if c.kind == "human_fp2021"}
    by_topic: dict[str, list[dict]] = {}
    for o in all_outfox:
        by_topic.setdefault(outfox_topic(o), []).append(o)
    for essay_id, essay, topic in load_same_topic(split, n_same_topic, used):
        if topic not in by_topic:
            continue
        o = nearest_outfox(essay, by_topic[topic])
        chat = _chat(o["gpt-3.5-turbo-0613"])
        chat[3] = {"role": "ai", "text": o["text-davinci-003"]}
        cases.append(Case(f"{essay_id}:{o['key']}", "human_same_topic", essay, chat))
    return cases


@functools.cache
def _fp2021_records() -> tuple[dict, ...]:
    with gzip.open(DATA / "detect" / "fp2021_human.jsonl.gz", "rt", encoding="utf-8") as fh:
        return tuple(map(json.loads, fh))


@functools.cache
def _topic_centroids() -> dict[str, dict[str, float]]:
    """Per Feedback Prize topic (`meta.topic`), the IDF-weighted, L2-normalised word-stem counts
    of all its essays: a nearest-centroid tagger for OUTFOX problem statements, which carry no
    topic (checked by eye on 12 random test-split statements: 12 right)."""
    counts: dict[str, dict[str, float]] = {}
    for r in _fp2021_records():
        if r["meta"]["topic"]:
            c = counts.setdefault(r["meta"]["topic"], {})
            for w, x in _stems(r["text"]).items():
                c[w] = c.get(w, 0.0) + x
    df: dict[str, int] = {}
    for c in counts.values():
        for w in c:
            df[w] = df.get(w, 0) + 1
    idf = {w: math.log(len(counts) / k) + 0.01 for w, k in df.items()}
    return {t: _unit({w: x * idf[w] for w, x in c.items()}) for t, c in counts.items()}


def _unit(v: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
    return {w: x / norm for w, x in v.items()}


def outfox_topic(o: dict) -> str:
    """The Feedback Prize topic of an OUTFOX problem statement (its human and gpt-3.5 essays),
    by nearest topic centroid (IDF from the centroids)."""
    cents = _topic_centroids()
    q = _stems(o["human"] + " " + o["gpt-3.5-turbo-0613"])
    return max(cents, key=lambda t: sum(x * cents[t].get(w, 0.0) for w, x in q.items()))


def load_same_topic(split: str, n: int, exclude: set[str]) -> list[tuple[str, str, str]]:
    """n Feedback Prize essays (id, text, topic) for `human_same_topic` (session 10): dev takes
    fp2021 `train` topics, the other splits `valid` topics minus every essay an earlier fresh run
    used and `exclude` (this run's `human_fp2021` essays); shuffled with SAME_TOPIC_SEED."""
    if n <= 0:
        return []
    want = "train" if split == "dev" else "valid"
    seen = set(exclude) | (_used_before(split)[1] if split != "dev" else set())
    recs = [
        (r["id"], r["text"], r["meta"]["topic"])
        for r in _fp2021_records()
        if r["split"] == want
        and r["meta"]["topic"]
        and 150 <= len(r["text"].split()) <= 900
        and "Generic_" not in r["text"]
        and r["text"] not in seen
    ]
    random.Random(SAME_TOPIC_SEED).shuffle(recs)
    return recs[:n]


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion k / n (95 % by default)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def check_fresh_disjoint(cases: list[Case], split: str = "fresh") -> None:
    """The fresh split shares no BiScope (domain, pair_index) or OUTFOX essay with dev or with
    session 8's test runs; fresh2 and fresh3 also no BiScope pair or Feedback Prize essay with
    the fresh runs before them."""
    used_pairs, used_outfox = _old_test_keys()
    fresh_pairs, fresh_fp = _used_before(split)
    for c in cases:
        assert _pair_key(c) not in fresh_pairs if c.kind in POSITIVE else c.text not in fresh_fp
    dev_pairs = {(p["key"][0], p["key"][2]) for p in _load_pairs("dev")}
    dev_outfox = {o["key"] for o in _load_outfox("dev")}
    for c in cases:
        head = c.id.split(":")[0]
        if c.kind in POSITIVE:
            key = _pair_key(c)
            assert key not in used_pairs and key not in dev_pairs, c.id
        elif c.kind in ("human_same_prompt", "human_other"):
            key_o = head.removeprefix("outfox-")
            assert key_o not in used_outfox and key_o not in dev_outfox, c.id
    # human_same_topic: unused essays of topics dev never sees, none also a human_fp2021 case
    topic_of = {r["text"]: (r["split"], r["meta"]["topic"]) for r in _fp2021_records()}
    fp_texts = {c.text for c in cases if c.kind == "human_fp2021"}
    for c in cases:
        if c.kind == "human_same_topic":
            assert topic_of[c.text][0] == "valid" and c.text not in fp_texts, c.id


def evaluate(cases: list[Case], results: list) -> dict:
    per: dict[str, dict] = {}
    for kind in POSITIVE + NEGATIVE:
        rows = [(c, r) for c, r in zip(cases, results, strict=True) if c.kind == kind]
        tp = pred = gold = 0
        flags = []
        chat = []
        for c, r in rows:
            ns = nonspace(c.text)
            pm = mask(len(c.text), merged([(m.start, m.end) for m in r.matches if m.role == "ai"]))
            gm = mask(len(c.text), c.gold)
            tp += int((pm & gm & ns).sum())
            pred += int((pm & ns).sum())
            gold += int((gm & ns).sum())
            flags.append(r.flag)
            chat.append(r.chat_pct)
        p = tp / pred if pred else (1.0 if not gold else 0.0)
        rec = tp / gold if gold else 1.0
        per[kind] = {
            "n": len(rows),
            "flagged": int(sum(flags)),
            "ci": wilson(int(sum(flags)), len(rows)),
            "flag_rate": float(np.mean(flags)) if flags else 0.0,
            "char_p": p,
            "char_r": rec,
            "f1": 2 * p * rec / (p + rec) if p + rec else 0.0,
            "chat_pct_mean": statistics.mean(chat) if chat else 0.0,
        }
    return per


def sweep(cases: list[Case], analyses: list) -> None:
    """Passage thresholds on the dev split: flag rate and F1 of positives, false flags and
    false characters on the negatives (embeddings are cached, so each setting is cheap)."""
    import itertools

    from aaie.engine.similarity import engine, prompt_similarity

    saved = (engine.PASSAGE_LOW, engine.PASSAGE_MEAN, engine.PASSAGE_MIN_SENTENCES)
    print(
        "| low | mean | min sentences | positives flagged | positives F1 (min kind) | "
        "negatives flagged | negative chat % (mean / max) |\n|---|---|---|---|---|---|---|"
    )
    for low, mean, k in itertools.product((0.6, 0.65, 0.7), (0.72, 0.76, 0.8), (2, 3)):
        if mean < low:
            continue
        engine.PASSAGE_LOW, engine.PASSAGE_MEAN, engine.PASSAGE_MIN_SENTENCES = low, mean, k
        res = []
        for c, a in zip(cases, analyses, strict=True):
            a.memo.pop("similarity", None)
            res.append(prompt_similarity(c.text, None, c.chat_log, analysis=a))
        per = evaluate(cases, res)
        pos = [per[x] for x in POSITIVE]
        neg = [r for c, r in zip(cases, res, strict=True) if c.kind in NEGATIVE]
        print(
            f"| {low} | {mean} | {k} | {np.mean([p['flag_rate'] for p in pos]):.1%} | "
            f"{min(p['f1'] for p in pos):.3f} | {np.mean([r.flag for r in neg]):.1%} | "
            f"{np.mean([r.chat_pct for r in neg]):.1f} / {max(r.chat_pct for r in neg):.1f} |"
        )
    engine.PASSAGE_LOW, engine.PASSAGE_MEAN, engine.PASSAGE_MIN_SENTENCES = saved
    for a in analyses:
        a.memo.pop("similarity", None)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=60, help="BiScope pairs and OUTFOX essays")
    ap.add_argument("--split", choices=("dev", "test", *FRESH_SPLITS), default="dev")
    ap.add_argument("--n-outfox", type=int, default=None, help="OUTFOX essays (default --n)")
    ap.add_argument("--n-fp", type=int, default=0, help="Feedback Prize negatives")
    ap.add_argument(
        "--n-same-topic", type=int, default=0, help="Feedback Prize negatives paired by topic"
    )
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--sweep", action="store_true", help="passage thresholds grid (dev only)")
    ap.add_argument(
        "--no-passages", action="store_true", help="the matcher before #20 (no passage rule)"
    )
    args = ap.parse_args()
    if args.no_passages:
        from aaie.engine.similarity import engine

        engine.PASSAGE_MIN_SENTENCES = 10**9
    from aaie.engine.analysis import TextAnalysis
    from aaie.engine.similarity import prompt_similarity

    cases = build_cases(
        args.n, args.split, n_outfox=args.n_outfox, n_fp=args.n_fp, n_same_topic=args.n_same_topic
    )
    if args.split in FRESH_SPLITS:
        check_fresh_disjoint(cases, args.split)
    results, lat, analyses = [], [], []
    for case in cases:
        analysis = TextAnalysis(case.text)
        analyses.append(analysis)
        analysis.sentence_embeddings  # noqa: B018 - shared with detection in evaluate_all
        t = time.perf_counter()
        results.append(prompt_similarity(case.text, None, case.chat_log, analysis=analysis))
        lat.append(1000 * (time.perf_counter() - t))
    if args.sweep:
        sweep(cases, analyses)
    per = evaluate(cases, results)
    print(
        f"# paraphrased chat-log copies  {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  "
        f"{platform.machine()}  split {args.split}, {len(cases)} cases, "
        f"load average {os.getloadavg()[0]:.1f}"
        + ("  (no passage rule: the matcher before #20)" if args.no_passages else "")
    )
    print(
        "| kind | cases | flagged (95 % CI) | char precision | char recall | span F1 | "
        "mean chat % |\n|---|---|---|---|---|---|---|"
    )
    for kind, m in per.items():
        if not m["n"]:
            continue
        lo, hi = m["ci"]
        flagged = f"{m['flagged']} = {m['flag_rate']:.1%} ({lo:.1%}-{hi:.1%})"
        if kind in NEGATIVE:  # nothing to find: only false flags and false characters count
            print(f"| {kind} | {m['n']} | {flagged} | - | - | - | {m['chat_pct_mean']:.1f} |")
            continue
        print(
            f"| {kind} | {m['n']} | {flagged} | {m['char_p']:.3f} | "
            f"{m['char_r']:.3f} | {m['f1']:.3f} | {m['chat_pct_mean']:.1f} |"
        )
    neg = [r.flag for c, r in zip(cases, results, strict=True) if c.kind in NEGATIVE]
    lo, hi = wilson(sum(neg), len(neg))
    print(f"| all negatives | {len(neg)} | {sum(neg)} ({lo:.1%}-{hi:.1%}) | | | | |")
    print(
        f"\nprompt_similarity latency (submission embeddings shared, chat sentences embedded "
        f"on first sight): p50 {np.percentile(lat, 50):.0f} ms, p95 {np.percentile(lat, 95):.0f} ms"
    )
    if args.errors:
        for case, res in zip(cases, results, strict=True):
            if (case.kind in NEGATIVE) == res.flag:
                print(f"\n== {case.id} flag={res.flag} chat={res.chat_pct}")
                for m in res.matches:
                    if m.role == "ai":
                        print("  PRED", m.kind, m.score, repr(case.text[m.start : m.end][:120]))


if __name__ == "__main__":
    main()
