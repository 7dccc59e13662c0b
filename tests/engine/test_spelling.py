"""Any standard English: British, Canadian, Australian spellings are never misspellings (#20)."""

from __future__ import annotations

import pytest

from aaie.engine.analysis import TextAnalysis
from aaie.engine.feedback import generate_feedback
from aaie.engine.rubric.features import essay_facts
from aaie.engine.spelling import in_variety, is_misspelled, variety


@pytest.mark.parametrize(
    "word",
    ["neighbours", "organiser", "transformative", "colour", "behaviour", "analysed", "centre",
     "programme", "defence", "favourite", "aluminium", "kerb", "cheque", "jewellery",
     "sceptical", "manoeuvre", "recognise", "color", "organize", "neighborhoods"],
)  # fmt: skip
def test_standard_variants_are_not_misspelled(word: str) -> None:
    assert not is_misspelled(word)


@pytest.mark.parametrize("word", ["definately", "recieve", "becuase", "untill", "thier", "wich"])
def test_real_misspellings_are_still_found(word: str) -> None:
    assert is_misspelled(word)


BRITISH = (
    "Our neighbours organised a transformative festival in the town centre last summer. "
    "The organiser chose a colour scheme for every street, and the behaviour of the crowd was "
    "excellent. Many people realised that their favourite shops were part of the programme. "
    "I think the neighbourhood should organise it again because it brought people together."
)


def test_british_essay_has_no_spelling_problems() -> None:
    facts = essay_facts(TextAnalysis(BRITISH), None)
    assert facts.misspelled == []


def test_variety_and_feedback_follow_the_student() -> None:
    assert variety(BRITISH) == "GB"
    us = (
        "Our neighbors organized a festival in the town center last summer. The organizer "
        "chose a color scheme for every street, and the behavior of the crowd was excellent. "
        "Many people realized that their favorite shops were part of the program. I think the "
        "neighborhood should organize it again because it brought people together."
    )
    assert variety(us) == "US"
    assert in_variety('You organise "the colour"', "US") == 'You organize "the colour"'
    assert in_variety("You organise", "GB") == "You organise"
    two_paragraphs = us.replace(" Many people", "\n\nHowever, many people")
    fb = generate_feedback(two_paragraphs)
    assert "You organize your essay" in fb.text
    fb_gb = generate_feedback(BRITISH.replace(" Many people", "\n\nHowever, many people"))
    assert "You organise your essay" in fb_gb.text
    assert "Check the spelling" not in fb_gb.text
