"""Result and input types of rubric scoring (serialised by the API as-is)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Label = Literal["Excellent", "Good", "Fair", "Poor"]
LABELS: tuple[Label, ...] = ("Excellent", "Good", "Fair", "Poor")
BASE_CRITERIA: tuple[str, ...] = ("Structure", "Clarity", "Relevance", "AcademicWriting")

# Band cut-offs on the 0-1 scale (shared/data/README.md): >=0.75 Excellent, >=0.5 Good, >=0.25 Fair.
BAND_CUTOFFS: tuple[tuple[float, Label], ...] = ((0.75, "Excellent"), (0.5, "Good"), (0.25, "Fair"))
# Where a label alone is known (e.g. from an LLM), its score is the middle of its band.
BAND_MIDPOINTS: dict[Label, float] = {
    "Excellent": 0.875,
    "Good": 0.625,
    "Fair": 0.375,
    "Poor": 0.125,
}


def label_for(score: float) -> Label:
    """Band label of a 0-1 score."""
    for cutoff, label in BAND_CUTOFFS:
        if score >= cutoff:
            return label
    return "Poor"


class CriterionResult(BaseModel):
    """One criterion's verdict. `score`/`label` are None when the criterion is not scorable."""

    name: str
    label: Label | None
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    evidence: list[str] = Field(default_factory=list)
    scorable: bool = True
    maps_to: str | None = None
    # Rough 0-1 confidence of the built-in scorer (lower without a prompt for Relevance).
    confidence: float | None = None
    reason: str | None = None


class AppliedCalibration(BaseModel):
    """Set when the scores were moved onto the teacher's scale (`rubric.calibration`)."""

    graded_essays: int
    # The built-in scores before the move, by criterion name and `overall` (what later
    # calibrations are fitted on).
    raw_scores: dict[str, float]


class RubricResult(BaseModel):
    criteria: list[CriterionResult]
    overall_score: float | None = Field(default=None, ge=0.0, le=1.0)
    overall_label: Label | None = None
    compact: dict[str, Label | None] = Field(default_factory=dict)
    engine: str = "builtin"
    fallback_reason: str | None = None
    notes: list[str] = Field(default_factory=list)
    calibration: AppliedCalibration | None = None

    def criterion(self, name: str) -> CriterionResult | None:
        return next((c for c in self.criteria if c.name == name), None)


class RubricCriterionSpec(BaseModel):
    """A teacher-defined criterion: a name, what it means and (optionally) band descriptors."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=2000)
    bands: dict[Label, str] | None = None

    @field_validator("name")
    @classmethod
    def _strip_name(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("criterion name must not be blank")
        return value


class RubricSpec(BaseModel):
    """A custom rubric (an assignment's params): 1-12 uniquely named criteria."""

    model_config = ConfigDict(extra="forbid")

    criteria: list[RubricCriterionSpec] = Field(min_length=1, max_length=12)

    @model_validator(mode="after")
    def _unique_names(self) -> RubricSpec:
        names = [c.name.lower() for c in self.criteria]
        if len(set(names)) != len(names):
            raise ValueError("criterion names must be unique")
        return self


def parse_rubric(rubric: RubricSpec | dict | list | None) -> RubricSpec | None:
    """Accept a rubric as a RubricSpec, a dict `{"criteria": [...]}` or a bare criteria list.

    Raises pydantic.ValidationError (a ValueError) for a malformed rubric; the API maps it to 422.
    """
    if rubric is None or isinstance(rubric, RubricSpec):
        return rubric
    if isinstance(rubric, list):
        rubric = {"criteria": rubric}
    return RubricSpec.model_validate(rubric)
