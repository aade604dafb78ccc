"""The ``coercive`` command line: a thin layer over the library.

Each command group lives in its own module and imports the heavy parts of the library
only when it runs, so ``coercive --help`` and ``coercive assess`` start quickly.
User-input errors (:class:`coercive._errors.InputError`) become one line on stderr
and exit status 2; anything else is a bug and keeps its traceback. The environment is
treated as input too: an output that cannot encode a character, a full disk, a closed pipe
or a bad ``NUMBA_NUM_THREADS`` each end in one line, never a traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
import warnings

import typer

from coercive._errors import InputError, InputTypeError, one_line

app = typer.Typer(
    name="coercive",
    help="Coercive diplomacy, computable: crisis games, their estimation, and campaign assessment.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from coercive.cli import game, policy, web

    app.add_typer(game.app, name="game")
    policy.register(app)  # `assess` and the `cases` group
    web.register(app)  # `serve` and `report`
    importlib.import_module("coercive.cli.sweep").register(app)  # `sweep`, `runs` group
    from coercive.cli import calibrate  # issue 7: `calibrate` and `validate ties`

    app.command("calibrate")(calibrate.calibrate_command)
    app.add_typer(calibrate.validate_app, name="validate")
    from coercive.cli.sensitivity import SENSITIVITY_HELP, sensitivity_command  # issue 8 §2

    app.command("sensitivity", help=SENSITIVITY_HELP)(sensitivity_command)
    # issue 8 §1
    app.command("campaign")(importlib.import_module("coercive.cli.campaign").campaign_command)
    importlib.import_module("coercive.cli.design").register(app)  # issue 8 §3: `design`


_register()


def _fail(message: str, status: int = 2) -> None:
    print(f"coercive: error: {one_line(message)}", file=sys.stderr)
    sys.exit(status)


def _tolerant_streams() -> None:
    """Characters the terminal's encoding lacks (PYTHONIOENCODING=ascii) print as '?'."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):  # a closed or detached stream: nothing to print on
                pass


def _one_line_warnings() -> None:
    """Warnings (e.g. numba's cache moved to a temporary directory) as one stderr line."""

    def show(message, category, filename, lineno, file=None, line=None):  # noqa: ANN001, ANN202
        print(f"coercive: warning: {one_line(str(message))}", file=sys.stderr)

    warnings.showwarning = show


def _check_environment() -> None:
    """Environment variables numba reads on first use, checked before anything imports it."""
    threads = os.environ.get("NUMBA_NUM_THREADS")
    if threads is not None and threads.strip():
        if not (threads.strip().isascii() and threads.strip().isdigit()) or int(threads) < 1:
            _fail(
                f"NUMBA_NUM_THREADS={one_line(threads, 40)}: allowed: a whole number >= 1 "
                f"(or unset, for all {os.cpu_count() or 1} cores)"
            )


def _output_failed(exc: OSError) -> None:
    """stdout is gone (full disk, closed pipe): say so once, and keep Python quiet at exit."""
    try:  # Python flushes stdout at exit and would report the same failure again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass
    if isinstance(exc, BrokenPipeError):  # `coercive ... | head`: the reader left; say nothing
        sys.exit(1)
    _fail(f"cannot write the output: {exc.strerror or type(exc).__name__}", status=1)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input of any kind ends in one stderr line and exit status 2."""
    try:  # typer >= 0.26 vendors click
        from typer._click.exceptions import NoArgsIsHelpError, UsageError
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import NoArgsIsHelpError, UsageError

    _tolerant_streams()
    _one_line_warnings()
    _check_environment()
    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="coercive", standalone_mode=False)
        sys.stdout.flush()
    except (InputError, InputTypeError) as exc:
        _fail(str(exc))
    except NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        sys.exit(2)
    except UsageError as exc:  # unknown option, bad number, missing argument
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(one_line(exc.format_message(), 240) + where)
    except typer.Abort:
        sys.exit(1)
    except OSError as exc:
        if exc.errno is None or not _is_output_error(exc):
            raise
        _output_failed(exc)
    sys.exit(code if isinstance(code, int) else 0)


def _is_output_error(exc: OSError) -> bool:
    import errno

    return isinstance(exc, BrokenPipeError) or exc.errno in (errno.ENOSPC, errno.EIO, errno.EPIPE)
