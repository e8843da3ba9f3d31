"""Small tools for editing OOXML parts as bytes: parse with expat, splice at offsets.

A part is parsed whole (``parse_part``) into elements that remember the byte
offsets of their tags, so an edit replaces a span of the original bytes and
the rest of the part keeps its exact text. The parser refuses DTDs and
entity declarations; anything unexpected raises ``Unsupported`` and the
caller falls back to a slower, surer way.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from xml.parsers import expat

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

# A start tag up to its closing ">"; attribute values may hold a literal ">".
TAG_END = re.compile(rb"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")
QNAME = re.compile(rb"</?([^\s/>]+)")
# Characters XML 1.0 cannot carry at all, even escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Text text_xml returns as it is: nothing illegal, nothing to escape.
_TEXT_PLAIN = re.compile("[^&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*")


class Unsupported(Exception):
    """The package holds something the fast path does not handle."""


@dataclass
class El:
    """One element of a small part, with the byte offsets of its tags."""

    uri: str
    local: str
    attrs: dict[str, str]
    start: int
    head_end: int
    close: int = 0
    end: int = 0
    children: list[El] = field(default_factory=list)

    def find(self, uri: str, local: str) -> El | None:
        """Return the first child named ``{uri}local``, if any."""
        return next(iter(self.findall(uri, local)), None)

    def findall(self, uri: str, local: str) -> list[El]:
        """Return the children named ``{uri}local``."""
        return [c for c in self.children if c.uri == uri and c.local == local]

    @property
    def empty(self) -> bool:
        """Whether the element is written as a self-closing tag."""
        return self.close == self.head_end and self.end == self.head_end


def new_parser() -> expat.XMLParserType:
    """An expat parser that refuses DTDs and entity declarations."""
    # No interning: every name would be hashed into pyexpat's table for a sharing
    # nothing here needs, and a sheet has an element per cell and value.
    parser = expat.ParserCreate(namespace_separator=" ", intern=None)

    def refuse(*_: object) -> None:
        raise Unsupported("DTD or entity declaration in the package")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    return parser


def check_encoding(head: bytes) -> None:
    # Offsets are spliced into the bytes, so the text must be UTF-8 (or ASCII).
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise Unsupported("UTF-16 part")
    declaration = re.match(rb"""(?:\xef\xbb\xbf)?<\?xml[^>]*encoding\s*=\s*["']([^"']+)""", head)
    if declaration and declaration.group(1).lower() not in (b"utf-8", b"utf8", b"us-ascii"):
        raise Unsupported("part not in UTF-8")


def split_name(name: str) -> tuple[str, str]:
    uri, _, local = name.rpartition(" ")
    return uri, local


def tag_end(data: bytes | bytearray, start: int) -> int:
    match = TAG_END.match(data, start)
    if match is None:
        raise Unsupported("unterminated tag")
    return match.end()


def parse_part(data: bytes, depth: int) -> El:
    """Parse a small part whole, keeping elements down to ``depth`` levels below the root.

    The elements are shared between calls with the same bytes: read them, never change them.
    """
    if len(data) <= _CACHED_PART:
        return _parse_cached(bytes(data), depth)
    return _parse(data, depth)


def _parse(data: bytes, depth: int) -> El:
    check_encoding(data[:200])
    parser = new_parser()
    stack: list[El] = []
    root: list[El] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        at = parser.CurrentByteIndex
        uri, local = split_name(name)
        el = El(uri, local, attrs, at, tag_end(data, at))
        if stack and len(stack) <= depth:
            stack[-1].children.append(el)
        elif not stack:
            root.append(el)
        stack.append(el)

    def end(_: str) -> None:
        el = stack.pop()
        if data[el.head_end - 2 : el.head_end] == b"/>":
            el.close = el.end = el.head_end
        else:
            el.close = parser.CurrentByteIndex
            el.end = tag_end(data, el.close)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise Unsupported(f"malformed XML: {exc}") from exc
    return root[0]


# Parts up to this size are parsed once per content: the returns of one template share
# their content types, relationships and often their styles, file after file.
_CACHED_PART = 1 << 16
_parse_cached = lru_cache(maxsize=32)(_parse)


def qname_at(data: bytes | bytearray, at: int) -> bytes:
    """The element name as written at ``at`` (with its prefix, if any)."""
    match = QNAME.match(data, at)
    if match is None:
        raise Unsupported("no element name")
    return bytes(match.group(1))


def prefix_of(qname: bytes) -> bytes:
    return qname.rpartition(b":")[0] + b":" if b":" in qname else b""


def set_attr(head: bytes, name: str, value: str) -> bytes:
    """Return start tag ``head`` with attribute ``name`` set to ``value``."""
    pattern = _attr_pattern(rb"(\s)", name)
    attr = f'{name}="{value}"'.encode()
    new, count = pattern.subn(lambda m: m.group(1) + attr, head, count=1)
    if count:
        return new
    qname = qname_at(head, 0)
    at = head.index(qname) + len(qname)
    return head[:at] + b" " + attr + head[at:]


@lru_cache(maxsize=256)
def _attr_pattern(before: bytes, name: str) -> re.Pattern[bytes]:
    """Attribute ``name`` with its value, after ``before`` (compiled once per name)."""
    return re.compile(before + re.escape(name.encode()) + rb"""\s*=\s*("[^"]*"|'[^']*')""")


def drop_attr(head: bytes, name: str) -> bytes:
    """Return start tag ``head`` without attribute ``name``."""
    pattern = _attr_pattern(rb"\s+", name)
    return pattern.sub(b"", head, count=1)


def splice(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """Replace each ``(start, end)`` span of ``data`` with its bytes; spans must not overlap."""
    out, at = [], 0
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        out += [data[at:start], text]
        at = end
    out.append(data[at:])
    return b"".join(out)


def append_edit(data: bytes, el: El, text: bytes) -> tuple[int, int, bytes]:
    """An edit adding ``text`` as the last content of ``el`` (self-closing or not)."""
    if not el.empty:
        return (el.close, el.close, text)
    qname = qname_at(data, el.start)
    head = data[el.start : el.head_end - 2].rstrip()
    return (el.start, el.end, head + b">" + text + b"</" + qname + b">")


def resolve_target(base: str, target: str) -> str:
    """The part name a relationship ``target`` names, seen from part ``base``."""
    if target.startswith("/"):
        return posixpath.normpath(target).lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def attr_xml(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


def to_int(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise Unsupported(f"not an integer: {text!r}") from exc


def text_xml(value: str) -> str:
    """``value`` escaped for element text, characters XML cannot hold dropped."""
    if _TEXT_PLAIN.fullmatch(value):
        # Most text (a code, a month, a message) has nothing to drop or escape.
        return value
    value = _ILLEGAL.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
