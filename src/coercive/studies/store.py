"""The run store: one folder per run, a JSON manifest and a Parquet dataset of chunk files.

Layout (``STORE`` is ``--store``, default ``runs/`` in the user data directory)::

    STORE/RUN/manifest.json          spec, its hash, code version, calibration, seeds, timings
    STORE/RUN/spec.yaml              the spec as written
    STORE/RUN/chunks/chunk-000042.parquet   rows of chunk 42 (and its timing, as metadata)

A chunk is *done* exactly when its file exists: it is written under a temporary name,
flushed to disk, then renamed atomically, so a kill at any moment leaves either the whole
chunk or nothing (a stray temporary file, removed on resume). The manifest is replaced
atomically the same way. ``chunks_done`` is always counted from the files, never trusted
from the manifest. DuckDB reads the chunks as one table (:func:`connect`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

from coercive._errors import InputError

CHUNK_PATTERN = re.compile(r"^chunk-(\d{6,})\.parquet$")
MANIFEST = "manifest.json"
CHUNK_METADATA_KEY = b"coercive.chunk"


def default_store() -> Path:
    """``runs/`` in the user's data directory (platformdirs), e.g. ~/.local/share/coercive."""
    import platformdirs

    return Path(platformdirs.user_data_dir("coercive", appauthor=False)) / "runs"


def open_store(store: str | Path | None, create: bool) -> Path:
    """The store folder; with ``create``, made and checked writable (one-line InputError)."""
    root = Path(store) if store is not None else default_store()
    if not create:
        if not root.is_dir():
            raise InputError(f"--store {root}: no such store folder (no runs yet?)")
        return root
    try:
        root.mkdir(parents=True, exist_ok=True)
        probe = root / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise InputError(
            f"--store {root}: not writable ({exc.strerror or exc}); allowed: a folder you can "
            "write to"
        ) from None
    return root


def chunk_name(index: int) -> str:
    return f"chunk-{index:06d}.parquet"


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _fsync_dir(path.parent)


class Run:
    """One run's folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.id = folder.name
        self.chunks = folder / "chunks"

    # -- manifest -------------------------------------------------------------------------

    def read_manifest(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"run {self.id}: unreadable manifest ({exc})") from None

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        manifest = {**manifest, "updated": time.time()}
        text = json.dumps(manifest, indent=2, sort_keys=False, allow_nan=False)
        atomic_write_bytes(self.folder / MANIFEST, text.encode("utf-8"))

    def update_manifest(self, **fields: Any) -> dict[str, Any]:
        manifest = self.read_manifest()
        manifest.update(fields)
        self.write_manifest(manifest)
        return manifest

    # -- chunks ---------------------------------------------------------------------------

    def done_chunks(self) -> set[int]:
        if not self.chunks.is_dir():
            return set()
        found = set()
        for entry in os.scandir(self.chunks):
            match = CHUNK_PATTERN.match(entry.name)
            if match:
                found.add(int(match.group(1)))
        return found

    def remove_temporaries(self) -> int:
        removed = 0
        if self.chunks.is_dir():
            for entry in os.scandir(self.chunks):
                if entry.name.startswith(".") and ".tmp-" in entry.name:
                    Path(entry.path).unlink(missing_ok=True)
                    removed += 1
        return removed

    def write_chunk(self, index: int, table: Any, timing: dict[str, Any]) -> None:
        """Write one chunk atomically; its timing goes in the file's schema metadata."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        metadata = dict(table.schema.metadata or {})
        metadata[CHUNK_METADATA_KEY] = json.dumps(timing).encode()
        table = table.replace_schema_metadata(metadata)
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink, compression="zstd")
        atomic_write_bytes(self.chunks / chunk_name(index), sink.getvalue().to_pybytes())

    def chunk_files(self) -> list[Path]:
        return [self.chunks / chunk_name(i) for i in sorted(self.done_chunks())]

    def chunk_timings(self) -> list[dict[str, Any]]:
        import pyarrow.parquet as pq

        timings = []
        for path in self.chunk_files():
            metadata = pq.read_schema(path).metadata or {}
            if CHUNK_METADATA_KEY in metadata:
                timings.append(json.loads(metadata[CHUNK_METADATA_KEY]))
        return timings

    # -- status ---------------------------------------------------------------------------

    def status(self, manifest: dict[str, Any] | None = None) -> str:
        """done | running | interrupted (its process is gone) | stopped (ended with an error)."""
        manifest = manifest or self.read_manifest()
        total = manifest["plan"]["chunks_total"]
        if len(self.done_chunks()) >= total:
            return "done"
        status = manifest.get("status", "running")
        if status == "running" and not _alive(manifest):
            return "interrupted"
        return "done" if status == "done" else status

    def summary(self) -> dict[str, Any]:
        manifest = self.read_manifest()
        return {
            "run": self.id,
            "spec": manifest.get("spec_name"),
            "kind": manifest["spec"]["kind"],
            "status": self.status(manifest),
            "chunks_done": len(self.done_chunks()),
            "chunks_total": manifest["plan"]["chunks_total"],
            "units_total": manifest["plan"]["n_units"],
            "created": manifest.get("created_iso"),
            "spec_hash": manifest.get("spec_hash"),
            "path": str(self.folder),
        }


