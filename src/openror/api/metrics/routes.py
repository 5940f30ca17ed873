"""The route template a request went to (``/fhir/{type}/{id}``, never the path it asked
for): what request metrics and access log lines are labelled with, so that their number of
series stays bounded whatever the clients ask."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match, Mount, Route
from starlette.types import Scope

#: no route holds the path (a 404 from the router)
UNMATCHED = "(unmatched)"
#: the methods a label may name; any other is "OTHER"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method_of(scope: Scope) -> str:
    method: str = scope["method"]
    return method if method in METHODS else "OTHER"


def route_template(scope: Scope, root_path: str) -> str:
    """After the request: the template of the route that answered it. Starlette's router
    notes the innermost route on the scope, and the mounts it went through in its
    ``root_path`` (``root_path``: as it was before routing). A request refused before
    routing (401, 429) is matched here the way the router would have."""
    route = scope.get("route")
    if route is None:
        app = scope.get("app")
        found = _match(getattr(app, "routes", ()), scope, "")
        return found or UNMATCHED
    prefix = str(scope.get("root_path", ""))[len(root_path):]
    if isinstance(route, Route):
        return prefix + route.path
    return prefix + "/{path}"  # a mounted app (static files), or nothing matched inside


def _match(routes: Sequence[BaseRoute], scope: Scope, prefix: str) -> str | None:
    partial = None
    for route in routes:
        match, child = route.matches(scope)
        if match is Match.NONE:
            continue
        if isinstance(route, Mount):
            inner = _match(route.routes, {**scope, **child}, prefix + route.path)
            found = inner or f"{prefix}{route.path}/{{path}}"
        else:
            found = prefix + getattr(route, "path", "")
        if match is Match.FULL:
            return found
        partial = partial or found
    return partial
