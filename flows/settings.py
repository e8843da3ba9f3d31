"""One frozen settings object, built once at the edge and passed down.

Every ``KPIFLOW_*`` knob is one field of ``Settings`` declaring, once, its
variable, default, flag, help and check (``_knob``). Each value comes from
the command-line flag, else the environment, else the default;
``Settings.build`` checks them all and raises a ``UsageProblem`` naming the
flag or variable. The CLI's help (``environment_help``, ``add_flags``) and
the README's settings table (``markdown_table``; ``python -m flows.settings``
prints it, a test keeps them in step) are generated from these fields.

Nothing below the command line reads the environment for a setting: the run,
the readers (``reader_limits``), the annotated copy, the warehouse and the
Prefect API probe are given their values. The Prefect flow takes the
settings as ``parameters()``, a JSON-able dict of the variables' text (what
a served deployment stores), and rebuilds them with ``from_parameters``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from core.catalogue import DEFAULT_PATH as DEFAULT_CATALOGUE
from core.limits import BUSY_TIMEOUT_S, DEFAULT_LIMITS, Limits, MiB
from flows.errors import UsageProblem

PROJECT_ROOT = Path(__file__).resolve().parents[1]

#: An empty variable (or flow parameter value) is one not given, as shells and systemd mean it.
_UNSET = ""


@dataclass(frozen=True, slots=True)
class Knob:
    """How one setting is given, checked and explained."""

    env: str
    help: str
    #: What a good value is, completing "KPIFLOW_X must be ...".
    must: str
    parse: Callable[[str], Any]
    #: None for a good value, else why not ("" when ``must`` says it all).
    check: Callable[[Any], str | None]
    flag: str | None = None
    #: The default as the README and the help show it, when its text is not that.
    shown_default: str | None = None


def _knob(
    env: str,
    help: str,
    *,
    must: str,
    parse: Callable[[str], Any],
    check: Callable[[Any], str | None] | None = None,
    flag: str | None = None,
    shown_default: str | None = None,
) -> dict[str, Knob]:
    """A field's metadata: its ``Knob``."""
    knob = Knob(env, help, must, parse, check or (lambda value: None), flag, shown_default)
    return {"knob": knob}


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _seconds(minimum: float, inclusive: bool) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        good = value >= minimum if inclusive else value > minimum
        return None if math.isfinite(value) and good else ""

    return check


_CRON_FIELDS = (
    ("minute", 0, 59, ()),
    ("hour", 0, 23, ()),
    ("day", 1, 31, ()),
    ("month", 1, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                      "nov", "dec")),
    ("weekday", 0, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat")),
)  # fmt: skip
_CRON_ITEM = re.compile(r"^(\*|([0-9A-Za-z]+)(?:-([0-9A-Za-z]+))?)(?:/([0-9]+))?$")


def cron_problem(text: str) -> str | None:
    """Why ``text`` is not a five-field cron schedule, or None.

    Checked here, without importing Prefect (a second's import, and Prefect
    must not load before ``flows.cli.prepare_prefect``); ``flows.serve``
    builds Prefect's own schedule from it before serving.
    """
    parts = text.split()
    if len(parts) != len(_CRON_FIELDS):
        return f"it has {len(parts)} field{'s' if len(parts) != 1 else ''}"
    for part, (what, low, high, names) in zip(parts, _CRON_FIELDS, strict=True):
        for item in part.split(","):
            match = _CRON_ITEM.match(item)
            if match is None or (match.group(4) is not None and int(match.group(4)) == 0):
                return f"{what} {item!r} is not a value, a range, * or a step of them"
            for value in (match.group(2), match.group(3)):
                if value is None:
                    continue
                if value.lower() in names:
                    continue
                if not value.isdigit() or not low <= int(value) <= high:
                    return f"{what} {value!r} is not {low}-{high}"
    return None


