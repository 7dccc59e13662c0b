"""Rubric + feedback through a real OpenAI-compatible server (e.g. llama.cpp + SmolLM2).

    .venv/bin/python -m llama_cpp.server --model <gguf> --port 8099 &
    .venv/bin/python bench/scoring_llm.py --base-url http://127.0.0.1:8099/v1 --model smollm2 --n 8

Reports per call: latency, whether the first reply was valid, the engine that answered and the
fallback reason; then totals (fallback rate, p50 latency).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import httpx

from aaie.engine.feedback import generate_feedback
from aaie.engine.feedback.llm import LLMFeedbackReply
from aaie.engine.feedback.llm import build_messages as feedback_messages
from aaie.engine.providers import LLMProvider, parse_json_reply, redact_for_llm
from aaie.engine.rubric import rubric_score
from aaie.engine.rubric.llm import build_messages as rubric_messages
from aaie.engine.rubric.llm import default_criteria, reply_model

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "score"


def essays(n: int) -> list[tuple[str, str]]:
    out = []
    with open(DATA / "asap_dev.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            r = json.loads(line)
            if i % 97 == 0 and r["prompt_id"] in ("asap-1", "asap-2", "asap-7", "asap-8"):
                out.append((r["text"][:2500], r["prompt"]))
            if len(out) == n:
                break
    return out


def raw_validity(p: LLMProvider, text: str, prompt: str) -> dict[str, bool]:
    """One raw request per task: is the reply parseable JSON matching the schema?"""
    out = {}
    red = redact_for_llm(text)
    for name, msgs, schema in (
        (
            "rubric",
            rubric_messages(red, prompt, default_criteria()),
            reply_model(default_criteria()),
        ),
        ("feedback", feedback_messages(red, prompt, None), LLMFeedbackReply),
    ):
        body = p._payload(msgs, schema, stream=False)
        try:
            r = httpx.post(p._url, json=body, timeout=p.timeout_s)
            parse_json_reply(r.json()["choices"][0]["message"]["content"], schema)
            out[name] = True
        except Exception:  # timeout, HTTP error, not JSON, schema mismatch: all "invalid"
            out[name] = False
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base-url", default="http://127.0.0.1:8099/v1")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--n", type=int, default=6)
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--response-format", default="json_object")
    args = ap.parse_args()
    p = LLMProvider(
        args.base_url,
        args.model,
        timeout_s=args.timeout,
        max_retries=0,
        response_format=args.response_format,
        max_tokens=600,
    )
    rows = []
    for text, prompt in essays(args.n):
        valid = raw_validity(p, text, prompt)
        t = time.perf_counter()
        r = rubric_score(text, prompt, provider=p)
        t_r = time.perf_counter() - t
        t = time.perf_counter()
        f = generate_feedback(text, prompt, r, provider=p)
        t_f = time.perf_counter() - t
        row = {
            "rubric_s": round(t_r, 1),
            "feedback_s": round(t_f, 1),
            "raw_valid": valid,
            "rubric_engine": r.engine,
            "rubric_fallback": r.fallback_reason,
            "feedback_engine": f.engine,
            "feedback_fallback": f.fallback_reason,
            "compact": r.compact,
        }
        print(json.dumps(row), flush=True)
        rows.append(row)
    n = len(rows)
    summary = {
        "n": n,
        "raw_valid_rubric": sum(r["raw_valid"]["rubric"] for r in rows) / n,
        "raw_valid_feedback": sum(r["raw_valid"]["feedback"] for r in rows) / n,
        "rubric_fallback_rate": sum(r["rubric_engine"] == "builtin" for r in rows) / n,
        "feedback_fallback_rate": sum(r["feedback_engine"] == "builtin" for r in rows) / n,
        "rubric_p50_s": statistics.median(r["rubric_s"] for r in rows),
        "feedback_p50_s": statistics.median(r["feedback_s"] for r in rows),
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
