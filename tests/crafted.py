"""Workbooks holding what a careless re-save loses, for the annotated-copy tests.

Each builder starts from ``tests.test_annotate.build_workbook`` (a "KPIs"
sheet with a merged title, a red fill, formulas in C3 and C5, and a "Notes"
sheet) and adds one thing, written as Excel writes it where openpyxl cannot:
a chart and a picture, the supplier's own comments (Excel-style VML with
anchors, the author's name in bold), cached formula results, Excel 2010 data
bars, a table, a macro project.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import DataBarRule
from openpyxl.worksheet.table import Table

from tests.test_annotate import build_workbook
from tests.workbooks import rewrite_package

Edit = Callable[[str, bytes], bytes]

SHEET = "xl/worksheets/sheet1.xml"
#: The cached results written into the formula cells (B3*2 and B5*2).
CACHED = {"C3": "180", "C5": "176"}
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
DATA_BAR_EXT = "{78C0D931-6437-407d-A8EE-F0AAD7539E65}"


def png() -> bytes:
    """A valid 1 x 1 green PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\xb0\x50")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _edits(*edits: Edit) -> Edit:
    def edit(name: str, data: bytes) -> bytes:
        for one in edits:
            data = one(name, data)
        return data

    return edit


def cache_formulas(name: str, data: bytes) -> bytes:
    """Give the formula cells the cached results Excel saves with them."""
    if name != SHEET:
        return data
    for ref, value in CACHED.items():
        data = re.sub(
            rb'(<c r="%s"[^>]*>\s*<f>[^<]*</f>)\s*<v\s*/>' % ref.encode(),
            rb"\1<v>%s</v>" % value.encode(),
            data,
        )
    return data


def _with_chart(path: Path) -> None:
    wb = load_workbook(path)
    ws = wb["KPIs"]
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=3, max_row=5))
    ws.add_chart(chart, "F2")
    wb.save(path)


def add_picture(name: str, data: bytes) -> bytes:
    """Put a picture beside the chart in the sheet's drawing."""
    if name == "xl/drawings/drawing1.xml":
        return data.replace(
            b"</wsDr>",
            b"<oneCellAnchor><from><col>0</col><colOff>0</colOff><row>7</row><rowOff>0</rowOff>"
            b'</from><ext cx="952500" cy="952500"/><pic><nvPicPr><cNvPr id="3" name="Logo"/>'
            b'<cNvPicPr/></nvPicPr><blipFill><a:blip r:embed="rIdLogo"/><a:stretch><a:fillRect/>'
            b'</a:stretch></blipFill><spPr><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            b"</spPr></pic><clientData/></oneCellAnchor></wsDr>",
        )
    if name == "xl/drawings/_rels/drawing1.xml.rels":
        return data.replace(
            b"</Relationships>",
            b'<Relationship Id="rIdLogo" Type="http://schemas.openxmlformats.org/officeDocument/'
            b'2006/relationships/image" Target="/xl/media/image1.png"/></Relationships>',
        )
    if name == "[Content_Types].xml":
        return data.replace(
            b"</Types>", b'<Default Extension="png" ContentType="image/png"/></Types>'
        )
    return data


def chart_and_picture(tmp: Path) -> Path:
    source = build_workbook(tmp / "chart.xlsx")
    _with_chart(source)
    return rewrite_package(source, tmp / "chart-and-picture.xlsx", add_picture,
                           extra={"xl/media/image1.png": png()})  # fmt: skip


def cached_formulas(tmp: Path) -> Path:
    return rewrite_package(build_workbook(tmp / "plain.xlsx"), tmp / "cached.xlsx",
                           cache_formulas)  # fmt: skip


