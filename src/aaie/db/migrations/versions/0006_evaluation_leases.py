"""submission_versions.evaluation_claim, _lease_until, _attempts: jobs that survive their worker

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:20:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission_versions") as batch:
        batch.add_column(sa.Column("evaluation_claim", sa.String(length=32), nullable=True))
        batch.add_column(
            sa.Column("evaluation_lease_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("evaluation_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("submission_versions") as batch:
        batch.drop_column("evaluation_attempts")
        batch.drop_column("evaluation_lease_until")
        batch.drop_column("evaluation_claim")
