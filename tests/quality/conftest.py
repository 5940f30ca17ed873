"""Fixtures of the quality tests that come from other folders."""

from tests.api.people_fixture import people_server, world  # noqa: F401 (fixtures)
