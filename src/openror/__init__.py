"""OpenROR: an open-source ROR directory with a FHIR R4 API."""

__version__ = "0.1.0"
