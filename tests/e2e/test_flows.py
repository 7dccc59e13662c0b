"""The web app walked as its users walk it, in a real browser against the real server.

A teacher creates an assignment and enrols two students from a CSV; a student signs in, pastes
an essay and a chat log whose AI answer they pasted into the essay, and submits; the teacher
opens the class table, sees the flag, opens the submission, sees the chat-overlap highlight
naming that turn, marks it reviewed with a note and downloads the PDF; the student sees
feedback only (the page and every API response they load are checked for teacher-only keys).
Also: a batch upload of five files with one bad file, and an expired session that loses
nothing typed. Every main page is checked with axe-core and photographed wide and narrow.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from playwright.sync_api import Page, expect

from aaie.services.visibility import TEACHER_ONLY_KEYS
from tests.api.workflow_support import ESSAY, essay_variant
from tests.e2e.conftest import (
    ADMIN,
    Server,
    Watched,
    check_accessibility,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.e2e

PROMPT = (
    "Should every town set aside public land for community gardens? Explain your view with "
    "reasons and examples."
)
AI_ANSWER = (
    "Community gardens transform neglected urban spaces into vibrant hubs of sustainability "
    "and social cohesion. By providing residents with access to fresh, locally grown produce, "
    "they address food insecurity while fostering a deeper connection to the natural world. "
    "Moreover, these shared spaces cultivate intergenerational relationships, empower "
    "marginalized communities, and offer invaluable educational opportunities in ecology and "
    "nutrition. Ultimately, investing in community gardens represents a holistic strategy for "
    "building healthier, more resilient, and more equitable neighbourhoods."
)
AMY_ESSAY = (
    "I think every town should keep some land for gardens. In my street there was an empty "
    "lot full of rubbish, and now it has raised beds where my neighbours grow beans.\n\n"
    f"{AI_ANSWER}\n\n"
    "My grandmother goes there every Saturday and she says she knows more people now than "
    "before. That is why I think gardens are worth the land."
)
CHAT = (
    "User: Can you write a paragraph about why community gardens are good for towns?\n"
    f"AI: {AI_ANSWER}\n"
    "User: thanks, that helps"
)
ROSTER = (
    "name,email\n"
    "Amy Archer,amy.archer@school.example.edu\n"
    "Ben Bright,ben.bright@school.example.edu\n"
)
TEACHER = ("lee.teacher@school.example.edu", "teacher-password-1")
AMY_PASSWORD = "amy-chose-this-one"
# Words that name teacher-only results; the student's pages must not show them.
LEAK_WORDS = ("classification", "ai score", "similarity", "highlight", "confidence", "hybrid")


def _change_password(page: Page, current: str, new: str, confirm: str | None = None) -> None:
    page.get_by_label("Current password").fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("New password again").fill(confirm if confirm is not None else new)
    page.get_by_role("button", name="Change password").click()


def _teacher_signs_in(open_browser: Callable[..., Watched], server: Server) -> Watched:
    server.account(*TEACHER, "teacher")
    teacher = open_browser()
    sign_in(teacher.page, *TEACHER)
    return teacher


def _create_assignment(page: Page, title: str) -> str:
    page.get_by_role("link", name="New assignment").first.click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Prompt id").fill("P001")
    page.locator("#prompt_text").fill(PROMPT)
    page.get_by_label("Similarity flag at (%)").fill("30")
    page.get_by_label(re.compile("Show me the AI score")).check()
    page.get_by_role("button", name="Create assignment").click()
    page.wait_for_url(re.compile(r"/app/assignments/[\w-]+/roster"))
    match = re.search(r"/app/assignments/([\w-]+)/roster", page.url)
    assert match
    return match.group(1)


def _enrol_csv(page: Page, tmp_path: Path, csv_text: str = ROSTER) -> dict[str, str]:
    roster = tmp_path / "roster.csv"
    roster.write_text(csv_text, encoding="utf-8")
    page.get_by_label("CSV file").set_input_files(str(roster))
    page.get_by_role("button", name="Upload roster").click()
    expect(page.locator(".created-accounts")).to_be_visible()
    passwords = {}
    for row in page.locator(".created-accounts tbody tr").all():
        email, password = (c.inner_text().strip() for c in row.locator("td").all())
        passwords[email] = password
    return passwords


def test_teacher_and_student_walk_the_main_flow(
    open_browser: Callable[..., Watched], server: Server, tmp_path: Path
) -> None:
    teacher = _teacher_signs_in(open_browser, server)
    tp = teacher.page
    expect(tp.get_by_role("heading", name="Assignments")).to_be_visible()

    # 1. The teacher creates an assignment (the form is a main page too).
    tp.get_by_role("link", name="New assignment").first.click()
    expect(tp.get_by_role("heading", name="New assignment")).to_be_visible()
    tp.get_by_label(re.compile("My own criteria")).check()
    expect(tp.get_by_label("Name").first).to_be_visible()
    check_accessibility(tp, "new assignment (custom rubric builder)")
    screenshot(tp, "teacher-new-assignment")
    tp.get_by_label(re.compile("Built-in")).check()
    tp.get_by_role("link", name="Assignments").first.click()
    aid = _create_assignment(tp, "Community gardens")

    # 2. ...and enrols two students from a CSV; new accounts come with temporary passwords.
    passwords = _enrol_csv(tp, tmp_path)
    assert set(passwords) == {"amy.archer@school.example.edu", "ben.bright@school.example.edu"}
    expect(tp.locator(".roster-table")).to_contain_text("Amy Archer")
    check_accessibility(tp, "roster")
    screenshot(tp, "teacher-roster")

    # 3. Amy signs in with the temporary password, must choose her own first, signs in with
    # it, pastes her essay and her chat log, and submits.
    amy = open_browser()
    ap = amy.page
    amy_email = "amy.archer@school.example.edu"
    sign_in(ap, amy_email, passwords[amy_email])
    expect(ap.get_by_role("heading", name="Change password")).to_be_visible()
    expect(ap.get_by_text("You signed in with a temporary password")).to_be_visible()
    _change_password(ap, passwords[amy_email], AMY_PASSWORD)
    ap.wait_for_url(re.compile(r"/app/login\?changed=1"))
    sign_in(ap, amy_email, AMY_PASSWORD)
    expect(ap.get_by_role("heading", name="My assignments")).to_be_visible()
    expect(ap.get_by_text("Not submitted yet")).to_be_visible()
    check_accessibility(ap, "student home")
    screenshot(ap, "student-assignments")
    ap.get_by_role("link", name="Community gardens").click()
    ap.get_by_label(re.compile("^Your essay")).fill(AMY_ESSAY)
    ap.get_by_text("Did you use an AI chat").click()
    ap.get_by_label(re.compile("^Chat log")).fill(CHAT)
    check_accessibility(ap, "student submit form")
    screenshot(ap, "student-submit")
    ap.get_by_role("button", name="Submit", exact=True).click()
    ap.wait_for_url(re.compile(r"/app/submissions/[\w-]+"))
    expect(ap.locator(".feedback")).to_contain_text("What works", timeout=90_000)
    sid = re.search(r"/app/submissions/([\w-]+)", ap.url).group(1)  # type: ignore[union-attr]

    # 4. The teacher's class table shows the flag; Ben has not submitted.
    tp.goto(f"/app/assignments/{aid}")
    table = tp.locator(".class-table")
    amy_row = table.locator("tr", has_text="Amy Archer")
    expect(amy_row).to_contain_text("Flagged")
    expect(amy_row.locator(".badge.Hybrid, .badge.AI")).to_have_count(1)
    expect(table.locator("tr", has_text="Ben Bright")).to_contain_text("Not yet submitted")
    tp.get_by_label("Show").select_option("flagged")
    expect(table.locator("tbody tr")).to_have_count(1)
    tp.get_by_label("Show").select_option("all")
    tp.get_by_label("Search").fill("ben")
    expect(table.locator("tbody tr")).to_have_count(1)
    tp.get_by_label("Search").fill("")
    tp.get_by_role("button", name=re.compile("^Student")).click()  # sort descending
    expect(table.locator("tbody tr").first).to_contain_text("Ben Bright")
    expect(tp.locator(".chart svg").first).to_be_visible()
    check_accessibility(tp, "class table")
    screenshot(tp, "teacher-class-table")

    # 5. The submission: the chat-overlap highlight names its turn, shown side by side.
    amy_row = table.locator("tr", has_text="Amy Archer")
    amy_row.get_by_role("link").click()
    tp.wait_for_url(f"**/app/submissions/{sid}")
    mark = tp.locator("mark.hl-chat_overlap").first
    expect(mark).to_contain_text("Community gardens transform")
    expect(mark).to_have_attribute("title", re.compile("AI turn 2 of the chat log"))
    mark.focus()
    expect(tp.locator("#chat-turn-1")).to_have_class(re.compile("active"))
    expect(tp.locator("#chat-turn-1")).to_contain_text("used in the essay")
    expect(tp.locator(".legend-row")).to_contain_text("From the student's AI chat")
    expect(tp.locator(".fpr")).to_contain_text(re.compile(r"[\d.]+ % of the human .+ we tested"))
    expect(tp.locator(".rubric-evidence")).to_contain_text("Structure")
    student_feedback = ap.locator(".feedback").inner_text()
    expect(tp.locator(".feedback")).to_have_text(student_feedback)
    check_accessibility(tp, "submission view")
    screenshot(tp, "teacher-submission")

    # ...marks it reviewed with a note...
    tp.get_by_label(re.compile("^Note")).fill("Talked with Amy about the pasted paragraph.")
    tp.get_by_role("button", name="Reviewed").click()
    expect(tp.get_by_text('Marked "Reviewed".')).to_be_visible()
    # ...grades it...
    tp.get_by_label("Structure").select_option("Good")
    tp.get_by_role("button", name="Save grades").click()
    expect(tp.get_by_text("Your grades are saved")).to_be_visible()
    # ...and downloads the PDF, named after the student and the assignment.
    with tp.expect_download() as download_info:
        tp.get_by_role("link", name="Download PDF report").click()
    download = download_info.value
    assert download.suggested_filename == "amy-archer-community-gardens-v1.pdf"
    assert (Path(download.path()).read_bytes()[:5]) == b"%PDF-"
    tp.goto(f"/app/assignments/{aid}")
    expect(tp.locator(".class-table tr", has_text="Amy Archer")).to_contain_text("Reviewed")

    # 6. Amy sees her feedback and the public rubric only: not in the page, not in any JSON.
    ap.goto(f"/app/submissions/{sid}")
    expect(ap.locator(".feedback")).to_contain_text("What works")
    expect(ap.locator(".rubric-labels")).to_contain_text("Structure")
    text = ap.locator("body").inner_text().lower()
    html = ap.content().lower()
    assert not [w for w in LEAK_WORDS if w in text], text
    assert "talked with amy" not in html and "reviewed" not in text
    assert not teacher_only_in_html(html)
    assert amy.responses, "the student's pages loaded no API data?"
    assert not amy.leaks(), amy.leaks()
    check_accessibility(ap, "student submission")
    screenshot(ap, "student-submission")
    # Her own PDF is the student version, named after her and the assignment too.
    pdf = amy.context.request.get(f"/api/submissions/{sid}/download?format=pdf")
    assert pdf.ok
    assert "amy-archer-community-gardens-v1.pdf" in pdf.headers["content-disposition"]

    # 7. Amy revises her essay: v2, and the teacher sees what changed.
    essay = ap.get_by_label(re.compile("^Your essay"))
    expect(essay).to_have_value(AMY_ESSAY)
    essay.fill(AMY_ESSAY.replace(AI_ANSWER, "Gardens also teach children where food comes from."))
    ap.get_by_role("button", name="Submit", exact=True).click()
    expect(ap.get_by_text("version v2 was received")).to_be_visible(timeout=90_000)
    expect(ap.locator(".feedback")).to_contain_text("What works", timeout=90_000)
    assert not amy.leaks(), amy.leaks()
    tp.goto(f"/app/submissions/{sid}")
    diff = tp.locator(".diff")
    expect(diff.locator("ins").first).to_contain_text("teach children")
    expect(diff.locator("del").first).to_contain_text("Community gardens transform")
    expect(tp.locator("mark.hl-chat_overlap")).to_have_count(0)
    tp.locator("#version").select_option("v1")
    expect(tp.locator("mark.hl-chat_overlap").first).to_be_visible()

    # 8. My students lists both, with their assignment.
    tp.get_by_role("link", name="Students").click()
    expect(tp.locator(".students-table")).to_contain_text("ben.bright@school.example.edu")
    check_accessibility(tp, "students")
    screenshot(tp, "teacher-students")
    # Ben lost his temporary password: the teacher who enrolled him gives him a new one.
    ben_row = tp.locator(".students-table tr", has_text="ben.bright@school.example.edu")
    tp.once("dialog", lambda dialog: dialog.accept())
    ben_row.get_by_role("button", name=re.compile("^Reset password")).click()
    shown = tp.get_by_role("status").filter(has_text="New temporary password")
    expect(shown).to_contain_text("ben.bright@school.example.edu")
    ben_password = shown.locator("code").inner_text()
    assert ben_password != passwords["ben.bright@school.example.edu"]
    assert server.token("ben.bright@school.example.edu", ben_password)
    check_accessibility(tp, "students after a password reset")
    tp.goto("/app")
    expect(tp.get_by_role("link", name="Community gardens")).to_be_visible()
    screenshot(tp, "teacher-assignments")

    assert not teacher.console_errors, teacher.console_errors
    assert not amy.console_errors, amy.console_errors


def teacher_only_in_html(html: str) -> list[str]:
    """Teacher-only JSON keys spelled as keys (`"label":`) in the page's HTML."""
    return [k for k in TEACHER_ONLY_KEYS if f'"{k}":' in html]


