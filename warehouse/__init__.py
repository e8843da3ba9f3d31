"""The SQLite warehouse: its tables, the current-figures view, and the loader."""

from warehouse.db import ensure_schema, open_warehouse
from warehouse.loader import SubmissionRow, load_submission, sync_catalogue

__all__ = ["SubmissionRow", "ensure_schema", "load_submission", "open_warehouse", "sync_catalogue"]
