"""Reference data sets for estimating coercion games, fetched from their public source.

API
---
``load(name) -> pandas.DataFrame``
    ``name`` is ``"sanctions"`` (418 TIES dyad-decades, sigInt 0.2.0, Crisman-Cox &
    Gibilisco 2021), ``"ties"`` (the TIES v4.1 case file: 1,412 sanctions episodes
    1945–2005, one row per case; Morgan, Bapat & Kobayashi 2014) or ``"war1800"`` (313
    COW militarized disputes 1816–1899, games 1.1.2, Kenkel & Signorino; used by
    Signorino 2003). Factors come back as pandas categoricals
    (R level order kept, first level = reference); integer columns as ``int64`` when
    complete and ``float64`` (with NaN) when they have missing values, so no pandas nullable
    dtypes reach the estimators. The index is a plain 0-based ``RangeIndex``.
``available() -> tuple[str, ...]``
    The allowed names.

Where the file comes from
-------------------------
The original R data file is downloaded once with :mod:`pooch` from a commit-pinned
GitHub URL, checked against a pinned SHA-256 and cached in ``pooch.os_cache("coercive")``.
If the environment variable ``COERCIVE_DATA_DIR`` is set, the file is read from that folder
instead (a local mirror, used by tests and CI); its SHA-256 is still verified and a mismatch
raises :class:`coercive._errors.InputError`.

The data are public research data; they are never copied into this repository.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coercive._errors import InputError, one_line, shown

__all__ = ["load", "available", "DATA_DIR_ENV", "PUBLISHED_MODELS"]

#: Environment variable naming a local folder that mirrors the original data files.
DATA_DIR_ENV = "COERCIVE_DATA_DIR"

PUBLISHED_MODELS: dict[str, str] = {
    # games 1.1.2 (Kenkel & Signorino), egame12 example on war1800: four utilities
    # u11 | u13 | u14 | u24 (fit with coercive.estimate.fit_deterrence).
    "war1800": "esc + war ~ s_wt_re1 + revis1 | 0 | regime1 | balanc + regime2",
    # sigInt 0.2.0 (Crisman-Cox & Gibilisco 2021), the sanctions model: seven payoffs
    # SA | VA | CB | WA | WB | a | VB (fit with coercive.estimate.fit_signaling).
    "sanctions": (
        "sq + cd + sf + bd ~ sqrt(senderecondep) + senderdemocracy + contig + ally - 1"
        " | anticipatedsendercosts"
        " | sqrt(targetecondep) + anticipatedtargetcosts + contig + ally"
        " | sqrt(senderecondep) + senderdemocracy + lncaprat"
        " | targetdemocracy + lncaprat"
        " | senderdemocracy"
        " | 0"
    ),
}
"""The model each reference data set was published with, as a formula for this package."""


@dataclass(frozen=True)
class _Source:
    file_name: str
    url: str
    sha256: str
    r_object: str


# The sanctions file is the one shipped in the CRAN build of sigInt 0.2.0 (GitHub mirror
# cran/sigInt; its MD5 file lists b7b0184d85ff3572bef275dba45ab9cb for this file, matching
# the pinned SHA-256 below). war1800.rda is games 1.1.2's file in brentonk/games.
_SOURCES: dict[str, _Source] = {
    "sanctions": _Source(
        file_name="sanctionsData.rdata",
        url=(
            "https://raw.githubusercontent.com/cran/sigInt/"
            "f32e33382bbe979471378a300021c3d0d40a0cb2/data/sanctionsData.rdata"
        ),
        sha256="984691a72d3c396fac79fa666b52c0964c9af3b8aa589f261c58cc73adb66ab8",
        r_object="sanctionsData",
    ),
    # --- ties (issue 7): the TIES v4.1 case file, an Excel 97 workbook, not an R file ---
    "ties": _Source(
        file_name="TIESv4-1.xls",
        url="https://sanctions.web.unc.edu/wp-content/uploads/sites/18834/2021/04/TIESv4-1.xls",
        sha256="03f70356c864c39d6b8f76f583d74acc8d853fb9ec457012a49b0ae895560d76",
        r_object="",
    ),
    "war1800": _Source(
        file_name="war1800.rda",
        url=(
            "https://raw.githubusercontent.com/brentonk/games/"
            "b9af70ee3cbbafe054fcf55627fd5554b2c85da1/games/data/war1800.rda"
        ),
        sha256="316e53d99efb96ac0c7108a51d5c8aceade4481cfcc9f129fe5912b16f732963",
        r_object="war1800",
    ),
}

# games 1.1.2's example data (simulated data_122/data_123/data_ult, Leblang's 2003 currency
# attacks, 32 student ultimatum offers), same repository and folder as war1800.rda; hashes
# from the project's data README.
_GAMES_EXAMPLES = {
    "data_122": "6d6d0a21eb10d3c3cfcf710913903d9ed943a6939724180bb97620c3fcce7284",
    "data_123": "cffca7df92e70d649c8931ccafe82760f7d110a81646ec1d09eef25748902e41",
    "data_ult": "89387cb3796c3683dcec4120dfdfff82d46e3a0947e3949feaba37150484d65c",
    "leblang2003": "16a6437f2b3cd8b15b6a6ce754e6866efd07266ae3ea81314bf70520038ce1a8",
    "student_offers": "3f255202dbcc0e9da46f9994e48081ae7649d2cc35a6ecc8c8f6158ee85885f7",
}
for _name, _sha256 in _GAMES_EXAMPLES.items():
    _SOURCES[_name] = _Source(
        file_name=f"{_name}.rda",
        url=(
            "https://raw.githubusercontent.com/brentonk/games/"
            f"b9af70ee3cbbafe054fcf55627fd5554b2c85da1/games/data/{_name}.rda"
        ),
        sha256=_sha256,
        r_object=_name,
    )


def available() -> tuple[str, ...]:
    """Names accepted by :func:`load`."""
    return tuple(sorted(_SOURCES))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def _local_file(source: _Source, folder: str) -> Path:
    path = Path(folder) / source.file_name
    try:
        found = path.is_file()
    except OSError as exc:  # a name too long, a folder that may not be searched
        raise InputError(
            f"{DATA_DIR_ENV}={shown(folder)}: cannot look in it ({exc.strerror or exc}); "
            "point it at a readable folder holding the original data files, or unset it"
        ) from None
    if not found:
        raise InputError(
            f"{DATA_DIR_ENV}: file {source.file_name} not found in {shown(folder)}; "
            "point it at a folder holding the original data files or unset it"
        )
    try:
        digest = _sha256(path)
    except OSError as exc:
        raise InputError(f"{DATA_DIR_ENV}: cannot read {path} ({exc.strerror or exc})") from None
    if digest != source.sha256:
        raise InputError(
            f"{DATA_DIR_ENV}: {path} has SHA-256 {digest}, expected {source.sha256} "
            "(corrupt or different file)"
        )
    return path


def _fetched_file(source: _Source) -> Path:
    """Download (once) into the user cache; every failure says what to set instead."""
    import pooch  # imported here: only needed when downloading

    offline_hint = (
        f"or set {DATA_DIR_ENV} to a folder holding {source.file_name} "
        f"(from {source.url.split('/')[2]})"
    )
    try:
        cache = Path(pooch.os_cache("coercive"))
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the download cache ({exc.strerror or type(exc).__name__}: "
            f"{shown(str(exc.filename or ''))}); set XDG_CACHE_HOME to a writable directory "
            + offline_hint
        ) from None
    try:
        return Path(
            pooch.retrieve(
                url=source.url,
                known_hash=f"sha256:{source.sha256}",
                fname=source.file_name,
                path=cache,
                progressbar=False,
            )
        )
    except ValueError as exc:  # pooch: the download's hash is not the pinned one
        raise InputError(
            f"download of {source.file_name} failed its SHA-256 check ({one_line(str(exc), 80)}); "
            + offline_hint
        ) from None
    except Exception as exc:  # requests' ConnectionError/HTTPError/Timeout, OSError
        if not _is_download_error(exc):
            raise
        reason = type(exc).__name__
        raise InputError(
            f"cannot download {source.file_name} ({reason}; offline?); connect to the internet "
            + offline_hint
        ) from None


def _is_download_error(exc: BaseException) -> bool:
    try:
        from requests import RequestException
    except ImportError:  # pragma: no cover - pooch depends on requests
        return isinstance(exc, OSError)
    return isinstance(exc, RequestException | OSError)


def _plain_dtypes(frame: pd.DataFrame) -> pd.DataFrame:
    """Replace pandas nullable dtypes by numpy ones (int64 when complete, else float64)."""
    out = {}
    for raw_name, column in frame.items():
        name = str(raw_name)  # rdata gives numpy str_ names; plain str is friendlier
        if isinstance(column.dtype, pd.CategoricalDtype):
            out[name] = column
        elif pd.api.types.is_bool_dtype(column.dtype):
            out[name] = column.astype(float) if column.isna().any() else column.astype(bool)
        elif pd.api.types.is_integer_dtype(column.dtype):
            if column.isna().any():
                out[name] = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            else:
                out[name] = column.to_numpy(dtype=np.int64)
        elif pd.api.types.is_float_dtype(column.dtype):
            out[name] = column.to_numpy(dtype=float, na_value=np.nan)
        elif pd.api.types.is_string_dtype(column.dtype) or column.dtype == object:
            out[name] = column.astype(object).where(column.notna(), None)
        else:
            out[name] = column
    result = pd.DataFrame(out)
    result.index = pd.RangeIndex(len(result))
    return result


def load(name: str) -> pd.DataFrame:
    """Return the data set ``name`` (see :func:`available`) as a pandas DataFrame."""
    if not isinstance(name, str) or name not in _SOURCES:
        raise InputError(f"name: unknown data set {shown(name)}; allowed: {', '.join(available())}")
    source = _SOURCES[name]
    folder = os.environ.get(DATA_DIR_ENV)
    path = _local_file(source, folder) if folder else _fetched_file(source)
    if name == "ties":
        return _read_ties(path)

    import rdata  # imported here: keeps `import coercive` light

    with warnings.catch_warnings():
        # R files saved without an encoding mark; the data are ASCII, the warning is noise.
        warnings.filterwarnings("ignore", message="Unknown encoding", category=UserWarning)
        objects = rdata.read_rda(str(path))
    if source.r_object not in objects:
        raise InputError(
            f"{path}: R object {source.r_object!r} not found (found {sorted(objects)})"
        )
    frame = objects[source.r_object]
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"{path}: R object {source.r_object!r} is not a data frame")
    return _plain_dtypes(frame)


# --- ties (issue 7) -------------------------------------------------------------------------
# TIES v4.1 (Morgan, Bapat & Kobayashi 2014, *Conflict Management and Peace Science* 31(5)):
# 1,412 sanctions episodes 1945-2005, one row per case, 66 columns. The workbook is read with
# python-calamine (a maintained Rust reader with wheels; pandas deprecates its xlrd engine).
# Columns that mix numbers and text (``sanctiontypethreat`` holds ``8`` and ``"3 5"``, i.e.
# several codes) come back as strings of space-separated codes, ``None`` when empty, so
# ``"8"`` and ``8`` are one category. Numeric columns follow :func:`_plain_dtypes`.


def _code_text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text or None


def _read_ties(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_excel(path, engine="calamine")
    except Exception as exc:  # a corrupt workbook: one clear line, not a reader traceback
        raise InputError(f"{path}: cannot read the TIES workbook ({exc})") from None
    for column in frame.columns:
        dtype = frame[column].dtype
        if dtype is np.dtype(object) or pd.api.types.is_string_dtype(dtype):
            frame[column] = frame[column].map(_code_text).astype(object)
    return _plain_dtypes(frame)