def _alive(manifest: dict[str, Any]) -> bool:
    if manifest.get("host") != socket.gethostname():
        return True  # another machine's run: assume it is still going
    pid = manifest.get("pid")
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a pid can be reused: trust it only if that process started before the run did
    try:
        import psutil

        return psutil.Process(pid).create_time() <= manifest.get("started", 0) + 1.0
    except Exception:  # noqa: BLE001 - psutil missing or the process just ended
        return True


def list_runs(root: Path) -> list[Run]:
    """Runs in the store, oldest first."""
    runs = []
    for entry in root.iterdir() if root.is_dir() else []:
        if entry.is_dir() and (entry / MANIFEST).is_file():
            runs.append(Run(entry))
    return sorted(runs, key=lambda run: (run.read_manifest().get("created", 0), run.id))


def find_run(root: Path, name: str) -> Run:
    """A run by id (or a unique prefix of it), or ``last`` for the most recent one."""
    runs = list_runs(root)
    if name == "last":
        if not runs:
            raise InputError(f"--store {root}: no runs yet, so there is no 'last' run")
        return runs[-1]
    exact = [run for run in runs if run.id == name]
    matches = exact or [run for run in runs if run.id.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        known = ", ".join(run.id for run in runs[-5:]) or "none"
        raise InputError(f"run {name!r}: not in store {root}; recent runs: {known}")
    raise InputError(f"run {name!r}: ambiguous prefix ({len(matches)} runs match)")


def new_run(root: Path, spec_hash: str) -> Run:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    base = f"{stamp}-{spec_hash[:8]}"
    root.mkdir(parents=True, exist_ok=True)
    for suffix in range(1000):
        folder = root / (base if suffix == 0 else f"{base}-{suffix}")
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        (folder / "chunks").mkdir()
        return Run(folder)
    raise InputError(f"--store {root}: could not create a run folder for {base}")


def connect(run: Run) -> Any:
    """A DuckDB connection with the run's rows as the view ``results`` (ordered by unit)."""
    import duckdb

    con = duckdb.connect()
    files = [str(path) for path in run.chunk_files()]
    if not files:
        raise InputError(f"run {run.id}: no finished chunks yet, nothing to query")
    listing = ", ".join("'" + path.replace("'", "''") + "'" for path in files)
    con.execute(
        f"CREATE VIEW results AS SELECT * FROM read_parquet([{listing}], union_by_name = true)"
    )
    return con


__all__ = [
    "Run",
    "connect",
    "default_store",
    "find_run",
    "list_runs",
    "new_run",
    "open_store",
]
