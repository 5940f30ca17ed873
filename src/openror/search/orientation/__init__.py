"""Orientation: the offers that best fit a patient's need near the patient, ranked and
explained (DESIGN.md §3.6). One module per stage: ``analyse`` (need and location) →
``candidates`` (a growing radius through the search engine) → ``filters`` (hard criteria) →
``rank`` (a score) → ``explain`` (why each result, why not another); ``pipeline`` runs them.
One module per concept they share: ``params`` (codes and values given), ``address`` (an
address as its commune), ``equipment`` (on the offer's places), ``hours`` (open now, next
opening), ``contacts`` (what the caller may see)."""
