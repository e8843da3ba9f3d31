"""Turn openpyxl's inline strings into a shared-string table, as Excel saves a workbook.

openpyxl writes every text cell as ``t="inlineStr"``; Excel (what suppliers
use) writes ``t="s"`` cells indexing ``xl/sharedStrings.xml``, in order of
first use, sheet by sheet. Readers pay differently for the two (a call log's
hundreds of thousands of strings sit in the table), so the benchmark's files
are rewritten to look like Excel's.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

_INLINE = re.compile(
    rb'<c ([^>]*?)t="inlineStr"([^>]*)>\s*<is>\s*'
    rb"(?:<t(?: [^>]*)?>(.*?)</t>|<t(?: [^>]*)?/>)\s*</is>\s*</c>",
    re.DOTALL,
)
_MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _sheet_order(parts: dict[str, bytes]) -> list[str]:
    """Worksheet part names in workbook order (openpyxl numbers them so)."""
    names = [n for n in parts if n.startswith("xl/worksheets/") and n.endswith(".xml")]
    return sorted(names, key=lambda n: int(re.sub(r"\D", "", n.rsplit("/", 1)[1]) or 0))


def to_shared_strings(path: Path) -> None:
    """Rewrite ``path`` in place with a shared-string table; a no-op if it has one."""
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        parts = {info.filename: archive.read(info) for info in infos}
    if "xl/sharedStrings.xml" in parts:
        return
    index: dict[bytes, int] = {}
    uses = 0

    def shared(match: re.Match[bytes]) -> bytes:
        nonlocal uses
        text = match.group(3) or b""
        uses += 1
        number = index.setdefault(text, len(index))
        return b"<c " + match.group(1) + b't="s"' + match.group(2) + b"><v>%d</v></c>" % number

    for name in _sheet_order(parts):
        parts[name] = _INLINE.sub(shared, parts[name])
    items = b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in index)
    parts["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="'
        + _MAIN_NS
        + b'" count="%d" uniqueCount="%d">' % (uses, len(index))
        + items
        + b"</sst>"
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _SST_TYPE + b'"/></Types>',
    )
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Type="' + _SST_REL + b'" Target="sharedStrings.xml" Id="rIdSst"/>'
        b"</Relationships>",
    )
    names = [info.filename for info in infos] + ["xl/sharedStrings.xml"]
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=(2017, 10, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, parts[name])
    tmp.replace(path)
