"""False-positive rates measured held out, for the responses to quote beside the validation ones.

The artifact's own rates (`Detector.population_fpr`) are out of fold: every source of human text
was in training, only the prompt or item was held out. On writing from a source the detector was
not trained on they are far too low (academic prose, detector-10: 0.4 % out of fold, 13.9 % with
its source held out, 42.7 % with its genre held out), and a teacher reading "0.4 %" next to an
AI label would trust it more than it deserves.
`artifacts/held_out_rates.json` holds, per human population, the share labelled AI or Hybrid by
the whole label rule when that population's SOURCE was left out of training and of the threshold
choice (`bench/detection_loso.py --scheme source`), and the same with its whole GENRE left out
(`--scheme genre`). `bench/held_out_rates.py` writes it from those two runs; the file names the
model it was measured on: a response quotes no held-out rate for another model (a retrained
artifact), and a test fails while the shipped model has none.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

RATES_FILE = "held_out_rates.json"


@dataclass(frozen=True)
class HeldOutRates:
    model_version: str
    # population -> share of its human texts labelled AI or Hybrid, held out by source / genre
    by_source: dict[str, float]
    by_genre: dict[str, float]

    def rate(self, population: str | None) -> float:
        """Held out by source, for this population; the worst population's for one unmeasured."""
        return _rate_in(self.by_source, population)

    def genre_rate(self, population: str | None) -> float:
        """Held out by genre, the same way."""
        return _rate_in(self.by_genre, population)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HeldOutRates:
        return cls(
            model_version=str(data["model_version"]),
            by_source={k: float(v["labelled"]) for k, v in data["by_source"].items()},
            by_genre={k: float(v["labelled"]) for k, v in data["by_genre"].items()},
        )


def _rate_in(table: dict[str, float], population: str | None) -> float:
    if population is not None and population in table:
        return table[population]
    return max(table.values())


def load_held_out_rates(model_version: str) -> HeldOutRates | None:
    """The held-out rates measured on `model_version`; None when the file is missing or was
    measured on another model (a retrained artifact whose runs were not repeated): a response
    then quotes no held-out rate rather than another model's."""
    rates = _read_rates_file()
    return rates if rates is not None and rates.model_version == model_version else None


@lru_cache(maxsize=1)
def _read_rates_file() -> HeldOutRates | None:
    path = resources.files("aaie.engine.detection") / "artifacts" / RATES_FILE
    if not path.is_file():
        return None
    return HeldOutRates.from_json(json.loads(path.read_text(encoding="utf-8")))
