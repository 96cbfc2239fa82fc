"""Dashboards for stakeholders: the notebooks served by Voilà on 127.0.0.1, code hidden.

Voilà runs each notebook in its own kernel and sends the browser only the outputs. What keeps the
page a dashboard and not a remote Python prompt:

- Voilà 0.5 forwards to the kernel only the messages widgets need (``comm_*``,
  ``kernel_info_request``, ``shutdown_request``): an ``execute_request`` sent through the kernel
  websocket is dropped, so nobody can run code from the browser (``tests/test_browser.py`` checks it);
- tracebacks are not sent to the page (``show_tracebacks=False``); the notebooks word expected
  problems themselves (:func:`journeyviz.dashboard.readable_error`);
- sources are stripped from the page (``strip_sources``, Voilà's default);
- the server listens on 127.0.0.1 only.

Kernels are pre-heated (``preheat_kernel``, ``pool_size``), which brings the first chart from
about 7 s to about 2 s on two cores.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .dashboard import DATA_ENV

HOST = "127.0.0.1"


def voila_command(
    notebooks: str | Path,
    port: int,
    *,
    preheat: bool = True,
    pool_size: int = 1,
    open_browser: bool = False,
) -> list[str]:
    """The Voilà command line journeyviz uses (a notebook file or a folder of notebooks)."""
    cmd = [
        sys.executable,
        "-m",
        "voila",
        str(notebooks),
        f"--port={int(port)}",
        f"--Voila.ip={HOST}",
        "--show_tracebacks=False",
        "--strip_sources=True",
        f"--preheat_kernel={preheat}",
        f"--pool_size={int(pool_size) if preheat else 0}",
        "--theme=light",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    return cmd


def serve(
    notebooks_dir: str | Path = "notebooks",
    port: int = 8866,
    data: str | Path | None = None,
    open_browser: bool = False,
    *,
    preheat: bool = True,
    pool_size: int = 1,
) -> int:
    """Serve the notebooks as Voilà dashboards on http://127.0.0.1:PORT until interrupted.

    Parameters
    ----------
    notebooks_dir
        A folder of notebooks (a tree page lists them) or one notebook.
    port
        TCP port on 127.0.0.1.
    data
        Dataset folder the dashboards open instead of their default (set as ``$JOURNEYVIZ_DATA``).
    open_browser
        Open the default browser on the page.
    preheat, pool_size
        Keep ``pool_size`` kernels per notebook executed in advance.

    Returns
    -------
    int
        Voilà's exit status (0 after Ctrl-C).

    Raises
    ------
    FileNotFoundError
        When ``notebooks_dir`` or ``data`` does not exist.
    """
    notebooks_dir = _existing(notebooks_dir, "notebooks_dir")
    env = _env(data)
    print(f"journeyviz dashboards on http://{HOST}:{port}/ (Ctrl-C to stop)", file=sys.stderr)
    proc = subprocess.Popen(voila_command(notebooks_dir, port, preheat=preheat, pool_size=pool_size, open_browser=open_browser), env=env)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=30)
        return 0


@dataclass
class VoilaServer:
    """A Voilà server started in the background by :func:`start` (for tests and benchmarks).

    ``url`` is its root; :meth:`stop` ends it (also on ``with`` exit).
    """

    process: subprocess.Popen
    port: int
    log_path: Path | None = None
    _log_file: Any = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def page(self, notebook: str) -> str:
        """URL of a notebook's dashboard (``notebook`` relative to the served folder)."""
        return f"{self.url}voila/render/{notebook}"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path and self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def __enter__(self) -> "VoilaServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start(
    notebooks_dir: str | Path = "notebooks",
    port: int | None = None,
    data: str | Path | None = None,
    *,
    preheat: bool = False,
    pool_size: int = 1,
    timeout: float = 120.0,
    log_path: str | Path | None = None,
) -> VoilaServer:
    """Start Voilà in the background on a free port and return once it answers HTTP.

    Raises ``RuntimeError`` with the end of Voilà's log when it exits or does not answer in ``timeout`` seconds.
    """
    notebooks_dir = _existing(notebooks_dir, "notebooks_dir")
    port = port or free_port()
    log = Path(log_path) if log_path else None
    out = open(log, "w", encoding="utf-8") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        voila_command(notebooks_dir, port, preheat=preheat, pool_size=pool_size),
        env=_env(data),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    server = VoilaServer(proc, port, log, out if log else None)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            server.stop()
            raise RuntimeError(f"Voilà exited with status {proc.returncode}:\n{server.log()[-3000:]}")
        try:
            with urllib.request.urlopen(server.url, timeout=2) as response:
                if response.status < 500:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            time.sleep(0.3)
    server.stop()
    raise RuntimeError(f"Voilà did not answer on {server.url} within {timeout:.0f} s:\n{server.log()[-3000:]}")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _existing(path: str | Path, name: str) -> Path:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{name}={str(path)!r} does not exist; pass the folder holding the notebooks (default: notebooks)")
    return path.resolve()


def _env(data: str | Path | None) -> dict[str, str]:
    env = dict(os.environ)
    if data is not None:
        env[DATA_ENV] = str(_existing(data, "data"))
    return env
