"""Bad input -> HTTP 422 with the field's path, the message being the CLI's one line.

The policy loader raises one :class:`coercive._errors.InputError` line of the form
``SOURCE[:LINE]: FIELD.PATH: what is allowed`` (``SOURCE`` is the file name, or
``--set PATH=VALUE`` for an override). :func:`scenario_error` recovers the field path from
that line, so the front end can show the message beside the control of that field.
"""

from __future__ import annotations

import re
from typing import Any

_PATH = re.compile(r"^([A-Za-z_]\w*(?:\.\w+)*): ")


class ApiError(Exception):
    """An input error to answer with 422: ``loc`` (path in the request body) and message."""

    def __init__(self, loc: list[str | int], message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.field = field

    def detail(self) -> list[dict[str, Any]]:
        return [{"loc": self.loc, "msg": self.message, "type": "value_error", "field": self.field}]


def field_of(message: str, source: str) -> str | None:
    """The scenario field a loader message names, or None (e.g. a YAML syntax error).

    ``source`` is what the message starts with: the file name given to the loader.
    """
    if message.startswith("--set "):
        # '--set PATH=VALUE: ...' (string override) or '--set PATH: ...' (a (path, value) pair)
        head = message[len("--set ") :].split(":", 1)[0]
        return head.split("=", 1)[0].strip() or None
    rest = message
    if rest.startswith(source):
        rest = re.sub(r"^:\d+", "", rest[len(source) :])
        rest = rest.removeprefix(": ")
    match = _PATH.match(rest)
    return match.group(1) if match else None


def scenario_error(message: str, source: str, where: list[str | int]) -> ApiError:
    """An :class:`ApiError` for a loader message about the scenario at ``where`` in the body."""
    field = field_of(message, source)
    if field is None:
        loc = [*where]
    elif message.startswith("--set "):
        loc = [*where, "overrides", field]
    else:
        loc = [*where, *[int(part) if part.isdigit() else part for part in field.split(".")]]
    return ApiError(["body", *loc], message, field)


__all__ = ["ApiError", "field_of", "scenario_error"]
