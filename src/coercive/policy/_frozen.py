"""Deep read-only views for the policy layer's frozen result objects.

A ``frozen`` dataclass only stops rebinding its attributes; a dict inside it can still be
edited in place, so an :class:`~coercive.policy.assess.Assessment` handed to two consumers
could be changed by one under the other. :func:`freeze` turns nested dicts into
:class:`types.MappingProxyType` views and lists into tuples; :func:`thaw` rebuilds fresh,
plain (JSON-ready) dicts and lists from them for ``to_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


def freeze(value: Any) -> Any:
    """A read-only deep copy: mappings become MappingProxyType, lists and tuples tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({key: freeze(item) for key, item in value.items()})
    if isinstance(value, list | tuple):
        return tuple(freeze(item) for item in value)
    return value


def thaw(value: Any) -> Any:
    """A fresh mutable deep copy: mappings become dicts, tuples and lists become lists."""
    if isinstance(value, Mapping):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(item) for item in value]
    return value


__all__ = ["freeze", "thaw"]
