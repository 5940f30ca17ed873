"""Entry templates (ROR Questionnaires): which template applies to an offer, and which fields it
asks for. docs/api/templates.md describes them for API users, docs/admin/templates.md how to
load them.

* ``choose(db, category, profession, field, specialty)`` → the best active template, or None;
  ``rank`` → every template that applies, best first; ``stored`` → the stored templates.
* ``applicable_fields(questionnaire)`` → its ``Field``s (linkId, element path, text, type,
  required, read-only, value set, options, enableWhen, repeating group, step 1–5, help);
  ``by_step`` groups them by step of the guided entry.
* ``load`` / ``load_bundled`` / ``read_files`` put templates in the store through the write
  path (``bundled.BUNDLED`` lists the shipped ones and their sources).
"""

from openror.templates.choose import choose, rank, stored
from openror.templates.fields import (
    EnableWhen,
    Field,
    Option,
    applicable_fields,
    by_step,
    element_path,
)
from openror.templates.model import Coded, Questionnaire

__all__ = ["Coded", "EnableWhen", "Field", "Option", "Questionnaire", "applicable_fields",
           "by_step", "choose", "element_path", "rank", "stored"]
