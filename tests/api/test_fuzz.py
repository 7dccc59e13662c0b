"""Schemathesis over the whole OpenAPI schema, for every role: no request may get a 5xx.

Two phases per role, both with a fixed seed (Hypothesis `derandomize`):
- every operation on its own, `AAIE_FUZZ_EXAMPLES` generated requests each (CI: 4);
- stateful: sequences that follow OpenAPI links (added here, `LINKS`), so the routes that need
  ids get real ones: ids from the lists and from what a POST created (`AAIE_FUZZ_STEPS`).
A world is seeded first (teacher, student, admin, an assignment, an evaluated submission, a
file) and its real ids are given to every operation that needs ids, in both generation modes
(valid and invalid input); deletions run last. The longer run on demand: `scripts/fuzz`
(more examples and scenarios, a per-operation report).
"""

from __future__ import annotations

import contextlib
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis import GenerationMode

from aaie.config import Settings
from tests.api.workflow_support import ESSAY, engine_ready, make_assignment  # noqa: F401
from tests.conftest import Account

pytestmark = pytest.mark.usefixtures("engine_ready")
EXAMPLES = int(os.environ.get("AAIE_FUZZ_EXAMPLES", "4"))
SCENARIOS = int(os.environ.get("AAIE_FUZZ_SCENARIOS", "6"))
STEPS = int(os.environ.get("AAIE_FUZZ_STEPS", "6"))

# (source method, source path, status) -> {target path param: runtime expression}
_ASSIGNMENT = {"assignment_id": "$response.body#/items/0/assignmentId"}
_SUBMISSION = {"submission_id": "$response.body#/items/0/submissionId"}
LINKS: list[tuple[str, str, str, dict[str, str]]] = [
    ("get", "/api/assignments", "200", _ASSIGNMENT),
    ("post", "/api/assignments", "201", {"assignment_id": "$response.body#/assignmentId"}),
    ("get", "/api/submissions", "200", _SUBMISSION),
    ("get", "/api/assignments/{assignment_id}/submissions", "200", _SUBMISSION),
    (
        "post",
        "/api/assignments/{assignment_id}/submit",
        "200",
        {"submission_id": "$response.body#/submissionId"},
    ),
    (
        "post",
        "/api/assignments/{assignment_id}/submit",
        "202",
        {"submission_id": "$response.body#/submissionId"},
    ),
    (
        "get",
        "/api/submissions/{submission_id}",
        "200",
        {"submission_id": "$response.body#/submissionId", "version": "$response.body#/version"},
    ),
    ("post", "/api/files", "201", {"file_id": "$response.body#/fileId"}),
    ("get", "/api/users", "200", {"user_id": "$response.body#/items/0/user_id"}),
    ("get", "/api/auth/me", "200", {"user_id": "$response.body#/user_id"}),
    ("post", "/api/auth/register", "201", {"user_id": "$response.body#/user_id"}),
]


def add_links(raw: dict[str, Any]) -> int:
    """OpenAPI links from each producer to every operation taking the ids it returns."""
    added = 0
    for method, path, status, expressions in LINKS:
        response = raw["paths"][path][method]["responses"].setdefault(
            status, {"description": "Successful Response"}
        )
        links = response.setdefault("links", {})
        for target_path, operations in raw["paths"].items():
            for target_method, operation in operations.items():
                params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                if not params or not params <= set(expressions):
                    continue
                name = f"{target_method}{target_path}".replace("/", "_").replace("{", "")
                links[name.replace("}", "")] = {
                    "operationId": operation["operationId"],
                    "parameters": {p: expressions[p] for p in sorted(params)},
                }
                added += 1
    return added


@pytest.fixture
def world(
    app: FastAPI, settings: Settings, accounts: dict[str, Account]
) -> Iterator[tuple[TestClient, dict[str, Account], dict[str, str]]]:
    settings.rate_limit_per_minute = 1_000_000  # the fuzzer is not a flood test
    settings.login_max_failures = 1_000_000
    with TestClient(app, raise_server_exceptions=False) as client:
        aid = make_assignment(client, accounts["teacher"].headers)
        response = client.post(
            f"/api/assignments/{aid}/submit",
            json={"text": ESSAY},
            headers=accounts["student"].headers,
        )
        assert response.status_code == 200, response.text
        upload = client.post(
            "/api/files",
            files={"file": ("essay.txt", ESSAY.encode(), "text/plain")},
            headers=accounts["student"].headers,
        )
        assert upload.status_code == 201, upload.text
        ids = {
            "assignment_id": aid,
            "submission_id": response.json()["submissionId"],
            "version": "v1",
            "file_id": upload.json()["fileId"],
            "user_id": str(accounts["student"].id),  # never the caller's own account
        }
        yield client, accounts, ids


def _settings(max_examples: int, **extra: Any) -> Any:
    return hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,  # a fixed seed: the same requests every run
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        print_blob=False,
        **extra,
    )


@pytest.mark.parametrize("role", ["student", "teacher", "admin"])
def test_no_server_error_anywhere_for_any_role(
    app: FastAPI, world: tuple[TestClient, dict[str, Account], dict[str, str]], role: str
) -> None:
    client, accounts, ids = world
    raw = client.get("/openapi.json").json()
    assert add_links(raw) > 20
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    headers = accounts[role].headers
    errors: list[str] = []
    seen: dict[str, set[int]] = defaultdict(set)

    took: dict[str, float] = defaultdict(float)

    def record(case: Any, response: Any) -> None:
        key = f"{case.operation.method.upper()} {case.operation.path}"
        seen[key].add(response.status_code)
        took[key] += response.elapsed
        if response.status_code >= 500:
            errors.append(f"{key} -> {response.status_code}: {case.as_curl_command()}")

    # 1. Every operation on its own, valid and invalid input, with the seeded world's real ids
    # (deletions last, so the others still find what they need).
    operations = [r.ok() for r in schema.get_all_operations()]
    operations.sort(
        key=lambda op: (
            op.method.upper() == "DELETE",
            op.path.startswith("/api/users/"),  # the student: deleted after their work
            op.path == "/api/assignments/{assignment_id}",  # takes its submissions with it
        )
    )
    for operation in operations:
        if operation.path == "/metrics":
            continue  # 403 unless from loopback/token: nothing to fuzz
        names = {p.name for p in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(
                mode, path_parameters={n: ids[n] for n in names} or None
            )

            @_settings(EXAMPLES)
            @hypothesis.given(case=strategy)
            def fuzz_one(case: Any) -> None:
                record(case, case.call(headers=headers))

            # Unsatisfiable: nothing to make invalid (no parameters, no body).
            with contextlib.suppress(hypothesis.errors.Unsatisfiable):
                fuzz_one()

    # 2. Stateful: follow the links with real ids.
    class Machine(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": headers}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            record(case, response)

    Machine.run(settings=_settings(SCENARIOS, stateful_step_count=STEPS))

    if os.environ.get("AAIE_FUZZ_REPORT"):
        for key in sorted(seen, key=lambda k: -took[k]):
            print(f"{key}: {sorted(seen[key])} {took[key]:.1f}s")
    reached = {op for op, codes in seen.items() if any(c < 400 or c == 409 for c in codes)}
    print(f"\n{role}: {len(seen)} operations called, {len(reached)} answered 2xx/3xx/409")
    assert not errors, "\n".join(errors[:20])
