"""Load a scenario from YAML (a file or a bundled case id), apply ``--set`` overrides, validate.

Every failure becomes one :class:`coercive._errors.InputError` line that names the file (with
the line, taken from the YAML node marks, where known), the field path and what is allowed::

    dprk.yaml:41: instruments.sanctions.kind: Input should be 'none', 'targeted' or
    'comprehensive'

YAML is parsed with the safe loader only (no object construction).
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from coercive._errors import InputError, one_line, shown
from coercive.policy.scenario import Scenario

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"

Override = tuple[str, Any]


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when available) with numbers as an analyst means them.

    PyYAML follows YAML 1.1: ``1e-3`` (no dot) is a string, ``1:30`` is the base-60 number
    90 and ``010`` is the octal 8. Here ``1e-3`` is a number, and base-60 and leading-zero
    octal are not numbers at all (they stay strings, which validation then refuses by name),
    as in YAML 1.2.
    """


_INT = re.compile(r"^[-+]?(?:0b[0-1_]+|0x[0-9a-fA-F_]+|0|[1-9][0-9_]*)$")
_FLOAT = re.compile(
    r"^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _NUMBER_TAGS]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(_NUMBER_TAGS[0], _INT, list("-+0123456789"))
_Loader.add_implicit_resolver(_NUMBER_TAGS[1], _FLOAT, list("-+0123456789."))

#: The largest scenario file read (bundled ones are ~5 KB).
MAX_FILE_BYTES = 1_000_000
#: The most YAML nodes a document may stand for once its aliases are expanded (a scenario has
#: a few hundred); checked on the node graph before anything is built or validated, so an
#: alias bomb (a few KB that expand to gigabytes) is refused in microseconds.
MAX_EXPANDED_NODES = 100_000
_MERGE_TAG = "tag:yaml.org,2002:merge"


def _short(text: str, limit: int = 80) -> str:
    """A user-given name cut to ``limit`` characters, keeping its end (the file's name)."""
    text = one_line(text, 10 * limit)
    return text if len(text) <= limit else "..." + text[-(limit - 3) :]


def bundled_cases() -> list[str]:
    """Ids of the scenario files shipped in ``coercive/cases``."""
    return sorted(path.stem for path in CASES_DIR.glob("*.yaml"))


def resolve_case(path_or_case_id: str | Path) -> Path:
    """The file for a YAML path or a bundled case id; InputError when neither exists."""
    text = str(path_or_case_id)
    if not text.strip():
        raise InputError("CASE: empty; allowed: a YAML file path or a bundled case id")
    name = _short(text)
    if "\x00" in text:
        raise InputError(f"{name}: contains a NUL byte; allowed: a YAML file path or a case id")
    path = Path(text)
    try:
        if path.is_file():
            return path
        exists = path.exists()
    except OSError as exc:  # a name too long, a directory that may not be searched, ...
        raise InputError(f"{name}: cannot open ({exc.strerror or type(exc).__name__})") from None
    if exists:
        raise InputError(f"{name}: not a file; allowed: a YAML file path or a bundled case id")
    bundled = CASES_DIR / f"{text}.yaml"
    if "/" not in text and "\\" not in text and len(text) < 200 and bundled.is_file():
        return bundled
    known = ", ".join(bundled_cases()) or "none"
    raise InputError(f"{name}: no such file or bundled case; bundled cases: {known}")


def _parse_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """Parse with the safe loader, returning the data and its node tree (for line numbers).

    The node graph is checked (duplicate keys, size with aliases expanded) before any
    Python object is built from it.
    """
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        _check_nodes(node, source)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = one_line(str(exc.problem or exc.context or "invalid YAML"), 120)
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: invalid YAML: {one_line(str(exc), 120)}") from None
    except RecursionError:
        raise InputError(f"{source}: invalid YAML: nested too deeply") from None
    except (ValueError, TypeError, OverflowError) as exc:
        if isinstance(exc, InputError):
            raise
        # the safe constructor can fail on scalars that look typed (e.g. a date 2017-13-45)
        raise InputError(f"{source}: invalid YAML value: {one_line(str(exc), 120)}") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, node


@functools.lru_cache(maxsize=32)
def _parse_yaml_cached(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    """:func:`_parse_yaml`, remembered: a case assessed under many ``--set`` variants (the
    counterfactuals, a sweep) is parsed once. Callers copy the data before changing it."""
    return _parse_yaml(text, source)


def _check_nodes(root: yaml.Node | None, source: str) -> None:
    """Refuse a key given twice in one mapping, and documents that expand past a bound.

    YAML would silently keep the last of two equal keys. A merge key (``<<: *base``) is not
    a duplicate of the keys it brings in: keys written beside it override those, as YAML's
    merge specifies. This runs before construction (which merges the keys in place).
    """
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:  # iterative: anchors can make the node graph deep or cyclic
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[str] = set()
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                    if key_node.value in keys:
                        line = key_node.start_mark.line + 1
                        raise InputError(
                            f"{source}:{line}: duplicate key {shown(key_node.value)}; "
                            "allowed: each key once per mapping"
                        )
                    keys.add(key_node.value)
                stack.extend((key_node, value_node))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if _expanded_size(root) > MAX_EXPANDED_NODES:
        raise InputError(
            f"{source}: the YAML expands to more than {MAX_EXPANDED_NODES:,} values through "
            "its aliases (*name); allowed: a scenario of ordinary size"
        )


def _expanded_size(root: yaml.Node | None) -> int:
    """Number of nodes the document stands for with every alias expanded (capped).

    Each distinct node is sized once (memoized), so the cost is linear in the file although
    the expansion may be exponential; a node reached again while it is being sized is a
    recursive alias, which has no finite expansion.
    """
    if root is None:
        return 0
    cap = MAX_EXPANDED_NODES + 1
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes:
            continue
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        else:
            sizes[key] = 1
            continue
        if children_done:
            in_progress.discard(key)
            sizes[key] = min(cap, 1 + sum(sizes[id(child)] for child in children))
            continue
        if key in in_progress:
            return cap  # recursive alias
        in_progress.add(key)
        stack.append((node, True))
        for child in children:
            if id(child) in in_progress:
                return cap
            if id(child) not in sizes:
                stack.append((child, False))
    return sizes[id(root)]


def _node_at(node: yaml.Node | None, loc: Iterable[Any]) -> tuple[yaml.Node | None, bool]:
    """The deepest YAML node along ``loc``; the flag says whether the whole path was found."""
    current = node
    for part in loc:
        if isinstance(current, yaml.MappingNode):
            for key_node, value_node in current.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                    current = value_node
                    break
            else:
                return current, False
        elif isinstance(current, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(current.value):
                current = current.value[part]
            else:
                return current, False
        else:
            return current, False
    return current, True


def _key_node(node: yaml.Node | None, loc: tuple[Any, ...]) -> yaml.Node | None:
    """The key node of the last element of ``loc`` (to point at an unknown field's line)."""
    parent, found = _node_at(node, loc[:-1])
    if found and isinstance(parent, yaml.MappingNode):
        for key_node, _ in parent.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(loc[-1]):
                return key_node
    return None


# ----------------------------------------------------------------------------------------
# Walking the schema: which paths exist, what is allowed at each
# ----------------------------------------------------------------------------------------


def _strip(annotation: Any) -> Any:
    """Remove Annotated/Optional wrappers, returning the core type."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        models = [arg for arg in members if isinstance(arg, type) and issubclass(arg, BaseModel)]
        if models:
            return models[0]
        if len(members) == 1:
            return _strip(members[0])
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _walk(path: list[str], source: str) -> list[Any]:
    """Check a dotted override path against the schema; return its loc (ints for list items)."""
    loc: list[Any] = []
    current: Any = Scenario
    for depth, part in enumerate(path):
        where = ".".join(path[: depth + 1])
        if _is_model(current):
            fields = current.model_fields
            if part not in fields:
                allowed = ", ".join(fields)
                prefix = ".".join(path[:depth]) or "top level"
                raise InputError(
                    f"{source}: unknown path {where!r}; allowed at {prefix}: {allowed}"
                )
            loc.append(part)
            # an uncertain number may be set whole or by its distribution's parameters
            if _is_uncertain(fields[part]):
                current = _UNCERTAIN
            else:
                current = _strip(fields[part].annotation)
            continue
        origin = typing.get_origin(current)
        if origin is list:
            if not _is_index(part):
                raise InputError(f"{source}: {where!r}: expected a list index (0, 1, ...)")
            loc.append(int(part))
            current = _strip(typing.get_args(current)[0])
            continue
        if origin is dict:
            loc.append(part)
            current = _UNCERTAIN
            continue
        if current is _UNCERTAIN:
            if part not in ("dist", "low", "high", "mode", "mean", "sd"):
                raise InputError(
                    f"{source}: unknown path {where!r}; allowed below an uncertain number: "
                    "dist, low, high, mode, mean, sd"
                )
            loc.append(part)
            current = None
            continue
        prefix = ".".join(path[:depth])
        raise InputError(f"{source}: unknown path {where!r}; {prefix} is a value, not a section")
    return loc


_UNCERTAIN = object()


def _is_uncertain(field: Any) -> bool:
    return any(type(meta).__name__ == "PlainValidator" for meta in field.metadata)


def _is_index(part: str) -> bool:
    """A list index is ASCII digits (``str.isdigit`` also takes '²' and Arabic-Indic '١')."""
    return part.isascii() and part.isdigit()


def _parse_override(item: str | Override) -> tuple[str, str, Any]:
    """(display source, path, value) from 'PATH=VALUE' or a (path, value) pair."""
    if isinstance(item, tuple):
        path, value = item
        return f"--set {_short(str(path))}", str(path), value
    if not isinstance(item, str) or "=" not in item:
        raise InputError(
            f"--set {shown(item) if not isinstance(item, str) else _short(item)}: expected "
            "PATH=VALUE, e.g. instruments.deadline.months=6"
        )
    path, _, raw = item.partition("=")
    path = path.strip()
    shown_item = item if len(item) <= 80 else item[:77] + "..."
    source = f"--set {one_line(shown_item)}"
    if not raw.strip():
        return source, path, None
    try:
        # the same parser as files: duplicate keys, alias bombs and base-60 are refused
        value, _ = _parse_yaml(raw, source)
    except InputError as exc:
        detail = str(exc).removeprefix(source).lstrip(":0123456789 ")
        raise InputError(f"{source}: VALUE is not a YAML value ({detail})") from None
    return source, path, value


def _apply(data: dict[str, Any], loc: list[Any], value: Any, source: str) -> None:
    current: Any = data
    for depth, part in enumerate(loc[:-1]):
        following = loc[depth + 1]
        if isinstance(current, dict):
            if not isinstance(current.get(part), dict | list):
                if isinstance(following, int):
                    raise InputError(f"{source}: list item {following} does not exist")
                current[part] = {}
            current = current[part]
        elif isinstance(current, list):
            # an earlier --set may have replaced a mapping by a list ("actors=-" is [None])
            if not isinstance(part, int):
                raise InputError(f"{source}: {part!r} is below a list; expected an item number")
            if not 0 <= part < len(current):
                raise InputError(f"{source}: list item {part} does not exist (has {len(current)})")
            current = current[part]
        else:
            raise InputError(f"{source}: cannot set below a value")
    last = loc[-1]
    if isinstance(current, list):
        if not isinstance(last, int):
            raise InputError(f"{source}: {last!r} is below a list; expected an item number")
        if not 0 <= last < len(current):
            raise InputError(f"{source}: list item {last} does not exist (has {len(current)})")
        current[last] = value
    elif isinstance(current, dict):
        current[last] = value
    else:
        raise InputError(f"{source}: cannot set below a value")


# ----------------------------------------------------------------------------------------
# Validation errors -> one line
# ----------------------------------------------------------------------------------------


def _model_at(loc: tuple[Any, ...]) -> Any:
    current: Any = Scenario
    for part in loc:
        if _is_model(current) and isinstance(part, str) and part in current.model_fields:
            current = _strip(current.model_fields[part].annotation)
        elif typing.get_origin(current) is list and isinstance(part, int):
            current = _strip(typing.get_args(current)[0])
        else:
            return None
    return current


def _allowed(loc: tuple[Any, ...]) -> str:
    """What a leaf field accepts, in words, from its annotation and constraints."""
    parent = _model_at(loc[:-1])
    if not (_is_model(parent) and loc and loc[-1] in parent.model_fields):
        return ""
    field = parent.model_fields[loc[-1]]
    annotation = field.annotation
    nullable = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        nullable = len(members) < len(typing.get_args(annotation))
        annotation = members[0] if len(members) == 1 else annotation
    if typing.get_origin(annotation) is typing.Literal:
        text = " | ".join(repr(value) for value in typing.get_args(annotation))
    elif annotation is bool:
        text = "true | false"
    elif annotation in (int, float):
        bounds = []
        for meta in field.metadata:
            for name, symbol in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<=")):
                value = getattr(meta, name, None)
                if value is not None:
                    bounds.append(f"{symbol} {value:g}")
        kind = "an integer" if annotation is int else "a number"
        text = f"{kind} {' and '.join(bounds)}".strip()
    else:
        return ""
    return f"allowed: {text}{' or null' if nullable else ''}"


def _describe(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if "allowed" not in message and kind not in ("missing", "extra_forbidden", "literal_error"):
        allowed = _allowed(loc)
        if allowed:
            message = f"{message}; {allowed}"
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        parent = _model_at(loc[:-1])
        allowed = ", ".join(parent.model_fields) if _is_model(parent) else "none"
        return f"unknown field; allowed: {allowed}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        parent = _model_at(loc)
        if _is_model(parent):
            return f"expected a mapping with fields: {', '.join(parent.model_fields)}"
        return "expected a mapping"
    if kind == "list_type":
        return "expected a list"
    if kind == "string_type":
        return "expected a string (quote it)"
    return message


def _format_validation(
    exc: ValidationError, source: str, root: yaml.Node | None, overridden: dict[tuple, str]
) -> str:
    errors = exc.errors(include_url=False)
    error = dict(errors[0])
    loc = tuple(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if not loc and re.match(r"^[\w.]+: ", message):
        # a cross-field check names its own path at the start of the message
        path_text, _, rest = message.partition(": ")
        loc = tuple(int(part) if _is_index(part) else part for part in path_text.split("."))
        error.update(loc=loc, msg=rest)
    path = ".".join(str(part) for part in loc)
    # an error inside (or above) an overridden path belongs to that --set
    for over_loc, over_source in overridden.items():
        if loc[: len(over_loc)] == over_loc or over_loc[: len(loc)] == loc and loc:
            where = over_source
            break
    else:
        where = source
        if error["type"] == "extra_forbidden":
            node = _key_node(root, loc)
        else:
            node, _ = _node_at(root, loc)
        if node is not None:
            where = f"{source}:{node.start_mark.line + 1}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    if overridden and where not in overridden.values():
        # a cross-field check can fail in the file because of a --set elsewhere: say so
        more += f" (after {', '.join(overridden.values())})"
    field = f"{path}: " if path else ""
    return " ".join(f"{where}: {field}{_describe(error)}{more}".split())


# ----------------------------------------------------------------------------------------
# Public entry point
# ----------------------------------------------------------------------------------------


def load_scenario(
    path_or_case_id: str | Path,
    overrides: Iterable[str | Override] | Mapping[str, Any] | None = None,
) -> Scenario:
    """Read, override and validate a scenario.

    ``path_or_case_id`` is a YAML file or the id of a bundled case (``dprk-2017``).
    ``overrides`` are ``"PATH=VALUE"`` strings as on the CLI (VALUE parsed as YAML, so
    ``null``, ``true``, ``6`` and ``{low: 1, high: 2}`` work) or a mapping ``{path: value}``.
    Raises :class:`coercive._errors.InputError` with one line on any bad input.
    """
    try:
        path = resolve_case(path_or_case_id)
        source = _short(str(path_or_case_id)) if CASES_DIR / path.name != path else path.name
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise InputError(
                    f"{source}: {size:,} bytes; allowed: a scenario file of at most "
                    f"{MAX_FILE_BYTES:,} bytes"
                )
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{source}: not UTF-8 text; allowed: a YAML scenario file") from None
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise InputError(f"{source}: cannot read ({reason})") from None
        return _scenario_from_text(text, source=source, overrides=overrides)
    except InputError as exc:
        raise InputError(_one_line(str(exc))) from None


def _one_line(message: str) -> str:
    """Collapse whitespace (user text may hold newlines) so the message is one line."""
    return " ".join(message.split())


def scenario_from_text(
    text: str,
    source: str = "<scenario>",
    overrides: Iterable[str | Override] | Mapping[str, Any] | None = None,
) -> Scenario:
    """Like :func:`load_scenario` for YAML text already in memory."""
    try:
        return _scenario_from_text(text, source, overrides)
    except InputError as exc:
        raise InputError(_one_line(str(exc))) from None


def _unshare(value: Any, source: str) -> Any:
    """A copy of parsed YAML in which no mapping or list appears twice (aliases expanded)."""
    try:
        if isinstance(value, dict):
            return {key: _unshare(item, source) for key, item in value.items()}
        if isinstance(value, list):
            return [_unshare(item, source) for item in value]
    except RecursionError:
        raise InputError(f"{source}: nested too deeply") from None
    return value


def _scenario_from_text(
    text: str,
    source: str,
    overrides: Iterable[str | Override] | Mapping[str, Any] | None,
) -> Scenario:
    if not isinstance(text, str):
        raise InputError(f"{source}: expected YAML text")
    if "\x00" in text:
        raise InputError(f"{source}: contains NUL bytes; allowed: a YAML scenario file")
    data, root = _parse_yaml_cached(text, source)
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise InputError(f"{source}: the document is {kind}; expected a mapping of scenario fields")
    items: Iterable[str | Override]
    if overrides is None:
        items = []
    elif isinstance(overrides, Mapping):
        items = list(overrides.items())
    elif isinstance(overrides, str):
        items = [overrides]
    else:
        items = overrides
    overridden: dict[tuple, str] = {}
    # A fresh copy: the parse is cached, and an alias (*name) shares one object between
    # places, which a --set must change in one place only.
    data = _unshare(data, source)
    for item in items:
        over_source, dotted, value = _parse_override(item)
        parts = dotted.split(".")
        if not dotted or any(not part for part in parts):
            raise InputError(f"{over_source}: empty path segment; use a dotted path like a.b.c")
        loc = _walk(parts, over_source)
        _apply(data, loc, value, over_source)
        overridden[tuple(loc)] = over_source
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(_format_validation(exc, source, root, overridden)) from None
    except RecursionError:
        raise InputError(f"{source}: nested too deeply") from None
    except (OverflowError, ArithmeticError) as exc:
        raise InputError(f"{source}: a number is out of range ({exc})") from None
