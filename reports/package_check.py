"""What a re-saved workbook lost: compare a package with its copy before the copy is used.

openpyxl's load and save is the annotated copy's fallback, and it loses
things silently: pictures (without Pillow), the cached result of every
formula (``<f>G7-F7</f><v/>``: a reader that does not recalculate sees
blanks), Excel 2010 extensions such as data bars, printer settings, custom
XML. ``losses`` lists, in words, what the copy holds less of than the source,
so the caller can refuse a copy that would mislead a reviewer.
"""

from __future__ import annotations

import hashlib
import posixpath
import zipfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.parsers import expat

from openpyxl.utils.cell import column_index_from_string, get_column_letter

from reports.package_xml import (
    CT_NS,
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    Unsupported,
    check_encoding,
    new_parser,
    parse_part,
    rels_name,
    resolve_target,
    split_name,
)

_CHUNK = 1 << 20
# Parts a faithful re-save may rename, merge or rebuild: they are compared by
# what they hold (cells, cached values, extensions), not by count.
_REBUILT = (
    "worksheet+xml", "styles+xml", "sharedStrings+xml", "sheet.main+xml",
    "sheet.macroEnabled.main+xml", "theme+xml", "core-properties+xml", "extended-properties+xml",
    "custom-properties+xml", "relationships+xml", "comments+xml", "vmlDrawing", "calcChain+xml",
    "drawing+xml",
)  # fmt: skip
_NAMES = {
    "drawingml.chart+xml": "chart",
    "vbaProject": "macro project",
    "printerSettings": "printer settings",
    "table+xml": "table",
    "pivotTable+xml": "pivot table",
    "pivotCacheDefinition+xml": "pivot cache",
    "externalLink+xml": "external link",
    "threadedComment+xml": "threaded comment part",
    "person+xml": "people part",
    "slicer+xml": "slicer",
    "activeX": "ActiveX control",
    "ctrlProps+xml": "form control",
}


@dataclass
class _Inventory:
    """What a package holds, in terms that survive renaming."""

    media: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    cached: dict[str, dict[str, str]] = field(default_factory=dict)
    extensions: dict[str, set[str]] = field(default_factory=dict)


def losses(source: Path, copy: Path) -> list[str]:
    """What ``copy`` holds less of than ``source``, one phrase each (empty: nothing lost)."""
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(copy) as b:
        before, after = _inventory(a), _inventory(b)
    lost: list[str] = []
    media = sum((before.media - after.media).values())
    if media:
        lost.append(_count(media, "picture or embedded file", "pictures or embedded files"))
    for kind, n in sorted(before.kinds.items()):
        short = after.kinds.get(kind, 0)
        if short < n:
            name = _NAMES.get(kind, kind)
            lost.append(_count(n - short, name, f"{name}s" if kind in _NAMES else name))
    cached = 0
    for sheet, values in before.cached.items():
        kept = after.cached.get(sheet, {})
        cached += sum(1 for ref, value in values.items() if kept.get(ref) != value)
    if cached:
        lost.append(_count(cached, "cached formula result", "cached formula results"))
    for sheet, uris in sorted(before.extensions.items()):
        if uris - after.extensions.get(sheet, set()):
            lost.append(f"Excel 2010 extensions (such as data bars) on sheet '{sheet}'")
    return lost


def _count(n: int, one: str, many: str) -> str:
    return f"1 {one}" if n == 1 else f"{n} {many}"


def _inventory(package: zipfile.ZipFile) -> _Inventory:
    names = {info.filename.lower(): info.filename for info in package.infolist()}
    types = _content_types(package, names)
    out = _Inventory()
    for lower, name in names.items():
        kind = types.get(lower, "")
        if (
            kind.startswith(("image/", "video/", "audio/"))
            or "/media/" in f"/{lower}"
            or ("/embeddings/" in f"/{lower}")
        ):
            out.media[_digest(package, name)] += 1
        elif kind and not kind.endswith(_REBUILT):
            out.kinds[_kind(kind)] += 1
        elif lower.startswith("customxml/") and not lower.endswith(".rels"):
            out.kinds["custom XML part"] += 1
    for sheet, part in _worksheets(package, names):
        with package.open(names[part.lower()]) as stream:
            out.cached[sheet], out.extensions[sheet] = _cells(stream)
    return out


def _kind(content_type: str) -> str:
    for key in _NAMES:
        if content_type.endswith(key):
            return key
    return content_type.rpartition(".")[2] or content_type


