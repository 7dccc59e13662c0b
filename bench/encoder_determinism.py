"""Is the detector's encoder stage deterministic? Trains it twice on the same texts (every 40th
text of its sample) and exports both: prints whether the weights and the int8 ONNX files match.

    .venv/bin/python bench/encoder_determinism.py [--data-dir ../shared/data]  # ~1 min, train extra
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
from pathlib import Path

import numpy as np

from aaie.engine.detection import encoder_train as ET
from aaie.engine.detection.data import load_corpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    small = ET.training_sample(load_corpus(args.data_dir))[::40]
    a, b = (ET.train_encoder(small, log=lambda m: None) for _ in range(2))
    print("weights identical:", all(np.array_equal(a[k], b[k]) for k in a))
    with tempfile.TemporaryDirectory() as tmp:
        digests = []
        for n, state in enumerate((a, b)):
            path = Path(tmp) / f"{n}.onnx"
            ET.export_onnx(state, path)
            digests.append(hashlib.sha256(path.read_bytes()).hexdigest())
    print("onnx identical:", digests[0] == digests[1])


if __name__ == "__main__":
    main()
