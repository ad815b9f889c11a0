"""What the scripts that start a server share: a free local port, and waiting until the server
answers (or has died). Imported by the scripts beside it (`python3 scripts/X.py` puts this folder
on the path)."""
import socket
import time
import urllib.request


class ServerNotReady(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_ready(url, process, timeout=120, name="hearth serve"):
    """Polls `url` until it answers 200; raises ServerNotReady if `process` exits or time runs out."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise ServerNotReady(f"{name} exited early with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise ServerNotReady(f"{name} at {url} did not become ready in {timeout} s")
