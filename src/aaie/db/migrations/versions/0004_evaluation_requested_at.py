"""submission_versions.evaluation_requested_at (lets a dead evaluation job be re-run)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 17:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "submission_versions",
        sa.Column("evaluation_requested_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    with op.batch_alter_table("submission_versions") as batch:
        batch.drop_column("evaluation_requested_at")
