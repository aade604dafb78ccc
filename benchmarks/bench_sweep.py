"""Throughput of ``coercive sweep`` on 1 and 2 local Dask workers against the plain loop.

Run (from the repository root)::

    PYTHONPATH=src python benchmarks/bench_sweep.py            # the 10^7-game grid
    PYTHONPATH=src python benchmarks/bench_sweep.py --games 1000000   # quicker

One study, a ``game`` grid of ``--games`` Lewis–Schultz games (three payoff axes around the
documented example, every game solved, stable equilibrium kept, outputs pR pF SF
n_equilibria), timed in one run three ways:

* baseline: the plain in-process loop — the same chunks computed one after another in this
  process (:func:`coercive.studies.runner.run_chunk`), results discarded, no store, no Dask;
  twice: with the engine's numba loops on every core (its default) and on one thread (what
  each sweep worker gets: ``NUMBA_NUM_THREADS=1``, one core per worker);
* ``sweep`` machinery on a LocalCluster of 1 and of 2 worker processes (one thread each),
  every chunk written to a Parquet run store (cluster start-up reported apart);
* per-chunk overhead: a run of ``--tiny`` one-game chunks on 1 worker, wall time per chunk
  (scheduling, transfer to the client, the atomic Parquet write, the manifest).

Prints games/s of each and the ratio to the baseline. The machine is shared: the load
average is printed before and after; rerun when it is high.
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time
from pathlib import Path

from coercive.studies import runner
from coercive.studies.spec import compile_spec, parse_spec


def study(games: int, chunk: int) -> dict:
    side = round(games ** (1 / 3))
    last = games // (side * side)
    return {
        "kind": "game",
        "base": {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.85, "a": -1.2, "VB": 1.0},
        "axes": {
            "WA": {"from": -3.0, "to": -0.5, "num": side},
            "WB": {"from": -4.0, "to": -1.0, "num": side},
            "a": {"from": -2.0, "to": -0.2, "num": last},
        },
        "outputs": ["pR", "pF", "SF", "n_equilibria"],
        "seed": 1,
        "chunk": chunk,
    }


def on_cluster(spec: dict, workers: int, root: Path) -> tuple[float, float, float, int]:
    """(start-up s, wall s, summed chunk compute s, chunks) of one sweep on ``workers``."""
    started = time.perf_counter()
    client, cluster = runner.connect_client(None, workers, processes=True, timeout=30)
    client.run(lambda: __import__("coercive.studies.kinds.game"))  # import + numba cache load
    client.submit(
        runner.run_chunk,
        compile_spec(parse_spec({**spec, "chunk": 1}, "warm"), "warm"),
        0,
        pure=False,
    ).result()
    startup = time.perf_counter() - started
    try:
        run, plan = runner.start_run(root, parse_spec(spec, "bench"), "", "bench")
        began = time.perf_counter()
        runner.execute(run, plan, client)
        wall = time.perf_counter() - began
        compute = sum(t["seconds"] for t in run.chunk_timings())
        return startup, wall, compute, plan.n_chunks
    finally:
        client.close()
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--games", type=int, default=10_000_000)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--tiny", type=int, default=200, help="one-game chunks for overhead")
    args = parser.parse_args()
    logging.getLogger("distributed").setLevel(logging.CRITICAL)

    spec = study(args.games, args.chunk)
    plan = compile_spec(parse_spec(spec, "bench"), "bench")
    games = plan.n_units
    print(f"study: {games:,} games in {plan.n_chunks} chunks of {plan.chunk:,}")
    print(f"load average before: {os.getloadavg()}")
    runner.run_chunk(
        compile_spec(parse_spec({**spec, "chunk": 1}, "warm"), "warm"), 0
    )  # warm numba

    import numba

    cores = numba.get_num_threads()
    baselines = {}
    for threads in (cores, 1):
        numba.set_num_threads(threads)
        began = time.perf_counter()
        for index in range(plan.n_chunks):
            runner.run_chunk(plan, index)
        baselines[threads] = time.perf_counter() - began
        print(
            f"baseline, plain in-process loop, engine on {threads} numba thread(s): "
            f"{baselines[threads]:.2f} s, {games / baselines[threads]:,.0f} games/s"
        )
    numba.set_num_threads(cores)
    baseline = baselines[cores]

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        # the client's side of a chunk: the atomic zstd Parquet write of its rows
        table, _ = runner.run_chunk(plan, 0)
        run, _ = runner.start_run(root / "write", parse_spec(spec, "bench"), "", "bench")
        began = time.perf_counter()
        for repeat in range(3):
            run.write_chunk(10**6 + repeat, table, {})
        write = (time.perf_counter() - began) / 3
        size = os.path.getsize(run.chunks / "chunk-1000000.parquet")
        print(
            f"store write of one {table.num_rows:,}-row chunk: {write:.3f} s "
            f"({table.num_rows / write:,.0f} rows/s; {size / table.num_rows:.1f} bytes/row on "
            f"disk, {table.nbytes / table.num_rows:.0f} in memory)"
        )
        figures = {}
        for workers in (1, 2):
            startup, wall, compute, chunks = on_cluster(spec, workers, root / f"w{workers}")
            figures[workers] = wall
            print(
                f"sweep, {workers} worker(s): {wall:.2f} s, {games / wall:,.0f} games/s, "
                f"{baseline / wall:.2f}x the {cores}-thread loop, {baselines[1] / wall:.2f}x the "
                f"1-thread loop (cluster start-up {startup:.1f} s apart; "
                f"chunk compute {compute / chunks:.3f} s per chunk)"
            )
        print(f"2 workers / 1 worker: {figures[1] / figures[2]:.2f}x")

        tiny = {**spec, "chunk": 1, "axes": {"WA": {"from": -3, "to": -0.5, "num": args.tiny}}}
        startup, wall, compute, chunks = on_cluster(tiny, 1, root / "tiny")
        print(
            f"per-chunk overhead (1 worker, {chunks} one-game chunks): "
            f"{1000 * wall / chunks:.1f} ms wall per chunk, of which compute "
            f"{1000 * compute / chunks:.1f} ms"
        )
    # the estimator study's unit of work: one simulate-and-refit replicate
    from coercive.studies.spec import read_spec

    mc, _ = read_spec("estimate-deterrence-mc")
    mc_plan = compile_spec(mc, "estimate-deterrence-mc")
    for index in (0, mc_plan.n_chunks - 1):  # n = 100 and n = 1000 crises
        _, timing = runner.run_chunk(mc_plan, index)
        print(
            f"estimate-deterrence-mc chunk {index}: {timing['seconds'] / timing['units']:.3f} s "
            "per replicate (simulate + fit_deterrence + covariance)"
        )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
