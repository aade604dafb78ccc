"""Kill-and-resume: ``kill -9`` of the sweep client (or of a worker) mid-run, then resume.

The CLI runs as a subprocess; the resumed run must equal a clean run bit for bit, and the
chunks finished before the kill must be neither recomputed nor lost.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

SRC = Path(__file__).resolve().parents[1] / "src"

SPEC = {
    "kind": "game",
    "base": {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.85, "a": -1.2, "VB": 1.0},
    "axes": {
        "WA": {"from": -3.0, "to": -0.5, "num": 200},
        "a": {"dist": "uniform", "low": -2.0, "high": -0.2, "n": 300},
    },
    "outputs": ["pR", "pF", "SF", "slope", "n_equilibria"],
    "seed": 99,
    "chunk": 1500,  # 40 chunks
}


def sweep(*args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.Popen(
        [sys.executable, "-m", "coercive", "sweep", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(process: subprocess.Popen, timeout: float = 240) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out)


def chunks(store: Path) -> list[Path]:
    return sorted(store.glob("*/chunks/chunk-*.parquet"))


def rows(store: Path) -> pd.DataFrame:
    return pd.concat([pq.read_table(path).to_pandas() for path in chunks(store)], ignore_index=True)


def wait_for_chunks(store: Path, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while len(chunks(store)) < count:
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "the sweep made no progress"
        time.sleep(0.02)


@pytest.fixture()
def spec_file(tmp_path: Path) -> str:
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(SPEC), encoding="utf-8")
    return str(path)


def test_kill_9_of_the_client_then_resume_equals_a_clean_run(
    tmp_path: Path, spec_file: str
) -> None:
    clean_store, killed_store = tmp_path / "clean", tmp_path / "killed"
    local = ("--workers", "1", "--threads", "--json")
    clean = sweep(spec_file, "--store", str(clean_store), *local)

    victim = sweep(spec_file, "--store", str(killed_store), *local)
    wait_for_chunks(killed_store, 3, victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    before = {path.name: path.stat() for path in chunks(killed_store)}
    total = finished(clean)["chunks_total"]
    assert total == 40
    assert 3 <= len(before) < total, "the kill did not land mid-run"

    listing = subprocess.run(
        [sys.executable, "-m", "coercive", "runs", "list", "--store", str(killed_store), "--json"],
        env={**os.environ, "PYTHONPATH": str(SRC)},
        capture_output=True,
        text=True,
        check=True,
    )
    (entry,) = json.loads(listing.stdout)
    assert entry["status"] == "interrupted"
    assert entry["chunks_done"] == len(before)

    resumed = finished(sweep("--resume", "last", "--store", str(killed_store), *local))
    assert resumed["status"] == "done"
    assert resumed["chunks_computed"] == total - len(before)  # finished chunks not recomputed
    for path in chunks(killed_store):
        if path.name in before:  # and not rewritten
            assert path.stat().st_ino == before[path.name].st_ino
            assert path.stat().st_mtime_ns == before[path.name].st_mtime_ns
    assert not list(killed_store.glob("*/chunks/.*"))  # no leftover partial files
    pd.testing.assert_frame_equal(rows(killed_store), rows(clean_store), check_exact=True)


@pytest.mark.slow
def test_kill_9_of_a_worker_is_retried_and_reported(tmp_path: Path, spec_file: str) -> None:
    clean = finished(
        sweep(spec_file, "--store", str(tmp_path / "clean"), "--workers", "0", "--json")
    )
    store = tmp_path / "worker"
    process = sweep(spec_file, "--store", str(store), "--workers", "2", "--json")
    wait_for_chunks(store, 2, process)
    # each chunk file records the pid of the worker process that computed it
    metadata = pq.read_schema(chunks(store)[0]).metadata[b"coercive.chunk"]
    worker = json.loads(metadata)["pid"]
    assert worker != process.pid
    os.kill(worker, signal.SIGKILL)
    result = finished(process)
    assert result["status"] == "done" and result["chunks_done"] == clean["chunks_total"]
    assert any("left; dask recomputes its chunks" in event for event in result["events"])
    pd.testing.assert_frame_equal(rows(store), rows(tmp_path / "clean"), check_exact=True)
