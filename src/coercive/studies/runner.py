"""Run a compiled study chunk by chunk on Dask (or in-process), writing each chunk to the store.

The client submits chunks (a bounded window in flight), and writes each finished chunk to
the run store itself, so workers need no access to the store (a remote cluster works the
same as a local one). A chunk computes the same rows wherever and whenever it runs
(:func:`coercive.studies.spec.unit_seed`), so a retried chunk (its worker died) and a
resumed run give the results of a clean run, bit for bit.
"""

from __future__ import annotations

import errno
import hashlib
import os
import platform
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from coercive._errors import InputError
from coercive.studies.spec import Plan, StudySpec, canonical_json, compile_spec, spec_hash
from coercive.studies.store import Run

RESERVED = ("unit", "point", "replicate")


def code_version() -> dict[str, str]:
    """The package version and a sha256 over its source files (what 'identical code' means)."""
    import coercive

    root = Path(coercive.__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return {"coercive": coercive.__version__, "source_sha256": digest.hexdigest()}


def _axis_array(values: tuple[Any, ...]) -> np.ndarray:
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=float)
    return np.asarray(values, dtype=object)


def _column(values: np.ndarray) -> Any:
    """An axis column for the store: numbers stay numbers, strings strings, else JSON."""
    if values.dtype != object:
        return values
    if all(isinstance(v, str) for v in values):
        return values.astype(str)
    if all(isinstance(v, bool) for v in values):
        return values.astype(bool)
    return np.asarray([canonical_json(v) for v in values], dtype=str)


def run_chunk(plan: Plan, index: int) -> tuple[Any, dict[str, Any]]:
    """Compute chunk ``index`` of ``plan``: its Arrow table and its timing (runs on a worker)."""
    import pyarrow as pa

    from coercive.studies.kinds import get_kind

    started = time.perf_counter()
    start, stop = plan.chunk_units(index)
    units = np.arange(start, stop, dtype=np.int64)
    points = units // plan.draws if plan.replicated else units
    shape = tuple(len(values) for values in plan.axis_values)
    indices = np.unravel_index(points, shape) if shape else ()
    axis_columns = {
        name: _axis_array(values)[where]
        for name, values, where in zip(plan.axis_names, plan.axis_values, indices, strict=True)
    }
    kind = get_kind(plan.kind)
    frame = kind.run(plan.prepared, axis_columns, units, plan.seed, plan.draws, plan.outputs)
    position = frame["unit"].to_numpy(dtype=np.int64) - start
    columns: dict[str, Any] = {"unit": units[position], "point": points[position]}
    if plan.replicated:
        columns["replicate"] = units[position] % plan.draws
    for name, values in axis_columns.items():
        columns[name] = _column(values[position])
    for name in frame.columns:
        if name != "unit":
            columns[name] = frame[name].to_numpy()
    table = pa.table(columns)
    timing = {
        "chunk": index,
        "units": int(stop - start),
        "rows": table.num_rows,
        "seconds": time.perf_counter() - started,
        "host": socket.gethostname(),
        "pid": os.getpid(),
    }
    return table, timing


@dataclass
class Progress:
    """Callbacks the CLI uses to draw its progress bar (all optional)."""

    start: Callable[[int, int, int], None] = lambda total, done, units: None
    advance: Callable[[int], None] = lambda units: None
    note: Callable[[str], None] = lambda message: None


@dataclass
class Outcome:
    run: Run
    status: str
    chunks_done: int
    chunks_total: int
    computed: int
    wall_seconds: float
    events: list[str] = field(default_factory=list)


def start_run(
    root: Path, spec: StudySpec, spec_text: str, spec_name: str, plan: Plan | None = None
) -> tuple[Run, Plan]:
    """Compile the spec (unless ``plan`` is its compiled plan); create the run's folder and
    manifest."""
    from coercive.studies import store
    from coercive.studies.kinds import get_kind

    plan = plan or compile_spec(spec, spec_name)
    clash = set(plan.axis_names) & (set(plan.outputs) | set(RESERVED) | {"coef", "truth"})
    if clash:
        raise InputError(f"{spec_name}: axes: {sorted(clash)[0]!r} is also a column name")
    digest = spec_hash(spec)
    run = store.new_run(root, digest)
    (run.folder / "spec.yaml").write_text(spec_text, encoding="utf-8")
    now = time.time()
    manifest = {
        "run": run.id,
        "spec_name": spec_name,
        "spec": spec.model_dump(mode="json", by_alias=True, exclude_none=True),
        "spec_hash": digest,
        "code_version": code_version(),
        "calibration": get_kind(spec.kind).calibration(plan.prepared),
        "seeds": {
            "seed": spec.seed,
            "scheme": "unit u draws from numpy.random.SeedSequence([seed, u]); distribution "
            "axes from default_rng([seed, crc32(path)])",
        },
        "plan": {
            "axes": dict(zip(plan.axis_names, map(len, plan.axis_values), strict=True)),
            "n_points": plan.n_points,
            "draws": plan.draws,
            "replicated": plan.replicated,
            "n_units": plan.n_units,
            "chunk": plan.chunk,
            "chunks_total": plan.n_chunks,
            "outputs": list(plan.outputs),
        },
        "created": now,
        "created_iso": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "status": "created",
        "python": platform.python_version(),
        "timings": {},
        "events": [],
    }
    run.write_manifest(manifest)
    return run, plan


