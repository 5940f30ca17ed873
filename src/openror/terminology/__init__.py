"""NOS terminologies (TRE code systems, JDV value sets): load, look up, check a coding.

``default_terminology()`` gives the bundled data; ``load_release`` parses other NOS files
(``.tabs``, FHIR JSON, ``;`` CSV) to stack on top with ``Terminology.with_release``.
"""

from .bundled import default_terminology
from .model import Association, CodeCheck, Concept, Release, ValueSet
from .release import load_release
from .terminology import Terminology

__all__ = [
    "Association",
    "CodeCheck",
    "Concept",
    "Release",
    "Terminology",
    "ValueSet",
    "default_terminology",
    "load_release",
]
