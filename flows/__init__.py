"""Orchestration: the Prefect flow, the inbox, and the ``kpiflow`` command line.

Prefect is imported only in this package: by the flow (``flows.monthly``;
import it directly to get the flow), the service (``flows.serve``) and the
commands of ``flows.cli`` that need it.
"""

from flows.settings import Settings

__all__ = ["Settings"]
