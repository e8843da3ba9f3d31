"""The run's long-lived objects are frozen for the run only, and never someone else's freeze."""

from __future__ import annotations

import gc

from flows.heap import sparing_long_lived


def test_frozen_inside_the_block_only() -> None:
    gc.unfreeze()  # whatever an earlier test in this process left frozen
    assert gc.get_freeze_count() == 0
    with sparing_long_lived() as spare:
        assert gc.get_freeze_count() == 0
        spare()
        frozen = gc.get_freeze_count()
        assert frozen > 0
        spare()  # once only: nothing more is frozen (a frozen object may still be freed)
        assert 0 < gc.get_freeze_count() <= frozen
    assert gc.get_freeze_count() == 0


def test_unfrozen_when_the_block_fails() -> None:
    gc.unfreeze()
    try:
        with sparing_long_lived() as spare:
            spare()
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0


def test_another_freeze_is_left_alone() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        with sparing_long_lived() as spare:
            spare()
        # Neither frozen again nor unfrozen (a frozen object may still be freed meanwhile).
        assert 0 < gc.get_freeze_count() <= before
    finally:
        gc.unfreeze()