def reopen_run(run: Run, allow_code_change: bool = False) -> Plan:
    """The plan of an existing run, refusing to mix results of different code."""
    from coercive.studies.spec import parse_spec

    manifest = run.read_manifest()
    status = run.status(manifest)
    if status == "running":
        raise InputError(f"run {run.id}: still running (pid {manifest.get('pid')}); not resumed")
    spec = parse_spec(manifest["spec"], f"run {run.id}")
    if spec_hash(spec) != manifest["spec_hash"]:
        raise InputError(f"run {run.id}: manifest spec does not match its hash; not resumed")
    now = code_version()
    if now != manifest["code_version"] and not allow_code_change:
        raise InputError(
            f"run {run.id}: made by different code (source sha256 "
            f"{manifest['code_version']['source_sha256'][:12]}, now {now['source_sha256'][:12]}); "
            "its finished chunks would not match new ones (use --allow-code-change to mix)"
        )
    plan = compile_spec(spec, manifest.get("spec_name", run.id))
    if plan.n_chunks != manifest["plan"]["chunks_total"]:
        raise InputError(f"run {run.id}: the spec now gives a different chunk plan; not resumed")
    return plan


def _timings(run: Run, started: float, computed: list[dict[str, Any]]) -> dict[str, Any]:
    seconds = [t["seconds"] for t in computed]
    return {
        "this_session_wall_seconds": time.time() - started,
        "this_session_chunks": len(seconds),
        "chunk_seconds_mean": float(np.mean(seconds)) if seconds else None,
        "chunk_seconds_max": float(np.max(seconds)) if seconds else None,
        "chunk_seconds_total": float(np.sum(seconds)) if seconds else 0.0,
    }


def execute(
    run: Run,
    plan: Plan,
    client: Any | None,
    progress: Progress | None = None,
    window: int | None = None,
) -> Outcome:
    """Compute every chunk not yet in the store; ``client=None`` runs in this process."""
    progress = progress or Progress()
    removed = run.remove_temporaries()
    done = run.done_chunks()
    todo = [i for i in range(plan.n_chunks) if i not in done]
    started = time.time()
    manifest = run.read_manifest()
    events: list[str] = list(manifest.get("events", []))
    if removed:
        events.append(f"{removed} unfinished chunk file(s) of an earlier session removed")
    run.update_manifest(
        status="running",
        pid=os.getpid(),
        host=socket.gethostname(),
        started=started,
        events=events,
    )
    done_units = sum(plan.chunk_units(i)[1] - plan.chunk_units(i)[0] for i in done)
    progress.start(plan.n_chunks, len(done), done_units)
    computed: list[dict[str, Any]] = []

    def store(index: int, table: Any, timing: dict[str, Any]) -> None:
        try:
            run.write_chunk(index, table, timing)
        except OSError as exc:
            reason = "disk full" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
            raise StoreFull(
                f"run {run.id}: cannot write chunk {index} ({reason}); the run stopped with "
                f"{len(run.done_chunks())} chunks done; free space, then "
                f"'coercive sweep --resume {run.id}'"
            ) from None
        computed.append(timing)
        progress.advance(timing["units"])

    status = "done"
    try:
        if client is None:
            for index in todo:
                store(index, *run_chunk(plan, index))
        else:
            _on_dask(plan, todo, client, store, progress, events, window)
    except StoreFull as exc:
        status = "stopped"
        events.append(str(exc))
        _finish(run, status, events, started, computed)
        raise InputError(str(exc)) from None
    except KeyboardInterrupt:
        status = "stopped"
        events.append("interrupted by the user")
        _finish(run, status, events, started, computed)
        raise
    except BaseException as exc:
        status = "stopped"
        events.append(f"stopped: {type(exc).__name__}: {exc}")
        _finish(run, status, events, started, computed)
        raise
    _finish(run, status, events, started, computed)
    return Outcome(
        run=run,
        status=status,
        chunks_done=len(run.done_chunks()),
        chunks_total=plan.n_chunks,
        computed=len(computed),
        wall_seconds=time.time() - started,
        events=events,
    )


