"""Studies: scenario grids and Monte Carlo experiments on Dask, kept in a run store.

- :mod:`.spec` — the YAML study spec (pydantic), its axes, hash and chunk plan;
- :mod:`.kinds` — the kinds of work (``assess``, ``game``, ``estimate``) and their registry;
- :mod:`.runner` — chunks on a Dask cluster (or in-process), seeded per work unit;
- :mod:`.store` — one folder per run: manifest + Parquet chunks, queried with DuckDB.

The CLI is ``coercive sweep SPEC.yaml`` and ``coercive runs ...`` (:mod:`coercive.cli.sweep`).
This package imports :mod:`coercive.policy`, :mod:`coercive.games` and
:mod:`coercive.estimate` (through their public APIs); nothing in the library imports it.
Example studies ship beside this file (``*.yaml``).
"""
