"""Is this CPU fit to train the detector's encoder? (session 18)

The encoder recipe (`aaie.engine.detection.encoder_train`) trains MiniLM's six layers under
bfloat16 autocast. A CPU without native bfloat16 (no `avx512_bf16` / `amx_bf16` in `lscpu`)
emulates it: on session 18's AVX2-only AMD EPYC a training step was ~15x slower than in float32,
which turns a ~10-minute encoder training into hours. This times one forward and backward pass of
six MiniLM-sized layers on a batch of 16 x 128 tokens, both ways, on one thread:

    OMP_NUM_THREADS=1 .venv-train/bin/python bench/encoder_bf16.py

Session 17's Intel Xeon trained a fold's encoder in ~10 min; if bf16 here is several times
slower than float32, run the encoder benches elsewhere (`bench/detection_loso.py --no-encoder`
runs anywhere).
"""

from __future__ import annotations

import time

import torch
from transformers import BertConfig
from transformers.models.bert.modeling_bert import BertLayer

REPEATS = 3


def seconds_per_batch(layers: torch.nn.ModuleList, x: torch.Tensor, bf16: bool) -> float:
    t0 = time.perf_counter()
    for _ in range(REPEATS):
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            h = x
            for layer in layers:
                h = layer(h)
                h = h[0] if isinstance(h, tuple) else h
            loss = h.float().mean()
        loss.backward()
    return (time.perf_counter() - t0) / REPEATS


def main() -> None:
    torch.manual_seed(0)
    config = BertConfig(hidden_size=384, num_attention_heads=12, intermediate_size=1536)
    config._attn_implementation = "eager"
    layers = torch.nn.ModuleList([BertLayer(config) for _ in range(6)])
    x = torch.randn(16, 128, 384)
    fp32 = seconds_per_batch(layers, x, bf16=False)
    bf16 = seconds_per_batch(layers, x, bf16=True)
    print(f"float32 {fp32:.2f} s, bf16 autocast {bf16:.2f} s per batch of 16 x 128 tokens "
          f"({bf16 / fp32:.1f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
