"""Locust load test: teachers and students in a realistic mix (driven by bench/load_test.py).

Students (most users) look at their assignments and their own submission and now and then
submit or resubmit an essay (async: 202, evaluated by the server's job runner). Teachers list
and open their class's submissions, mark them reviewed and look at the rubric calibration.
Accounts and assignments come from bench/load_test.py's seed (LOAD_SEED, a JSON file).
Requests are named by route template, so the statistics are per route.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

SEED: dict[str, Any] = json.loads(Path(os.environ["LOAD_SEED"]).read_text(encoding="utf-8"))
PASSWORD = SEED["password"]
_students = itertools.cycle(SEED["students"])
_teachers = itertools.cycle(SEED["teachers"])
_lock = threading.Lock()

PARAGRAPHS = [
    "Community gardens give neighbours a reason to meet. When people share tools and plots, "
    "they also share advice, recipes and the work of keeping the place tidy.",
    "Some people argue that gardens take space a city needs for housing. However, small plots "
    "on empty lots or rooftops use land that would otherwise stay unused for years.",
    "Schools benefit as well. Pupils who grow vegetables learn where food comes from, and "
    "many of them try vegetables at lunch that they would have refused before.",
    "In conclusion, a city that supports community gardens gains healthier residents, "
    "stronger neighbourhoods and a practical place for children to learn.",
    "For example, the garden on our street started with six raised beds and now feeds twenty "
    "families each summer, with extra produce going to the food bank.",
]


def essay() -> str:
    chosen = random.sample(PARAGRAPHS, k=random.randint(3, 5))
    return "\n\n".join(chosen) + f"\n\nDraft {random.randint(1, 10**6)}."


class Student(HttpUser):
    weight = 9
    wait_time = between(1, 4)

    def on_start(self) -> None:
        with _lock:
            self.account = next(_students)
        self.headers = _login(self, self.account["email"])
        self.submissions: dict[str, str] = {}

    @task(5)
    def list_assignments(self) -> None:
        self.client.get("/api/assignments", headers=self.headers, name="/api/assignments")

    @task(4)
    def own_submissions(self) -> None:
        response = self.client.get(
            "/api/submissions", headers=self.headers, name="/api/submissions"
        )
        for item in response.json().get("items", []) if response.ok else []:
            self.submissions[item["assignmentId"]] = item["submissionId"]

    @task(4)
    def open_submission(self) -> None:
        if self.submissions:
            sid = random.choice(list(self.submissions.values()))
            self.client.get(
                f"/api/submissions/{sid}",
                headers=self.headers,
                name="/api/submissions/{submission_id}",
            )

    @task(2)
    def me(self) -> None:
        self.client.get("/api/auth/me", headers=self.headers, name="/api/auth/me")

    @task(1)
    def submit_or_resubmit(self) -> None:
        aid = random.choice(SEED["assignments"])
        sid = self.submissions.get(aid)
        if sid is None:
            response = self.client.post(
                f"/api/assignments/{aid}/submit",
                json={"text": essay()},
                headers=self.headers,
                name="/api/assignments/{assignment_id}/submit",
            )
            if response.status_code == 202:
                self.submissions[aid] = response.json()["submissionId"]
            elif response.status_code == 409:  # submitted earlier in the run
                self.submissions[aid] = response.json()["error"]["details"]["submissionId"]
        else:
            self.client.post(
                f"/api/submissions/{sid}/resubmit",
                json={"text": essay()},
                headers=self.headers,
                name="/api/submissions/{submission_id}/resubmit",
            )


class Teacher(HttpUser):
    weight = 1
    wait_time = between(2, 6)

    def on_start(self) -> None:
        with _lock:
            self.account = next(_teachers)
        self.headers = _login(self, self.account["email"])
        self.recent: list[str] = []

    @task(4)
    def class_view(self) -> None:
        aid = random.choice(self.account["assignments"])
        response = self.client.get(
            f"/api/assignments/{aid}/submissions",
            headers=self.headers,
            name="/api/assignments/{assignment_id}/submissions",
        )
        if response.ok:
            self.recent = [i["submissionId"] for i in response.json()["items"]][:20]

    @task(2)
    def to_review(self) -> None:
        self.client.get(
            "/api/submissions?status=submitted",
            headers=self.headers,
            name="/api/submissions?status",
        )

    @task(4)
    def open_submission(self) -> None:
        if self.recent:
            self.client.get(
                f"/api/submissions/{random.choice(self.recent)}",
                headers=self.headers,
                name="/api/submissions/{submission_id}",
            )

    @task(1)
    def mark_reviewed(self) -> None:
        if self.recent:
            self.client.patch(
                f"/api/submissions/{random.choice(self.recent)}/status",
                json={"status": random.choice(["reviewed", "needs_follow_up"])},
                headers=self.headers,
                name="/api/submissions/{submission_id}/status",
            )

    @task(1)
    def calibration(self) -> None:
        aid = random.choice(self.account["assignments"])
        self.client.get(
            f"/api/assignments/{aid}/calibration",
            headers=self.headers,
            name="/api/assignments/{assignment_id}/calibration",
        )


def _login(user: HttpUser, email: str) -> dict[str, str]:
    response = user.client.post(
        "/api/auth/login", json={"email": email, "password": PASSWORD}, name="/api/auth/login"
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}
