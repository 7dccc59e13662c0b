"""Schemathesis over the whole OpenAPI schema, for every role: no request may get a 5xx.

Two phases per role, both with a fixed seed (Hypothesis `derandomize`):
- every operation on its own, `AAIE_FUZZ_EXAMPLES` generated requests each (CI: 4);
- stateful: sequences that follow the schema's OpenAPI links (aaie.api.openapi_links), so the
  routes that need ids get real ones from the lists and from what a POST created.
A world is seeded first (teacher, student, admin, an assignment, an evaluated submission, a
file) and its real ids are given to every operation that needs ids, in both generation modes
(valid and invalid input); deletions run last. The longer run on demand: `scripts/fuzz`
(more examples and scenarios, a per-operation report).
"""

from __future__ import annotations

import contextlib
import os
import re
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
        ids |= {  # the contract's spelling of the same path parameters
            "assignmentId": ids["assignment_id"],
            "submissionId": ids["submission_id"],
            "fileId": ids["file_id"],
            "userId": ids["user_id"],
            "studentId": ids["user_id"],  # a roster entry (the student, enrolled below)
        }
        enrolled = client.post(
            f"/api/assignments/{aid}/roster",
            json={"students": [{"email": accounts["student"].email}]},
            headers=accounts["teacher"].headers,
        )
        assert enrolled.status_code == 200, enrolled.text
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
    _, accounts, ids = world
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # with its OpenAPI links
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
            bool(re.fullmatch(r"/api/assignments/\{\w+\}", op.path)),  # takes its submissions
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


def test_every_operation_that_takes_ids_is_the_target_of_a_link(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    targets, needing = set(), set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            if any(p["in"] == "path" for p in operation.get("parameters", [])):
                needing.add(operation["operationId"])
            for response in operation["responses"].values():
                targets |= {link["operationId"] for link in response.get("links", {}).values()}
    assert needing and not needing - targets, sorted(needing - targets)
