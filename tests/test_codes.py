"""Exception codes: one catalogue, the README's table, and the code base agree."""

from __future__ import annotations

import re
from pathlib import Path

from core.codes import CODES, markdown_table

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [p for d in ("extractors", "schemas", "flows", "warehouse", "reports")
           for p in (ROOT / d).glob("*.py")]  # fmt: skip


def test_readme_table_is_generated_from_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- codes:start -->\n")[1].split("\n<!-- codes:end -->")[0]
    assert block == markdown_table()


def test_codes_are_kebab_case_with_a_known_severity() -> None:
    for code, (severity, meaning) in CODES.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code), code
        assert severity in ("error", "warning", "info"), code
        assert meaning.endswith("."), code


def test_every_code_the_code_base_emits_is_catalogued() -> None:
    # Codes appear as the first argument of ExceptionRecord/UnreadableFile or
    # as code= keywords; the adapter's table maps checks to codes.
    emitted: set[str] = set()
    pattern = re.compile(
        r"""(?:ExceptionRecord|UnreadableFile)\(\s*(?:code=)?"([a-z0-9-]+)"|code="([a-z0-9-]+)"|"""
        r"""^\s*"([a-z0-9]+(?:-[a-z0-9]+)+)",\s*$""",
        re.MULTILINE,
    )
    for path in SOURCES:
        if path.name == "codes.py":
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            emitted.add(next(g for g in match.groups() if g))
    unknown = sorted(c for c in emitted if c not in CODES and "-" in c)
    assert unknown == []
