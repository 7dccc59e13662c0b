"""The student-habit rewrite used to train the detector (and to probe it in bench/detection.py)."""

from __future__ import annotations

from aaie.engine.detection.augment import student_rewrites, studentize
from aaie.engine.detection.data import Doc

AI_ESSAY = (
    "Furthermore, it is important to note that students do not always benefit from homework. "
    "However, I am convinced that a moderate amount, carefully designed, cannot be replaced. "
    "In conclusion, teachers should balance practice, rest, and the interests of students."
)


def _doc(split: str = "train", source: str = "outfox", label: str = "ai") -> Doc:
    return Doc(
        id=f"{source}-{split}-{label}",
        text=AI_ESSAY,
        label=label,
        source=source,
        generator="gpt-3.5-turbo-0613",
        group="ai",
        split=split,
        fold_key="p1",
        ai_spans=[(0, len(AI_ESSAY))],
    )


def test_rewrite_adds_student_habits_without_changing_the_content() -> None:
    out = studentize(AI_ESSAY, seed=3, strength=1.0)
    assert out != AI_ESSAY
    assert "don't" in out or "can't" in out or "I'm" in out or "it's" in out
    assert "Furthermore," not in out and "In conclusion," not in out
    assert len(out.split()) >= len(AI_ESSAY.split()) - 8  # contractions merge a few words
    assert studentize(AI_ESSAY, seed=3, strength=1.0) == out  # seeded: training is repeatable
    assert studentize(AI_ESSAY, seed=3, strength=0.0) == AI_ESSAY


def test_only_train_split_outfox_ai_essays_are_rewritten_and_keep_their_fold() -> None:
    docs = [_doc(), _doc(split="valid"), _doc(source="fastdetectgpt"), _doc(label="human")]
    out = student_rewrites(docs)
    assert len(out) == 1
    r = out[0]
    assert r.id == "outfox-train-ai-stu" and r.meta["augmented"] == "student_habits"
    assert (r.label, r.split, r.fold_key, r.source) == ("ai", "train", "p1", "outfox")
    assert r.ai_spans == [(0, len(r.text))]
