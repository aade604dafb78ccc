"""coercive.studies: specs, kinds, determinism, faults (in-process and threaded Dask; fast)."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from coercive._errors import InputError
from coercive.cli import main
from coercive.studies import runner, store
from coercive.studies.spec import compile_spec, parse_spec, read_spec

GAME_BASE = {"SA": 0.0, "VA": 1.0, "CB": 0.0, "WA": -1.9, "WB": -2.85, "a": -1.2, "VB": 1.0}


def game_spec(**changes: object) -> dict:
    spec = {
        "kind": "game",
        "base": dict(GAME_BASE),
        "axes": {"WA": {"from": -3.0, "to": -0.5, "num": 20}, "a": [-2.0, -1.2, -0.4]},
        "seed": 7,
        "chunk": 13,
    }
    spec.update(changes)
    return spec


def run_inprocess(root: Path, spec: dict, client: object = None) -> pd.DataFrame:
    root.mkdir(parents=True, exist_ok=True)
    study = parse_spec(spec, "test")
    run, plan = runner.start_run(root, study, yaml.safe_dump(spec), "test")
    runner.execute(run, plan, client)
    return read_rows(run)


def read_rows(run: store.Run) -> pd.DataFrame:
    return pd.concat([pq.read_table(path).to_pandas() for path in run.chunk_files()])


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


# ----------------------------------------------------------------------------------------
# kinds compute what the public APIs compute
# ----------------------------------------------------------------------------------------


def test_game_rows_are_the_engines_selected_equilibria(tmp_path: Path) -> None:
    from coercive.games import CrisisGame

    rows = run_inprocess(tmp_path, game_spec())
    wa = np.repeat(np.linspace(-3.0, -0.5, 20), 3)
    a = np.tile([-2.0, -1.2, -0.4], 20)
    expected = CrisisGame(**{**GAME_BASE, "WA": wa, "a": a}).equilibria("stable")
    assert list(rows["unit"]) == list(range(60))
    np.testing.assert_array_equal(rows["WA"].to_numpy(), wa)
    np.testing.assert_array_equal(rows["pR"].to_numpy(), expected["pR"].to_numpy())
    np.testing.assert_array_equal(rows["SF"].to_numpy(), expected["SF"].to_numpy())
    assert set(rows["n_equilibria"]) <= {1, 2, 3}


def test_assess_points_equal_assess_with_the_same_overrides(tmp_path: Path) -> None:
    from coercive.policy.assess import assess

    spec = {
        "kind": "assess",
        "base": {"case": "dprk-2017"},
        "axes": {"instruments.assurance.credibility": [0.2, 0.8]},
        "draws": 200,
        "outputs": ["compliance", "war", "binding"],
        "seed": 11,
    }
    rows = run_inprocess(tmp_path, spec)
    for value, compliance in zip([0.2, 0.8], rows["compliance"], strict=True):
        direct = assess(
            "dprk-2017",
            {"instruments.assurance.credibility": value, "model.draws": 200, "model.seed": 11},
        )
        assert compliance == direct.to_dict()["compliance"]


def test_estimate_study_records_estimates_and_coverage(tmp_path: Path) -> None:
    spec = {
        "kind": "estimate",
        "base": {
            "model": "deterrence",
            "formula": "esc + war ~ x1 | 0 | 1 | x2",
            "covariates": {
                "n": 150,
                "columns": {"x1": {"dist": "normal"}, "x2": {"dist": "normal"}},
            },
            "truth": {
                "u11:(Intercept)": 0.5,
                "u11:x1": -0.8,
                "u14:(Intercept)": -0.3,
                "u24:(Intercept)": 0.2,
                "u24:x2": 0.7,
            },
        },
        "axes": {"covariates.n": [150, 200]},
        "draws": 2,
        "seed": 3,
        "chunk": 3,
    }
    rows = run_inprocess(tmp_path, spec)
    assert len(rows) == 2 * 2 * 5  # points x replicates x coefficients
    assert rows.groupby("unit")["estimate"].nunique().min() == 5
    fine = rows[rows["error"] == ""]
    assert len(fine) > 0
    inside = (fine["low"] <= fine["truth"]) & (fine["truth"] <= fine["high"])
    assert (inside == fine["covered"]).all()
    # replicates differ (their own streams), the truth does not
    first = rows[rows["coef"] == "u11:x1"]
    assert first["estimate"].nunique() == 4
    assert set(first["truth"]) == {-0.8}


# ----------------------------------------------------------------------------------------
# determinism
# ----------------------------------------------------------------------------------------


def test_results_do_not_depend_on_chunk_size_or_executor(tmp_path: Path) -> None:
    from distributed import Client, LocalCluster

    spec = game_spec(axes={"WA": {"dist": "uniform", "low": -3, "high": -0.5, "n": 40}})
    serial = run_inprocess(tmp_path / "a", spec)
    rechunked = run_inprocess(tmp_path / "b", {**spec, "chunk": 7})
    with LocalCluster(n_workers=2, processes=False, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            on_dask = run_inprocess(tmp_path / "c", spec, client)
    pd.testing.assert_frame_equal(serial.reset_index(drop=True), rechunked.reset_index(drop=True))
    pd.testing.assert_frame_equal(serial.reset_index(drop=True), on_dask.reset_index(drop=True))
    other_seed = run_inprocess(tmp_path / "d", {**spec, "seed": 8})
    assert not np.array_equal(serial["WA"], other_seed["WA"])


def test_manifest_records_spec_hash_code_and_timings(tmp_path: Path) -> None:
    run_inprocess(tmp_path, game_spec())
    (run,) = store.list_runs(tmp_path)
    manifest = run.read_manifest()
    assert manifest["spec_hash"] == run.id.split("-")[2][:8] + manifest["spec_hash"][8:]
    assert manifest["code_version"] == runner.code_version()
    assert manifest["plan"]["chunks_total"] == 5  # 60 games / 13 per chunk
    assert manifest["seeds"]["seed"] == 7
    assert len(run.chunk_timings()) == 5
    assert run.status() == "done"


# ----------------------------------------------------------------------------------------
# faults: a full disk stops the run cleanly; resume completes it to the clean result
# ----------------------------------------------------------------------------------------


def test_full_disk_stops_cleanly_and_resumes(tmp_path: Path, monkeypatch) -> None:
    clean = run_inprocess(tmp_path / "clean", game_spec())
    study = parse_spec(game_spec(), "test")
    (tmp_path / "full").mkdir()
    run, plan = runner.start_run(tmp_path / "full", study, "", "test")
    real_write = store.Run.write_chunk
    calls = {"n": 0}

    def failing(self, index, table, timing):
        calls["n"] += 1
        if calls["n"] == 3:
            # a partial temporary file, as a real ENOSPC mid-write leaves
            (self.chunks / f".chunk-{index:06d}.parquet.tmp-1").write_bytes(b"PAR1")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(self, index, table, timing)

    monkeypatch.setattr(store.Run, "write_chunk", failing)
    with pytest.raises(InputError, match="disk full.*--resume"):
        runner.execute(run, plan, None)
    assert run.done_chunks() == {0, 1}
    assert run.status() == "stopped"
    monkeypatch.setattr(store.Run, "write_chunk", real_write)
    outcome = runner.execute(run, runner.reopen_run(run), None)
    assert outcome.computed == 3 and outcome.status == "done"
    pd.testing.assert_frame_equal(read_rows(run), clean)


# ----------------------------------------------------------------------------------------
# bad input: one line, exit 2
# ----------------------------------------------------------------------------------------


def write_spec(tmp_path: Path, spec: dict | str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(spec if isinstance(spec, str) else yaml.safe_dump(spec), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (game_spec(axes={"WX": [1.0]}), "axes.WX: unknown path for kind 'game'; allowed: SA"),
        (game_spec(axes={"WA": []}), "axes.WA: empty axis"),
        (game_spec(kind="campaign"), "kind: unknown kind 'campaign'; allowed: assess, estimate"),
        (game_spec(outputs=["pX"]), "outputs: unknown output 'pX' for kind 'game'; allowed"),
        (game_spec(draws=5), "draws: 5; the game kind solves each grid point exactly"),
        (game_spec(axes={"sigma": [1.0, -1.0]}), "axes.sigma[1]: must be > 0"),
        (game_spec(colour="red"), "colour: unknown field"),
        (
            {**game_spec(kind="assess"), "base": {"case": "dprk-2017"}, "axes": {"demand.x": [1]}},
            "axes.demand.x[0]: --set demand.x: unknown path",
        ),
        (
            "kind: game\nseed: 1\nbase: {SA: 0}\naxes: {WA: [2017-01-01]}\n",
            "is not a plain value; allowed: numbers, strings",
        ),
        ("kind: game\nseed: 1\naxes: {WA: [.nan]}\n", "is not finite"),
    ],
)
def test_bad_specs_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec: dict | str, message: str
) -> None:
    path = write_spec(tmp_path, spec)
    code, out, err = cli(capsys, "sweep", path, "--store", str(tmp_path / "runs"), "--workers", "0")
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert message in err
    assert not list((tmp_path / "runs").glob("*/manifest.json"))  # nothing started


def test_unwritable_store_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = cli(capsys, "sweep", "game-grid", "--store", str(blocker / "runs"))
    assert code == 2 and f"--store {blocker / 'runs'}: not writable" in err


def test_silent_scheduler_is_named_within_the_timeout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import socket
    import time

    with socket.socket() as listener:  # a port that accepts but never speaks
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        started = time.monotonic()
        code, _, err = cli(
            capsys,
            "sweep",
            write_spec(tmp_path, game_spec()),
            "--store",
            str(tmp_path),
            "--scheduler",
            address,
            "--timeout",
            "1",
        )
    assert code == 2
    assert f"--scheduler {address}: no answer within 1 s" in err
    assert not store.list_runs(tmp_path)  # no run was created
    assert time.monotonic() - started < 20


def test_resume_refuses_unknown_runs_and_other_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "sweep", "--resume", "last", "--store", str(tmp_path))
    assert code == 2 and "no runs yet" in err
    run_inprocess(tmp_path, game_spec())
    (run,) = store.list_runs(tmp_path)
    manifest = run.read_manifest()
    manifest["code_version"]["source_sha256"] = "0" * 64
    run.write_manifest(manifest)
    with pytest.raises(InputError, match="made by different code"):
        runner.reopen_run(run)


# ----------------------------------------------------------------------------------------
# the runs commands
# ----------------------------------------------------------------------------------------


def test_runs_list_show_sql_export_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = str(tmp_path / "runs")
    code, out, _ = cli(
        capsys,
        "sweep",
        write_spec(tmp_path, game_spec()),
        "--store",
        root,
        "--workers",
        "0",
        "--json",
    )
    assert code == 0 and json.loads(out)["status"] == "done"
    code, out, _ = cli(capsys, "runs", "list", "--store", root, "--json")
    (listed,) = json.loads(out)
    assert {"run", "spec", "status", "chunks_done", "chunks_total"} <= set(listed)
    assert (listed["status"], listed["chunks_done"], listed["chunks_total"]) == ("done", 5, 5)
    code, out, _ = cli(capsys, "runs", "show", "last", "--store", root, "--json")
    assert json.loads(out)["spec"]["kind"] == "game"
    code, out, _ = cli(
        capsys,
        "runs",
        "sql",
        listed["run"],
        "SELECT count(*) AS n FROM results",
        "--store",
        root,
        "--json",
    )
    assert json.loads(out) == [{"n": 60}]
    code, _, err = cli(capsys, "runs", "sql", "last", "SELECT nope FROM results", "--store", root)
    assert code == 2 and err.startswith("coercive: error: sql:")
    csv = tmp_path / "out.csv"
    code, _, _ = cli(capsys, "runs", "export", "last", str(csv), "--store", root)
    exported = pd.read_csv(csv)
    assert len(exported) == 60 and list(exported["unit"]) == list(range(60))
    png = tmp_path / "plot.png"
    code, _, _ = cli(
        capsys, "runs", "plot", "last", "WA", "pR", "--by", "a", "--out", str(png), "--store", root
    )
    assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
    code, _, err = cli(capsys, "runs", "plot", "last", "WA", "zz", "--store", root)
    assert code == 2 and "y 'zz': no such column" in err


def test_bundled_studies_compile() -> None:
    from coercive.studies.spec import bundled_studies

    names = bundled_studies()
    assert {"game-grid", "assess-dominance", "estimate-deterrence-mc"} <= set(names)
    for name in names:
        spec, _ = read_spec(name)
        assert compile_spec(spec, name).n_chunks >= 1


def test_default_store_is_in_the_user_data_dir(monkeypatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", os.fspath(Path("/tmp/xdg-test")))
    assert store.default_store() == Path("/tmp/xdg-test/coercive/runs")


SIGNALING = {
    "kind": "estimate",
    "base": {
        "model": "signaling",
        "formula": "sq + cd + sf + bd ~ x1 - 1 | 1 | 0 | x2 | x1 | 1 | 0",
        "covariates": {"n": 150, "columns": {"x1": {"dist": "normal"}, "x2": {"dist": "normal"}}},
        "truth": {
            "SA:x1": 0.5,
            "VA:(Intercept)": 1.0,
            "WA:(Intercept)": -1.5,
            "WA:x2": 0.5,
            "WB:(Intercept)": -1.0,
            "WB:x1": 0.3,
            "a:(Intercept)": -1.0,
        },
        "fixed": {"VB": 1.0},
        "method": "npl",
        "trials": 5,
    },
    "draws": 1,
    "seed": 5,
}


def test_signaling_study_simulates_from_the_truth_and_refits(tmp_path: Path) -> None:
    rows = run_inprocess(tmp_path, SIGNALING)
    assert list(rows["coef"]) == list(SIGNALING["base"]["truth"])
    assert (rows["error"] == "").all()
    # 750 simulated crises, NPL (consistent): every estimate within 6 s.e. of its truth
    assert (abs(rows["estimate"] - rows["truth"]) < 6 * rows["se"]).all()


def test_an_unidentified_estimation_spec_is_refused_before_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = dict(SIGNALING["base"])
    base["formula"] = "sq + cd + sf + bd ~ x1 | 1 | 0 | x2 | x1 | 1 | 0"
    base["truth"] = {**base["truth"], "SA:(Intercept)": 0.0}
    path = write_spec(tmp_path, {**SIGNALING, "base": base})
    code, _, err = cli(capsys, "sweep", path, "--store", str(tmp_path / "runs"), "--workers", "0")
    assert code == 2
    assert "base: the estimator refuses this model: formula: '(Intercept)' enters all" in err
    base["truth"] = {"SA:x1": 0.5}
    path = write_spec(tmp_path, {**SIGNALING, "base": base})
    code, _, err = cli(capsys, "sweep", path, "--store", str(tmp_path / "runs"), "--workers", "0")
    assert code == 2 and "base.truth: missing coefficient(s)" in err
