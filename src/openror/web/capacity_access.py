"""Who may open the capacity pages: the rules of ``/api/capacity/history``
(``capacity.history.may_read_capacities``), told in French."""

from __future__ import annotations

from openror.access.caller import Caller
from openror.capacity.history import may_read_capacities
from openror.errors import Forbidden, Unauthorized, error


def may_see_capacities(caller: Caller) -> None:
    """Forbidden (403) for an access profile without capacities (0: open data)."""
    try:
        may_read_capacities(caller)
    except Unauthorized:
        raise Unauthorized([error("login", "Connectez-vous pour voir les lits et "
                                  "places.")]) from None
    except Forbidden:
        raise Forbidden([error("forbidden", f"Votre profil d'accès ({caller.profile}) ne "
                               "comprend pas les lits et places : demandez à votre "
                               "administrateur un rôle qui les donne.")]) from None
