"""What a parsed search says: criteria on resources of one type, and how to present results.

Parsing (``parse``) builds these; the SQL planner (``sql``) and the brute-force evaluator of
the tests read them. Comma-separated values are OR (``values``), criteria of ``AllOf`` are AND.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from openror.fhir.search_params import SearchParam


@dataclass(frozen=True)
class TokenValue:
    system: str | None  # None: any system; "": no system (``|code``)
    code: str | None  # None: any code of the system (``system|``)


@dataclass(frozen=True)
class StringValue:
    text: str  # normalized, or as given for ``:exact``


@dataclass(frozen=True)
class DateValue:
    prefix: str
    low: str
    high: str


@dataclass(frozen=True)
class NumberValue:
    prefix: str
    value: Decimal  # canonical unit for quantities
    low: Decimal  # the implicit range of the written precision (for eq, ne, ap)
    high: Decimal
    system: str | None = None  # quantities: None = any unit
    unit: str | None = None


@dataclass(frozen=True)
class ReferenceValue:
    type: str | None
    id: str


Value = TokenValue | StringValue | DateValue | NumberValue | ReferenceValue


@dataclass(frozen=True)
class Match:
    """One parameter on the resource itself: any of ``values`` holds."""

    param: SearchParam
    modifier: str
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Missing:
    param: SearchParam
    missing: bool


@dataclass(frozen=True)
class Correlated:
    """Grouped parameters (capacity, equipment…) that must hold on the same element."""

    group: str
    matches: tuple[Match, ...]


@dataclass(frozen=True)
class Near:
    lat: float
    lon: float
    km: float


@dataclass(frozen=True)
class Content:
    terms: tuple[str, ...]  # normalized words; each must prefix a word of the resource


@dataclass(frozen=True)
class Chain:
    """The resource refers, through ``param``, to a ``target`` that meets ``inner``.
    ``above``: or to one of the target's descendants (organization:above)."""

    param: SearchParam
    target: str
    inner: Criterion
    above: bool = False


@dataclass(frozen=True)
class Has:
    """A ``source`` resource that meets ``inner`` refers to this one through ``param``."""

    source: str
    param: SearchParam
    inner: Criterion


@dataclass(frozen=True)
class AllOf:
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Criterion, ...]


@dataclass(frozen=True)
class Not:
    item: Criterion


@dataclass(frozen=True)
class Resolved:
    """The ids ``original`` holds for, computed before planning because they are few
    (``groups.prepare``): a list of ids is the best place for a plan to start from."""

    ids: tuple[str, ...]
    original: Criterion


@dataclass(frozen=True)
class Drive:
    """``item`` is where the plan starts (``groups.prepare``): the others are probed for each
    resource it holds for."""

    item: Criterion


@dataclass(frozen=True)
class OfferCapacity:
    """An offer's ``activity``, and a ``capacity`` record of one of the places it refers to
    (``location``), read together (``search.offer_capacity``)."""

    activity: Match
    capacity: Correlated


Criterion = (Match | Missing | Correlated | Near | Content | Chain | Has | AllOf | AnyOf | Not
             | Resolved | Drive | OfferCapacity)


@dataclass(frozen=True)
class SortKey:
    #: chain then parameter: ("organization", "price-validity-start-date")
    path: tuple[str, ...]
    descending: bool


@dataclass(frozen=True)
class Include:
    source: str
    param: str
    target: str | None
    iterate: bool
    reverse: bool


@dataclass(frozen=True)
class Query:
    rtype: str
    criteria: AllOf
    count: int = 200
    sort: tuple[SortKey, ...] = ()
    includes: tuple[Include, ...] = ()
    total: str = "accurate"
    summary: str | None = None
    elements: tuple[str, ...] = ()
    ignored: tuple[str, ...] = field(default=())  # unknown parameters, reported back

    @property
    def near(self) -> Near | None:
        """The near criterion that orders results, on the resource or through a chain."""
        return find_near(self.criteria)


def find_near(criterion: Criterion) -> Near | None:
    if isinstance(criterion, Near):
        return criterion
    if isinstance(criterion, AllOf):
        for item in criterion.items:
            if (found := find_near(item)) is not None:
                return found
    if isinstance(criterion, Chain):
        return find_near(criterion.inner)
    if isinstance(criterion, Resolved):
        return find_near(criterion.original)
    if isinstance(criterion, Drive):
        return find_near(criterion.item)
    return None
