"""Tables of people: accounts and their roles (see access.roles and store.users).

The account table is ``user_account`` rather than ``user``: ``user`` is a reserved word of
PostgreSQL (``SELECT * FROM user`` answers the session's role name), a trap in any raw SQL.
"""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import SeqType, metadata

user_account = sa.Table(
    "user_account", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("login", sa.String(200), nullable=False, unique=True),  # lower case
    sa.Column("display_name", sa.String(200), nullable=False),
    sa.Column("email", sa.String(320), nullable=True),
    # the Practitioner this person is (RPPS link): a professional's own practice
    sa.Column("practitioner_id", sa.String(64), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("disabled_at", sa.DateTime, nullable=True),  # NULL: active
    sa.Column("password_hash", sa.Text, nullable=True),  # argon2id, PHC string; NULL: none
    sa.Column("password_set_at", sa.DateTime, nullable=True),
    # "<issuer> <sub>" of the OpenID Connect identity linked to the account
    sa.Column("oidc_subject", sa.String(512), nullable=True),
    sa.UniqueConstraint("oidc_subject", name="uq_user_account_oidc_subject"),
)
sa.Index("ix_user_account_email", user_account.c.email)

#: scope '' for a role without one (a primary key column cannot be NULL)
user_role = sa.Table(
    "user_role", metadata,
    sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"), primary_key=True),
    sa.Column("role", sa.String(32), primary_key=True),
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("granted_at", sa.DateTime, nullable=False),
)

#: failed logins per login name (known or not, so that the answer tells nothing), shared by
#: every worker: ``failures`` since ``first_failed_at``; locked until ``locked_until``
login_throttle = sa.Table(
    "login_throttle", metadata,
    sa.Column("login", sa.String(200), primary_key=True),
    sa.Column("failures", sa.Integer, nullable=False),
    sa.Column("first_failed_at", sa.DateTime, nullable=False),
    sa.Column("locked_until", sa.DateTime, nullable=True),
)

#: server-side sessions; the cookie holds a random id, the table its SHA-256 only
user_session = sa.Table(
    "user_session", metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("method", sa.String(16), nullable=False),  # password, oidc
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)
sa.Index("ix_user_session_user", user_session.c.user_id)
sa.Index("ix_user_session_expires", user_session.c.expires_at)

#: single-use password reset tokens (SHA-256 of the token sent by mail)
password_reset = sa.Table(
    "password_reset", metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.String(64), sa.ForeignKey("user_account.id"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    sa.Column("used_at", sa.DateTime, nullable=True),
)
sa.Index("ix_password_reset_user", password_reset.c.user_id, password_reset.c.created_at)

#: messages for people; the server delivers them (services.mailer) or an external mailer does
mail_outbox = sa.Table(
    "mail_outbox", metadata,
    sa.Column("id", SeqType, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sent_at", sa.DateTime, nullable=True),
    sqlite_autoincrement=True,
)

#: OpenID Connect logins under way: state → nonce and PKCE verifier, bound to the browser
#: that started the login (SHA-256 of a cookie of its own)
oidc_login = sa.Table(
    "oidc_login", metadata,
    sa.Column("state_hash", sa.String(64), primary_key=True),
    sa.Column("browser_hash", sa.String(64), nullable=False),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("verifier", sa.String(128), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)
sa.Index("ix_oidc_login_created", oidc_login.c.created_at)
