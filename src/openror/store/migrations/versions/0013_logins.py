"""People log in: passwords, failed-login throttling, sessions, password resets, the mail
outbox, OpenID Connect logins under way.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("user_account") as batch:
        batch.add_column(sa.Column("password_hash", sa.Text, nullable=True))
        batch.add_column(sa.Column("password_set_at", sa.DateTime, nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(512), nullable=True))
        batch.create_unique_constraint("uq_user_account_oidc_subject", ["oidc_subject"])
    op.create_table(
        "login_throttle",
        sa.Column("login", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("first_failed_at", sa.DateTime, nullable=False),
        sa.Column("locked_until", sa.DateTime, nullable=True),
    )
    op.create_table(
        "user_session",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_user_session_user", "user_session", ["user_id"])
    op.create_index("ix_user_session_expires", "user_session", ["expires_at"])
    op.create_table(
        "password_reset",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime, nullable=True),
    )
    op.create_index("ix_password_reset_user", "password_reset", ["user_id", "created_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", SeqType, primary_key=True, autoincrement=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=True),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "oidc_login",
        sa.Column("state_hash", sa.String(64), primary_key=True),
        sa.Column("browser_hash", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("verifier", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_oidc_login_created", "oidc_login", ["created_at"])


def downgrade() -> None:
    op.drop_table("oidc_login")
    op.drop_table("mail_outbox")
    op.drop_table("password_reset")
    op.drop_table("user_session")
    op.drop_table("login_throttle")
    with op.batch_alter_table("user_account") as batch:
        batch.drop_constraint("uq_user_account_oidc_subject", type_="unique")
        batch.drop_column("oidc_subject")
        batch.drop_column("password_set_at")
        batch.drop_column("password_hash")
