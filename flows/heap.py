"""Keep the garbage collector off the objects a run holds from start to end.

Once a run has taken its first file, pandas, pandera, openpyxl, Jinja and
the catalogue are loaded: a hundred thousand objects that live as long as
the process. Each full collection walked all of them again (tens of
milliseconds, every few files). ``gc.freeze`` moves what is alive into a
generation the collector never walks; leaving the block hands it back, so a
long-lived process (``kpiflow serve``) collects it as before.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def sparing_long_lived() -> Iterator[Callable[[], None]]:
    """Yield ``spare``: it freezes what is alive now, once; the block's end unfreezes it.

    Nothing is frozen if something else has frozen objects already: its
    ``unfreeze`` would be undone by ours, or ours by its.
    """
    froze = False

    def spare() -> None:
        nonlocal froze
        if not froze and gc.get_freeze_count() == 0:
            gc.freeze()
            froze = True

    try:
        yield spare
    finally:
        if froze:
            gc.unfreeze()
