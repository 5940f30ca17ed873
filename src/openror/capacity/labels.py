"""French words for capacity indicators, as pages show them ("Lits disponibles — femmes,
maintenant")."""

from __future__ import annotations

from collections.abc import Mapping

NATURE = {"01": "Lits", "02": "Places"}
STATUS = {"01": "installés", "02": "disponibles", "03": "occupés", "04": "réservés",
          "05": "fermés", "06": "supplémentaires"}
TEMPORALITY = {"01": "maintenant", "02": "dans 1 h", "03": "dans 24 h", "04": "dans 48 h",
               "05": "dans 7 jours"}
GENDER = {"01": "femmes", "02": "hommes", "03": "indifférencié", "04": "genre indéterminé"}
CLOSING = {"01": "réactivables", "02": "non réactivables", "03": "réactivation indéterminée"}
ADDITIONAL = {"01": "mobilisés", "02": "mobilisables sans renfort", "03":
              "mobilisables avec renfort"}
CRISIS = {"01": "PMIE", "02": "plan blanc (SSE)"}
ASSIGNMENT = {"02": "Covid+", "03": "Covid−"}
SOURCE = {"01": "saisie manuelle", "02": "gestion des lits", "03": "GAM", "04": "DPI"}
FAMILY = {"critical": "Soins critiques", "emergency": "Urgences", "default": "Autres activités"}


def indicator(codes: Mapping[str, str | None]) -> str:
    """``codes``: nature, status, temporality, gender, closing, additional, crisis,
    assignment (the columns of store.capacity_history)."""
    words = [NATURE.get(codes.get("nature") or "", "Lits"),
             STATUS.get(codes.get("status") or "", "?")]
    details = [table[code] for table, key in (
        (GENDER, "gender"), (CLOSING, "closing"), (ADDITIONAL, "additional"),
        (CRISIS, "crisis"), (ASSIGNMENT, "assignment"))
        if (code := codes.get(key) or "") in table]
    if codes.get("status") == "02" or (codes.get("temporality") or "01") != "01":
        details.append(TEMPORALITY.get(codes.get("temporality") or "01", ""))
    text = " ".join(words)
    return f"{text} — {', '.join(details)}" if details else text
