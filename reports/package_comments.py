"""Comments and their VML boxes for the package editor: written new, or merged into the supplier's.

A cell comment in an xlsx is two parts: the text in ``xl/commentsN.xml`` and
a box in a legacy VML drawing that says where the box sits when shown. A
sheet that already has comments keeps every one of them, with its author and
its box; kpiflow's notes are added to the same two parts. A marked cell that
already had a comment keeps it, under kpiflow's note, in the same box.

The text starts with the author's name in bold, as Excel writes it: the
author list of an xlsx is not shown by LibreOffice (its import reads it and
drops it), the first line of the text is. Each new box has an
``<x:Anchor>`` beside its cell, so "Show all comments" does not stack them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from xml.sax.saxutils import unescape

from openpyxl.utils.cell import get_column_letter, range_boundaries

from reports.package_xml import (
    MAIN_NS,
    El,
    Unsupported,
    append_edit,
    attr_xml,
    parse_part,
    prefix_of,
    qname_at,
    set_attr,
    splice,
    text_xml,
    to_int,
)

VML_NS = "urn:schemas-microsoft-com:vml"
OFFICE_NS = "urn:schemas-microsoft-com:office:office"
EXCEL_NS = "urn:schemas-microsoft-com:office:excel"
NOTE_SHAPETYPE = "_x0000_t202"
#: What separates kpiflow's note from a comment the cell already had.
EXISTING_HEADING = "--- Comment already in the workbook ---"

# Excel's own comment text formatting: 9 pt Tahoma, the author's name in bold.
_AUTHOR_PROPS = (
    b'<%(p)srPr><%(p)sb/><%(p)ssz val="9"/><%(p)scolor indexed="81"/>'
    b'<%(p)srFont val="Tahoma"/><%(p)sfamily val="2"/></%(p)srPr>'
)
_BODY_PROPS = (
    b'<%(p)srPr><%(p)ssz val="9"/><%(p)scolor indexed="81"/>'
    b'<%(p)srFont val="Tahoma"/><%(p)sfamily val="2"/></%(p)srPr>'
)
# Default column width and row height in pixels, for sizing a box in cells.
_COL_PX, _ROW_PX = 64, 20
_XMLNS = re.compile(rb"""\sxmlns:([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")

Cell = tuple[int, int]  # (row, col), 1-based


class Note(NamedTuple):
    """What one marked cell gets: comment text and size, and the border colour."""

    text: str
    author: str
    colour: str
    height: int
    width: int


def _ref(cell: Cell) -> str:
    return f"{get_column_letter(cell[1])}{cell[0]}"


def _runs(p: bytes, author: str, text: str) -> bytes:
    """Rich text runs: the author's name in bold, then the text on the next line."""
    return _runs_template(p) % (text_xml(author).encode(), text_xml(text).encode())


@lru_cache(maxsize=16)
def _runs_template(p: bytes) -> bytes:
    """``_runs`` with the prefix in, the author's name and the text left."""
    return (
        b"<%(p)sr>" % {b"p": p} + _AUTHOR_PROPS % {b"p": p}
        + b'<%st xml:space="preserve">%%s:</%st></%sr>' % (p, p, p)
        + b"<%(p)sr>" % {b"p": p} + _BODY_PROPS % {b"p": p}
        + b'<%st xml:space="preserve">\n%%s</%st></%sr>' % (p, p, p)
    )  # fmt: skip


def _comment(p: bytes, cell: Cell, author_id: int, runs: bytes) -> bytes:
    return b'<%scomment ref="%s" authorId="%d" shapeId="0"><%stext>%s</%stext></%scomment>' % (
        p, _ref(cell).encode(), author_id, p, runs, p, p,
    )  # fmt: skip


def new_comments(notes: dict[Cell, Note]) -> bytes:
    """A comments part holding ``notes`` only."""
    authors = list(dict.fromkeys(note.author for note in notes.values()))
    body = b"".join(
        _comment(b"", cell, authors.index(note.author), _runs(b"", note.author, note.text))
        for cell, note in sorted(notes.items())
    )
    listed = b"".join(b"<author>%s</author>" % text_xml(a).encode() for a in authors)
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<comments xmlns="%s"><authors>%s</authors><commentList>%s</commentList></comments>'
        % (MAIN_NS.encode(), listed, body)
    )


def merge_comments(data: bytes, notes: dict[Cell, Note]) -> tuple[bytes, set[Cell]]:
    """Add ``notes`` to an existing comments part; return it and the cells that had one.

    A cell with a comment already keeps it (its author, its text, its
    formatting), with kpiflow's note put above it.
    """
    root = parse_part(data, 4)
    if (root.uri, root.local) != (MAIN_NS, "comments"):
        raise Unsupported("comments part is not a transitional comments element")
    authors_el, listing = root.find(MAIN_NS, "authors"), root.find(MAIN_NS, "commentList")
    if authors_el is None or listing is None:
        raise Unsupported("comments part without authors or a comment list")
    p = prefix_of(qname_at(data, listing.start))
    names = [
        unescape(data[a.head_end : a.close].decode("utf-8"), {"&quot;": '"', "&apos;": "'"})
        for a in authors_el.findall(MAIN_NS, "author")
    ]
    edits: list[tuple[int, int, bytes]] = []
    author_ids: dict[str, int] = {}
    for note in notes.values():
        if note.author in names:
            author_ids[note.author] = names.index(note.author)
        elif note.author not in author_ids:
            author_ids[note.author] = len(names) + len(author_ids)
            ap = prefix_of(qname_at(data, authors_el.start))
            edits.append(append_edit(data, authors_el, b"<%sauthor>%s</%sauthor>" % (
                ap, text_xml(note.author).encode(), ap)))  # fmt: skip
    existing = {_cell_of(c.attrs.get("ref", "")): c for c in listing.findall(MAIN_NS, "comment")}
    added = []
    for cell, note in sorted(notes.items()):
        known = existing.get(cell)
        if known is None:
            runs = _runs(p, note.author, note.text)
            added.append(_comment(p, cell, author_ids[note.author], runs))
            continue
        edits.append(_prepend(data, known, p, note))
    if added:
        edits.append(append_edit(data, listing, b"".join(added)))
    return splice(data, edits), set(existing) & set(notes)


def _prepend(data: bytes, comment: El, p: bytes, note: Note) -> tuple[int, int, bytes]:
    """An edit putting kpiflow's note above the text of an existing comment."""
    text = comment.find(MAIN_NS, "text")
    if text is None or text.empty:
        raise Unsupported("a comment without text")
    ours = _runs(p, note.author, f"{note.text}\n\n{EXISTING_HEADING}\n")
    bare = text.find(MAIN_NS, "t")
    if bare is None:
        return (text.head_end, text.head_end, ours)
    # A plain <t> cannot follow runs: it becomes a run of its own, unchanged inside.
    return (bare.start, bare.end, ours + b"<%sr>%s</%sr>" % (p, data[bare.start : bare.end], p))


def comment_cells(data: bytes) -> set[Cell]:
    """The cells an existing comments part has a comment on."""
    root = parse_part(data, 2)
    listing = root.find(MAIN_NS, "commentList")
    if listing is None:
        return set()
    return {_cell_of(c.attrs.get("ref", "")) for c in listing.findall(MAIN_NS, "comment")}


def _cell_of(ref: str) -> Cell:
    try:
        min_col, min_row, _, _ = range_boundaries(ref)
    except (ValueError, TypeError) as exc:
        raise Unsupported(f"bad comment reference {ref!r}") from exc
    if min_col is None or min_row is None:
        raise Unsupported(f"bad comment reference {ref!r}")
    return (min_row, min_col)


# ---------------------------------------------------------------- VML boxes


# The returns of one template put boxes of the same sizes by the same cells, file after file.
@lru_cache(maxsize=1 << 10)
def _anchor(cell: Cell, width: int, height: int) -> tuple[bytes, bytes]:
    """The box's ``<x:Anchor>`` beside its cell, and a style with the same place in points."""
    row, col = cell[0] - 1, cell[1] - 1
    top = max(row - 1, 0)
    wide = max(2, math.ceil(width / _COL_PX))
    tall = max(3, math.ceil(height / _ROW_PX))
    anchor = f"{col + 1}, 15, {top}, 10, {col + 1 + wide}, 15, {top + tall}, 4"
    style = (
        f"position:absolute;margin-left:{(col + 1) * 48 + 11.25:g}pt;"
        f"margin-top:{top * 15 + 7.5:g}pt;width:{width * 0.75:g}pt;"
        f"height:{height * 0.75:g}pt;z-index:{cell[0]};visibility:hidden"
    )
    return anchor.encode(), attr_xml(style).encode()


@lru_cache(maxsize=16)
def _shape_template(v: bytes, o: bytes, x: bytes) -> bytes:
    """A note's box with the drawing's prefixes in; its id, style, anchor, row and column left."""
    return (
        b'<%(v)sshape id="_x0000_s%%d" type="#%(t)s" style="%%s" fillcolor="#ffffe1" '
        b'%(o)sinsetmode="auto"><%(v)sfill color2="#ffffe1"/>'
        b'<%(v)sshadow on="t" color="black" obscured="t"/><%(v)spath %(o)sconnecttype="none"/>'
        b'<%(v)stextbox style="mso-direction-alt:auto"><div style="text-align:left"></div>'
        b'</%(v)stextbox><%(x)sClientData ObjectType="Note"><%(x)sMoveWithCells/>'
        b"<%(x)sSizeWithCells/><%(x)sAnchor>%%s</%(x)sAnchor>"
        b"<%(x)sAutoFill>False</%(x)sAutoFill><%(x)sRow>%%d</%(x)sRow>"
        b"<%(x)sColumn>%%d</%(x)sColumn></%(x)sClientData></%(v)sshape>"
        % {b"v": v, b"o": o, b"x": x, b"t": NOTE_SHAPETYPE.encode()}
    )


def _shape(v: bytes, o: bytes, x: bytes, shape_id: int, cell: Cell, note: Note) -> bytes:
    anchor, style = _anchor(cell, note.width, note.height)
    return _shape_template(v, o, x) % (shape_id, style, anchor, cell[0] - 1, cell[1] - 1)


def _shapetype(v: bytes, o: bytes) -> bytes:
    return (
        b'<%(v)sshapetype id="%(t)s" coordsize="21600,21600" %(o)sspt="202" '
        b'path="m,l,21600r21600,l21600,xe"><%(v)sstroke joinstyle="miter"/>'
        b'<%(v)spath gradientshapeok="t" %(o)sconnecttype="rect"/></%(v)sshapetype>'
        % {b"v": v, b"o": o, b"t": NOTE_SHAPETYPE.encode()}
    )


def _blocks_needed(first_id: int, count: int) -> list[int]:
    return sorted({shape_id // 1024 for shape_id in range(first_id, first_id + count)})


def new_vml(notes: dict[Cell, Note], taken: Iterable[int]) -> bytes:
    """A VML drawing with one box per note, its shape ids in blocks no other drawing uses."""
    block = max([0, *taken]) + 1
    first = block * 1024 + 1
    blocks = _blocks_needed(first, len(notes))
    shapes = b"".join(
        _shape(b"v:", b"o:", b"x:", first + i, cell, note)
        for i, (cell, note) in enumerate(sorted(notes.items()))
    )
    return (
        b'<xml xmlns:v="%s" xmlns:o="%s" xmlns:x="%s">'
        b'<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="%s"/></o:shapelayout>'
        b"%s%s</xml>"
        % (VML_NS.encode(), OFFICE_NS.encode(), EXCEL_NS.encode(),
           ",".join(map(str, blocks)).encode(), _shapetype(b"v:", b"o:"), shapes)
    )  # fmt: skip


def vml_blocks(data: bytes) -> set[int]:
    """The shape-id blocks a VML drawing claims in its ``<o:idmap data="...">``."""
    match = re.search(rb"""<[\w.-]*:?idmap\b[^>]*\bdata\s*=\s*["']([^"']*)["']""", data)
    if match is None:
        return set()
    return {to_int(n) for n in re.findall(rb"\d+", match.group(1))}


def merge_vml(data: bytes, notes: dict[Cell, Note], taken: Iterable[int]) -> bytes:
    """Add a box for each note whose cell has none to an existing VML drawing.

    Existing shapes (the supplier's comment boxes, form controls) are left
    exactly as they are. ``taken`` holds the shape-id blocks other drawings claim.
    """
    root = parse_part(data, 3)
    head = data[root.start : root.head_end]
    bound = {uri.decode(): name for name, uri in _XMLNS.findall(head)}
    edits: list[tuple[int, int, bytes]] = []
    prefixes: dict[str, bytes] = {}
    for uri, wanted in ((VML_NS, "v"), (OFFICE_NS, "o"), (EXCEL_NS, "x")):
        name = bound.get(uri)
        if name is None:
            name = wanted.encode()
            while name.decode() in {n.decode() for n, _ in _XMLNS.findall(head)}:
                name += b"k"
            head = set_attr(head, f"xmlns:{name.decode()}", uri)
        prefixes[uri] = name + b":"
    if head != data[root.start : root.head_end]:
        if root.empty:
            raise Unsupported("an empty VML drawing")
        edits.append((root.start, root.head_end, head))
    v, o, x = prefixes[VML_NS], prefixes[OFFICE_NS], prefixes[EXCEL_NS]

    boxed: set[Cell] = set()
    ids = [0]
    has_type = False
    for shape in root.children:
        if shape.uri == VML_NS and shape.local == "shapetype":
            has_type |= shape.attrs.get("id") == NOTE_SHAPETYPE
        if shape.uri != VML_NS:
            continue
        number = re.search(r"(\d+)$", shape.attrs.get("id", "") or shape.attrs.get(
            f"{OFFICE_NS} spid", ""))  # fmt: skip
        if number:
            ids.append(int(number.group(1)))
        data_el = next((c for c in shape.children if (c.uri, c.local) == (EXCEL_NS, "ClientData")),
                       None)  # fmt: skip
        if data_el is not None and data_el.attrs.get("ObjectType") == "Note":
            row = _child_int(data, data_el, "Row")
            col = _child_int(data, data_el, "Column")
            if row is not None and col is not None:
                boxed.add((row + 1, col + 1))
    wanted_cells = [cell for cell in sorted(notes) if cell not in boxed]
    if not wanted_cells:
        return splice(data, edits)
    layout = next((c for c in root.children if (c.uri, c.local) == (OFFICE_NS, "shapelayout")),
                  None)  # fmt: skip
    idmap = None if layout is None else next(
        (c for c in layout.children if (c.uri, c.local) == (OFFICE_NS, "idmap")), None
    )  # fmt: skip
    claimed = vml_blocks(data[idmap.start : idmap.end]) if idmap is not None else set()
    first = max(max(ids), min(claimed, default=1) * 1024) + 1
    needed = _blocks_needed(first, len(wanted_cells))
    missing = [b for b in needed if b not in claimed]
    if missing and idmap is not None:
        if set(missing) & set(taken):
            raise Unsupported("no free shape ids in the sheet's VML drawing")
        listed = ",".join(map(str, sorted(claimed | set(missing))))
        edits.append((idmap.start, idmap.head_end,
                      set_attr(data[idmap.start : idmap.head_end], "data", listed)))  # fmt: skip
    shapes = b"" if has_type else _shapetype(v, o)
    shapes += b"".join(
        _shape(v, o, x, first + i, cell, notes[cell]) for i, cell in enumerate(wanted_cells)
    )
    edits.append((root.close, root.close, shapes))
    return splice(data, edits)


def _child_int(data: bytes, parent: El, local: str) -> int | None:
    el = next((c for c in parent.children if (c.uri, c.local) == (EXCEL_NS, local)), None)
    if el is None or el.empty:
        return None
    text = data[el.head_end : el.close].strip()
    return int(text) if text.isdigit() else None
