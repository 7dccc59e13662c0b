"""The `/llm/*` engine routes: who may call them, and every bad input gets the right status."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, auth_headers

ESSAY = (
    "Schools should not ban phones in class outright. Phones let students look up facts, "
    "check a word they do not know, and photograph the board when they cannot copy fast "
    "enough. My sister's school banned them last year and students simply hid them in their "
    "bags. A better rule would be to keep phones face down unless the teacher asks for them. "
    "That way the distraction is handled without losing a useful tool. Teachers could also "
    "show students how to use phones for studying instead of games."
)
PROMPT = "Should schools ban phones in class? Argue your position."
CHAT = [
    {"role": "user", "text": "ideas for a phone essay?"},
    {
        "role": "ai",
        "text": "A better rule would be to keep phones face down unless the teacher asks for them.",
    },
]

ENGINE_ROUTES = [
    "/llm/classify",
    "/llm/ai-score",
    "/llm/highlight-spans",
    "/llm/prompt-similarity",
    "/llm/rubric-score",
    "/llm/generate-feedback",
    "/llm/evaluate-all",
]
ALL_ROUTES = [*ENGINE_ROUTES, "/llm/redact"]
EXPECTED = {"anonymous": 401, "student": 403, "teacher": 200, "admin": 200, "deactivated": 401}


def _body(route: str) -> dict:
    if route == "/llm/redact":
        return {"text": "My name is Maria Lopez, email maria.lopez@example.com.", "chat_log": CHAT}
    return {"student_submission": ESSAY, "prompt_text": PROMPT, "chat_log": CHAT}


@pytest.mark.parametrize("route", ALL_ROUTES)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_only_teachers_and_admins_may_call_the_engine(
    client: TestClient, accounts: dict[str, Account], route: str, who: str
) -> None:
    response = client.post(route, json=_body(route), headers=auth_headers(accounts, who))
    assert response.status_code == EXPECTED[who], response.text


BAD_BODIES = [
    ({"student_submission": ""}, 422),
    ({"student_submission": "   \n\t "}, 422),
    ({"prompt_text": "no submission"}, 422),
    ({"student_submission": ESSAY, "chat_log": [{"role": "assistant", "text": "x"}]}, 422),
    ({"student_submission": ESSAY, "chat_log": [{"role": "ai"}]}, 422),
    ({"student_submission": ESSAY, "chat_log": {"role": "ai", "text": "not a list"}}, 422),
    ({"student_submission": ESSAY, "unexpected": 1}, 422),
]


@pytest.mark.parametrize("route", ENGINE_ROUTES)
@pytest.mark.parametrize(("body", "status"), BAD_BODIES)
def test_bad_input_is_rejected_with_the_envelope(
    client: TestClient, accounts: dict[str, Account], route: str, body: dict, status: int
) -> None:
    response = client.post(route, json=body, headers=accounts["teacher"].headers)
    assert response.status_code == status
    assert response.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("route", ALL_ROUTES)
def test_text_over_the_size_limit_is_413(
    client: TestClient, accounts: dict[str, Account], route: str, settings
) -> None:  # type: ignore[no-untyped-def]
    huge = "word " * (settings.max_text_chars // 5 + 10)
    body = {"text": huge} if route == "/llm/redact" else {"student_submission": huge}
    response = client.post(route, json=body, headers=accounts["admin"].headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    "route", ["/llm/rubric-score", "/llm/generate-feedback", "/llm/evaluate-all"]
)
def test_malformed_rubric_is_422(
    client: TestClient, accounts: dict[str, Account], route: str
) -> None:
    body = {"student_submission": ESSAY, "rubric": {"criteria": [{"description": "no name"}]}}
    response = client.post(route, json=body, headers=accounts["teacher"].headers)
    assert response.status_code == 422


def test_expensive_routes_are_rate_limited_per_user(
    client: TestClient, accounts: dict[str, Account], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.rate_limit_per_minute = 2
    body = {"text": "Nothing personal here."}
    statuses = [
        client.post("/llm/redact", json=body, headers=accounts["teacher"].headers) for _ in range(3)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    assert int(statuses[-1].headers["Retry-After"]) >= 1
    other = client.post("/llm/redact", json=body, headers=accounts["admin"].headers)
    assert other.status_code == 200  # limits are per user


def test_redact_route_returns_placeholders_and_original_offsets(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    text = "My name is Maria Lopez, email maria.lopez@example.com."
    body = client.post(
        "/llm/redact", json={"text": text}, headers=accounts["teacher"].headers
    ).json()
    assert "maria.lopez@example.com" not in body["redacted_text"]
    emails = [e for e in body["entities"] if e["type"] == "EMAIL"]
    assert emails and text[emails[0]["start"] : emails[0]["end"]] == "maria.lopez@example.com"


def test_feedback_route_embeds_the_essay_once(
    client: TestClient, accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rubric and feedback share one analysis: the essay's sentences go through MiniLM once
    # (twice was the route's whole latency doubled).
    from aaie.engine.embeddings import Embedder, get_embedder

    get_embedder().clear_cache()
    embedded: list[str] = []
    real = Embedder.embed

    def spy(self: Embedder, texts: list[str]):  # type: ignore[no-untyped-def]
        embedded.extend(texts)
        return real(self, texts)

    monkeypatch.setattr(Embedder, "embed", spy)
    essay = ESSAY.replace("phones", "tablets")  # sentences no earlier test has embedded
    response = client.post(
        "/llm/generate-feedback",
        headers=accounts["teacher"].headers,
        json={"student_submission": essay, "prompt_text": PROMPT},
    )
    assert response.status_code == 200, response.text
    first = next(s for s in embedded if s.startswith("Schools should not ban tablets"))
    assert embedded.count(first) == 1


SPANISH = (
    "La Revolución Mexicana fue un conflicto armado que comenzó en 1910 y transformó la vida "
    "política del país. Los campesinos exigían tierras y los obreros mejores condiciones de "
    "trabajo. Después de una década de guerra, la Constitución de 1917 reconoció muchos de esos "
    "derechos."
)


@pytest.mark.parametrize("route", ["/llm/classify", "/llm/ai-score", "/llm/highlight-spans"])
def test_detection_routes_refuse_a_language_they_cannot_judge(
    client: TestClient, accounts: dict[str, Account], route: str
) -> None:
    response = client.post(
        route, json={"student_submission": SPANISH}, headers=auth_headers(accounts, "teacher")
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_language"
    assert error["details"]["language"] == "es" and error["details"]["supported"] == ["en"]
    assert error["request_id"]


def test_a_whole_evaluation_of_another_language_says_it_was_not_judged(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    response = client.post(
        "/llm/evaluate-all",
        json={"student_submission": SPANISH, "prompt_text": PROMPT},
        headers=auth_headers(accounts, "teacher"),
    )
    assert response.status_code == 200, response.text
    classification = response.json()["classification"]
    assert classification["unsupported_language"] is True
    assert classification["label"] == "Human" and classification["confidence"] <= 0.5
