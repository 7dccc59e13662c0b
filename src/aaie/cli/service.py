"""Service commands: serve, migrate, create-admin, reset-password, version."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from aaie import __version__
from aaie.config import Settings

console = Console(stderr=True)


def register(app: typer.Typer, train_app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("migrate")(migrate)
    app.command("worker")(worker)
    app.command("create-admin")(create_admin)
    app.command("reset-password")(reset_password)
    app.command("version")(version)
    app.command("openapi")(openapi)


def engine_settings() -> Settings:
    """The settings, handed to the engine too (for the commands that run it)."""
    from aaie.services.engine import configure_engine

    settings = load_settings()
    configure_engine(settings)
    return settings


def load_settings() -> Settings:
    """Settings from the environment; a bad value stops the command with a clear message."""
    from aaie.config import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        for err in exc.errors():
            name = "AAIE_" + "_".join(str(p) for p in err["loc"]).upper() if err["loc"] else ""
            console.print(f"[red]Invalid setting[/red] {name}: {err['msg']}")
        raise typer.Exit(2) from None


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (gunicorn)")] = 1,
) -> None:
    """Migrate the database, create the configured admin, and serve the API."""
    from aaie.security.tokens import signing_secret
    from aaie.services.bootstrap import ensure_configured_admin, prepare_database

    settings = load_settings()
    prepare_database(settings)
    signing_secret(settings)  # the workers must share one JWT key: made here, before they fork
    if ensure_configured_admin(settings):
        console.print(f"Created admin [bold]{settings.admin_email}[/bold]")
    console.print(
        f"AAIE {__version__} on http://{host}:{port}  (docs: /docs, data: "
        f"{settings.data_dir.resolve()})"
    )
    if workers == 1:
        import uvicorn

        uvicorn.run(
            "aaie.api.asgi:app",
            host=host,
            port=port,
            access_log=False,
            log_config=None,
            proxy_headers=True,
            timeout_keep_alive=settings.keepalive_s,
        )
        return
    _serve_gunicorn(host, port, workers, settings)


def share_cores(processes: int) -> None:
    """Give each of `processes` engine processes its share of the cores (unless set already):
    N processes each running 2 onnxruntime / OpenMP threads on a 2-core machine fight over the
    cores and every request gets slower."""
    threads = str(max(1, (os.cpu_count() or 1) // processes))
    for name in ("AAIE_ONNX_THREADS", "OMP_NUM_THREADS"):
        os.environ.setdefault(name, threads)


def _serve_gunicorn(host: str, port: int, workers: int, settings: Settings) -> None:
    share_cores(workers)
    # Prometheus multiprocess mode must be configured before any worker imports the client.
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="prom-", dir=settings.data_dir
    )
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    for stale in os.listdir(metrics_dir):
        os.remove(os.path.join(metrics_dir, stale))
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "aaie.api.asgi:app",
        "-k",
        "uvicorn.workers.UvicornWorker",
        "-w",
        str(workers),
        "-b",
        f"{host}:{port}",
        "-t",
        "120",
        "--graceful-timeout",
        "30",
        "--keep-alive",  # the uvicorn workers' idle keep-alive (gunicorn's default: 2 s)
        str(settings.keepalive_s),
        "-c",
        "python:aaie.api.gunicorn_conf",
    ]
    os.execv(sys.executable, args)


def worker(
    concurrency: Annotated[int, typer.Option(min=1, help="Evaluations run at once")] = 1,
    loglevel: Annotated[str, typer.Option(help="Celery log level")] = "INFO",
) -> None:
    """Run a Celery worker for queued evaluations (AAIE_JOB_BACKEND=celery, Redis broker)."""
    from aaie.jobs import celery_app as jobs
    from aaie.services.bootstrap import prepare_database
    from aaie.services.engine import configure_engine
    from aaie.workflows.evaluation import EVALUATE

    share_cores(concurrency)  # before the settings are read: it sets AAIE_ONNX_THREADS
    settings = load_settings()
    prepare_database(settings)
    configure_engine(settings)
    jobs.configure(settings)
    jobs.register(EVALUATE)  # the job the API's runner sends by name
    console.print(f"AAIE worker on {settings.celery_broker_url} (queue {jobs.QUEUE})")
    jobs.celery_app.worker_main(
        ["worker", f"--loglevel={loglevel}", f"--concurrency={concurrency}", "-Q", jobs.QUEUE]
    )


def migrate() -> None:
    """Apply database migrations up to the latest revision."""
    from aaie.services.bootstrap import prepare_database

    settings = load_settings()
    prepare_database(settings)
    console.print("Database is at the latest migration.")


def create_admin(
    email: Annotated[str, typer.Option(help="The admin's email")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Create an admin account (the password is prompted for, or read from stdin)."""
    from aaie.db.models import Role
    from aaie.db.session import session_scope
    from aaie.errors import Conflict
    from aaie.services import users
    from aaie.services.bootstrap import prepare_database

    password = _read_password(password_stdin, "Password")
    settings = load_settings()
    prepare_database(settings)
    try:
        with session_scope(settings.resolved_database_url) as session:
            user = users.create(session, email, password, Role.admin)
    except Conflict:
        console.print(f"[red]A user with email {email} already exists.[/red]")
        raise typer.Exit(1) from None
    console.print(f"Created admin [bold]{user.email}[/bold] ({user.id})")


def _read_password(from_stdin: bool, label: str) -> str:
    """A password from stdin (scripts, pipes) or a hidden, confirmed prompt; exit 2 if short."""
    from aaie.security.passwords import MIN_PASSWORD_LENGTH

    if from_stdin or not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(label, hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD_LENGTH:
        console.print(f"[red]The password needs at least {MIN_PASSWORD_LENGTH} characters.[/red]")
        raise typer.Exit(2)
    return password


def reset_password(
    email: Annotated[str, typer.Option(help="The account's email")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input")
    ] = False,
) -> None:
    """Set any account's password on the server itself: the way back in when the only admin
    forgot theirs. Every session of the account ends; the change is audited (never the
    password). In the app, admins reset passwords on the People page instead."""
    from aaie.db.session import session_scope
    from aaie.services import audit, passwords, users
    from aaie.services.bootstrap import prepare_database

    password = _read_password(password_stdin, "New password")
    settings = load_settings()
    prepare_database(settings)
    with session_scope(settings.resolved_database_url) as session:
        user = users.get_by_email(session, email)
        if user is None:
            console.print(f"[red]No user has the email {email}.[/red]")
            raise typer.Exit(1)
        passwords.set_password(user, password, must_change=False)
        audit.record(
            session,
            actor=None,
            action="user.password_reset",
            resource_type="user",
            resource_id=user.id,
            request_id=None,
            details={"by": "cli"},
        )
        console.print(f"New password set for [bold]{user.email}[/bold]; their sessions ended.")


def version() -> None:
    """Print the AAIE version."""
    Console().print(f"aaie {__version__}")


def openapi(
    write: Annotated[Path | None, typer.Option(help="Write the schema to this file")] = None,
) -> None:
    """Print (or write) the OpenAPI schema; update docs/openapi.json with `--write`."""
    import json

    from aaie.api.app import create_app
    from aaie.config import Settings

    schema = create_app(Settings(data_dir=Path(tempfile.mkdtemp()))).openapi()
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    if write is None:
        sys.stdout.write(text)
    else:
        write.write_text(text, encoding="utf-8")
        console.print(f"Wrote {write}")
