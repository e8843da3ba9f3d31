"""Pandera schemas, the KPI catalogue, markers and the contract manager's rules.

Names are imported on first use (PEP 562) so that ``schemas.records``, which
the extractors need, does not pull pandas and pandera into every process.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "MARKERS": "schemas.markers",
    "marker_code": "schemas.markers",
    "Catalogue": "schemas.catalogue",
    "Kpi": "schemas.catalogue",
    "load_catalogue": "schemas.catalogue",
    "ExceptionRecord": "schemas.records",
    "validate_observations": "schemas.adapter",
    "Assessment": "schemas.rules",
    "assess_extraction": "schemas.rules",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
