"""Warm the reader forkserver: read a bundled sample return once, before any child is forked.

Every file is read in a fresh child of the forkserver (``core.sandbox``), so
what a reader does on its first call (compiling regular expressions, filling
the locator's caches of header words, openpyxl's style classes, the
allocator's free lists) each child did again: about 4 ms of CPU a file, a
fifth of the child's. The forkserver imports this module last (``PRELOAD``)
and the import reads ``warmup.xlsx``, the monthly sample ``kpiflow samples``
writes (a test keeps the two identical), so every child starts with that
done. The sample is ours, not a supplier's; a failure costs only the warm-up.
"""

from __future__ import annotations

from pathlib import Path

WORKBOOK = Path(__file__).with_name("warmup.xlsx")


def warm_up() -> bool:
    """Read the bundled sample as a child would; False if it could not be read."""
    try:
        from core.catalogue import load_catalogue
        from extractors.files import read_and_extract

        read_and_extract(str(WORKBOOK), "xlsx", WORKBOOK.name, load_catalogue().ref_book())
    except Exception:
        return False
    return True


warm_up()
