"""The Prefect API a run talks to: checked before anything starts, or a temporary server of ours.

Prefect, left alone, waits minutes on an API that does not answer and
retries a temporary server that cannot start until its own timeout (three
minutes of log lines before the real cause). ``kpiflow run`` asks first:

- with ``PREFECT_API_URL`` set (environment or the active Prefect profile),
  ``check_api`` calls its ``/health`` within the settings' ``api_timeout``
  (``KPIFLOW_API_TIMEOUT``, 5 s),
  so a dead port or one that accepts and never answers fails within seconds;
- without it, ``check_home`` makes sure Prefect's home is a writable folder
  whose database opens and is sound, and ``temporary_server`` starts
  Prefect's own temporary server (the same ``uvicorn`` command Prefect's
  ``SubprocessASGIServer`` runs) through ``flows.guard``, so it dies with the
  run even on SIGKILL; it fails at once, with the server's own last words,
  when the server exits while starting.

Each failure is an ``EnvironmentProblem``: one sentence naming the URL or
path, what to do, and ``--plain`` as the way to run without Prefect.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from flows.errors import EnvironmentProblem, UsageProblem
from flows.safe_text import shown

#: Prefect's database is checked in full (``PRAGMA quick_check``) up to this size.
QUICK_CHECK_MAX_BYTES = 256 * 1024 * 1024
PLAIN = "or run with --plain to run without Prefect"


def prefect_home() -> Path:
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def configured_api_url() -> str | None:
    """The Prefect API this process will use, or None for a temporary server.

    Once Prefect is imported its settings say (a test harness sets them in
    process); before, the environment and then the active profile do.
    """
    if "prefect.settings" in sys.modules:
        from prefect.settings import get_current_settings

        return get_current_settings().api.url or None
    if os.environ.get("PREFECT_API_URL"):
        return os.environ["PREFECT_API_URL"]
    profile = _profiles().get(os.environ.get("PREFECT_PROFILE") or "", {})
    url = profile.get("PREFECT_API_URL") if isinstance(profile, dict) else None
    return str(url) if url else None


def _profiles() -> dict[str, object]:
    """The profiles file's profiles, with the active one also under the key ""."""
    path = Path(os.environ.get("PREFECT_PROFILES_PATH") or prefect_home() / "profiles.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EnvironmentProblem(
            f"Prefect's profiles file {path} cannot be read ({exc}); fix or remove it, {PLAIN}."
        ) from None
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict):
        return {}
    active = data.get("active")
    return {**profiles, "": profiles.get(active, {})}


def check_api(url: str, timeout: float) -> None:
    """Raise an ``EnvironmentProblem`` unless the API at ``url`` answers within ``timeout`` s."""
    health = url.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(health, timeout=timeout) as response:  # noqa: S310
            status = int(response.status)
    except urllib.error.HTTPError as answered:
        status = answered.code
    except ValueError:
        raise UsageProblem(
            f"PREFECT_API_URL {url!r} is not an http(s) URL; set it to the API of a Prefect "
            f"server (such as http://127.0.0.1:4200/api), unset it, {PLAIN}."
        ) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError | socket.timeout):
            why = f"no answer within {timeout:g} s"
        elif isinstance(reason, ConnectionRefusedError):
            why = "connection refused: nothing is listening there"
        else:
            why = str(reason)
        raise EnvironmentProblem(
            f"The Prefect API at {url} is not answering ({why}); start that server, unset "
            f"PREFECT_API_URL to use a temporary local one, {PLAIN}."
        ) from None
    if status >= 500:
        raise EnvironmentProblem(
            f"The Prefect API at {url} answered its health check with HTTP {status}; check "
            f"that server, unset PREFECT_API_URL to use a temporary local one, {PLAIN}."
        )