def test_batch_upload_of_five_files_with_one_bad(
    open_browser: Callable[..., Watched], server: Server, tmp_path: Path
) -> None:
    server.account("batch.teacher@school.example.edu", "teacher-password-2", "teacher")
    teacher = open_browser()
    tp = teacher.page
    sign_in(tp, "batch.teacher@school.example.edu", "teacher-password-2")
    aid = _create_assignment(tp, "Gardens batch")
    names = ["Cara Cole", "Dan Dale", "Eve East", "Finn Ford", "Gus Gray"]
    emails = [n.lower().replace(" ", ".") + "@school.example.edu" for n in names]
    roster = "name,email\n" + "".join(f"{n},{e}\n" for n, e in zip(names, emails, strict=True))
    _enrol_csv(tp, tmp_path, roster)
    files = []
    for i, stem in enumerate(("cara.cole", "eve.east")):  # matched by the e-mail's local part
        path = tmp_path / f"{stem}.txt"
        path.write_text(essay_variant(i), encoding="utf-8")
        files.append(path)
    files.append(tmp_path / "Finn Ford essay.md")  # matched by the name
    files[-1].write_text(ESSAY, encoding="utf-8")
    files.append(tmp_path / "gus.gray@school.example.edu.docx")  # by the whole e-mail
    document = docx.Document()
    for paragraph in essay_variant(3).split("\n\n"):
        document.add_paragraph(paragraph)
    document.save(str(files[-1]))
    files.append(tmp_path / "dan.dale.pdf")  # not a PDF at all: refused on its own row
    files[-1].write_bytes(b"this is not a pdf at all, only text pretending")
    # Two of them travel in a zip (deflated), the rest as loose files.
    bundle = tmp_path / "essays.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files[:2]:
            archive.write(path, f"class-7b/{path.name}")
    files = [bundle, *files[2:]]

    tp.goto(f"/app/assignments/{aid}/batch")
    check_accessibility(tp, "batch upload")
    tp.locator("#batch-files").set_input_files([str(f) for f in files])
    expect(tp.get_by_text("5 of 5 files done")).to_be_visible(timeout=180_000)
    rows = tp.locator(".batch-table tbody tr")
    expect(rows).to_have_count(5)
    expect(tp.locator(".batch-table tr.batch-done")).to_have_count(4)
    bad_row = tp.locator(".batch-table tr", has_text="dan.dale.pdf")
    expect(bad_row).to_contain_text("Not submitted")
    screenshot(tp, "teacher-batch-upload")
    tp.goto(f"/app/assignments/{aid}")
    expect(tp.locator(".class-table tr", has_text="Finn Ford")).to_contain_text("v1")
    expect(tp.locator(".class-table tr", has_text="Dan Dale")).to_contain_text("Not yet submitted")
    assert not teacher.console_errors, teacher.console_errors


