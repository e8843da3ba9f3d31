"""The drop folder: what to take, claiming it once, and where each file ends.

A file is claimed by an atomic rename into ``inbox/.claimed/``, so two runs
started together never take the same file; it leaves the claim area only by
a rename into ``processed/`` or ``rejected/``, so it is never lost, and its
bytes are never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
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


def claim(path: Path) -> Path | None:
    """Move ``path`` into the claim area atomically; None if another run took it first."""
    area = path.parent / CLAIMED
    area.mkdir(exist_ok=True)
    target = area / path.name
    try:
        # os.link + unlink would also work; rename is atomic on one filesystem
        # and fails for the loser of a race because the source is gone.
        if target.exists():
            return None
        os.rename(path, target)
    except FileNotFoundError:
        return None
    return target


def claimed_files(inbox: Path) -> list[Path]:
    """Files left in the claim area by a run that stopped before finishing them."""
    area = inbox / CLAIMED
    if not area.is_dir():
        return []
    return sorted(p for p in area.iterdir() if p.is_file())


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
