"""Reading supplier workbooks and locating their KPI tables (no Prefect here)."""

from extractors.errors import UnreadableFile
from extractors.extract import extract_workbook
from extractors.files import extract_file
from extractors.model import Extraction, Observation, SectionCount, SummaryCount, TableInfo

__all__ = [
    "Extraction",
    "Observation",
    "SectionCount",
    "SummaryCount",
    "TableInfo",
    "UnreadableFile",
    "extract_file",
    "extract_workbook",
]