def test_an_expired_session_while_typing_loses_nothing(
    open_browser: Callable[..., Watched], server: Server, tmp_path: Path
) -> None:
    server.account("kim.teacher@school.example.edu", "teacher-password-3", "teacher")
    token = server.token("kim.teacher@school.example.edu", "teacher-password-3")
    made = server.api(
        "POST", "/api/assignments", token, json={"title": "Draft safety", "prompt_text": PROMPT}
    )
    aid = made.json()["assignmentId"]
    server.account("gil.student@school.example.edu", "student-password-1", "student")
    student = open_browser()
    sp = student.page
    sign_in(sp, "gil.student@school.example.edu", "student-password-1")
    sp.goto(f"/app/assignments/{aid}")
    sp.get_by_label(re.compile("^Your essay")).fill(ESSAY)
    # The session expires while the student is still typing.
    student.context.clear_cookies()
    sp.get_by_role("button", name="Submit", exact=True).click()
    sp.wait_for_url(re.compile(r"/app/login\?expired=1"))
    expect(sp.get_by_text("Your session ended")).to_be_visible()
    sp.get_by_label("E-mail").fill("gil.student@school.example.edu")
    sp.get_by_label("Password").fill("student-password-1")
    sp.get_by_role("button", name="Sign in").click()
    sp.wait_for_url(f"**/app/assignments/{aid}")
    expect(sp.locator("#draft-restored")).to_be_visible()
    expect(sp.get_by_label(re.compile("^Your essay"))).to_have_value(ESSAY)
    sp.get_by_role("button", name="Submit", exact=True).click()
    expect(sp.locator(".feedback")).to_contain_text("What works", timeout=90_000)
    assert not student.leaks(), student.leaks()