def add_x14_data_bars(name: str, data: bytes) -> bytes:
    """The Excel 2010 data-bar extension openpyxl drops on a round trip."""
    if name != SHEET:
        return data
    ext = (
        b'<extLst><ext uri="%s" xmlns:x14="%s"><x14:conditionalFormattings>'
        b'<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:cfRule type="dataBar" id="{8A4E2B7C-0C55-4B3E-9E6B-5D0E2F1A9C11}">'
        b'<x14:dataBar minLength="0" maxLength="100" gradient="0"><x14:cfvo type="autoMin"/>'
        b'<x14:cfvo type="autoMax"/><x14:negativeFillColor rgb="FFFF0000"/>'
        b'<x14:axisColor rgb="FF000000"/></x14:dataBar></x14:cfRule><xm:sqref>B3:B5</xm:sqref>'
        b"</x14:conditionalFormatting></x14:conditionalFormattings></ext></extLst>"
        % (DATA_BAR_EXT.encode(), X14.encode())
    )
    return data.replace(b"</worksheet>", ext + b"</worksheet>")


def data_bars(tmp: Path) -> Path:
    source = build_workbook(tmp / "bars.xlsx")
    wb = load_workbook(source)
    wb["KPIs"].conditional_formatting.add(
        "B3:B5", DataBarRule(start_type="min", end_type="max", color="FF638EC6")
    )
    wb.save(source)
    return rewrite_package(source, tmp / "data-bars.xlsx", add_x14_data_bars)


def table(tmp: Path) -> Path:
    source = build_workbook(tmp / "table.xlsx")
    wb = load_workbook(source)
    ws = wb["KPIs"]
    ws["F3"], ws["G3"] = "Ref", "Note"
    ws["F4"], ws["G4"] = "STS1", "checked"
    ws.add_table(Table(displayName="Notes", ref="F3:G4"))
    wb.save(source)
    return source


_EXCEL_VML = (
    b'<xml xmlns:v="urn:schemas-microsoft-com:vml"\n xmlns:o="urn:schemas-microsoft-com:office:'
    b'office"\n xmlns:x="urn:schemas-microsoft-com:office:excel">\n <o:shapelayout v:ext="edit">\n'
    b'  <o:idmap v:ext="edit" data="1"/>\n </o:shapelayout><v:shapetype id="_x0000_t202" '
    b'coordsize="21600,21600" o:spt="202"\n  path="m,l,21600r21600,l21600,xe">\n  <v:stroke '
    b'joinstyle="miter"/>\n  <v:path gradientshapeok="t" o:connecttype="rect"/>\n </v:shapetype>'
    b'<v:shape id="_x0000_s1025" type="#_x0000_t202" style=\'position:absolute;\n  margin-left:'
    b"120pt;margin-top:30pt;width:108pt;height:59.25pt;z-index:1;\n  visibility:hidden' "
    b'fillcolor="#ffffe1" o:insetmode="auto">\n  <v:fill color2="#ffffe1"/>\n  <v:shadow '
    b'color="black" obscured="t"/>\n  <v:path o:connecttype="none"/>\n  <v:textbox style=\''
    b"mso-direction-alt:auto'>\n   <div style='text-align:left'></div>\n  </v:textbox>\n  "
    b'<x:ClientData ObjectType="Note">\n   <x:MoveWithCells/>\n   <x:SizeWithCells/>\n   '
    b"<x:Anchor>\n    2, 15, 2, 10, 4, 15, 6, 4</x:Anchor>\n   <x:AutoFill>False</x:AutoFill>\n"
    b"   <x:Row>3</x:Row>\n   <x:Column>1</x:Column>\n  </x:ClientData>\n </v:shape></xml>"
)
_EXCEL_COMMENTS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="http://schemas.'
    b'openxmlformats.org/spreadsheetml/2006/main"><authors><author>Supplier</author></authors>'
    b'<commentList><comment ref="B4" authorId="0" shapeId="0"><text><r><rPr><b/><sz val="9"/>'
    b'<color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr><t>Supplier:</t></r><r>'
    b'<rPr><sz val="9"/><color indexed="81"/><rFont val="Tahoma"/><family val="2"/></rPr>'
    b'<t xml:space="preserve">\nChecked by finance</t></r></text></comment></commentList>'
    b"</comments>"
)


