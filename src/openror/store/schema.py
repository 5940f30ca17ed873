"""Tables of the store. The FHIR resource (canonical JSON) is the record of truth; every other
table here is either its history (versions, change feed, change log) or derived from it and
rebuildable (identifier and reference indexes).

The Alembic migrations under ``store/migrations`` create exactly these tables; a test compares
both.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# SQLite only reuses nothing with AUTOINCREMENT on an INTEGER rowid alias; PostgreSQL sequences
# never reuse a value. Both give the change feed its monotonic, never-reused sequence number.
SeqType = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

resource = sa.Table(
    "resource",
    metadata,
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("last_updated", sa.DateTime, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("region", sa.String(8), nullable=True),
    sa.Column("content", sa.LargeBinary, nullable=False),
)
# covering: a search reads the state of thousands of matches (live? which version?) without
# touching the rows, whose content fills a page each
sa.Index("ix_resource_state", resource.c.type, resource.c.id, resource.c.deleted,
         resource.c.version, resource.c.last_updated)

resource_version = sa.Table(
    "resource_version",
    metadata,
    sa.Column("type", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("last_updated", sa.DateTime, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False, default=False),
    sa.Column("seq", SeqType, nullable=False, unique=True),
    # NULL for a deletion tombstone.
    sa.Column("content", sa.LargeBinary, nullable=True),
)

change_feed = sa.Table(
    "change_feed",
    metadata,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),  # create, update, patch, delete
    sa.Column("at", sa.DateTime, nullable=False),
    sqlite_autoincrement=True,
)
sa.Index("ix_change_feed_type_seq", change_feed.c.type, change_feed.c.seq)
sa.Index("ix_change_feed_at", change_feed.c.at)
sa.Index("ix_change_feed_resource", change_feed.c.type, change_feed.c.id, change_feed.c.seq)

change_log = sa.Table(
    "change_log",
    metadata,
    # the change's feed entry, written with it (no foreign key: migration 0027 says why)
    sa.Column("seq", SeqType, primary_key=True),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("request_id", sa.String(100), nullable=True),
    sa.Column("batch_id", sa.String(100), nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    # Before/after are the stored versions themselves (resource_version), never copies that
    # could drift: NULL before = creation, NULL after = deletion tombstone.
    sa.Column("before_version", sa.Integer, nullable=True),
    sa.Column("after_version", sa.Integer, nullable=False),
)
sa.Index("ix_change_log_batch", change_log.c.batch_id)

identifier_index = sa.Table(
    "identifier_index",
    metadata,
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("id", sa.String(64), nullable=False),
    sa.Column("system", sa.String(255), nullable=False),  # '' when the identifier has none
    sa.Column("value", sa.String(255), nullable=False),
)
sa.Index("ix_identifier_lookup", identifier_index.c.type, identifier_index.c.value)
sa.Index("ix_identifier_owner", identifier_index.c.type, identifier_index.c.id)

reference_index = sa.Table(
    "reference_index",
    metadata,
    sa.Column("source_type", sa.String(64), nullable=False),
    sa.Column("source_id", sa.String(64), nullable=False),
    # where in the source the reference sits is found when needed (see derived.referrers)
    sa.Column("target_type", sa.String(64), nullable=False),
    sa.Column("target_id", sa.String(64), nullable=False),
)
sa.Index("ix_reference_target", reference_index.c.target_type, reference_index.c.target_id)
sa.Index("ix_reference_source", reference_index.c.source_type, reference_index.c.source_id)

counter = sa.Table(
    "counter",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)

nos_release = sa.Table(
    "nos_release",
    metadata,
    sa.Column("seq", SeqType, primary_key=True, autoincrement=True),
    sa.Column("label", sa.String(255), nullable=False),
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sqlite_autoincrement=True,
)

properties = sa.Table(
    "properties",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)


import_run = sa.Table(
    "import_run",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("paths", sa.Text, nullable=False),  # JSON list
    sa.Column("phase", sa.String(16), nullable=False),  # the last phase completed
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("applied_seq", sa.Integer, nullable=False),  # staged records applied so far
    sa.Column("summary", sa.Text, nullable=False),  # JSON counts
    sa.Column("scopes", sa.Text, nullable=False),  # JSON list: scopes the files cover
)

import_stage = sa.Table(
    "import_stage",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # apply order
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("key_system", sa.String(255), nullable=False),
    sa.Column("key_value", sa.String(255), nullable=False),
    sa.Column("ord", sa.Integer, nullable=False),  # apply order: type rank, then record rank
    sa.Column("scope", sa.String(32), nullable=False),
    sa.Column("record", sa.LargeBinary, nullable=False),  # JSON of the Record
    sa.Column("checked", sa.Boolean, nullable=False),
)

#: the apply order, fixed by the stage phase: position -> staged record
import_order = sa.Table(
    "import_order",
    metadata,
    sa.Column("run_id", sa.String(64), primary_key=True),
    sa.Column("pos", sa.Integer, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
)

#: API clients (OAuth2 client credentials); see store.clients
api_client = sa.Table(
    "api_client",
    metadata,
    sa.Column("client_id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("profile", sa.Integer, nullable=False),  # ROR access profile 0-5
    sa.Column("regions", sa.Text, nullable=False),  # comma list of INSEE codes; '' = all
    sa.Column("writes", sa.Text, nullable=False),  # comma list: all, region:<code>
    sa.Column("secret_hash", sa.Text, nullable=False),  # argon2id, PHC string format
    # base64url SHA-256 of the DER client certificate (RFC 8705 x5t#S256), for mTLS
    sa.Column("cert_thumbprint", sa.String(64), nullable=True),
    # the Ror-* header values assigned at onboarding, as 'system|code' (access.ror_headers)
    sa.Column("ror_profile", sa.String(201), nullable=True),
    sa.Column("ror_role", sa.String(201), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("rotated_at", sa.DateTime, nullable=True),  # last secret rotation
    sa.Column("revoked_at", sa.DateTime, nullable=True),
    sa.CheckConstraint("profile BETWEEN 0 AND 5", name="ck_api_client_profile"),
)

#: the server's token-signing secret: one row, shared by every worker process
auth_key = sa.Table(
    "auth_key",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("secret", sa.LargeBinary, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)


# Tables defined next to the code that owns them register on the same metadata.
from openror.store import alert_tables as _alert_tables  # noqa: E402,F401
from openror.store import audit as _audit  # noqa: E402,F401
from openror.store import capacity_history as _capacity_history  # noqa: E402,F401
from openror.store import entry_drafts as _entry_drafts  # noqa: E402,F401
from openror.store import export_tables as _export_tables  # noqa: E402,F401
from openror.store import federation_tables as _federation_tables  # noqa: E402,F401
from openror.store import finess_tables as _finess_tables  # noqa: E402,F401
from openror.store import geo_tables as _geo_tables  # noqa: E402,F401
from openror.store import people_tables as _people_tables  # noqa: E402,F401
from openror.store import quality_tables as _quality_tables  # noqa: E402,F401
from openror.store import search_tables as _search_tables  # noqa: E402,F401
from openror.store import subscription_tables as _subscription_tables  # noqa: E402,F401
from openror.store import write_positions as _write_positions  # noqa: E402,F401