class StoreFull(Exception):
    """Writing a chunk failed (disk full, permissions): the run stops, resumable."""


def _finish(
    run: Run, status: str, events: list[str], started: float, computed: list[dict[str, Any]]
) -> None:
    try:
        manifest = run.read_manifest()
        sessions = list(manifest.get("sessions", []))
        sessions.append(_timings(run, started, computed))
        run.update_manifest(status=status, events=events, sessions=sessions)
    except (OSError, InputError):
        pass  # the disk may be full: chunks on disk remain the truth, status shows 'interrupted'


def _on_dask(
    plan: Plan,
    todo: list[int],
    client: Any,
    store: Callable[[int, Any, dict[str, Any]], None],
    progress: Progress,
    events: list[str],
    window: int | None,
) -> None:
    from distributed import as_completed

    mine = code_version()
    for worker, theirs in client.run(code_version).items():
        if theirs != mine:
            raise InputError(
                f"worker {worker} runs other coercive code (source sha256 "
                f"{theirs['source_sha256'][:12]}, this client {mine['source_sha256'][:12]}); "
                "install the same version on every worker"
            )
    threads = max(1, sum(client.nthreads().values()))
    window = window or 2 * threads + 2
    pending = iter(todo)
    futures = {}

    def submit() -> None:
        index = next(pending, None)
        if index is not None:
            future = client.submit(
                run_chunk, plan, index, key=f"chunk-{index}-{os.getpid()}", pure=False
            )
            futures[future.key] = index
            queue.add(future)

    queue = as_completed()
    for _ in range(window):
        submit()
    workers = set(client.scheduler_info()["workers"])
    last_check = time.monotonic()
    for future in queue:
        index = futures.pop(future.key)
        if future.status == "error":
            exc = future.exception()
            name = type(exc).__name__
            if name == "KilledWorker":
                raise InputError(
                    f"chunk {index}: its workers died {exc}; the run stopped (resumable)"
                )
            future.result()  # a bug in a kind: raise it with its traceback
        table, timing = future.result()
        future.release()
        store(index, table, timing)
        submit()
        if time.monotonic() - last_check > 1.0:
            last_check = time.monotonic()
            now = set(client.scheduler_info()["workers"])
            for gone in sorted(workers - now):
                message = f"worker {gone} left; dask recomputes its chunks on other workers"
                events.append(message)
                progress.note(message)
            workers = now


def connect_client(
    scheduler: str | None,
    workers: int,
    processes: bool,
    timeout: float,
) -> tuple[Any, Any]:
    """A Dask client: a LocalCluster here by default, else the scheduler at ``scheduler``
    (``tcp://host:8786`` or the path of a scheduler file)."""
    import logging

    from distributed import Client, LocalCluster

    if scheduler is None:
        # one core per worker: the engine's numba loops would otherwise start a thread per
        # core in every worker (oversubscription); the chunks are the parallelism here
        extra = {"env": {"NUMBA_NUM_THREADS": "1"}} if processes else {}
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            **extra,
            dashboard_address=None,
            host="127.0.0.1" if processes else None,
            silence_logs=logging.CRITICAL,  # shutdown races print tracebacks at ERROR
        )
        return Client(cluster), cluster
    if "://" not in scheduler and not Path(scheduler).exists() and ":" not in scheduler:
        raise InputError(
            f"--scheduler {scheduler}: not an address (tcp://host:port) nor a scheduler file"
        )
    if "://" in scheduler or not Path(scheduler).exists():
        kwargs: dict[str, Any] = {"address": scheduler}
    else:
        kwargs = {"scheduler_file": scheduler}
    # Client's own timeout covers connecting, not a peer that accepts and then says nothing;
    # wait in a daemon thread so a silent address cannot hang the command.
    import threading

    box: dict[str, Any] = {}

    def connect() -> None:
        try:
            box["client"] = Client(**kwargs, timeout=f"{timeout}s")
        except BaseException as exc:  # noqa: BLE001 - reported below, by the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=connect, daemon=True, name="coercive-connect")
    thread.start()
    thread.join(timeout + 2.0)
    if "client" not in box:
        reason = type(box["error"]).__name__ if "error" in box else "no handshake"
        raise InputError(
            f"--scheduler {scheduler}: no answer within {timeout:g} s ({reason}); is a Dask "
            "scheduler running there?"
        )
    client = box["client"]
    return client, None


__all__ = ["code_version", "connect_client", "execute", "reopen_run", "run_chunk", "start_run"]
