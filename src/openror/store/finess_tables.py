"""The FINESS reference: what the national registry says of each site, kept apart from the
ROR's own description so that the quality rules can compare the two (EX1.2, EX2, ST2, CO4…).

Filled by the FINESS importers; the ROR resources they write may later be edited by people,
these rows only change with the next FINESS file.
"""

from __future__ import annotations

import sqlalchemy as sa

from openror.store.schema import metadata

finess_site = sa.Table(
    "finess_site", metadata,
    sa.Column("finess", sa.String(9), primary_key=True),  # FINESS ET (site)
    sa.Column("finess_ej", sa.String(9), nullable=True),  # its legal entity
    sa.Column("name", sa.String(300), nullable=True),
    sa.Column("category", sa.String(8), nullable=True),  # TRE_R66
    # open | provisional (closed, PRO) | closed (closed, DEF or other) | lapsed (caducité)
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("closing_type", sa.String(8), nullable=True),  # TRE_R286 / FINESS code
    sa.Column("region", sa.String(8), nullable=True),
    sa.Column("departement", sa.String(8), nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
sa.Index("ix_finess_site_region", finess_site.c.region)

#: authorisations of care activities (FINESS activité / modalité / forme), per site
finess_authorisation = sa.Table(
    "finess_authorisation", metadata,
    sa.Column("finess", sa.String(9), primary_key=True),
    sa.Column("activity", sa.String(8), primary_key=True),
    sa.Column("modality", sa.String(8), primary_key=True),
    sa.Column("form", sa.String(8), primary_key=True),
    sa.Column("end_date", sa.Date, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)
