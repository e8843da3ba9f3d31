"""The drop folder: what to take, claiming it once, and where each file ends.

A file is claimed by an atomic rename into its run's folder under
``inbox/.claimed/``, so two runs started together never take the same file;
it leaves the claim area only by a rename into ``processed/`` or
``rejected/``, so it is never lost, and its bytes are never touched. Files of
a run that died are adopted by the next one.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

CLAIMED = ".claimed"

# Excel owner files, LibreOffice locks, partial downloads and editor temp files.
_IGNORED = re.compile(r"^(~\$|\.~lock\.|\.)|(\.tmp|\.part|\.crdownload|~)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A file in the inbox and whether to take it now."""

    path: Path
    take: bool
    why_not: str = ""


def is_ignored_name(name: str) -> bool:
    """True for owner, lock, temporary and hidden files: left alone, never recorded."""
    return bool(_IGNORED.search(name))


def scan_inbox(inbox: Path, stable_seconds: float, now: float | None = None) -> list[Candidate]:
    """List the inbox's files, oldest first, saying which are ready to take."""
    now = time.time() if now is None else now
    found: list[tuple[float, Candidate]] = []
    if not inbox.is_dir():
        return []
    for entry in os.scandir(inbox):
        if not entry.is_file(follow_symlinks=False):
            continue
        path = Path(entry.path)
        stat = entry.stat(follow_symlinks=False)
        if is_ignored_name(entry.name):
            found.append((stat.st_mtime, Candidate(path, False, "ignored (temporary or hidden)")))
        elif now - stat.st_mtime < stable_seconds:
            found.append((stat.st_mtime, Candidate(path, False, "still being written")))
        else:
            found.append((stat.st_mtime, Candidate(path, True)))
    return [c for _, c in sorted(found, key=lambda item: (item[0], item[1].path.name))]


class ClaimArea:
    """This run's share of ``inbox/.claimed/``, held under an exclusive lock.

    Each run claims files by renaming them into its own folder
    ``.claimed/<run-id>/`` and holds an ``flock`` on ``.claimed/<run-id>.lock``
    while it lives. The kernel drops the lock when the process dies, even by
    SIGKILL, so another run can tell an abandoned folder from a busy one and
    adopt its files.
    """

    def __init__(self, inbox: Path) -> None:
        self.root = inbox / CLAIMED
        self.root.mkdir(parents=True, exist_ok=True)
        self.run_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # Lock first, folder second: a folder without a held lock looks abandoned.
        self._lock = (self.root / f"{self.run_id}.lock").open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        self.folder = self.root / self.run_id
        self.folder.mkdir()

    def claim(self, path: Path) -> Path | None:
        """Move ``path`` into this run's folder; None if another run took it first."""
        target = self.folder / path.name
        try:
            # Atomic on one filesystem: of two runs racing, one rename finds
            # the source gone and fails.
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return target

    def adopt_orphans(self) -> list[Path]:
        """Take over files claimed by runs that died; return them, oldest first."""
        adopted: list[Path] = []
        for lock_path in sorted(self.root.glob("*.lock")):
            owner = lock_path.stem
            if owner == self.run_id:
                continue
            with lock_path.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its run is alive and working
                folder = self.root / owner
                for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                    claimed = self.claim(path)
                    if claimed is not None:
                        adopted.append(claimed)
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
                lock_path.unlink(missing_ok=True)
        return adopted

    def close(self) -> None:
        """Release the lock; the folder goes too unless something is still in it."""
        if self.folder.is_dir() and not any(self.folder.iterdir()):
            self.folder.rmdir()
        (self.root / f"{self.run_id}.lock").unlink(missing_ok=True)
        self._lock.close()

    def __enter__(self) -> ClaimArea:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sha256_of(path: Path) -> str:
    """Hash a file in chunks (returns can carry large raw-data tabs)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def safe_stem(name: str) -> str:
    """A file-name stem safe to reuse in report names: no paths, no odd characters."""
    stem = Path(name.replace("\\", "/")).name
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")
    return cleaned[:80] or "file"


def settle(path: Path, folder: Path, sha256: str, reason: str | None = None) -> Path:
    """Move a claimed file to ``folder`` unchanged; write the reason beside a rejection."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():
        # Never overwrite an earlier file of the same name.
        target = folder / f"{safe_stem(path.name)}__{sha256[:12]}{path.suffix}"
    if reason is not None:
        (folder / f"{target.name}.reason.txt").write_text(reason + "\n", encoding="utf-8")
    os.rename(path, target)
    return target
