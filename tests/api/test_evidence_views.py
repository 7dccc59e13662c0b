"""#20 in what the web app and the reports read: the rubric text students are graded on, why a
criterion has no level (for the student too), a text the detector did not judge, and the human
population a false-positive rate was measured on, in a teacher's words."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from aaie.engine.detection import detector_card
from aaie.engine.detection.engine import POPULATION_WORDS
from aaie.engine.detection.held_out import load_held_out_rates
from tests.api.workflow_support import (
    assert_no_leak,
    engine_ready,  # noqa: F401 - fixture
    make_assignment,
    pdf_text,
    submit,
)
from tests.conftest import Account

pytestmark = pytest.mark.usefixtures("engine_ready")

RUBRIC = {
    "criteria": [
        {
            "name": "Counterargument",
            "description": "Answers the strongest objection to your view",
            "bands": {"Excellent": "Names and rebuts a serious objection", "Poor": "None"},
        },
        {"name": "Hand-drawn diagrams", "description": "Quality of the sketches in the margin"},
    ]
}
FRENCH = (
    "Les jardins communautaires sont une idée excellente pour nos villes. Ils permettent aux "
    "habitants de cultiver leurs propres légumes, de rencontrer leurs voisins et de "
    "comprendre d'où vient la nourriture. Dans mon quartier, un terrain vague plein de "
    "déchets est devenu un jardin où les enfants apprennent à planter des tomates. Les "
    "personnes âgées y viennent chaque matin et disent qu'elles se sentent moins seules. "
    "Bien sûr, certains pensent que ce terrain devrait servir à construire des logements, "
    "mais une ville a besoin d'espaces verts autant que de maisons. C'est pourquoi je pense "
    "que chaque ville devrait réserver des terrains publics pour des jardins partagés."
)


def _package(client: TestClient, sid: str, who: Account) -> dict[str, Any]:
    response = client.get(f"/api/submissions/{sid}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _summary(client: TestClient, aid: str, teacher: Account, sid: str) -> dict[str, Any]:
    table = client.get(f"/api/assignments/{aid}/roster", headers=teacher.headers).json()
    return next(
        r["submission"]
        for r in table["items"]
        if r["submission"] and r["submission"]["submissionId"] == sid
    )


def test_students_read_the_custom_rubric_they_are_graded_on(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    aid = make_assignment(client, accounts["teacher"].headers, params={"rubric": RUBRIC})
    student = client.get(f"/api/assignments/{aid}", headers=accounts["student"].headers)
    assert student.status_code == 200
    body = student.json()
    assert body["rubric_text"] == [
        {
            "name": "Counterargument",
            "description": "Answers the strongest objection to your view",
            "bands": {"Excellent": "Names and rebuts a serious objection", "Poor": "None"},
        },
        {
            "name": "Hand-drawn diagrams",
            "description": "Quality of the sketches in the margin",
            "bands": None,
        },
    ]
    # The rubric's words only: not the settings, not the scorer's check.
    assert not {"params", "rubric_check", "owner_id"} & set(body)
    assert_no_leak(body, "the assignment a student reads")
    builtin = make_assignment(client, accounts["teacher"].headers)
    names = client.get(f"/api/assignments/{builtin}", headers=accounts["student"].headers)
    assert [c["name"] for c in names.json()["rubric_text"]] == [
        "Structure", "Clarity", "Relevance", "AcademicWriting"
    ]  # fmt: skip


def test_the_rubric_check_names_the_blend_and_says_why_in_plain_words(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    body = {"title": "Gardens", "params": {"rubric": RUBRIC}}
    created = client.post("/api/assignments", json=body, headers=accounts["teacher"].headers)
    check = {c["name"]: c for c in created.json()["rubric_check"]}
    blend = check["Counterargument"]["scored_from"]
    assert check["Counterargument"]["scorable"] and blend
    assert set(blend) <= {"Structure", "Clarity", "Relevance", "AcademicWriting"}
    assert sum(blend.values()) == pytest.approx(1.0, abs=0.01)
    diagrams = check["Hand-drawn diagrams"]
    assert not diagrams["scorable"] and diagrams["scored_from"] == {}
    # The reason is words a teacher (and a student) reads; the numbers are kept apart.
    assert "drawings" in diagrams["how"] and "cannot see" in diagrams["how"]
    assert "similarity" not in diagrams["how"] and "similarity" in diagrams["detail"]


def test_a_criterion_without_a_level_says_why_to_the_student_and_the_teacher(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher, student = accounts["teacher"], accounts["student"]
    aid = make_assignment(client, teacher.headers, params={"rubric": RUBRIC})
    sid = submit(client, student.headers, aid)["submissionId"]
    mine = _package(client, sid, student)
    assert mine["evaluation"]["rubric"]["Hand-drawn diagrams"] is None
    why = mine["rubric_notes"]["Hand-drawn diagrams"]
    assert "cannot see" in why and mine["versions"][0]["rubric_notes"] == mine["rubric_notes"]
    assert "Counterargument" not in mine["rubric_notes"]  # it has a level
    assert_no_leak(mine, "the student's package")
    assert _summary(client, aid, teacher, sid)["rubric_notes"] == {"Hand-drawn diagrams": why}
    # The student's PDF says it too, not a bare dash.
    pdf = client.get(f"/api/submissions/{sid}/download?format=pdf", headers=student.headers)
    text = " ".join(pdf_text(pdf.content).split())
    assert "Not scored by AAIE" in text and "cannot see in the text of an essay" in text
    teacher_pdf = client.get(f"/api/submissions/{sid}/download?format=pdf", headers=teacher.headers)
    teacher_text = " ".join(pdf_text(teacher_pdf.content).split())
    assert teacher_text.count("cannot see in the text of an essay") == 1  # said once


def test_a_text_in_another_language_is_not_judged(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers, params={"future_scoring": True})
    sid = submit(client, teacher.headers, aid, text=FRENCH, student_id=str(accounts["student"].id))[
        "submissionId"
    ]
    details = _package(client, sid, teacher)["evaluation_details"]["classification"]
    assert details["unsupported_language"] and details["language"] == "fr"
    assert details["not_judged"] == (
        "Not judged: this text looks like French, and AAIE's detector is validated on English only."
    )
    assert _summary(client, aid, teacher, sid)["not_judged"] == details["not_judged"]
    pdf = client.get(f"/api/submissions/{sid}/download?format=pdf", headers=teacher.headers)
    text = " ".join(pdf_text(pdf.content).split())
    assert "Not judged" in text and "validated on English only" in text
    assert "AI score" not in text.split("Essay")[0]  # no score card as if it were a verdict


def test_the_false_positive_rate_names_its_population_in_a_teachers_words(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    teacher = accounts["teacher"]
    aid = make_assignment(client, teacher.headers, params={"future_scoring": True})
    sid = submit(client, teacher.headers, aid, student_id=str(accounts["student"].id))[
        "submissionId"
    ]
    details = _package(client, sid, teacher)["evaluation_details"]["classification"]
    assert details["fpr_population"] in POPULATION_WORDS
    assert details["fpr_population_words"] == POPULATION_WORDS[details["fpr_population"]]
    assert details["not_judged"] is None
    pdf = client.get(f"/api/submissions/{sid}/download?format=pdf", headers=teacher.headers)
    text = " ".join(pdf_text(pdf.content).split())
    assert f"of the {POPULATION_WORDS[details['fpr_population']]} we tested as AI" in text
    # ...and what the same writing from a source the detector never saw went through.
    rates = load_held_out_rates(detector_card()["version"])
    assert rates is not None
    held_out = rates.rate(details["fpr_population"])
    assert details["fpr_held_out"] == held_out
    assert f"From sources AAIE was not trained on, {100 * held_out:.1f}% of them" in text
