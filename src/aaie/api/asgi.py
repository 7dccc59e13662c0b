"""ASGI entry point for gunicorn/uvicorn workers: `aaie.api.asgi:app`."""

from aaie.api.app import create_app

app = create_app()
