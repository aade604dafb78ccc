"""The ``coercive`` command line: a thin layer over the library.

Each command group lives in its own module and imports the heavy parts of the library
only when it runs, so ``coercive --help`` and ``coercive assess`` start quickly.
User-input errors (:class:`coercive._errors.InputError`) become one line on stderr
and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import importlib
import sys

import typer

from coercive._errors import InputError, InputTypeError

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
    importlib.import_module("coercive.cli.design").register(app)  # issue 8 §3: `design`


_register()


def _fail(message: str) -> None:
    print(f"coercive: error: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input of any kind ends in one stderr line and exit status 2."""
    try:  # typer >= 0.26 vendors click
        from typer._click.exceptions import NoArgsIsHelpError, UsageError
    except ImportError:  # pragma: no cover - older typer on click
        from click.exceptions import NoArgsIsHelpError, UsageError

    command = typer.main.get_command(app)
    try:
        code = command.main(args=argv, prog_name="coercive", standalone_mode=False)
    except (InputError, InputTypeError) as exc:
        _fail(str(exc))
    except NoArgsIsHelpError as exc:
        print(exc.ctx.get_help() if exc.ctx else "", file=sys.stderr)
        sys.exit(2)
    except UsageError as exc:  # unknown option, bad number, missing argument
        where = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _fail(" ".join(exc.format_message().split()) + where)
    except typer.Abort:
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)
