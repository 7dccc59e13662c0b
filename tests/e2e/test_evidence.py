"""#20 in the browser: a teacher saves a custom rubric and is told, right there, which criteria
AAIE scores (from which built-in ones) and which it cannot, and why; a student reads the
criteria's descriptions and band descriptors and, for a criterion with no level, why; a text in
another language is "not judged", with no verdict and no AI score; the false-positive rate
names the human texts it was measured on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import expect

from tests.api.test_evidence_views import FRENCH
from tests.api.workflow_support import ESSAY
from tests.e2e.conftest import Server, Watched, check_accessibility, screenshot, sign_in
from tests.e2e.test_flows import LEAK_WORDS, PROMPT, teacher_only_in_html

pytestmark = pytest.mark.e2e

TEACHER = ("rae.teacher@school.example.edu", "teacher-password-9")
SAM = ("sam.student@school.example.edu", "student-password-9")
FLO = ("flo.student@school.example.edu", "student-password-8")
NOT_JUDGED = (
    "Not judged: this text looks like French, and AAIE's detector is validated on English only."
)


def test_custom_rubric_check_reasons_and_a_text_not_judged(
    open_browser: Callable[..., Watched], server: Server
) -> None:
    server.account(*TEACHER, "teacher")
    server.account(*SAM, "student")
    server.account(*FLO, "student")
    teacher = open_browser()
    tp = teacher.page
    sign_in(tp, *TEACHER)

    # 1. The teacher writes a rubric with a criterion AAIE can score and one it cannot.
    tp.get_by_role("link", name="New assignment").first.click()
    tp.get_by_label("Title").fill("Gardens, my rubric")
    tp.locator("#prompt_text").fill(PROMPT)
    tp.get_by_label(re.compile("Show me the AI score")).check()
    tp.get_by_label(re.compile("My own criteria")).check()
    # Choosing the rubric kind re-renders the form: what was typed and ticked stays.
    expect(tp.get_by_label("Title")).to_have_value("Gardens, my rubric")
    expect(tp.get_by_label(re.compile("Show me the AI score"))).to_be_checked()
    tp.locator("#crit-name-0").fill("Counterargument")
    tp.locator("#crit-desc-0").fill("Answers the strongest objection to your view")
    tp.locator("#crit-0-Excellent").fill("Names and rebuts a serious objection")
    tp.get_by_role("button", name="Add a criterion").click()
    tp.locator("#crit-name-1").fill("Hand-drawn diagrams")
    tp.locator("#crit-desc-1").fill("Quality of the sketches in the margin")
    tp.get_by_role("button", name="Create assignment").click()

    # ...and is told right there how each criterion will be scored, or why it cannot be.
    tp.wait_for_url(re.compile(r"/app/assignments/[\w-]+/edit\?new=1"))
    aid = re.search(r"/app/assignments/([\w-]+)/edit", tp.url).group(1)  # type: ignore[union-attr]
    check = tp.locator(".rubric-check-panel")
    counter = check.locator("li", has_text="Counterargument")
    expect(counter).to_contain_text(re.compile(r"from the closest built-in criteria: \w+ \d+ %"))
    diagrams = check.locator("li", has_text="Hand-drawn diagrams")
    expect(diagrams).to_contain_text("Not scored by AAIE: 'Hand-drawn diagrams' is about drawings")
    expect(diagrams).to_contain_text("cannot see in the text of an essay")
    expect(check).to_contain_text("1 of 2 criteria")
    expect(check.get_by_role("link", name="enrol students")).to_be_visible()
    check_accessibility(tp, "rubric check after saving")
    screenshot(tp, "teacher-rubric-check")

    # 2. Sam reads the criteria as the teacher wrote them, submits, and sees why one has no level.
    sam = open_browser()
    sp = sam.page
    sign_in(sp, *SAM)
    sp.get_by_role("link", name="Gardens, my rubric").click()
    rubric = sp.locator(".public-rubric")
    expect(rubric).to_contain_text("Counterargument: Answers the strongest objection to your view")
    expect(rubric).to_contain_text("Names and rebuts a serious objection")
    expect(rubric).to_contain_text("Hand-drawn diagrams: Quality of the sketches in the margin")
    check_accessibility(sp, "student assignment with a custom rubric")
    screenshot(sp, "student-assignment-custom-rubric")
    sp.get_by_label(re.compile("^Your essay")).fill(ESSAY)
    sp.get_by_role("button", name="Submit", exact=True).click()
    sp.wait_for_url(re.compile(r"/app/submissions/[\w-]+"))
    expect(sp.locator(".feedback")).to_contain_text("What works", timeout=90_000)
    labels = sp.locator(".rubric-labels")
    unscored = labels.locator("tr", has_text="Hand-drawn diagrams")
    expect(unscored).to_contain_text("Not scored by AAIE:")
    expect(unscored).to_contain_text("cannot see in the text of an essay")
    expect(labels.locator("tr", has_text="Counterargument")).to_contain_text(
        "Answers the strongest objection"
    )
    text = sp.locator("body").inner_text().lower()
    assert not [w for w in LEAK_WORDS if w in text], text
    assert not teacher_only_in_html(sp.content().lower())
    assert not sam.leaks(), sam.leaks()
    check_accessibility(sp, "student submission with a custom rubric")
    screenshot(sp, "student-submission-custom-rubric")
    sam_sid = re.search(r"/app/submissions/([\w-]+)", sp.url).group(1)  # type: ignore[union-attr]

    # 3. Flo hands in a French text (through the API: the page is the same as Sam's).
    flo = server.token(*FLO)
    sent = server.api("POST", f"/api/assignments/{aid}/submit", flo, json={"text": FRENCH})
    assert sent.status_code == 200, sent.text
    flo_sid = sent.json()["submissionId"]

    # 4. The class table: Flo's text is not judged; Sam's unscored criterion says so.
    tp.goto(f"/app/assignments/{aid}")
    table = tp.locator(".class-table")
    flo_row = table.locator("tr", has_text=FLO[0])
    expect(flo_row.locator(".badge.not-judged")).to_have_text("Not judged")
    expect(flo_row.locator(".badge.Human, .badge.AI, .badge.Hybrid")).to_have_count(0)
    expect(flo_row.locator("td[data-label='AI score']")).to_have_text("—")
    expect(tp.locator(".chart", has_text="Rubric levels")).to_contain_text("not scored by AAIE")
    sam_row = table.locator("tr", has_text=SAM[0])
    expect(sam_row.locator(".badge.not-scored")).to_contain_text("not scored")
    check_accessibility(tp, "class table with a custom rubric")
    screenshot(tp, "teacher-class-table-custom-rubric")

    # 5. Flo's submission: no verdict, no AI score, the plain reason.
    tp.goto(f"/app/submissions/{flo_sid}")
    verdict = tp.locator(".verdict-card")
    expect(verdict.locator(".verdict")).to_have_text(NOT_JUDGED)
    expect(verdict.locator(".badge")).to_have_count(0)  # no Human / AI / Hybrid
    expect(verdict).not_to_contain_text("AI score")
    expect(verdict.locator(".fpr")).to_have_count(0)
    expect(verdict.locator(".fpr-held-out")).to_have_count(0)
    # Nor bands or English advice: the scorer and the feedback say, once each, why not.
    expect(tp.locator("body")).to_contain_text(
        "Not scored by AAIE: this text reads as French, and AAIE's built-in scorer"
    )
    expect(tp.locator("body")).not_to_contain_text("Check the spelling")
    check_accessibility(tp, "submission not judged")
    screenshot(tp, "teacher-submission-not-judged")

    # 6. Sam's submission: the rate names its population; the reason is said once.
    teacher_token = server.token(*TEACHER)
    package = server.api("GET", f"/api/submissions/{sam_sid}", teacher_token).json()
    words = package["evaluation_details"]["classification"]["fpr_population_words"]
    tp.goto(f"/app/submissions/{sam_sid}")
    expect(tp.locator(".fpr")).to_contain_text(
        re.compile(rf"At this threshold \(\d+\.\d+\), [\d.]+ % of the {re.escape(words)} we tested")
    )
    # The threshold the verdict states is the one the label used (to one decimal, as the reasons
    # say it), not a rounded-up integer that a score between the two would contradict.
    shown = re.search(r"threshold \(([\d.]+)\)", tp.locator(".fpr").inner_text())
    threshold = package["evaluation_details"]["classification"]["threshold"]
    assert shown is not None and abs(float(shown.group(1)) - threshold) <= 0.05 + 1e-9
    # ...and the score beside it falls on the side of it that the real score does.
    verdict_text = tp.locator(".verdict-card").inner_text()
    shown_score = re.search(r"AI score ([\d.]+) out of 100", verdict_text)
    score = package["evaluation"]["ai_score"]["ai_score"]
    assert shown_score is not None and "." in shown_score.group(1)
    assert (float(shown_score.group(1)) >= float(shown.group(1))) == (score >= threshold)
    held_out = package["evaluation_details"]["classification"]["fpr_held_out"]
    expect(tp.locator(".fpr-held-out")).to_contain_text(
        f"From sources AAIE was not trained on, {100 * held_out:.1f} % of the {words} were"
    )
    evidence = tp.locator(".rubric-evidence")
    expect(evidence.locator(".criterion-evidence", has_text="Counterargument")).to_contain_text(
        "confidence"
    )
    expect(evidence.get_by_text("cannot see in the text of an essay")).to_have_count(1)
    assert not teacher.console_errors, teacher.console_errors
    assert not sam.console_errors, sam.console_errors
