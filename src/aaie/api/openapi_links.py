"""OpenAPI links in the served schema: which response supplies the ids other operations take.

A client (or a fuzzer such as schemathesis) following them reaches every operation with real
ids: an assignment id from the assignment list or from creating one, a submission id from the
lists or from submitting, a file id from the upload, a user id from the user list, `me` or
registration. Added to the generated document once, when it is first built."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

_ASSIGNMENT = {"assignment_id": "$response.body#/items/0/assignmentId"}
_SUBMISSION = {"submission_id": "$response.body#/items/0/submissionId"}
_SUBMITTED = {"submission_id": "$response.body#/submissionId"}

# (method, path, status of the response that carries the ids, {path parameter: expression})
LINKS: list[tuple[str, str, str, dict[str, str]]] = [
    ("get", "/api/assignments", "200", _ASSIGNMENT),
    ("post", "/api/assignments", "201", {"assignment_id": "$response.body#/assignmentId"}),
    ("get", "/api/submissions", "200", _SUBMISSION),
    ("get", "/api/assignments/{assignment_id}/submissions", "200", _SUBMISSION),
    ("post", "/api/assignments/{assignment_id}/submit", "200", _SUBMITTED),
    ("post", "/api/assignments/{assignment_id}/submit", "202", _SUBMITTED),
    (
        "get",
        "/api/submissions/{submission_id}",
        "200",
        {"submission_id": "$response.body#/submissionId", "version": "$response.body#/version"},
    ),
    ("post", "/api/files", "201", {"file_id": "$response.body#/fileId"}),
    (
        "get",
        "/api/assignments/{assignment_id}/roster",
        "200",
        {
            "assignment_id": "$response.body#/assignmentId",
            "student_id": "$response.body#/items/0/student_id",
        },
    ),
    ("get", "/api/users", "200", {"user_id": "$response.body#/items/0/user_id"}),
    ("get", "/api/auth/me", "200", {"user_id": "$response.body#/user_id"}),
    ("post", "/api/auth/register", "201", {"user_id": "$response.body#/user_id"}),
]


def add_links(schema: dict[str, Any]) -> int:
    """Add a link from each producer to every operation whose path ids it supplies."""
    added = 0
    paths = schema.get("paths", {})
    by_shape = {_snake(p): p for p in paths}  # `{assignmentId}` and `{assignment_id}` alike
    for method, path, status, expressions in LINKS:
        source = paths.get(by_shape.get(path, path), {}).get(method)
        if source is None:
            continue
        response = source["responses"].setdefault(status, {"description": "Successful Response"})
        links = response.setdefault("links", {})
        for operations in paths.values():
            for operation in operations.values():
                params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
                known = {p: _expression(expressions, p) for p in params}
                if not params or None in known.values():
                    continue
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": dict(sorted(known.items())),
                }
                added += 1
    return added


def _expression(expressions: dict[str, str], param: str) -> str | None:
    """The expression for a path parameter, whichever way it is spelt (`assignment_id` or the
    contract's `assignmentId`)."""
    return expressions.get(param) or expressions.get(_snake(param))


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def install(app: FastAPI) -> None:
    """Serve the generated schema with the links added."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_links(generate())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
