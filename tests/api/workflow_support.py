"""Shared helpers for the assignment/submission/visibility tests (not a test module)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient

from aaie.engine.pipeline import evaluate_all
from aaie.services.visibility import find_teacher_only

PROMPT = (
    "Should every town set aside public land for community gardens? Explain your view "
    "with reasons and examples."
)
# Written for these tests; it avoids the words the leak checks look for.
ESSAY = (
    "Every town should set aside public land for community gardens, because gardens feed "
    "people, teach skills and bring neighbours together. In my own street, an empty lot was "
    "turned into twenty raised beds three years ago. Before that, the lot collected rubbish "
    "and nobody walked past it after dark.\n\n"
    "First, gardens improve what families eat. A small bed can grow beans, tomatoes and "
    "lettuce for a whole summer, and children who grow vegetables are more willing to eat "
    "them. Fresh food is expensive in many shops, so a garden saves money as well.\n\n"
    "Second, gardens teach practical skills. Volunteers show newcomers how to compost, how "
    "to save seeds and how to share water during a dry month. These are lessons that school "
    "rarely has time for, and they stay with people for life.\n\n"
    "Finally, gardens build trust between neighbours. Older residents who live alone meet "
    "young families, and people who never spoke now swap recipes and tools. Some critics say "
    "the land would be better used for parking or housing. However, a garden costs very "
    "little, and it can be moved later if the town truly needs the space.\n\n"
    "In conclusion, community gardens are a cheap and lasting way to make a town healthier "
    "and friendlier, so every council should reserve land for them."
)
ESSAY_V2 = ESSAY.replace("twenty raised beds", "thirty raised beds").replace(
    "In conclusion,", "To sum up,"
)


def essay_variant(i: int) -> str:
    """Different essays (and so different built-in scores) made from ESSAY's paragraphs."""
    paragraphs = ESSAY.split("\n\n")
    kept = paragraphs[: 2 + i % (len(paragraphs) - 1)]
    return "\n\n".join(kept[::-1] if i % 2 else kept)


LEAK_WORDS = (
    "classification",
    "ai score",
    "ai_score",
    "similarity",
    "highlight",
    "confidence",
    "hybrid",
)


@pytest.fixture(scope="session")
def engine_ready() -> None:
    """The real engine, its models loaded once. A broken stage fails every test that uses it:
    never a skip, so an engine regression cannot leave the privacy matrix green."""
    evaluation = evaluate_all(ESSAY, PROMPT, use_cache=False)
    assert not evaluation.errors, f"engine stages failed: {evaluation.errors}"


def make_assignment(client: TestClient, headers: dict[str, str], **fields: Any) -> str:
    body = {"title": "Community gardens", "prompt_id": "P001", "prompt_text": PROMPT, **fields}
    response = client.post("/api/assignments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["assignmentId"])


def submit(
    client: TestClient,
    headers: dict[str, str],
    assignment_id: str,
    expected: int = 200,
    **fields: Any,
) -> dict[str, Any]:
    body = {"text": ESSAY, **fields}
    response = client.post(f"/api/assignments/{assignment_id}/submit", json=body, headers=headers)
    assert response.status_code == expected, response.text
    return dict(response.json())


def assert_no_leak(value: Any, where: str) -> None:
    leaks = find_teacher_only(value)
    assert not leaks, f"teacher-only fields reached a student in {where}: {leaks}"


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def assert_pdf_has_no_leak(data: bytes, where: str) -> None:
    text = pdf_text(data).lower()
    assert text.strip(), f"{where}: the PDF has no text"
    found = [w for w in LEAK_WORDS if w in text]
    assert not found, f"{where}: the student PDF mentions {found}"


def zip_members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def evaluation_json(members: dict[str, bytes]) -> Any:
    name = next(n for n in members if n.endswith("evaluation.json"))
    return json.loads(members[name])


def random_id() -> str:
    return str(uuid.uuid4())
