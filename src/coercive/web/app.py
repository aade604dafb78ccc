"""The FastAPI application of the workbench: pages, static files and the JSON API.

Pages (``/assess``, ``/compare``, ``/game``, ``/estimate``) are HTML shipped in
``coercive/web/pages``: each page's own body (``pages/NAME.html``) inside the head and nav bar
they share (``pages/layout.html``). Their scripts and style sheet are the files of
``coercive/web/static``, served under ``/static``; ``/vendor/plotly.min.js`` is the file
bundled in the ``plotly`` Python package, served from its package path (no CDN: the app works
offline). The API is under ``/api``; input errors answer 422 with ``detail[].loc`` (the
field's path) and the CLI's one-line message, and bodies over
:data:`coercive.web.api.MAX_BODY_BYTES` get 413.
"""

from __future__ import annotations

import json
import string
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from coercive.web import api
from coercive.web.errors import ApiError

STATIC_DIR = Path(__file__).resolve().parent / "static"
PAGES_DIR = Path(__file__).resolve().parent / "pages"
# Each page's path name and its title (also its label in the nav bar), in the nav bar's order.
PAGES = {"assess": "Assess", "compare": "Compare", "game": "Game", "estimate": "Estimate"}

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


def plotly_js() -> Path:
    """The plotly.js bundle shipped inside the ``plotly`` Python package."""
    import plotly

    path = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not path.is_file():  # pragma: no cover - a broken plotly install
        raise RuntimeError(f"plotly.js not found at {path}; reinstall the plotly package")
    return path


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with 413.

    Checks the declared Content-Length first; a body without one (chunked) is read here, at
    most ``limit`` bytes of it, before the app sees any of it, then replayed to the app.
    """

    def __init__(self, app: Callable[..., Awaitable[None]], limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                await self._refuse(send)
                return
            await self.app(scope, receive, send)
            return
        if scope.get("method") in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        detail = {
            "loc": ["body"],
            "msg": f"request body over {self.limit} bytes",
            "type": "too_large",
        }
        body = json.dumps({"detail": [detail]}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def warm_up() -> None:
    """Compile the engine (numba, cached on disk) and read the case library once."""
    api.assess(api.ScenarioSpec(case=api.bundled_case_ids()[0], overrides={"model.draws": 50}))


def create_app(warm: bool = False) -> FastAPI:
    """The workbench. ``warm=True`` compiles the engine in a background thread at startup."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=warm_up, name="coercive-warm-up", daemon=True).start()
        yield

    app = FastAPI(
        title="coercive workbench",
        version=_version(),
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(status_code=422, content={"detail": exc.detail()})

    @app.get("/", include_in_schema=False)
    def index() -> RedirectResponse:
        return RedirectResponse("/assess")

    for page in PAGES:
        app.add_api_route(f"/{page}", _page(page), methods=["GET"], include_in_schema=False)

    @app.get("/vendor/plotly.min.js", include_in_schema=False)
    def plotly_bundle() -> FileResponse:
        return FileResponse(plotly_js(), media_type="text/javascript")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/api/version")
    def version() -> dict[str, Any]:
        from coercive.report.data import model_facts

        return model_facts()

    @app.get("/api/cases")
    def cases() -> list[dict[str, Any]]:
        return api.list_cases()

    @app.get("/api/cases/{case_id}")
    def case(case_id: str) -> dict[str, Any]:
        try:
            return api.scenario_document(api.ScenarioSpec(case=case_id))
        except ApiError as exc:  # the id came in the path, not the body
            raise ApiError(["path", "case_id"], exc.message, exc.field) from None

    @app.get("/api/schema")
    def schema() -> dict[str, Any]:
        return api.scenario_schema()

    @app.get("/api/models")
    def models() -> dict[str, dict[str, str]]:
        """The published example models (formula and estimator), for the Estimate page."""
        return api.published_models()

    # The POST endpoints: the JSON body is the spec model the api function takes, the answer
    # is what it returns (its docstring is the endpoint's description in /api/docs). Each is
    # the api function itself under the route's name, so no handler merely passes spec on.
    posts: tuple[tuple[str, str, Callable[..., dict[str, Any]]], ...] = (
        ("/api/scenario", "scenario", api.scenario_document),
        ("/api/assess", "assess", api.assess),
        ("/api/compare", "compare", api.compare),
        ("/api/game", "game", api.game_solve),
        ("/api/game/sweep", "game_sweep", api.game_sweep),
        ("/api/estimate", "estimate", api.estimate),
    )
    for path, name, work in posts:
        app.add_api_route(path, work, methods=["POST"], name=name)

    # Extension points: the campaign (trajectory), sensitivity (tornado) and design
    # (frontier) computations do not exist in the library yet. When they land, add their
    # rows to `posts` beside /api/assess, and their charts to SECTION_RENDERERS in
    # static/assessment.js; until then the assessment page shows any new field generically.

    app.add_middleware(BodyLimit, limit=api.MAX_BODY_BYTES)
    return app


def render_page(name: str) -> str:
    """The page ``name``: its own body (``pages/NAME.html``) in the shared head and nav bar.

    The page's script is ``/static/NAME.js``; its own link in the nav bar is marked current.
    The files are read on each request, as the static files are, so an edit shows on reload.
    """
    current = ' aria-current="page"'
    nav = "\n".join(
        f'    <a href="/{page}"{current if page == name else ""}>{title}</a>'
        for page, title in PAGES.items()
    )
    layout = string.Template((PAGES_DIR / "layout.html").read_text(encoding="utf-8"))
    body = (PAGES_DIR / f"{name}.html").read_text(encoding="utf-8")
    return layout.substitute(title=PAGES[name], name=name, nav=nav, body=body)


def _page(name: str) -> Callable[[], HTMLResponse]:
    def page() -> HTMLResponse:
        return HTMLResponse(render_page(name))

    page.__name__ = f"page_{name}"
    return page


def _version() -> str:
    from coercive import __version__

    return __version__


__all__ = [
    "PAGES",
    "PAGES_DIR",
    "STATIC_DIR",
    "BodyLimit",
    "create_app",
    "plotly_js",
    "render_page",
    "warm_up",
]