def test_admin_creates_a_teacher_on_the_people_page(
    open_browser: Callable[..., Watched], server: Server
) -> None:
    admin = open_browser()
    page = admin.page
    sign_in(page, *ADMIN)
    page.get_by_role("link", name="People").click()
    page.get_by_label("E-mail").fill("new.teacher@school.example.edu")
    page.get_by_label("Role", exact=True).select_option("teacher")
    page.get_by_role("button", name="Create account").click()
    created = page.get_by_role("status").filter(has_text="Created teacher")
    expect(created).to_be_visible()
    password = created.locator("code").inner_text()
    expect(page.locator(".people-table")).to_contain_text("new.teacher@school.example.edu")
    check_accessibility(page, "people")
    screenshot(page, "admin-people")
    assert server.token("new.teacher@school.example.edu", password)

    # The teacher forgot it: the admin resets it; the new temporary password is shown once.
    row = page.locator(".people-table tr", has_text="new.teacher@school.example.edu")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^Reset password")).click()
    shown = page.get_by_role("status").filter(has_text="New temporary password")
    expect(shown).to_contain_text("new.teacher@school.example.edu")
    temporary = shown.locator("code").inner_text()
    assert temporary != password
    expect(row).to_contain_text("temporary password")
    check_accessibility(page, "people after a reset")
    assert not admin.console_errors, admin.console_errors

    # The teacher signs in with it and is asked for a password of their own, nothing else.
    teacher = open_browser()
    tp = teacher.page
    sign_in(tp, "new.teacher@school.example.edu", temporary, path="/app/students")
    expect(tp.get_by_role("heading", name="Change password")).to_be_visible()
    check_accessibility(tp, "forced password change")
    screenshot(tp, "change-password-temporary")
    _change_password(tp, temporary, "my-own-teacher-password")
    tp.wait_for_url(re.compile(r"/app/login\?changed=1"))
    sign_in(tp, "new.teacher@school.example.edu", "my-own-teacher-password")
    expect(tp.get_by_role("heading", name="Assignments")).to_be_visible()
    expect(tp.get_by_text("Loading…")).to_have_count(0)  # its API calls are done
    assert not teacher.console_errors, teacher.console_errors