def _digest(package: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with package.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _content_types(package: zipfile.ZipFile, names: dict[str, str]) -> dict[str, str]:
    """Part name (lower case, no leading slash) -> content type."""
    name = names.get("[content_types].xml")
    if name is None:
        return {}
    root = parse_part(package.read(name), 1)
    defaults = {
        el.attrs.get("Extension", "").lower(): el.attrs.get("ContentType", "")
        for el in root.findall(CT_NS, "Default")
    }
    out = {lower: defaults.get(posixpath.splitext(lower)[1].lstrip("."), "") for lower in names}
    for el in root.findall(CT_NS, "Override"):
        part = el.attrs.get("PartName", "").lstrip("/").lower()
        if part in out:
            out[part] = el.attrs.get("ContentType", "")
    return out


def _relationships(package: zipfile.ZipFile, names: dict[str, str], part: str) -> Iterator[
    tuple[str, str, str]
]:  # fmt: skip
    name = names.get(rels_name(part).lower())
    if name is None:
        return
    root = parse_part(package.read(name), 1)
    for rel in root.findall(PKG_REL_NS, "Relationship"):
        if rel.attrs.get("TargetMode") == "External":
            continue
        target = resolve_target(part, rel.attrs.get("Target", ""))
        yield rel.attrs.get("Id", ""), rel.attrs.get("Type", ""), target


def _worksheets(package: zipfile.ZipFile, names: dict[str, str]) -> list[tuple[str, str]]:
    """(sheet name, part) of every worksheet, through the workbook's relationships."""
    package_rels = _relationships(package, names, "")
    workbook = next((t for _, kind, t in package_rels if kind.endswith("/officeDocument")), None)
    if workbook is None or workbook.lower() not in names:
        return []
    rels = {rid: (kind, target) for rid, kind, target in _relationships(package, names, workbook)}
    root = parse_part(package.read(names[workbook.lower()]), 2)
    listing = root.find(MAIN_NS, "sheets")
    out = []
    for sheet in listing.findall(MAIN_NS, "sheet") if listing is not None else []:
        kind, target = rels.get(sheet.attrs.get(f"{REL_NS} id", ""), ("", ""))
        if kind.endswith("/worksheet") and target.lower() in names:
            out.append((sheet.attrs.get("name", ""), target))
    return out


def _cells(stream: IO[bytes]) -> tuple[dict[str, str], set[str]]:
    """A worksheet's cached formula results by cell, and its extension URIs."""
    scan = _CellScan()
    parser = new_parser()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.characters
    first = True
    while True:
        chunk = stream.read(_CHUNK)
        if first:
            check_encoding(chunk[:200])
            first = False
        try:
            parser.Parse(chunk, not chunk)
        except expat.ExpatError as exc:
            raise Unsupported(f"unreadable worksheet: {exc}") from exc
        if not chunk:
            break
    return scan.cached, scan.extensions


class _CellScan:
    """Expat handlers collecting formula cells' ``<v>`` text and ``<ext uri>`` values."""

    def __init__(self) -> None:
        self.cached: dict[str, str] = {}
        self.extensions: set[str] = set()
        self.depth = 0
        self.ref = ""
        self.formula = False
        self.in_value = False
        self.text: list[str] = []
        self.row = 0
        self.col = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        uri, local = split_name(name)
        self.depth += 1
        if uri != MAIN_NS:
            return
        if local == "row":
            ref = attrs.get("r", "")
            self.row, self.col = (int(ref) if ref.isdigit() else self.row + 1), 0
        elif local == "c":
            # A cell without "r" is the one after the last (as readers place it).
            ref = attrs.get("r") or f"{get_column_letter(self.col + 1)}{self.row}"
            try:
                self.col = column_index_from_string(ref.rstrip("0123456789").replace("$", ""))
            except ValueError:
                self.col += 1
            self.ref, self.formula = ref, False
            self.text.clear()
        elif local == "f":
            self.formula = True
        elif local == "v":
            self.in_value = True
        elif local == "ext" and self.depth == 3:
            self.extensions.add(attrs.get("uri", ""))

    def end(self, name: str) -> None:
        uri, local = split_name(name)
        self.depth -= 1
        if uri != MAIN_NS:
            return
        if local == "v":
            self.in_value = False
        elif local == "c" and self.formula:
            self.cached[self.ref] = "".join(self.text)

    def characters(self, data: str) -> None:
        if self.in_value:
            self.text.append(data)
