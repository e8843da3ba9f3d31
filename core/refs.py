"""Recognise the catalogue's KPI refs in cells, however a return spells them.

Suppliers write the same ref many ways: ``R&B-K-009a``, ``R&B K 009a``,
``RB-K-009A``, ``r and b-k-9a``; ``7``, ``KPI 7``, ``ICT KPI 7``, ``ICT-07``.
A ref's *key* drops what does not distinguish refs (case, spaces and
punctuation, ``&``/``and``, leading zeros); words that only say "this is a
ref" (``KPI``, ``PI``, ``Ref``, a contract's name) are dropped from the front
and remembered, and a trailing role word (``R&B-K-001 Target``) is split off.

A match is *strong* when the text itself says it is a ref (it keeps letters
after the prefix words are dropped, or had such a word), and *weak* when it is
a bare number: ``7`` is ICT KPI 7 only where the layout says so (a ``Ref``
header above it, a run of refs), never on its own, because a count, a
footnote number or a summary figure looks the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from core.hints import SheetLayout, sheet_key

# Words that only say "what follows is a KPI reference".
_PREFIX_WORDS = frozenset({"kpi", "kpis", "pi", "ref", "no", "number", "measure", "indicator"})
# A trailing word naming what the row holds: "R&B-K-001 Target".
ROLE_SUFFIXES: Mapping[str, str] = {
    "target": "target", "tgt": "target", "actual": "actual", "act": "actual",
    "result": "actual", "performance": "actual", "detriment": "detriment",
    "failure": "failure",
}  # fmt: skip
_TOKEN = re.compile(r"[a-z]+|\d+")
_BARE_NUMBER = re.compile(r"\s*\d{1,4}\s*")
_FOOTNOTE = re.compile(r"(?<=\S)\s*(?:\[\w{1,3}\]|\(\d{1,2}\)|[*†‡¹²³⁴⁵⁶⁷⁸⁹]+)\s*$")
_HEAD = re.compile(r"^\s*(\S+(?:\s\S+){0,2}?)\s*(?:\s[-–:]\s|\s*\(|\s*\n|:\s)")
MAX_REF_TEXT = 40
"""Longer text is a sentence, never a ref."""


@dataclass(frozen=True, slots=True)
class RefMatch:
    """A cell read as a catalogue ref: which KPI, how sure, and any role word after it."""

    contract: str
    ref: str
    strong: bool
    role: str | None = None
    # The ref starts a cell of words ("STS-K-009 - Statutory returns"): a mention
    # as often as a table's ref column, so alone it is never a table.
    head: bool = False


_SEP = r"(?:[\W_]|and)*"


def _build_probe(book: RefBook) -> re.Pattern[str]:
    lettered: list[str] = []
    numbers: set[str] = set()
    for key in book.keys:
        parts = re.findall(r"[a-z]+|\d+|\.", key)
        if all(p.isdigit() or p == "." for p in parts):
            numbers.add(key)
            continue
        pattern = _SEP.join(
            f"0*{p}(?!\\d)" if p.isdigit() else re.escape(p) if p == "." else _SEP.join(p)
            for p in parts
        )
        lettered.append(pattern)
    words = set(_PREFIX_WORDS)
    for names in book.contract_words.values():
        words.update(w for name in names for w in name.split())
    prefix = "(?:(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")[\W_]*)+"
    numeric = "0*(?:" + "|".join(sorted(numbers, key=len, reverse=True)) + r")(?!\d)"
    body = "|".join([*lettered, f"{prefix}{numeric}"] if numbers else lettered)
    return re.compile(rf"(?<![^\0])\s*(?:{prefix})?(?:{body})[^\0]{{0,12}}(?![^\0])")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("&", " and "))


def _key(tokens: Sequence[str]) -> str:
    """Join tokens into a key: "and" dropped, numbers without leading zeros."""
    out: list[str] = []
    previous_digit = False
    for token in tokens:
        if token == "and":  # noqa: S105 - a word, not a password
            continue
        digit = token.isdigit()
        if digit:
            token = str(int(token))
            if previous_digit:
                out.append(".")  # "1-2" must not read as "12"
        out.append(token)
        previous_digit = digit
    return "".join(out)


def ref_key(text: str) -> str:
    """The spelling-blind key of a ref as the catalogue writes it."""
    return _key(_tokens(text))


@dataclass(frozen=True, slots=True)
class RefBook:
    """Every contract's refs by key, and the words that name each contract.

    Plain data, built once from the catalogue and handed to the extractor (it
    crosses into the reader's child process by pickle).
    """

    keys: Mapping[str, tuple[tuple[str, str], ...]]  # key -> ((contract, ref), ...)
    contract_words: Mapping[str, tuple[str, ...]]  # contract -> lower-case names and aliases
    areas: Mapping[str, str] = field(default_factory=dict)  # area name key -> contract
    layouts: Mapping[str, SheetLayout] = field(default_factory=dict)  # sheet key -> hints
    _cache: dict[Any, tuple[RefMatch, ...]] = field(default_factory=dict, compare=False, repr=False)
    _probe: list[re.Pattern[str]] = field(default_factory=list, compare=False, repr=False)
    # Contracts with lettered refs (True) and with numbered refs (False), in order.
    _shaped: dict[bool, list[str]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        kpis: Iterable[tuple[str, str, Sequence[str]]],
        contract_words: Mapping[str, Sequence[str]],
        areas: Mapping[str, str] | None = None,
        layouts: Mapping[str, SheetLayout] | None = None,
    ) -> RefBook:
        """Index ``(contract, ref, aliases)`` entries; contract words name each contract.

        ``areas`` maps service-area names and abbreviations to their contract,
        for the supplier's summary tables (which name areas, not refs).
        """
        keys: dict[str, list[tuple[str, str]]] = {}
        for contract, ref, aliases in kpis:
            for spelling in (ref, *aliases):
                entry = keys.setdefault(ref_key(spelling), [])
                if (contract, ref) not in entry:
                    entry.append((contract, ref))
        words = {
            contract: tuple(sorted({" ".join(_tokens(w)) for w in (contract, *names) if w}))
            for contract, names in contract_words.items()
        }
        area_keys = {" ".join(_tokens(name)): c for name, c in (areas or {}).items()}
        return cls({k: tuple(v) for k, v in keys.items()}, words, area_keys, dict(layouts or {}))

    def layout_for(self, sheet: str) -> SheetLayout | None:
        """The layout file's word on this sheet, if it has one."""
        return self.layouts.get(sheet_key(sheet))

    @property
    def contracts(self) -> tuple[str, ...]:
        return tuple(self.contract_words)

    def match(self, value: Any) -> tuple[RefMatch, ...]:
        """The refs a cell may hold (several contracts only for ambiguous weak ones)."""
        if value is None or isinstance(value, bool):
            return ()
        if isinstance(value, float):
            if not value.is_integer() or not 0 < value < 10_000:
                return ()
            value = int(value)
        if isinstance(value, int):
            if not 0 <= value < 10_000:
                return self._lookup(str(value), strong=False, hint=None, role=None)
            # Figures are numbers too: every one is asked about, on every sheet.
            found = self._cache.get(value)
            if found is None:
                found = self._cache[value] = self._lookup(
                    str(value), strong=False, hint=None, role=None
                )
            return found
        if not isinstance(value, str) or len(value) > 200:
            return ()
        cached = self._cache.get(value)
        if cached is None:
            cached = self._match_text(value)
            if not cached:
                cached = self._match_head(value)
            self._cache[value] = cached
        return cached

    def _match_head(self, text: str) -> tuple[RefMatch, ...]:
        """A lettered ref and its description in one cell: "STS-K-009 - Statutory returns".

        Only a strong ref (a bare number then words is a sentence), and only
        when a dash, colon, bracket or line break separates it from the words.
        """
        head = _HEAD.match(text)
        if head is None:
            return ()
        found = self._match_text(head.group(1))
        return tuple(
            RefMatch(m.contract, m.ref, m.strong, m.role, head=True) for m in found if m.strong
        )

    def _match_text(self, text: str) -> tuple[RefMatch, ...]:
        if len(text) > MAX_REF_TEXT:
            return ()
        text = _FOOTNOTE.sub("", text)  # "SP-K-009 [2]", "R&B-K-001 *", "CS-K-002¹"
        tokens = _tokens(text)
        if not tokens or not any(t.isdigit() for t in tokens):
            return ()
        if not any(ch.isalpha() for ch in text) and not _BARE_NUMBER.fullmatch(text):
            return ()  # "< 5%", "1,234", "2.5": a figure, not a ref
        role = ROLE_SUFFIXES.get(tokens[-1]) if len(tokens) > 1 else None
        if role is not None:
            tokens = tokens[:-1]
        found = self._lookup_tokens(tokens, role)
        if found and (role is None or found[0].strong):
            # "1 failure" is a threshold, not KPI 1's failure row.
            return found
        # Prefix words: "KPI 7", "ICT KPI 7", "PI ref 12".
        hint: str | None = None
        stripped = list(tokens)
        had_prefix = False
        while stripped:
            word = stripped[0]
            named = self._contract_named(word)
            if named is not None:
                hint = named
            elif word not in _PREFIX_WORDS:
                break
            stripped.pop(0)
            had_prefix = True
        if not had_prefix or not stripped or (role is not None and len(tokens) < 2):
            return ()
        return self._lookup(_key(stripped), strong=True, hint=hint, role=role)

    def _lookup_tokens(self, tokens: list[str], role: str | None) -> tuple[RefMatch, ...]:
        key = _key(tokens)
        strong = not key.replace(".", "").isdigit()
        return self._lookup(key, strong=strong, hint=None, role=role)

    def _lookup(
        self, key: str, *, strong: bool, hint: str | None, role: str | None
    ) -> tuple[RefMatch, ...]:
        entries = self.keys.get(key, ())
        if hint is not None:
            entries = tuple(e for e in entries if e[0] == hint)
        return tuple(RefMatch(contract, ref, strong, role) for contract, ref in entries)

    def _contract_named(self, word: str) -> str | None:
        for contract, words in self.contract_words.items():
            if word in words:
                return contract
        return None

    def probe(self) -> re.Pattern[str]:
        """One regex finding cells that are strong refs in NUL-joined, lower-cased cell texts.

        For scanning big sheets cheaply (a call-log tab of 100,000 rows):
        whatever it finds is confirmed with ``match``.
        """
        if not self._probe:
            self._probe.append(_build_probe(self))
        return self._probe[0]

    def contract_for_shape(self, ref: str, title: str = "") -> str:
        """The contract an uncatalogued ref most likely belongs to: by the title, else by shape.

        "XYZ-K-001" is lettered like PSSP's refs, "99" a number like ICT's.
        """
        named = self.contracts_named_in(title)
        if len(named) == 1:
            return named.pop()
        lettered = any(ch.isalpha() for ch in ref)
        shaped = self._shaped.get(lettered)
        if shaped is None:
            shaped = self._shaped[lettered] = [
                contract
                for contract in self.contract_words
                if any(
                    c == contract and any(ch.isalpha() for ch in r) == lettered
                    for entries in self.keys.values()
                    for c, r in entries
                )
            ]
        return shaped[0] if shaped else next(iter(self.contract_words), "")

    def contract_of_area(self, area: str) -> str:
        """The contract a summary row's service area belongs to (the first contract if unsure)."""
        named = self.contracts_named_in(area)
        if len(named) == 1:
            return named.pop()
        found = self.areas.get(" ".join(_tokens(area)))
        return found or next(iter(self.contract_words), "")

    def contracts_named_in(self, text: str) -> set[str]:
        """Contracts whose name or alias appears as words in ``text`` (a title, a sheet name)."""
        spaced = f" {' '.join(_tokens(text))} "
        return {
            contract
            for contract, words in self.contract_words.items()
            if any(f" {word} " in spaced for word in words)
        }
