"""Drives Debian's headless Chromium over the DevTools protocol on a pipe (--remote-debugging-pipe),
with the standard library only; shared by check_report.py and bench_report.py."""

import fcntl
import json
import os
import queue
import shutil
import struct
import subprocess
import tempfile
import threading
import time
import zlib


def chromium_binary():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise SystemExit("chromium is not installed (Debian: apt-get install -y chromium)")


class Browser:
    """One headless Chromium with one page; records console errors, exceptions and every request."""

    def __init__(self, width=1280, height=800, dark=False):
        self.profile = tempfile.mkdtemp(prefix="hearth-chromium-")
        to_chrome_r, self._to_chrome_w = os.pipe()
        self._from_chrome_r, from_chrome_w = os.pipe()

        # Moved above 10 first, so that placing them at 3 and 4 in the child cannot clobber one another.
        high_r, high_w = fcntl.fcntl(to_chrome_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_chrome_w, fcntl.F_DUPFD, 10)

        def child_fds():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)

        args = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                f"--user-data-dir={self.profile}", "--no-first-run", "--no-default-browser-check",
                "--disable-extensions", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
                "--force-color-profile=srgb", "--font-render-hinting=none", "about:blank"]
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, preexec_fn=child_fds, close_fds=False)
        for fd in (to_chrome_r, from_chrome_w, high_r, high_w):
            os.close(fd)
        self._next = 0
        self._replies = {}
        self._events = queue.Queue()
        self._cond = threading.Condition()
        self.errors = []      # console errors, exceptions, log errors
        self.requests = []    # every URL the page asked for
        threading.Thread(target=self._read, daemon=True).start()
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.resize(width, height)
        self.call("Emulation.setEmulatedMedia", session=True,
                  features=[{"name": "prefers-color-scheme", "value": "dark" if dark else "light"}])

    def _read(self):
        buffer = b""
        while True:
            chunk = os.read(self._from_chrome_r, 1 << 20)
            if not chunk:
                return
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._cond:
                        self._replies[message["id"]] = message
                        self._cond.notify_all()
                else:
                    self._event(message)

    def _event(self, message):
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append("exception: " + details.get("exception", {}).get("description", details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append("log: " + params["entry"].get("text", "") + " " + params["entry"].get("url", ""))
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        self._events.put(message)

    def call(self, method, session=False, timeout=120, **params):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_chrome_w, json.dumps(message).encode() + b"\0")
        deadline = time.time() + timeout
        with self._cond:
            while self._next not in self._replies:
                if not self._cond.wait(timeout=max(0.01, deadline - time.time())) and time.time() > deadline:
                    raise TimeoutError(method)
            reply = self._replies.pop(self._next)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def resize(self, width, height):
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=width < 600)

    def wait_event(self, method, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                message = self._events.get(timeout=max(0.01, deadline - time.time()))
            except queue.Empty:
                break
            if message.get("method") == method:
                return message
        raise TimeoutError(method)

    def open(self, url, timeout=60):
        while not self._events.empty():
            self._events.get_nowait()
        self.call("Page.navigate", session=True, url=url)
        self.wait_event("Page.loadEventFired", timeout=timeout)

    def evaluate(self, expression, timeout=120):
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=True, timeout=timeout * 1000)
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: " + json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def screenshot(self, path):
        import base64
        data = self.call("Page.captureScreenshot", session=True, format="png")["data"]
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", timeout=10)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_gray(path):
    """A PNG (8-bit RGB/RGBA, as Chromium writes them) as (width, height, rows of luminance 0..1)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), "only 8-bit RGB(A) PNGs"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous, at = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([(0.299 * line[x] + 0.587 * line[x + 1] + 0.114 * line[x + 2]) / 255 for x in range(0, stride, channels)])
        previous = line
    return width, height, rows


def coarse(path, columns=16, rows=20):
    """Mean luminance over a grid of blocks: the page's layout without its text."""
    width, height, pixels = png_gray(path)
    grid = []
    for r in range(rows):
        y0, y1 = r * height // rows, (r + 1) * height // rows
        for c in range(columns):
            x0, x1 = c * width // columns, (c + 1) * width // columns
            total = sum(sum(pixels[y][x0:x1]) for y in range(y0, y1))
            grid.append(total / max(1, (y1 - y0) * (x1 - x0)))
    return (width, height), grid
