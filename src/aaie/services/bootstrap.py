"""Start-up work shared by `aaie serve` and `aaie migrate`: schema and first admin."""

from __future__ import annotations

from aaie.config import Settings
from aaie.db import migrate
from aaie.db.session import session_scope
from aaie.services import users


def prepare_database(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate.upgrade(settings.resolved_database_url)


def ensure_configured_admin(settings: Settings) -> bool:
    """Create AAIE_ADMIN_EMAIL with AAIE_ADMIN_PASSWORD if both are set and it is absent."""
    if not (settings.admin_email and settings.admin_password):
        return False
    with session_scope(settings.resolved_database_url) as session:
        _, created = users.ensure_admin(
            session, settings.admin_email, settings.admin_password.get_secret_value()
        )
    return created
