"""Reading supplier workbooks and locating their KPI tables (no Prefect here)."""

from core.errors import UnreadableFile
from core.model import Extraction, Observation, SectionCount, SummaryCount, TableInfo
from extractors.extract import extract_workbook
from extractors.files import extract_file

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
