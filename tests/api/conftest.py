"""Fixtures of the API tests that more than one module uses."""

from tests.api.people_fixture import people_server, world  # noqa: F401 (fixtures)
