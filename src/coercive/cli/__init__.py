"""The ``coercive`` command line: a thin layer over the library.

Each command group lives in its own module and imports the heavy parts of the library
only when it runs, so ``coercive --help`` and ``coercive assess`` start quickly.
User-input errors (:class:`coercive._errors.InputError`) become one line on stderr
and exit status 2; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

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
    from coercive.cli import game

    app.add_typer(game.app, name="game")
    try:  # command groups that other parts of the package provide
        from coercive.cli import policy
    except ImportError:
        return
    policy.register(app)


_register()


def main() -> None:
    try:
        app()
    except (InputError, InputTypeError) as exc:
        print(f"coercive: error: {exc}", file=sys.stderr)
        sys.exit(2)
