"""Fixtures of the sync tests that more than one module uses."""

from tests.sync.federation_fixture import database_pair, instances, world  # noqa: F401
