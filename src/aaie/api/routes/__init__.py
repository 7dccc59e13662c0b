"""Every router of the API, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from aaie.api.routes import auth, files, health, llm, users

ROUTERS: list[APIRouter] = [auth.router, users.router, files.router, llm.router, health.router]
