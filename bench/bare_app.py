"""The baseline for bench/api_me.py: a bare FastAPI app returning the same JSON as /api/auth/me."""

from fastapi import FastAPI

app = FastAPI()
BODY = {
    "user_id": "5f0c2d4e-8a8b-4c1e-9a55-0a2f3c1d9e77",
    "email": "admin@example.edu",
    "role": "admin",
}


@app.get("/api/auth/me")
def me() -> dict[str, str]:
    return BODY