def check_home(home: Path | None = None) -> None:
    """Raise an ``EnvironmentProblem`` unless Prefect's home and database are usable."""
    home = home or prefect_home()
    fix = f"set PREFECT_HOME to a writable folder, {PLAIN}"
    try:
        home.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=home, prefix=".kpiflow-probe-"):
            pass
    except OSError as exc:
        cause = exc.strerror or str(exc)
        if isinstance(exc, FileExistsError | NotADirectoryError):
            cause = "a file stands where the folder should be"
        raise EnvironmentProblem(
            f"Prefect's home {home} is not a writable folder ({cause}); make it writable, {fix}."
        ) from None
    _profiles()
    database = _database_path(home)
    if database is None or not database.exists():
        return
    try:
        with database.open("r+b"):
            pass
        conn = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            if database.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                verdict = str(conn.execute("PRAGMA quick_check(1)").fetchone()[0])
                if verdict != "ok":
                    where = " ".join(
                        line for line in verdict.splitlines() if not line.startswith("***")
                    )
                    raise sqlite3.DatabaseError(f"database disk image is malformed: {where}")
        finally:
            conn.close()
    except OSError as exc:
        raise EnvironmentProblem(
            f"Prefect's database {database} cannot be written ({exc.strerror or exc}); make "
            f"it writable, {fix}."
        ) from None
    except sqlite3.Error as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return  # another run's server is writing to it: it opens, that is enough
        raise EnvironmentProblem(
            f"Prefect's database {database} is damaged ({shown(exc)}); move it aside (kpiflow "
            f"init makes a new one), {fix}."
        ) from None


def _database_path(home: Path) -> Path | None:
    url = (
        os.environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL")
        or os.environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
        or f"sqlite+aiosqlite:///{home}/prefect.db"
    )
    scheme, _, rest = url.partition(":///")
    if not scheme.startswith("sqlite") or not rest or rest.startswith(":memory:"):
        return None
    return Path("/" + rest.lstrip("/") if url.startswith(f"{scheme}:////") else rest)


def startup_timeout() -> float:
    value = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS") or "180"
    try:
        return float(value)
    except ValueError:
        return 180.0


@contextlib.contextmanager
def temporary_server(home: Path | None = None) -> Iterator[str]:
    """Start Prefect's temporary server under ``flows.guard``; yield its API URL; stop it."""
    home = home or prefect_home()
    log_path = home / f"kpiflow-server-{os.getpid()}.log"
    for _ in range(3):
        port = _free_port()
        command = [
            "-m", "uvicorn", "--factory", "prefect.server.api.server:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--log-level", "error",
            "--lifespan", "on",
        ]  # fmt: skip
        try:
            server = start_guarded(command, port, log_path, ephemeral=True)
        except PortTaken:
            continue
        break
    else:
        raise EnvironmentProblem(
            f"Prefect's temporary server found no free port to listen on; see {log_path}, {PLAIN}."
        )
    stopping = threading.Event()
    watcher = threading.Thread(
        target=_exit_if_it_dies, args=(server, log_path, stopping), daemon=True,
        name="kpiflow-server-watch",
    )  # fmt: skip
    watcher.start()
    try:
        yield f"http://127.0.0.1:{port}/api"
    finally:
        stopping.set()
        stop_guarded(server, log_path)


def _died_sentence(server: subprocess.Popen[bytes], log_path: Path) -> str:
    return (
        f"Prefect's temporary server stopped during the run ({_ending(server, log_path)}); "
        "files already done are done and any file in progress stays claimed for the next "
        f"run; see {log_path} and run again, {PLAIN}."
    )


def _exit_if_it_dies(
    server: subprocess.Popen[bytes], log_path: Path, stopping: threading.Event
) -> None:
    """End the run at once, with its one sentence, if the server dies under it.

    Left alone, Prefect would retry every call to the dead API before giving
    up. A run is safe to stop at any moment (that is what a SIGKILL at every
    crash point tests): the file in progress stays claimed for the next run.
    """
    while not stopping.wait(0.2):
        if server.poll() is not None and not stopping.is_set():
            problem = EnvironmentProblem(_died_sentence(server, log_path))
            os.write(2, f"kpiflow: {problem.sentence}\n".encode())
            os._exit(problem.exit_status)


class PortTaken(Exception):
    """The server's port was taken by another program before the server could listen."""


