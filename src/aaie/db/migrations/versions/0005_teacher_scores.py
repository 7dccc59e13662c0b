"""submissions.teacher_scores (+ version, by, at): a teacher's grades, for the rubric calibration

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("teacher_scores", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("teacher_scores_version", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("teacher_scores_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("teacher_scores_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            "fk_submissions_teacher_scores_by_users",
            "users",
            ["teacher_scores_by"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as batch:
        batch.drop_constraint("fk_submissions_teacher_scores_by_users", type_="foreignkey")
        batch.drop_column("teacher_scores_at")
        batch.drop_column("teacher_scores_by")
        batch.drop_column("teacher_scores_version")
        batch.drop_column("teacher_scores")
