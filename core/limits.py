"""The caps kpiflow applies to an incoming file and the waits it allows, each defined once.

``Limits`` holds every cap on a file: what preflight refuses and what the
reader's sandboxed child may spend. The two reader caps are settings
(``KPIFLOW_READER_TIMEOUT``, ``KPIFLOW_READER_MEMORY_MB``): ``flows.settings``
takes its defaults from here and hands each call a ``Limits`` built from the
settings, so extractors and reports get plain values and never read the
environment. ``BUSY_TIMEOUT_S`` is the warehouse's lock wait
(``KPIFLOW_BUSY_TIMEOUT``), the default of the layers that take one.
"""

from __future__ import annotations

from dataclasses import dataclass

MiB = 1024 * 1024

#: Seconds a run waits for another writer's lock on the warehouse.
BUSY_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Limits:
    """Every cap the pipeline applies to an incoming file, in one place.

    The defaults accept a 100,000-row x 20-column raw-data sheet (a call log
    attached to a return: about 90 MB of sheet XML, 11 MB zipped, ratio 8:1)
    and refuse the A1:XFD1048576 trick (17 billion claimed cells).
    """

    #: Largest file accepted, in bytes (a KPI return is well under 1 MB).
    max_file_bytes: int = 100 * MiB
    #: Most parts a zip package may hold (Excel writes tens; 10,000 is absurd).
    max_zip_members: int = 10_000
    #: Sum of the parts' declared uncompressed sizes.
    max_total_uncompressed_bytes: int = 256 * MiB
    #: The compression-ratio test applies to parts larger than this...
    ratio_check_min_bytes: int = 1 * MiB
    #: ...and refuses a part that expands more than this many times (XML
    #: spreadsheets compress 5-10:1; a zip bomb of zeros about 1000:1).
    max_compression_ratio: float = 100.0
    #: How far into an XML part the prolog (where a DOCTYPE must sit) may run.
    xml_prolog_bytes: int = 64 * 1024
    #: A sheet may claim at most this many rows...
    max_rows: int = 200_000
    #: ...this many columns (Excel's own maximum, XFD)...
    max_columns: int = 16_384
    #: ...and this many cells in its used range (rows x columns): 100,000 x 25.
    max_cells: int = 2_500_000
    #: Cells covered by merged ranges on one sheet (openpyxl makes an object
    #: for every one of them).
    max_merged_cells: int = 1_000_000
    #: Wall-clock seconds the reader process may take (``KPIFLOW_READER_TIMEOUT``;
    #: openpyxl needs about 25 s for 100,000 x 20 cells).
    reader_timeout_s: float = 60.0
    #: Address-space cap of the reader process (``KPIFLOW_READER_MEMORY_MB``;
    #: openpyxl needs about 430 bytes a cell).
    reader_memory_bytes: int = 2048 * MiB


DEFAULT_LIMITS = Limits()
