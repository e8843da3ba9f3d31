"""The drop folder: what to take, claiming it once, and where each file ends.

A file is claimed by an atomic rename into its run's folder under
``inbox/.claimed/``, so two runs started together never take the same file;
it leaves the claim area only by a move into ``processed/`` or ``rejected/``
under a name nothing else has, so it is never lost or overwritten, and its
bytes are never touched. Files of a run that died, or whose processing
failed, are adopted by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import itertools
import os
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from flows.crash import crash_point
from flows.safe_text import shown

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
    adopt its files. While the folder holds a file the lock file stays, locked
    or not: a claimed file is never left without it.
    """

    def __init__(self, inbox: Path) -> None:
        self.root = inbox / CLAIMED
        self.root.mkdir(parents=True, exist_ok=True)
        self.run_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        # Lock first, folder second: a folder without a held lock looks abandoned.
        # The lock file is locked under a temporary name and then renamed into
        # place, so no other run ever sees it unlocked while this one lives.
        pending = self.root / f".{self.run_id}.lock.tmp"
        self._lock = pending.open("w")
        fcntl.flock(self._lock, fcntl.LOCK_EX)
        os.rename(pending, self.root / f"{self.run_id}.lock")
        self.folder = self.root / self.run_id
        self.folder.mkdir()

    def holds(self, name: str) -> bool:
        """True when this run already holds a file of that name."""
        return os.path.lexists(self.folder / name)

    def claim(self, path: Path) -> Path | None:
        """Move ``path`` into this run's folder; None if another run took it first.

        Never over a file this run already holds under the same name (None
        too): that one waits for the next run. Only this run moves files into
        its folder, so checking first is safe.
        """
        target = self.folder / path.name
        if os.path.lexists(target):
            return None
        try:
            # Atomic on one filesystem: of two runs racing, one rename finds
            # the source gone and fails.
            os.rename(path, target)
        except FileNotFoundError:
            return None
        return target

    def adopt_orphans(self) -> list[Path]:
        """Take over files claimed by runs that died; return them (by run, then name).

        A run's folder is abandoned when its lock file can be locked (its
        run is gone), or when it has no lock file at all: a run creates its
        lock before its folder and removes it after, so only a run of an
        older kpiflow (which deleted its lock on the way out) or a hand
        leaves a folder without one.
        """
        adopted: list[Path] = []
        owners = {p.stem for p in self.root.glob("*.lock")}
        owners |= {p.name for p in self.root.iterdir() if p.is_dir()}
        for owner in sorted(owners - {self.run_id}):
            lock_path = self.root / f"{owner}.lock"
            with lock_path.open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its run is alive and working
                folder = self.root / owner
                for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                    if not path.is_file() or self.holds(path.name):
                        continue  # a name already taken here waits in its folder
                    claimed = self.claim(path)
                    if claimed is not None:
                        adopted.append(claimed)
                with contextlib.suppress(OSError):
                    folder.rmdir()  # only when empty
                if not folder.exists():
                    lock_path.unlink(missing_ok=True)
        return adopted

    def close(self) -> None:
        """Release the lock; folder and lock file go too unless a file is still claimed.

        A file left here (its processing failed, or the run was stopped by a
        problem of the machine) keeps its folder and the lock file beside
        it, unlocked, so the next run adopts it.
        """
        with contextlib.suppress(OSError):
            self.folder.rmdir()  # only when empty
        if not self.folder.exists():
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


REASON_SUFFIX = ".reason.txt"


def settle(
    path: Path,
    folder: Path,
    sha256: str,
    reason: str | None = None,
    *,
    name: str | None = None,
    details: Sequence[str] = (),
) -> Path:
    """Move a claimed file to ``folder`` unchanged, never over another file.

    The file keeps its name (``name``, else its own) when that is free; else
    it gets ``__<sha12>``, then ``__<sha12>-2``, ``-3``... before the
    extension. A name too long for the filesystem (with room for
    ``.reason.txt``) is shortened deterministically: the start of the stem,
    ``~`` and a digest of the whole name, then the extension. With
    ``reason`` (a rejection) ``NAME.reason.txt`` is written first, naming the
    original file and its sha256, then the file is linked in and unlinked
    from the claim: a run killed in between leaves the file where the next
    run finds it and finishes the same move.
    """
    name = name or path.name
    folder.mkdir(parents=True, exist_ok=True)
    limit = _name_limit(folder, with_reason=reason is not None)
    text = None if reason is None else _reason_text(reason, name, sha256, details)
    for candidate in _candidates(name, sha256, limit):
        target = folder / candidate
        if os.path.lexists(target):
            if _same_file(path, target):
                # A run was killed after linking the file here: finish it.
                path.unlink()
                return target
            continue
        reason_path = folder / f"{candidate}{REASON_SUFFIX}"
        if text is not None:
            if not _reserve(reason_path, text, sha256):
                continue
            crash_point("after-reason", name)
        if not _link(path, target):
            if text is not None:
                reason_path.unlink(missing_ok=True)
            continue
        crash_point("after-link", name)
        path.unlink(missing_ok=True)  # gone already where hard links are not supported
        return target
    raise AssertionError("unreachable: the candidate names never run out")


def _reason_text(reason: str, name: str, sha256: str, details: Sequence[str]) -> str:
    lines = [shown(reason), "", f"file: {shown(name)}", f"sha256: {sha256}"]
    lines += [shown(line) for line in details]
    return "\n".join(lines) + "\n"


def _reserve(reason_path: Path, text: str, sha256: str) -> bool:
    """Write the reason file if the name is free (or holds this file's own reason)."""
    try:
        with reason_path.open("x", encoding="utf-8") as handle:
            handle.write(text)
        return True
    except FileExistsError:
        pass
    # A reason without its file: this file's own, left by a run killed before the move.
    try:
        existing = reason_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    if f"\nsha256: {sha256}\n" not in existing:
        return False
    reason_path.write_text(text, encoding="utf-8")
    return True


def _link(source: Path, target: Path) -> bool:
    """Put ``source`` at ``target`` unless something is there; False if it was taken."""
    try:
        # A hard link never replaces an existing name (rename would).
        os.link(source, target, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        # A filesystem without hard links: check, then rename (a narrow race).
        if os.path.lexists(target):
            return False
        os.rename(source, target)
    return True


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _name_limit(folder: Path, with_reason: bool) -> int:
    try:
        longest = os.pathconf(folder, "PC_NAME_MAX")
    except (OSError, ValueError):
        longest = 255
    return longest - (len(REASON_SUFFIX) if with_reason else 0)


def _candidates(name: str, sha256: str, limit: int) -> Iterator[str]:
    yield _fitted(name, "", limit)
    yield _fitted(name, f"__{sha256[:12]}", limit)
    for n in itertools.count(2):
        yield _fitted(name, f"__{sha256[:12]}-{n}", limit)


def _fitted(name: str, suffix: str, limit: int) -> str:
    """``name`` with ``suffix`` before its extension, shortened to ``limit`` bytes."""
    dot = name.rfind(".")
    ext = name[dot:] if dot > 0 and len(name) - dot <= 16 else ""
    stem = name[: len(name) - len(ext)]
    candidate = f"{stem}{suffix}{ext}"
    if len(os.fsencode(candidate)) <= limit:
        return candidate
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:12]
    tail = f"~{digest}{suffix}{ext}"
    room = limit - len(os.fsencode(tail))
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return f"{stem}{tail}"
