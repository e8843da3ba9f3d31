"""``--contract NAME``: a contract the KPI catalogue declares, checked after parsing.

The parser takes any text, so ``kpiflow --help`` never reads the catalogue
(a broken catalogue must not break help); the command checks the name
against the settings' catalogue and says which contracts it has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flows.errors import UsageProblem

if TYPE_CHECKING:
    from core.catalogue import Catalogue

HELP = "a contract the KPI catalogue declares (KPIFLOW_CATALOGUE), in any case"


def contract_named(text: str, catalogue: Catalogue) -> str:
    """The catalogue's name for ``text`` (its name or an alias, in any case and spacing).

    Raises ``UsageProblem`` with one sentence listing the catalogue's contracts.
    """
    wanted = _key(text)
    for name in catalogue.contract_names:
        declared = catalogue.contracts.get(name)
        aliases = declared.aliases if declared is not None else ()
        if any(_key(spelling) == wanted for spelling in (name, *aliases)):
            return name
    names = catalogue.contract_names
    if not names:
        raise UsageProblem(f"--contract {text!r}: the KPI catalogue declares no contracts")
    listed = f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]
    raise UsageProblem(f"--contract {text!r} is not a contract in the KPI catalogue: give {listed}")


def _key(text: str) -> str:
    return "".join(text.split()).casefold()
