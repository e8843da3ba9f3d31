"""What a file really is, decided from its bytes, never from its name.

Suppliers rename files, save web pages as ``.xlsx`` and send ``.xls`` files
that are really ``.xlsx``. ``sniff`` looks at the leading bytes and, for zip
packages, at the member names (and two tiny members: ``mimetype`` and
``[Content_Types].xml``), so the right reader is chosen whatever the name says.

Formats: ``xlsx``, ``xlsm``, ``xlsb``, ``ods``, ``xls``, ``csv``, ``html``,
``encrypted`` (password-protected Office or OpenDocument file), ``empty``
(zero bytes) and ``unknown`` (anything else, including damaged zips).
"""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from core.checks import FORMAT_MISMATCH
from core.records import ExceptionRecord

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

#: Formats a reader exists for.
READABLE_FORMATS: frozenset[str] = frozenset({"xlsx", "xlsm", "xlsb", "ods", "xls", "csv"})

#: How a reviewer would name each format in a sentence ("an .xlsx workbook").
FORMAT_LABELS: dict[str, str] = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xlsm": "a macro-enabled Excel workbook (.xlsm)",
    "xlsb": "a binary Excel workbook (.xlsb)",
    "xls": "an old-style Excel workbook (.xls)",
    "ods": "an OpenDocument spreadsheet (.ods)",
    "csv": "a CSV text file",
    "html": "a web page",
    "encrypted": "a password-protected file",
    "empty": "an empty file",
    "unknown": "a file of unknown type",
}

_EXTENSIONS: dict[str, str] = {
    ".xlsx": "xlsx",
    ".xltx": "xlsx",
    ".xlsm": "xlsm",
    ".xltm": "xlsm",
    ".xlsb": "xlsb",
    ".xls": "xls",
    ".xlt": "xls",
    ".ods": "ods",
    ".ots": "ods",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".htm": "html",
    ".html": "html",
}

_HEAD_BYTES = 64 * 1024  # how much of a text file is looked at
_SMALL_MEMBER_CAP = 1024 * 1024  # [Content_Types].xml / manifest.xml read cap
_CSV_DELIMITERS = (",", ";", "\t", "|")
_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v\x1a")


def extension_format(name: str | Path) -> str:
    """Return the format a file name's extension promises ("unknown" if none)."""
    return _EXTENSIONS.get(Path(name).suffix.lower(), "unknown")


def sniff(path: str | Path) -> str:
    """Return the format of the file at ``path``, judged by content alone."""
    p = Path(path)
    with p.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if not head:
        return "empty"
    if head.startswith(ZIP_MAGIC):
        return _sniff_zip(p)
    if head.startswith(OLE2_MAGIC):
        return _sniff_ole(p)
    return _sniff_text(head)


def format_mismatch(name: str | Path, fmt: str) -> ExceptionRecord | None:
    """Return a warning when the file's extension disagrees with its content.

    Only formats that were actually read are compared (an encrypted or
    unreadable file is refused for that reason instead).
    """
    promised = extension_format(name)
    if fmt not in READABLE_FORMATS or promised == fmt:
        return None
    file_name = Path(name).name
    return FORMAT_MISMATCH.record(
        "unnamed" if promised == "unknown" else "misnamed",
        file=file_name,
        value=Path(name).suffix,
        content=FORMAT_LABELS[fmt],
        promised=FORMAT_LABELS.get(promised, promised),
    )


