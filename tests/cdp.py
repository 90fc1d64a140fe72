"""A minimal headless-Chromium driver over the DevTools protocol pipe (no package needed).

Chromium started with `--remote-debugging-pipe` reads protocol messages from fd 3 and writes to
fd 4, each a JSON object ended by a NUL byte. This drives one page: load a file, collect console
errors, uncaught exceptions and error log entries (CSP violations included), evaluate
expressions, and take a screenshot.

Regenerate the README screenshot (from the repository root):

    python tests/cdp.py examples/demo docs/report-screenshot.png
"""
from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class BrowserError(RuntimeError):
    pass


class Page:
    """`with Page() as page: page.load(path); page.evaluate(js); page.screenshot()`."""

    def __init__(self, width: int = 1280, height: int = 900, timeout: float = 60.0):
        self.width, self.height, self.timeout = width, height, timeout
        self.problems: list[str] = []  # console errors, exceptions, error log entries
        self._next_id = 0
        self._buffer = b""
        self._events: list[dict] = []

    def __enter__(self) -> "Page":
        binary = find_chromium()
        if binary is None:
            raise BrowserError("chromium not found")
        self._profile = tempfile.TemporaryDirectory(prefix="ats-lint-chromium-")
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire():  # in the child: the pipe ends become fds 3 and 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--remote-debugging-pipe", f"--user-data-dir={self._profile.name}",
             f"--window-size={self.width},{self.height}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(3, 4), preexec_fn=wire,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self._call(f"{domain}.enable", session=True)
        self._call("Emulation.setDeviceMetricsOverride",
                   {"width": self.width, "height": self.height, "deviceScaleFactor": 1, "mobile": False}, session=True)
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._send("Browser.close", {})
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - best effort, then by force
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._profile.cleanup()

    # ----------------------------------------------------------------- protocol

    def _send(self, method: str, params: dict, session: bool = False) -> int:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        return self._next_id

    def _read(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError("timed out waiting for chromium")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message = json.loads(raw)
        if "method" in message:
            self._note(message)
        return message

    def _note(self, event: dict) -> None:
        self._events.append(event)
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.problems.append("console." + params["type"] + ": " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.problems.append("exception: " + str(details.get("exception", {}).get("description") or details.get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            self.problems.append("log: " + params["entry"].get("text", ""))
        elif method == "Page.javascriptDialogOpening":
            self.problems.append(f"dialog: {params.get('type')} {params.get('message')}")
            self._send("Page.handleJavaScriptDialog", {"accept": True}, session=True)

    def _call(self, method: str, params: dict | None = None, session: bool = False) -> dict:
        wanted = self._send(method, params or {}, session)
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._read(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                return message.get("result", {})

    def _wait_event(self, method: str) -> dict:
        deadline = time.monotonic() + self.timeout
        for i, event in enumerate(self._events):
            if event["method"] == method:
                return self._events.pop(i)
        while True:
            message = self._read(deadline)
            if message.get("method") == method:
                self._events.remove(message)
                return message

    # ----------------------------------------------------------------- page

    def load(self, file: Path) -> None:
        self._events.clear()
        result = self._call("Page.navigate", {"url": Path(file).absolute().as_uri()}, session=True)
        if result.get("errorText"):
            raise BrowserError(f"navigation failed: {result['errorText']}")
        self._wait_event("Page.loadEventFired")
        self.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")  # painted

    def evaluate(self, expression: str):
        result = self._call("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session=True)
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluate failed: {result['exceptionDetails'].get('exception', {}).get('description')}")
        return result.get("result", {}).get("value")

    def screenshot(self, file: Path) -> None:
        data = self._call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        Path(file).write_bytes(base64.b64decode(data))


def main(argv: list[str]) -> int:
    """`python tests/cdp.py TREE SCREENSHOT.png`: render TREE's HTML report and screenshot it."""
    import sys

    tree, png = argv
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.html"
        subprocess.run([sys.executable, "-m", "ats_lint", "check", tree, "--format", "html", "--output", str(report), "--exit-zero"], check=True)
        with Page(height=1500) as page:
            page.load(report)
            if page.problems:
                print("\n".join(page.problems), file=sys.stderr)
                return 1
            page.screenshot(Path(png))
    print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
