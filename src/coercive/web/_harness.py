"""The workbench on a loopback port in this process, and the system Chromium to drive it.

Shared by the browser tests (``tests/test_browser.py``), the screenshot script
(``scripts/screenshots.py``) and the web benchmark (``benchmarks/bench_web.py``). It lives in
the package, not under ``tests/``, so the scripts need not import from the test suite, nor a
test from ``benchmarks/``. Nothing here is part of ``coercive serve``.

Playwright's own browser download is never used: the browser is Debian's Chromium
(``/usr/bin/chromium``), or the binary ``COERCIVE_CHROMIUM`` names.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

# Headless and quiet: no sandbox (CI runs as root), no GPU, and none of Chromium's own
# background requests, so the only traffic is the page's (the tests block and record the rest).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def chromium_path() -> str:
    """The Chromium binary: ``COERCIVE_CHROMIUM``, else ``chromium`` on PATH, else Debian's."""
    return os.environ.get("COERCIVE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def launch_chromium(playwright: Any) -> Any:
    """A headless system Chromium from a started Playwright (``sync_playwright()``'s driver)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS))


def free_port() -> int:
    """A loopback TCP port that was free a moment ago (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_workbench(start_timeout: float = 20.0) -> Iterator[str]:
    """The workbench served by uvicorn in a daemon thread; yields its base URL.

    The engine is compiled first (:func:`coercive.web.app.warm_up`), so nothing a caller
    times includes numba's compile. The server is told to exit, and joined, on leaving.
    """
    import uvicorn

    from coercive.web.app import create_app, warm_up

    warm_up()
    port = free_port()
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="coercive-workbench", daemon=True)
    thread.start()
    deadline = time.monotonic() + start_timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError("the workbench server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


__all__ = ["CHROMIUM_ARGS", "chromium_path", "free_port", "launch_chromium", "running_workbench"]