def describe_unknown(path: str | Path) -> str:
    """Best-effort plain words for a file that is no spreadsheet ("a PDF document")."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return "a file of unknown type"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "a picture"
    if head.startswith(b"{\\rtf"):
        return "a Rich Text document"
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(p) as zf:
                names = [n.lower() for n in zf.namelist()]
        except Exception:
            return "a damaged zip package"
        if any(n.startswith("word/") for n in names):
            return "a Word document"
        if any(n.startswith("ppt/") for n in names):
            return "a PowerPoint presentation"
        if "mimetype" in names:
            return "an OpenDocument file that is not a spreadsheet"
        return "a zip archive"
    if head.startswith(OLE2_MAGIC):
        return "an old-style Office document that is not a spreadsheet"
    lowered = head.lower()
    if b"urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "an Excel 2003 XML spreadsheet"
    text = _decode_head(head)
    if text is not None and _looks_like_text(text):
        return "a plain text file without columns"
    return "a file of unknown type"


# --- zip packages -------------------------------------------------------------


def _read_member_head(zf: zipfile.ZipFile, name: str, cap: int) -> bytes:
    with zf.open(name) as fh:
        return fh.read(cap)


def _sniff_zip(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            real_names = {n.lower(): n for n in zf.namelist()}
            if "mimetype" in real_names:
                mimetype = _read_member_head(zf, real_names["mimetype"], 256).strip()
                if mimetype == ODS_MIMETYPE:
                    return "encrypted" if _ods_encrypted(zf, real_names) else "ods"
                return "unknown"
            content_types = b""
            if "[content_types].xml" in real_names:
                content_types = _read_member_head(
                    zf, real_names["[content_types].xml"], _SMALL_MEMBER_CAP
                ).lower()
    except Exception:  # any damage (bad CRC, zlib errors...): preflight names it
        return "unknown"
    return _ooxml_kind(set(real_names), content_types)


def _ooxml_kind(names: set[str], content_types: bytes) -> str:
    if b"sheet.binary.macroenabled.main" in content_types or any(
        n.endswith("workbook.bin") for n in names
    ):
        return "xlsb"
    spreadsheet = (
        b"spreadsheetml.sheet.main+xml" in content_types
        or b"spreadsheetml.template.main+xml" in content_types
        or b"macroenabled.main+xml" in content_types
        or "xl/workbook.xml" in names
    )
    if not spreadsheet:
        return "unknown"
    macro = b"macroenabled.main+xml" in content_types or any(
        n.endswith("vbaproject.bin") for n in names
    )
    return "xlsm" if macro else "xlsx"


def _ods_encrypted(zf: zipfile.ZipFile, real_names: dict[str, str]) -> bool:
    manifest = real_names.get("meta-inf/manifest.xml")
    if manifest is None:
        return False
    return b"encryption-data" in _read_member_head(zf, manifest, _SMALL_MEMBER_CAP)


# --- OLE2 compound files ------------------------------------------------------


def _sniff_ole(path: Path) -> str:
    """Tell an encrypted OOXML/xls package from a plain .xls from other OLE files."""
    import olefile  # installed with msoffcrypto-tool

    try:
        ole = olefile.OleFileIO(str(path))
    except Exception:
        # A damaged compound file: let the .xls reader name the problem.
        return "xls"
    try:
        streams = {"/".join(parts).lower() for parts in ole.listdir(streams=True)}
    except Exception:
        return "xls"
    finally:
        ole.close()
    if "encryptedpackage" in streams or "encryptioninfo" in streams:
        return "encrypted"
    if "workbook" not in streams and "book" not in streams:
        return "unknown"  # a Word/PowerPoint/other compound document
    return "encrypted" if _xls_encrypted(path) else "xls"


def _xls_encrypted(path: Path) -> bool:
    """True when a BIFF8 .xls carries a FILEPASS (password) record."""
    import msoffcrypto

    try:
        with path.open("rb") as fh:
            return bool(msoffcrypto.OfficeFile(fh).is_encrypted())
    except Exception:
        # BIFF5 and odd files msoffcrypto does not know: the reader decides.
        return False


# --- text: csv or html --------------------------------------------------------


def _decode_head(head: bytes) -> str | None:
    """Decode the leading bytes of a text file, or None if they are not text."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        decoder = codecs.getincrementaldecoder("utf-16")(errors="strict")
        try:
            return decoder.decode(head, final=False)
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    try:
        return codecs.getincrementaldecoder("utf-8-sig")(errors="strict").decode(head, final=False)
    except UnicodeDecodeError:
        pass
    try:
        return head.decode("cp1252")
    except UnicodeDecodeError:
        return None


def _looks_like_text(text: str) -> bool:
    if not text:
        return False
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    return controls <= len(text) // 100


def _is_html(text: str) -> bool:
    start = text.lstrip().lower()[:4096]
    if start.startswith(("<!doctype html", "<html", "<table", "<head", "<body")):
        return True
    if start.startswith("mime-version:") and "text/html" in start:
        return True  # Excel "single file web page" (.mht)
    return start.startswith(("<?xml", "<!--")) and "<html" in start


def _sniff_text(head: bytes) -> str:
    text = _decode_head(head)
    if text is None or not _looks_like_text(text):
        return "unknown"
    if _is_html(text):
        return "html"
    if text.lstrip().startswith("<"):
        return "unknown"  # XML (e.g. an Excel 2003 XML spreadsheet), not delimited text
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if lines and any(d in line for line in lines for d in _CSV_DELIMITERS):
        return "csv"
    return "unknown"
