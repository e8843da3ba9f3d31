"""The jinja2 environment every report template is rendered in, configured once."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"


def new_environment() -> Environment:
    """An environment over ``reports/templates``; each report module adds its own helpers."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        # On for every template whatever its extension: workbook text is hostile.
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
