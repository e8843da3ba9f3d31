"""A small Chrome DevTools Protocol client over a pipe, for the browser tests.

Chromium started with ``--remote-debugging-pipe`` reads commands from file
descriptor 3 and writes replies to 4, each a JSON object ended by a NUL
byte: no websocket library and no network port. Enough of the protocol to
open a page, ask the rendered page for its layout (``Runtime.evaluate`` is
not subject to the page's Content-Security-Policy, so the report keeps
forbidding scripts), switch to print media, print to PDF and take pictures.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("KPIFLOW_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"

#: The flags every headless run here needs (no sandbox in containers, no background traffic).
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--hide-scrollbars",
)

#: A4 landscape in CSS pixels (96 per inch) and in PDF points (72 per inch).
A4_LANDSCAPE_IN = (11.69, 8.27)


def _high(fd: int) -> int:
    """``fd`` moved above 4, so placing the child's ends on 3 and 4 cannot clobber them."""
    if fd > 4:
        return fd
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return moved


class ChromiumError(RuntimeError):
    """The browser answered a command with an error, or went away."""


class Browser:
    """One headless Chromium with one page, driven over the debugging pipe."""

    def __init__(self, profile: Path, *, width: int = 1280, height: int = 900) -> None:
        read_ours, write_theirs = (_high(fd) for fd in os.pipe())
        read_theirs, write_ours = (_high(fd) for fd in os.pipe())
        self._proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe",
             f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=lambda: (os.dup2(read_theirs, 3), os.dup2(write_theirs, 4)),
        )  # fmt: skip
        os.close(read_theirs)
        os.close(write_theirs)
        self._out = write_ours
        self._in = read_ours
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        self.page("Page.enable")
        self.page("Runtime.enable")
        self.page("Log.enable")
        self.page(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Send one command and return its result (events that arrive meanwhile are kept)."""
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def page(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """Send a command to the page."""
        return self.send(method, params, self.session)

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                raise ChromiumError("Chromium closed the debugging pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def open(self, url: str, timeout: float = 30.0) -> None:
        """Load ``url`` and wait for its load event."""
        self.events.clear()
        self.page("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.evaluate("document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise ChromiumError(f"{url} did not finish loading")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.page("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise ChromiumError(f"{expression!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def media(self, media: str) -> None:
        """Lay the page out for ``screen`` or ``print``; "" lets printing use print styles."""
        self.page("Emulation.setEmulatedMedia", {"media": media})

    def resize(self, width: int, height: int) -> None:
        """Change the viewport."""
        self.page(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def screenshot(self, path: Path, *, full_page: bool = False,
                   clip: dict[str, float] | None = None) -> Path:  # fmt: skip
        """Save a PNG of the viewport, the whole page or a clip of it."""
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page and clip is None:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            clip = {"x": 0, "y": 0, "width": size[0], "height": size[1]}
        if clip is not None:
            params["clip"] = {**clip, "scale": 1}
            params["captureBeyondViewport"] = True
        data = self.page("Page.captureScreenshot", params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def print_pdf(self, path: Path) -> Path:
        """Print the page as Chromium's print dialog would, honouring the page's @page size."""
        data = self.page(
            "Page.printToPDF",
            {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False},
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def console(self) -> list[str]:
        """Messages the page logged, and exceptions it threw, since it was opened."""
        out = []
        for event in self.events:
            if event.get("method") == "Runtime.consoleAPICalled":
                out.append(" ".join(str(a.get("value")) for a in event["params"]["args"]))
            elif event.get("method") == "Runtime.exceptionThrown":
                out.append(str(event["params"]["exceptionDetails"]))
            elif event.get("method") == "Log.entryAdded":
                out.append(str(event["params"]["entry"].get("text")))
        return out

    def close(self) -> None:
        """Close the browser and wait for it."""
        with contextlib.suppress(ChromiumError, OSError):
            self.send("Browser.close")
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        os.close(self._in)
        os.close(self._out)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
