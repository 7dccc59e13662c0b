"""Write the shipped model's held-out false-positive rates (engine/detection/held_out.py).

    .venv-train/bin/python bench/detection_loso.py --scheme source --out /tmp/work/loso-source.json
    .venv-train/bin/python bench/detection_loso.py --scheme genre --out /tmp/work/loso-genre.json
    .venv/bin/python bench/held_out_rates.py /tmp/work/loso-source.json /tmp/work/loso-genre.json

Takes, per human population, the share of its texts the whole label rule labelled AI or Hybrid
with their fold held out (`held_out_threshold.human_by_population[...].labelled_held_out`) from
the two leave-one-out runs of the SHIPPED procedure (with the encoder, the model version the
package ships), and writes `src/aaie/engine/detection/artifacts/held_out_rates.json`. Re-run
after every retraining: a test fails while the file names another model.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from aaie.engine.detection.held_out import RATES_FILE
from aaie.engine.detection.version import MODEL_VERSION

OUT = Path(__file__).parents[1] / "src/aaie/engine/detection/artifacts" / RATES_FILE


def population_rates(run: dict[str, Any], scheme: str) -> dict[str, dict[str, float]]:
    if run.get("scheme") != scheme:
        raise SystemExit(f"expected a --scheme {scheme} run, got {run.get('scheme')!r}")
    if run.get("model") != MODEL_VERSION or "style_only" not in run:
        raise SystemExit(
            f"the {scheme} run is of {run.get('model')!r}"
            f"{'' if 'style_only' in run else ' without the encoder'}; the package ships "
            f"{MODEL_VERSION} with it"
        )
    rows = run["held_out_threshold"]["human_by_population"]
    return {
        population: {"labelled": row["labelled_held_out"], "n": row["n"]}
        for population, row in sorted(rows.items())
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source_run", type=Path, help="bench/detection_loso.py --scheme source JSON")
    ap.add_argument("genre_run", type=Path, help="bench/detection_loso.py --scheme genre JSON")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    source = json.loads(args.source_run.read_text(encoding="utf-8"))
    genre = json.loads(args.genre_run.read_text(encoding="utf-8"))
    rates = {
        "model_version": MODEL_VERSION,
        "measured": dt.date.today().isoformat(),
        "rule": "share of a population's human texts labelled AI or Hybrid by the whole label "
        "rule (AI score at or above the threshold, or a gated passage) when their fold was left "
        "out of training and of the choice of both thresholds",
        "by_source": population_rates(source, "source"),
        "by_genre": population_rates(genre, "genre"),
        "commands": [
            "bench/detection_loso.py --scheme source",
            "bench/detection_loso.py --scheme genre",
            "bench/held_out_rates.py SOURCE_JSON GENRE_JSON",
        ],
    }
    args.out.write_text(json.dumps(rates, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(rates, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