def test_anyone_changes_their_password_from_the_header(
    open_browser: Callable[..., Watched], server: Server
) -> None:
    email, old, new = "pat.student@school.example.edu", "student-password-9", "pat-new-password-9"
    server.account(email, old, "student")
    student = open_browser()
    page = student.page
    sign_in(page, email, old)
    page.get_by_role("link", name="Change password").click()
    expect(page.get_by_role("heading", name="Change password")).to_be_visible()
    check_accessibility(page, "change password")
    screenshot(page, "change-password")

    # A confirmation that differs is caught before anything is sent.
    _change_password(page, old, new, confirm=new + "x")
    expect(page.get_by_role("alert")).to_have_text("The new password and its confirmation differ.")
    # A wrong current password says so and keeps the session (not sent to sign in).
    _change_password(page, "not-my-password-1", new)
    expect(page.get_by_role("alert")).to_have_text("The current password is incorrect.")
    assert "/app/password" in page.url
    check_accessibility(page, "change password with an error")

    _change_password(page, old, new)
    page.wait_for_url(re.compile(r"/app/login\?changed=1"))
    expect(page.get_by_role("status")).to_contain_text("Your password was changed")
    check_accessibility(page, "signed out after a password change")
    # The old password fails; the new one signs in.
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(old)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Email or password is incorrect.")
    sign_in(page, email, new)
    expect(page.get_by_role("heading", name="My assignments")).to_be_visible()
    expect(page.get_by_text("Loading…")).to_have_count(0)  # its API calls are done
    assert not student.console_errors, student.console_errors