def start_guarded(
    command: list[str], port: int, log_path: Path, *, ephemeral: bool = False
) -> subprocess.Popen[bytes]:
    """Start ``python COMMAND`` under ``flows.guard`` and wait until its API is healthy.

    Its output goes to ``log_path`` (named in the sentence if it fails,
    removed when it stops cleanly). Raises ``PortTaken`` when the port was
    in use, else an ``EnvironmentProblem`` when it exits or stays silent.
    """
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [sys.executable, "-m", "flows.guard", sys.executable, *command],
            env=_server_env(ephemeral), stdin=subprocess.DEVNULL, stdout=log_file,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        _wait_healthy(f"http://127.0.0.1:{port}/api", server, log_path, port)
    except BaseException:
        stop_guarded(server, log_path)
        raise
    return server


def stop_guarded(server: subprocess.Popen[bytes], log_path: Path) -> None:
    """Stop a server started by ``start_guarded``; keep its log only if it ended badly."""
    if server.poll() is None:
        server.terminate()  # the guard stops the server's whole group
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if server.returncode in (0, 128 + 15, -15):
        log_path.unlink(missing_ok=True)


def _server_env(ephemeral: bool) -> dict[str, str]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    if ephemeral:
        # What Prefect's own temporary server sets: no UI, the ephemeral services only.
        env.update(PREFECT_UI_ENABLED="0", PREFECT__SERVER_EPHEMERAL="1", PREFECT__SERVER_FINAL="1")
    env.pop("PREFECT_API_URL", None)
    # The server's own log must say why it stopped, whatever kpiflow's terminal shows.
    env.pop("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", None)
    env.pop("PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL", None)
    return env


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_healthy(url: str, server: subprocess.Popen[bytes], log_path: Path, port: int) -> None:
    limit = startup_timeout()
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            said = _last_words(log_path)
            if "address already in use" in said.lower():
                raise PortTaken(port)
            ending = _ending(server, log_path)
            raise EnvironmentProblem(
                f"The Prefect server kpiflow started stopped at once ({ending}); see {log_path} "
                f"and check Prefect's home {prefect_home()}, {PLAIN}."
            )
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise EnvironmentProblem(
        f"The Prefect server kpiflow started did not answer within {limit:g} s; see "
        f"{log_path}, {PLAIN}."
    )


_RAISED = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception): .+")


def _ending(server: subprocess.Popen[bytes], log_path: Path) -> str:
    """How a server ended: its last words, else its exit status or signal."""
    said = _last_words(log_path)
    if said != "no output":
        return said
    code = server.returncode
    if code is not None and code > 128:
        try:
            return f"killed by {signal.Signals(code - 128).name}"
        except ValueError:
            pass
    return f"exit status {code}"


def _last_words(log_path: Path) -> str:
    """The line of the server's log that says why it stopped: the last exception raised,
    else the last error, else the last line."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "no output"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for wanted in (_RAISED.match, lambda line: "error" in line.lower()):
        for line in reversed(lines):
            if wanted(line):
                return shown(line[:300])
    return shown(lines[-1][:300]) if lines else "no output"


def check_prefect(api_timeout: float) -> None:
    """Check the configured API, or Prefect's home when there is none (before Prefect loads)."""
    url = configured_api_url()
    if url:
        check_api(url, api_timeout)
    else:
        check_home()


@contextlib.contextmanager
def prefect_api(api_timeout: float) -> Iterator[str]:
    """The API a run uses, checked, or a temporary server's; the URL is in force inside.

    Call after ``flows.cli.prepare_prefect``. Before Prefect is imported the
    URL goes into ``PREFECT_API_URL``; once it is, into Prefect's settings.
    """
    url = configured_api_url()
    if url:
        check_api(url, api_timeout)
        yield url
        return
    check_home()
    with temporary_server() as url, api_in_force(url):
        yield url


@contextlib.contextmanager
def api_in_force(url: str) -> Iterator[None]:
    """Make ``url`` the Prefect API inside: in the environment (for Prefect's imports and
    its child processes) and, once Prefect is imported, in its settings."""
    previous = os.environ.get("PREFECT_API_URL")
    os.environ["PREFECT_API_URL"] = url
    try:
        if "prefect.settings" in sys.modules:
            from prefect.settings import PREFECT_API_URL, temporary_settings

            with temporary_settings(updates={PREFECT_API_URL: url}):
                yield
        else:
            yield
    finally:
        if previous is None:
            os.environ.pop("PREFECT_API_URL", None)
        else:
            os.environ["PREFECT_API_URL"] = previous
