"""``coercive serve`` (the workbench) and ``coercive report`` (a self-contained HTML file).

``register(app)`` adds both commands to the main typer app; heavy imports (FastAPI, uvicorn,
matplotlib) happen inside the commands so ``coercive --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from coercive._errors import InputError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

SERVE_HELP = (
    "Run the workbench: a local web app (Assess, Compare, Game, Estimate) on "
    f"http://{DEFAULT_HOST}:{DEFAULT_PORT}. It listens on loopback only unless --host says "
    "otherwise, and works offline."
)
REPORT_HELP = (
    "Write one self-contained HTML report of an assessment (charts inline, opens offline). "
    "CASE is a bundled case id or a scenario YAML path."
)


def register(app: typer.Typer) -> None:
    app.command("serve", help=SERVE_HELP)(serve_command)
    app.command("report", help=REPORT_HELP)(report_command)


def serve_command(
    host: str = typer.Option(DEFAULT_HOST, "--host", help="Address to bind (loopback by default)."),
    port: int = typer.Option(DEFAULT_PORT, "--port", min=1, max=65535, help="TCP port."),
    no_browser: bool = typer.Option(False, "--no-browser", help="Do not open a browser."),
) -> None:
    import threading
    import webbrowser

    import uvicorn

    from coercive.web.app import create_app

    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/assess"
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"coercive: warning: serving on {host}, reachable beyond this machine", file=sys.stderr
        )
    _check_port(host, port)
    print(f"coercive workbench on {url} (Ctrl+C stops it)", file=sys.stderr)
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(warm=True), host=host, port=port, log_level="warning")


def _check_port(host: str, port: int) -> None:
    """Fail with one line, before starting, when the address cannot be bound."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InputError(f"--host {host}: unknown address ({exc.strerror or exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = exc.strerror or exc
            raise InputError(f"--port {port}: cannot listen on {host} ({reason})") from None


def report_command(
    case: str = typer.Argument(..., help="Bundled case id (e.g. dprk-2017) or a YAML path."),
    output: Path = typer.Option(..., "-o", "--output", help="The HTML file to write."),
    settings: list[str] = typer.Option(
        None, "--set", metavar="PATH=VALUE", help="Override a scenario field (as in assess)."
    ),
) -> None:
    from coercive.games._warmup import start_solver_warmup

    start_solver_warmup()  # the solver compiles (first run) or loads while the input is read
    from coercive.policy.assess import assess

    write_report(assess(case, settings or []), output)


def write_report(assessment: object, output: Path) -> None:
    """Render and write the report; an unwritable path is one clear error line."""
    from coercive.report.html import render_report

    text = render_report(assessment)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{output}: cannot write ({exc.strerror or exc})") from None
    print(f"wrote {output}", file=sys.stderr)