def excel_comments(name: str, data: bytes) -> bytes:
    """The supplier's comment as Excel writes it: v/o/x prefixes, an anchor, a bold author."""
    if name == "xl/drawings/commentsDrawing1.vml":
        return _EXCEL_VML
    if name == "xl/comments/comment1.xml":
        return _EXCEL_COMMENTS
    return data


def supplier_comments(tmp: Path) -> Path:
    from openpyxl.comments import Comment

    source = build_workbook(tmp / "commented.xlsx")
    wb = load_workbook(source)
    wb["KPIs"]["B4"].comment = Comment("Checked by finance", "Supplier")
    wb.save(source)
    return rewrite_package(source, tmp / "supplier-comments.xlsx", excel_comments)


def xlsm(tmp: Path) -> Path:
    from tests.test_annotate_package import as_xlsm

    return as_xlsm(tmp)


def everything(tmp: Path) -> Path:
    """All of the above in one workbook (but the macros)."""
    source = build_workbook(tmp / "all.xlsx")
    wb = load_workbook(source)
    from openpyxl.comments import Comment

    ws = wb["KPIs"]
    ws["B4"].comment = Comment("Checked by finance", "Supplier")
    ws.conditional_formatting.add(
        "B3:B5", DataBarRule(start_type="min", end_type="max", color="FF638EC6")
    )
    ws["F3"], ws["G3"], ws["F4"], ws["G4"] = "Ref", "Note", "STS1", "checked"
    ws.add_table(Table(displayName="Notes", ref="F3:G4"))
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=2, min_row=3, max_row=5))
    ws.add_chart(chart, "I2")
    wb.save(source)
    edit = _edits(cache_formulas, add_picture, add_x14_data_bars, excel_comments)
    return rewrite_package(source, tmp / "everything.xlsx", edit,
                           extra={"xl/media/image1.png": png()})  # fmt: skip


def without_styles(source: Path, dest: Path, edit: Edit | None = None) -> Path:
    """A copy with no styles part: the package editor declines it, openpyxl supplies defaults."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename == "xl/styles.xml":
                continue
            data = src.read(item.filename)
            if edit is not None:
                data = edit(item.filename, data)
            if item.filename.startswith("xl/worksheets/sheet"):
                data = re.sub(rb'\ss="\d+"', b"", data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb"<Relationship [^>]*/styles\"[^>]*/>", b"", data)
            elif item.filename == "[Content_Types].xml":
                data = re.sub(rb'<Override PartName="/xl/styles.xml"[^>]*/>', b"", data)
            out.writestr(item, data)
    return dest


def lossy_fallback(tmp: Path) -> Path:
    """A workbook only openpyxl can mark, and whose re-save would lose a picture and caches."""
    return without_styles(chart_and_picture(tmp), tmp / "fallback.xlsx", cache_formulas)


def lossless_fallback(tmp: Path) -> Path:
    """A workbook only openpyxl can mark, with nothing a re-save would lose."""
    return without_styles(build_workbook(tmp / "plain.xlsx"), tmp / "no-styles.xlsx")


#: name -> (builder, the package members an annotated copy may change).
BASE_EDITS = frozenset({
    SHEET, "xl/styles.xml", "[Content_Types].xml", "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
})  # fmt: skip
CRAFTED: dict[str, tuple[Callable[[Path], Path], frozenset[str]]] = {
    "chart-and-picture": (chart_and_picture, BASE_EDITS | {"xl/worksheets/_rels/sheet1.xml.rels"}),
    "supplier-comments": (
        supplier_comments,
        BASE_EDITS | {"xl/comments/comment1.xml", "xl/drawings/commentsDrawing1.vml"},
    ),
    "cached-formulas": (cached_formulas, BASE_EDITS),
    "data-bars": (data_bars, BASE_EDITS),
    "table": (table, BASE_EDITS | {"xl/worksheets/_rels/sheet1.xml.rels"}),
    "xlsm": (xlsm, BASE_EDITS),
    "everything": (
        everything,
        BASE_EDITS | {"xl/comments/comment1.xml", "xl/drawings/commentsDrawing1.vml"},
    ),
}
