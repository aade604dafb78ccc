"""The data loader under bad names and environments (issue 11, section 2). Never the network:
downloads are made to fail by pointing requests at an unreachable proxy."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coercive import datasets
from coercive._errors import MAX_MESSAGE, InputError

SCALE = float(os.environ.get("COERCIVE_FUZZ_SCALE", "1"))
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9"}


def _offline(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    for name, value in OFFLINE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and 0 < len(message) <= MAX_MESSAGE, message
    return message


@pytest.mark.parametrize("value", [None, ""])
def test_offline_without_data_dir_says_what_to_set(
    value: str | None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _offline(monkeypatch, tmp_path / "cache")
    if value is None:
        monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    else:
        monkeypatch.setenv(datasets.DATA_DIR_ENV, value)
    with pytest.raises(InputError) as info:
        datasets.load("war1800")
    message = _one_line(info.value)
    assert "cannot download war1800.rda" in message and "COERCIVE_DATA_DIR" in message


def test_cache_home_that_is_a_file_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    not_a_directory = tmp_path / "a-file"
    not_a_directory.write_text("", encoding="utf-8")
    _offline(monkeypatch, not_a_directory)
    monkeypatch.delenv(datasets.DATA_DIR_ENV, raising=False)
    with pytest.raises(InputError) as info:
        datasets.load("sanctions")
    message = _one_line(info.value)
    assert "Not a directory" in message
    assert "XDG_CACHE_HOME" in message and "COERCIVE_DATA_DIR" in message


@settings(
    max_examples=max(10, int(150 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=st.one_of(st.sampled_from([*datasets.available(), "ties", "", "WAR1800"]), st.text()),
    folder=st.one_of(
        st.sampled_from(["", "/", "/dev/null", "/proc", "x" * 300, "relative/dir", "\x7f"]),
        st.text(max_size=40),
    ),
)
def test_fuzz_load(name: str, folder: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _offline(monkeypatch, tmp_path / "cache")
    if "\x00" in folder:
        folder = folder.replace("\x00", "")  # environment variables cannot hold NUL
    monkeypatch.setenv(datasets.DATA_DIR_ENV, folder)
    try:
        frame = datasets.load(name)
    except InputError as exc:
        _one_line(exc)
    else:
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0


def test_fuzz_load_reads_the_real_mirror(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fuzz above must be able to succeed too: with the mirror every name loads."""
    monkeypatch.setenv(datasets.DATA_DIR_ENV, str(shared_data))
    for name in datasets.available():
        assert len(datasets.load(name)) > 0