@dataclass(frozen=True, slots=True)
class Settings:
    """Where kpiflow reads and writes, how patient it is, and when ``serve`` runs it."""

    inbox: Path = field(default=Path("inbox"), metadata=_knob(
        "KPIFLOW_INBOX", "drop folder", must="a folder", parse=Path, flag="--inbox",
    ))  # fmt: skip
    db: Path = field(default=Path("warehouse/kpi.db"), metadata=_knob(
        "KPIFLOW_DB", "the SQLite warehouse", must="a file", parse=Path, flag="--db",
    ))  # fmt: skip
    reports: Path = field(default=Path("warehouse/reports"), metadata=_knob(
        "KPIFLOW_REPORTS", "reports folder", must="a folder", parse=Path, flag="--reports",
    ))  # fmt: skip
    catalogue: Path = field(default=DEFAULT_CATALOGUE, metadata=_knob(
        "KPIFLOW_CATALOGUE", "KPI catalogue", must="a file", parse=Path,
        shown_default="schemas/catalogue.toml",
    ))  # fmt: skip
    stable_seconds: float = field(default=5.0, metadata=_knob(
        "KPIFLOW_STABLE_SECONDS", "leave files changed in the last N seconds for the next run",
        must="a number of seconds, 0 or more", parse=_number, check=_seconds(0, True),
        flag="--stable-seconds",
    ))  # fmt: skip
    reader_timeout: float = field(default=DEFAULT_LIMITS.reader_timeout_s, metadata=_knob(
        "KPIFLOW_READER_TIMEOUT", "seconds one workbook may take to read",
        must="a number of seconds above 0", parse=_number, check=_seconds(0, False),
    ))  # fmt: skip
    reader_memory_mb: int = field(default=DEFAULT_LIMITS.reader_memory_bytes // MiB, metadata=_knob(
        "KPIFLOW_READER_MEMORY_MB", "memory cap of the reader process, in MB",
        must="a whole number of MB above 0", parse=int, check=lambda mb: None if mb > 0 else "",
    ))  # fmt: skip
    busy_timeout: float = field(default=BUSY_TIMEOUT_S, metadata=_knob(
        "KPIFLOW_BUSY_TIMEOUT", "seconds a run waits for another writer's lock on the warehouse",
        must="a number of seconds, 0 or more", parse=_number, check=_seconds(0, True),
    ))  # fmt: skip
    api_timeout: float = field(default=5.0, metadata=_knob(
        "KPIFLOW_API_TIMEOUT", "seconds the Prefect API may take to answer its health check",
        must="a number of seconds above 0", parse=_number, check=_seconds(0, False),
    ))  # fmt: skip
    monthly_cron: str = field(default="0 6 2 * *", metadata=_knob(
        "KPIFLOW_MONTHLY_CRON", "serve: the monthly run's schedule (Europe/London)",
        must="five cron fields, minute hour day month weekday, such as '0 6 2 * *' (06:00 on "
        "the 2nd)", parse=str, check=cron_problem, flag="--cron",
    ))  # fmt: skip
    poll_seconds: float = field(default=300.0, metadata=_knob(
        "KPIFLOW_POLL_SECONDS", "serve: seconds between looks in the inbox",
        must="a number of seconds above 0", parse=_number, check=_seconds(0, False),
        flag="--poll-seconds",
    ))  # fmt: skip
    server_port: int = field(default=4200, metadata=_knob(
        "KPIFLOW_SERVER_PORT", "serve: port of the local Prefect server it starts",
        must="a port number (1-65535)", parse=int,
        check=lambda port: None if 0 < port < 65536 else "",
    ))  # fmt: skip

    @property
    def processed(self) -> Path:
        return self.inbox / "processed"

    @property
    def rejected(self) -> Path:
        return self.inbox / "rejected"

    @property
    def reader_limits(self) -> Limits:
        """The caps on an incoming file, with this run's reader time and memory."""
        return replace(
            DEFAULT_LIMITS,
            reader_timeout_s=self.reader_timeout,
            reader_memory_bytes=self.reader_memory_mb * MiB,
        )

    @classmethod
    def build(cls, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
        """Combine flags (None means not given), then ``KPIFLOW_*`` variables, then defaults.

        Flags arrive typed (argparse made them); variables are text. Raises a
        ``UsageProblem`` naming the first flag or variable that is not good.
        """
        env = os.environ if env is None else env
        unknown = sorted(set(flags) - {f.name for f in fields(cls)})
        if unknown:
            raise TypeError(f"no such setting: {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for f in fields(cls):
            knob: Knob = f.metadata["knob"]
            given = flags.get(f.name)
            if given is not None:
                source = knob.flag or f.name
            else:
                source, given = knob.env, env.get(knob.env)
                if given is None or given == _UNSET:
                    continue
            values[f.name] = _checked(knob, source, given, type(f.default))
        return cls(**values)

    def parameters(self) -> dict[str, str]:
        """Every setting as its variable's text: the Prefect flow's JSON-able parameter."""
        return {knob.env: _text(getattr(self, name)) for name, knob in knobs()}

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, str]) -> Settings:
        """The settings ``parameters()`` gave, checked again (a deployment's may be edited)."""
        known = {knob.env for _, knob in knobs()}
        unknown = sorted(set(parameters) - known)
        if unknown:
            raise UsageProblem(
                f"the flow's settings name {', '.join(unknown)}, which kpiflow does not have; "
                f"give only {', '.join(sorted(known))}."
            )
        return cls.build(env=parameters)

    def resolved(self) -> Settings:
        """The same settings with absolute paths (a served run may start elsewhere)."""
        return replace(
            self,
            **{f.name: getattr(self, f.name).resolve() for f in fields(self)
               if isinstance(getattr(self, f.name), Path)},
        )  # fmt: skip


