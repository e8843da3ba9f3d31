"""Orchestration: the Prefect flow, the inbox, and the ``kpiflow`` command line.

Only ``flows.monthly`` imports Prefect; import it directly to get the flow.
"""

from flows.settings import Settings

__all__ = ["Settings"]
