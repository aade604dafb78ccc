"""The workbench: a local web app over the library (``coercive serve``).

:func:`coercive.web.app.create_app` builds the FastAPI application: the JSON API
(:mod:`coercive.web.api`) and the pages of the front end, which ship in ``static/`` with the
plotly.js file that the ``plotly`` Python package bundles, so the app works offline.
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    if name == "create_app":
        from coercive.web.app import create_app

        return create_app
    raise AttributeError(f"module 'coercive.web' has no attribute {name!r}")