def _checked(knob: Knob, source: str, given: Any, kind: type) -> Any:
    """``given`` (text, or a flag's typed value) as ``kind``, or the sentence why not."""
    try:
        value = knob.parse(given) if isinstance(given, str) else kind(given)
        reason = knob.check(value)
    except (TypeError, ValueError):
        reason = ""
    if reason is None:
        return value
    shown = f"{given:g}" if isinstance(given, int | float) else repr(str(given))
    why = f" ({reason})" if reason else ""
    raise UsageProblem(f"{source} must be {knob.must}, not {shown}{why}.")


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def knobs() -> list[tuple[str, Knob]]:
    """Every setting's field name and knob, in the order the help and README show them."""
    return [(f.name, f.metadata["knob"]) for f in fields(Settings)]


def _default(name: str, knob: Knob) -> str:
    if knob.shown_default is not None:
        return knob.shown_default
    value = getattr(Settings(), name)
    return f"{value:g}" if isinstance(value, float) else str(value)


def markdown_table() -> str:
    """The README's settings table."""
    lines = ["| variable | flag | default | meaning |", "|---|---|---|---|"]
    for name, knob in knobs():
        flag = f"`{knob.flag}`" if knob.flag else ""
        lines.append(f"| `{knob.env}` | {flag} | `{_default(name, knob)}` | {knob.help} |")
    return "\n".join(lines)


def environment_help() -> str:
    """The "environment:" part of the CLI's help, one line a variable."""
    width = max(len(knob.env) for _, knob in knobs())
    lines = ["environment (flags win over the environment, the environment over the defaults):"]
    indent = " " * (width + 4)
    for name, knob in knobs():
        wrapped = textwrap.wrap(f"  {knob.env:<{width}}  {knob.help}", 80, subsequent_indent=indent)
        default = f"(default {_default(name, knob)})"
        if len(wrapped[-1]) + 1 + len(default) <= 80:
            wrapped[-1] += f" {default}"
        else:
            wrapped.append(indent + default)
        lines.extend(wrapped)
    return "\n".join(lines) + "\n"


def add_flags(parser: argparse.ArgumentParser, *names: str) -> None:
    """Add the settings' flags for ``names`` to ``parser`` (not given: None)."""
    declared = dict(knobs())
    kinds = {f.name: type(f.default) for f in fields(Settings)}
    for name in names:
        knob = declared[name]
        assert knob.flag is not None, name
        kind = kinds[name]
        parser.add_argument(
            knob.flag, dest=name, type=kind, default=None,
            metavar="N" if kind in (int, float) else knob.flag.lstrip("-").upper(),
            help=f"{knob.help} (default {_default(name, knob)}; {knob.env})",
        )  # fmt: skip


def given_flags(args: argparse.Namespace) -> dict[str, Any]:
    """The settings' flags ``args`` holds, for ``Settings.build``."""
    return {name: getattr(args, name) for name, _ in knobs() if hasattr(args, name)}


if __name__ == "__main__":
    print(markdown_table())
