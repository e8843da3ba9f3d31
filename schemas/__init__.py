"""The pandera schema, its adapter and the contract manager's rules.

Names are imported on first use (PEP 562): ``import schemas`` does not pull
pandas and pandera into a process that only needs ``schemas.rules``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "validate_observations": "schemas.adapter",
    "Assessment": "schemas.rules",
    "assess_extraction": "schemas.rules",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'schemas' has no attribute {name!r}")
