"""The detector's answers in a teacher's words: which human texts a false-positive rate was
measured on, and why a text was not judged. One place for the web app (through the API), the
PDF report and `aaie evaluate --html`. (Apart from `explain`, which the detector imports.)"""

from __future__ import annotations


def population_words(population: str | None) -> str:
    """The human texts a false-positive rate was measured on, in a teacher's words
    ("human academic and technical texts ..."): the detector's own names, one place."""
    from aaie.engine.detection.engine import population_words as detector_words

    return detector_words(population)


def not_judged(
    *, unsupported_language: bool, language: str | None, insufficient_text: bool, word_count: int
) -> str | None:
    """Why the detector did not judge a text, in plain words (None when it did): another
    language than English, or too little text. Its label is then a default, not a verdict."""
    from aaie.engine.detection import MIN_SENTENCES, MIN_WORDS
    from aaie.engine.language import LANGUAGE_NAMES

    if unsupported_language:
        name = LANGUAGE_NAMES.get(language or "")
        looks = f"looks like {name}" if name else f"does not look like English ({language})"
        return f"Not judged: this text {looks}, and AAIE's detector is validated on English only."
    if insufficient_text:
        unit = "word" if word_count == 1 else "words"
        return (
            f"Not judged: the text is too short for AAIE's detector ({word_count} {unit}; it "
            f"needs at least {MIN_WORDS} words in {MIN_SENTENCES} sentences)."
        )
    return None
