"""Multi-part model formulas (``y ~ part1 | part2 | ...``) turned into design matrices.

The R packages that estimate strategic models (games: Kenkel & Signorino; sigInt:
Crisman-Cox & Gibilisco 2021) write one linear index per utility as one part of a
``Formula``-style right-hand side separated by ``|``. This module does the same with
:mod:`formulaic`, using R's conventions so that coefficient labels match:

* a part ``0`` (or ``-1``) fixes that utility at zero: no columns;
* a part ``1`` is a constant only; any other part has an intercept unless it says ``- 1``
  (or ``0 + ...``);
* transforms work (``sqrt(x)``, ``log(x)``, ``exp(x)``, ``abs(x)``, ``np.<f>(x)``, ``I(x**2)``);
* factors (pandas categoricals, strings, booleans) are treatment coded with the first level as
  the reference, labelled like R: ``regime2dem``; the intercept is ``(Intercept)``;
* the left side is several numeric columns (``esc + war``, ``sq + cd + sf + bd``) or one
  categorical column (its levels, in order, are the outcomes).

API
---
``parse_formula(formula, data, part_names, *, subset=None, na="drop") -> DesignParts``
    ``part_names`` (e.g. ``["u1(sq)", ...]`` or ``["SA", "VA", ...]``) fixes how many parts the
    right side must have and prefixes the labels (``"SA:contig"``). ``subset`` is a boolean
    mask aligned with ``data`` or a string for :meth:`pandas.DataFrame.eval`; it is applied
    before missing values are handled. ``na="drop"`` drops rows with a missing (NaN) value in
    any used column and counts them; ``na="raise"`` refuses such rows. An infinite value in a
    used column is never treated as missing: it raises.
``DesignParts``
    ``parts`` (tuple of ``(name, DataFrame)``), ``outcome`` (float array ``(n, k)`` for columns,
    int codes ``(n,)`` for a categorical), ``outcome_names``, ``outcome_kind``
    (``"columns"`` or ``"categorical"``), ``outcome_levels``, ``n_dropped``, ``index`` (labels
    of the rows kept), ``labels()`` (``part:term`` for all columns in order), ``n_columns``,
    ``regressors(newdata)`` (the parts' matrices for new data with the fitted coding; rows with
    missing values come back as NaN rows).

Errors (all :class:`coercive._errors.InputError`, one line): wrong number of parts (expected vs
got), unknown column (named), a used column that is entirely missing or holds +-inf (named),
no outcome variation,
no complete rows, an unseen factor level in ``newdata``.
"""

from __future__ import annotations

import functools
import re
import tokenize
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from coercive._errors import InputError, InputTypeError, shown

__all__ = ["DesignParts", "parse_formula", "split_formula"]

# Names usable in formulas besides the data's columns (R spellings mapped to numpy).
_CONTEXT: dict[str, Any] = {
    "np": np,
    "sqrt": np.sqrt,
    "log": np.log,
    "log1p": np.log1p,
    "exp": np.exp,
    "abs": np.abs,
}

NaPolicy = Literal["drop", "raise"]

#: The largest regressor magnitude accepted: float32's largest number (3.4e38). The signaling
#: first stage (scikit-learn's random forest) stores features as float32, and beyond it a
#: likelihood's index and Hessian lose all precision anyway; rescaling costs nothing.
MAX_REGRESSOR = float(np.finfo(np.float32).max)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split ``text`` on ``separator`` outside parentheses/brackets."""
    pieces: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == separator and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    pieces.append("".join(current))
    return [piece.strip() for piece in pieces]


def split_formula(formula: str) -> tuple[list[str], list[str]]:
    """Return (left-hand terms, right-hand parts) of ``lhs ~ p1 | p2 | ...``."""
    if not isinstance(formula, str):
        raise InputTypeError(f"formula: expected a string like 'y ~ x | z', got {shown(formula)}")
    lhs_terms, parts = _split_formula_cached(formula)
    return list(lhs_terms), list(parts)


@functools.lru_cache(maxsize=256)
def _split_formula_cached(formula: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    # cached: the character-by-character split costs ~15 us, a tenth of a small fit's parse;
    # errors are not cached (lru_cache does not store exceptions)
    sides = _split_top_level(formula, "~")
    if len(sides) != 2 or not sides[0] or not sides[1]:
        raise InputError(
            f"formula: expected exactly one '~' with terms on both sides: {shown(formula)}"
        )
    lhs_terms = _split_top_level(sides[0], "+")
    if any(not term for term in lhs_terms):
        raise InputError(f"formula: empty term on the left of '~': {shown(formula)}")
    parts = _split_top_level(sides[1], "|")
    if any(not part for part in parts):
        raise InputError(f"formula: empty part between '|' separators: {shown(formula)}")
    return tuple(lhs_terms), tuple(parts)


_TREATMENT = re.compile(r"\[(?:T\.)?([^\]]*)\]")


def _r_label(column: str) -> str:
    """formulaic column name -> R's model.matrix name (``f[T.lev]`` -> ``flev``)."""
    if column == "Intercept":
        return "(Intercept)"
    return _TREATMENT.sub(lambda match: match.group(1), column)


def _is_categorical(series: pd.Series) -> bool:
    return (
        isinstance(series.dtype, pd.CategoricalDtype)
        or pd.api.types.is_object_dtype(series.dtype)
        or pd.api.types.is_string_dtype(series.dtype)
        or pd.api.types.is_bool_dtype(series.dtype)
    )


@functools.lru_cache(maxsize=256)
def _parsed(expression: str) -> Any:
    """formulaic's parse of one part, cached: parsing dominates the cost of small fits."""
    from formulaic import Formula

    return Formula(expression)


def _one_line(error: BaseException) -> str:
    """An exception's message collapsed to one line (formulaic's span several)."""
    return " ".join(str(error).split())


def _formulaic_errors() -> tuple[type[BaseException], ...]:
    """What formulaic raises on a malformed formula or a term it cannot evaluate on the data.

    ``FormulaicError`` covers its parsing (``FormulaParsingError``, ``FormulaSyntaxError``)
    and materialization (``FactorEvaluationError``, ``FactorEncodingError``) errors; the
    builtins are what Python's parser and the evaluated terms raise for bad user input.
    Anything else is a bug and propagates.
    """
    from formulaic.errors import FormulaicError

    return (FormulaicError, SyntaxError, NameError, KeyError, ValueError, TypeError)


# What pandas.DataFrame.eval raises on a bad user expression (syntax, unknown names or
# functions, wrong types, attribute access on a column).
_PANDAS_EVAL_ERRORS: tuple[type[BaseException], ...] = (
    SyntaxError,
    tokenize.TokenError,
    NameError,
    KeyError,
    ValueError,
    TypeError,
    AttributeError,
)


def _required(expression: str, data: pd.DataFrame, where: str) -> set[str]:
    try:
        variables = set(_parsed(expression).required_variables)
    except _formulaic_errors() as error:
        raise InputError(
            f"formula: cannot parse {where} {shown(expression)}: {_one_line(error)}"
        ) from None
    variables = {name for name in variables if name not in _CONTEXT}
    unknown = sorted(name for name in variables if name not in data.columns)
    if unknown:
        raise InputError(
            f"formula: unknown column {shown(unknown[0])} in {where} (not in data)"
            + (f"; also {shown(unknown[1:])}" if len(unknown) > 1 else "")
        )
    return variables


class PartFrames(Sequence[tuple[str, pd.DataFrame]]):
    """The parts as ``(name, DataFrame)`` pairs, each frame built on first access.

    The estimators need only each part's array and column labels (:meth:`DesignParts.
    matrices`, :meth:`DesignParts.part_columns`); building the DataFrames (pandas' index
    inference on the labels) cost more than a whole fit on a few hundred rows, so the plain
    column path builds them only when someone asks (the API is unchanged).
    """

    def __init__(
        self,
        names: Sequence[str],
        arrays: Sequence[np.ndarray],
        columns: Sequence[Sequence[str]],
        index: pd.Index,
    ) -> None:
        self._names = tuple(names)
        self._arrays = tuple(arrays)
        self._columns = tuple(tuple(labels) for labels in columns)
        self._index = index
        self._frames: dict[int, pd.DataFrame] = {}

    def __len__(self) -> int:
        return len(self._names)

    def _pair(self, position: int) -> tuple[str, pd.DataFrame]:
        frame = self._frames.get(position)
        if frame is None:
            frame = pd.DataFrame(
                self._arrays[position], index=self._index, columns=list(self._columns[position])
            )
            self._frames[position] = frame
        return self._names[position], frame

    def __getitem__(self, position: Any) -> Any:
        if isinstance(position, slice):
            return tuple(self._pair(i) for i in range(len(self))[position])
        if not -len(self) <= position < len(self):
            raise IndexError(position)
        return self._pair(position % len(self))

    def __repr__(self) -> str:
        return f"PartFrames({', '.join(self._names)})"


@dataclass(frozen=True)
class DesignParts:
    """Design matrices of a multi-part formula (see module docstring)."""

    formula: str
    part_names: tuple[str, ...]
    parts: tuple[tuple[str, pd.DataFrame], ...]
    outcome: np.ndarray
    outcome_names: tuple[str, ...]
    outcome_kind: Literal["columns", "categorical"]
    outcome_levels: tuple[str, ...] | None
    n_dropped: int
    index: pd.Index
    _specs: tuple[Any, ...] = field(repr=False, default=())
    _variables: tuple[str, ...] = field(repr=False, default=())
    _levels: dict[str, tuple[Any, ...]] = field(repr=False, default_factory=dict)

    @property
    def nobs(self) -> int:
        return len(self.index)

    @property
    def n_columns(self) -> int:
        return sum(len(terms) for terms in self.part_columns())

    def labels(self) -> list[str]:
        """``part:term`` labels of all columns, part by part."""
        return [
            f"{name}:{term}"
            for name, terms in zip(self.part_names, self.part_columns(), strict=True)
            for term in terms
        ]

    def matrices(self) -> list[np.ndarray]:
        """The parts as float arrays ``(n, k_part)`` (``k_part`` may be 0), fresh copies."""
        if isinstance(self.parts, PartFrames):
            return [array.copy() for array in self.parts._arrays]
        return [matrix.to_numpy(dtype=float) for _, matrix in self.parts]

    def part_columns(self) -> list[tuple[str, ...]]:
        """Each part's column labels (``(Intercept)``, ``x1``, ``regime2dem``, ...)."""
        if isinstance(self.parts, PartFrames):
            return list(self.parts._columns)
        return [tuple(str(label) for label in matrix.columns) for _, matrix in self.parts]

    def prediction_rows(
        self, fitted: tuple[np.ndarray, ...], newdata: pd.DataFrame | None
    ) -> tuple[tuple[np.ndarray, ...], pd.Index]:
        """The parts' matrices and row labels a ``predict`` works on: the fitted rows
        (``fitted``, the fit's own :meth:`matrices`, not copied again) when ``newdata`` is
        None, else :meth:`regressors` of ``newdata``."""
        if newdata is None:
            return fitted, self.index
        return tuple(self.regressors(newdata)), newdata.index

    def regressors(self, newdata: pd.DataFrame) -> list[np.ndarray]:
        """Each part's matrix for ``newdata`` with the fitted coding; incomplete rows -> NaN."""
        if not isinstance(newdata, pd.DataFrame):
            raise InputTypeError(f"newdata: expected a pandas DataFrame, got {type(newdata)}")
        missing = [name for name in self._variables if name not in newdata.columns]
        if missing:
            raise InputError(f"newdata: column {missing[0]!r} used by the model is missing")
        used = newdata.loc[:, list(self._variables)]
        _refuse_infinite(used, "newdata")
        complete = _complete_rows(used)
        for name, levels in self._levels.items():
            present = used.loc[complete, name]
            unseen = sorted({str(value) for value in present if value not in levels})
            if unseen:
                raise InputError(
                    f"newdata: column {name!r} has level(s) {', '.join(unseen)} not seen in "
                    f"fitting (allowed: {', '.join(map(str, levels))})"
                )
        rows = newdata.loc[complete]
        out = []
        for name, terms, spec in zip(
            self.part_names, self.part_columns(), self._specs, strict=True
        ):
            full = np.full((len(newdata), len(terms)), np.nan)
            if terms and len(rows):
                try:
                    matrix = spec.get_model_matrix(rows, context=_CONTEXT)
                except _formulaic_errors() as error:
                    raise InputError(
                        f"newdata: cannot build part {name!r}: {_one_line(error)}"
                    ) from None
                full[complete] = np.asarray(matrix, dtype=float)
            out.append(full)
        return out


def _complete_rows(frame: pd.DataFrame) -> np.ndarray:
    """Rows with no missing value (NaN/None/NA; infinite values are refused, not missing)."""
    mask = np.ones(len(frame), dtype=bool)
    for _, column in frame.items():
        # numpy checks for the common dtypes (pandas' notna is ~10x slower per column)
        if isinstance(column.dtype, pd.CategoricalDtype):
            mask &= column.cat.codes.to_numpy() >= 0
        elif column.dtype.kind == "f":
            mask &= ~np.isnan(column.to_numpy())
        elif column.dtype.kind in "iub":
            continue
        else:
            mask &= column.notna().to_numpy()
    return mask


def _refuse_infinite(frame: pd.DataFrame, where: str) -> None:
    """Raise if a numeric column holds +-inf: only NaN means missing, inf is bad input."""
    for name, column in frame.items():
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype
        ):
            values = column.to_numpy(dtype=float, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                raise InputError(
                    f"{where}: column {name!r} has {int(infinite.sum())} infinite value(s); "
                    "only finite numbers or NaN (missing) are allowed"
                )


def _subset_mask(subset: object, data: pd.DataFrame) -> np.ndarray:
    if isinstance(subset, str):
        try:
            values = data.eval(subset)
        except _PANDAS_EVAL_ERRORS as error:
            raise InputError(
                f"subset: cannot evaluate {shown(subset)}: {_one_line(error)}"
            ) from None
    else:
        values = subset
    mask = np.asarray(values)
    if mask.shape != (len(data),) or mask.dtype != bool:
        raise InputError(f"subset: expected {len(data)} booleans (one per data row)")
    return mask


def parse_formula(
    formula: str,
    data: pd.DataFrame,
    part_names: Sequence[str],
    *,
    subset: object = None,
    na: NaPolicy = "drop",
) -> DesignParts:
    """Split ``formula`` into ``len(part_names)`` design matrices (see module docstring)."""
    from formulaic import model_matrix

    if not isinstance(data, pd.DataFrame):
        raise InputTypeError(f"data: expected a pandas DataFrame, got {type(data).__name__}")
    if na not in ("drop", "raise"):
        raise InputError(f"na: expected 'drop' or 'raise', got {shown(na)}")
    lhs_terms, rhs_parts = split_formula(formula)
    if len(rhs_parts) != len(part_names):
        raise InputError(
            f"formula: expected {len(part_names)} right-hand parts separated by '|' "
            f"({' | '.join(part_names)}), got {len(rhs_parts)}"
        )
    fast = None
    if not data.columns.duplicated().any():  # duplicated names: the general path refuses them
        fast = _parse_plain_columns(formula, data, part_names, lhs_terms, rhs_parts, subset, na)
    if fast is not None:
        _check_parts(part_names, fast.parts._arrays, rhs_parts)  # type: ignore[attr-defined]
        return fast

    variables: set[str] = set()
    lhs_variables: set[str] = set()
    for term in lhs_terms:
        lhs_variables |= _required(term, data, "the left-hand side")
    variables |= lhs_variables
    rhs_variables: set[str] = set()
    for name, part in zip(part_names, rhs_parts, strict=True):
        rhs_variables |= _required(part, data, f"part {name!r}")
    variables |= rhs_variables
    duplicated = sorted({str(name) for name in data.columns[data.columns.duplicated()]} & variables)
    if duplicated:
        raise InputError(
            f"data: column {shown(duplicated[0])} appears more than once; the columns a "
            "formula uses must have unique names"
        )
    ordered = [name for name in data.columns if name in variables]
    for name in ordered:
        if data[name].isna().all():
            raise InputError(f"data: column {name!r} is entirely missing")

    frame = data.loc[:, ordered]
    if subset is not None:
        frame = frame.loc[_subset_mask(subset, data)]
    _refuse_infinite(frame, "data")
    complete = _complete_rows(frame)
    n_dropped = int((~complete).sum())
    if n_dropped and na == "raise":
        raise InputError(
            f"data: {n_dropped} row(s) have missing values in the model's columns "
            "(use na='drop' to drop them)"
        )
    frame = frame.loc[complete].copy()
    if len(frame) == 0:
        raise InputError("data: no complete rows for this formula")
    # Unused factor levels would give all-zero (unidentified) columns, as R's
    # drop.unused.levels avoids.
    for name, column in frame.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            frame[name] = column.cat.remove_unused_categories()

    outcome, outcome_names, kind, levels = _outcome(lhs_terms, frame)

    parts: list[tuple[str, pd.DataFrame]] = []
    specs = []
    for name, part in zip(part_names, rhs_parts, strict=True):
        simple = _simple_part(part, frame)
        if simple is not None:  # plain columns: skip formulaic (most of a small fit's time)
            columns, values, spec = simple
            parts.append((name, pd.DataFrame(values, index=frame.index, columns=columns)))
            specs.append(spec)
            continue
        try:
            matrix = model_matrix(_parsed(part), frame, context=_CONTEXT, na_action="raise")
        except _formulaic_errors() as error:
            raise InputError(
                f"formula: cannot build part {name!r} ({shown(part)}): {_one_line(error)}"
            ) from None
        values = np.asarray(matrix, dtype=float)
        if not np.all(np.isfinite(values)):
            bad = int((~np.isfinite(values).all(axis=1)).sum())
            raise InputError(
                f"formula: part {name!r} ({shown(part)}) gives NaN/inf in {bad} row(s) "
                "(e.g. log or sqrt of a non-positive value)"
            )
        columns = [_r_label(str(column)) for column in matrix.columns]
        parts.append((name, pd.DataFrame(values, index=frame.index, columns=columns)))
        specs.append(matrix.model_spec)

    _check_parts(part_names, [matrix.to_numpy() for _, matrix in parts], rhs_parts)
    return DesignParts(
        formula=formula,
        part_names=tuple(part_names),
        parts=tuple(parts),
        outcome=outcome,
        outcome_names=outcome_names,
        outcome_kind=kind,
        outcome_levels=levels,
        n_dropped=n_dropped,
        index=frame.index,
        _specs=tuple(specs),
        _variables=tuple(name for name in ordered if name in rhs_variables),
        _levels={
            name: tuple(pd.Categorical(frame[name]).categories)
            for name in ordered
            if name in rhs_variables and _is_categorical(frame[name])
        },
    )


def _check_parts(
    names: Sequence[str], arrays: Sequence[np.ndarray], rhs_parts: Sequence[str]
) -> None:
    """Refusals that hold whichever path (formulaic or plain columns) built the matrices."""
    for name, values, part in zip(names, arrays, rhs_parts, strict=True):
        largest = float(np.max(np.abs(values))) if values.size else 0.0
        if largest > MAX_REGRESSOR:
            raise InputError(
                f"formula: part {name!r} ({shown(part)}) has a value of magnitude "
                f"{largest:.3g}; allowed: at most {MAX_REGRESSOR:.3g} (rescale the regressor)"
            )
    if names and not any(values.shape[1] for values in arrays):
        raise InputError(
            f"formula: every right-hand part is 0 ({' | '.join(names)}): there is "
            "nothing to estimate; give at least one part a term (e.g. 1)"
        )


def _outcome(
    lhs_terms: list[str], frame: pd.DataFrame
) -> tuple[np.ndarray, tuple[str, ...], Literal["columns", "categorical"], tuple[str, ...] | None]:
    if (
        len(lhs_terms) == 1
        and lhs_terms[0] in frame.columns
        and _is_categorical(frame[lhs_terms[0]])
    ):
        column = frame[lhs_terms[0]]
        categorical = pd.Categorical(column)
        levels = tuple(str(level) for level in categorical.categories)
        codes = np.asarray(categorical.codes, dtype=np.int64)
        if len(np.unique(codes)) < 2:
            raise InputError(f"data: outcome {lhs_terms[0]!r} has no variation (one level)")
        return codes, (lhs_terms[0],), "categorical", levels

    columns = []
    for term in lhs_terms:
        if term in frame.columns:
            values = frame[term]
            if pd.api.types.is_bool_dtype(values.dtype):
                values = values.astype(np.int64)  # an indicator or a 0/1 count: True is 1
            if _is_categorical(values):
                raise InputError(
                    f"formula: outcome column {shown(term)} is categorical; "
                    "use one categorical column alone or numeric columns"
                )
            columns.append(values.to_numpy(dtype=float))
        else:
            try:
                evaluated = frame.eval(term)
            except _PANDAS_EVAL_ERRORS as error:
                raise InputError(
                    f"formula: cannot evaluate outcome {shown(term)}: {_one_line(error)}"
                ) from None
            columns.append(np.asarray(evaluated, dtype=float))
    outcome = np.column_stack(columns)
    if np.all(outcome == outcome[0]):
        raise InputError(
            f"data: outcome {' + '.join(lhs_terms)} has no variation (every row the same)"
        )
    return outcome, tuple(lhs_terms), "columns", None


# --- fast path for parts made of plain column names ------------------------------------------
_IDENTIFIER = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")


@dataclass(frozen=True)
class _SimpleSpec:
    """What formulaic's ModelSpec provides to ``regressors``, for a part of plain columns."""

    intercept: bool
    terms: tuple[tuple[str, tuple[Any, ...] | None], ...]  # (column, kept levels or None)

    def get_model_matrix(self, rows: pd.DataFrame, context: object = None) -> np.ndarray:
        return _simple_values(self, rows)


def _simple_values(spec: _SimpleSpec, frame: pd.DataFrame) -> np.ndarray:
    blocks = [np.ones((len(frame), 1))] if spec.intercept else []
    for column, levels in spec.terms:
        values = frame[column]
        if levels is None:
            blocks.append(values.to_numpy(dtype=float)[:, None])
        elif not isinstance(values.dtype, pd.CategoricalDtype):  # e.g. strings in newdata
            labels = np.asarray(values.astype(object))
            blocks.append(np.column_stack([labels == level for level in levels]).astype(float))
        else:
            categories = list(values.cat.categories)
            codes = values.cat.codes.to_numpy()
            columns = [codes == categories.index(level) if level in categories
                       else np.zeros(len(codes), dtype=bool) for level in levels]  # fmt: skip
            blocks.append(np.column_stack(columns).astype(float))
    return np.hstack(blocks) if blocks else np.zeros((len(frame), 0))


def _simple_part(
    part: str, frame: pd.DataFrame
) -> tuple[list[str], np.ndarray, _SimpleSpec] | None:
    """Columns, values and spec of a part like ``x1 + f - 1``, or None to use formulaic.

    Only numeric (not boolean) columns and pandas categoricals qualify; a categorical without
    an intercept (full dummy coding) goes to formulaic. The result equals formulaic's with R
    labels: ``(Intercept)`` first, then terms in order, treatment-coded levels ``flevel``.
    """
    tokens = _plain_tokens(part)
    if tokens is None:
        return None
    intercept, names = tokens
    if any(name not in frame.columns for name in names):
        return None
    terms: list[tuple[str, tuple[Any, ...] | None]] = []
    labels = ["(Intercept)"] if intercept else []
    for name in names:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            if not intercept:
                return None
            levels = tuple(column.cat.categories)[1:]
            terms.append((name, levels))
            labels += [f"{name}{level}" for level in levels]
        elif pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
            column.dtype
        ):
            terms.append((name, None))
            labels.append(name)
        else:
            return None
    spec = _SimpleSpec(intercept, tuple(terms))
    return labels, _simple_values(spec, frame), spec


@functools.lru_cache(maxsize=1024)
def _plain_tokens(part: str) -> tuple[bool, tuple[str, ...]] | None:
    """(intercept, column names) of a part like ``x1 + f - 1``; None if it is not that simple.

    Cached (a pure function of the text; the fits of a bootstrap or a profile reparse the
    same parts)."""
    text = " ".join(part.split())
    if text in ("0", "-1", "- 1"):
        return False, ()  # no column at all (not refused as empty, unlike "0 + 1")
    intercept = True
    for suffix in (" - 1", " -1", " + 0"):
        if text.endswith(suffix):
            intercept, text = False, text[: -len(suffix)]
            break
    for prefix in ("0 + ", "-1 + ", "- 1 + "):
        if intercept and text.startswith(prefix):
            intercept, text = False, text[len(prefix) :]
    names: list[str] = []
    for token in (token.strip() for token in text.split("+")):
        if token == "1":
            continue
        if not _IDENTIFIER.match(token) or token in _CONTEXT:
            return None
        if token not in names:
            names.append(token)
    if not intercept and not names:
        return None
    return intercept, tuple(names)


def _parse_plain_columns(
    formula: str,
    data: pd.DataFrame,
    part_names: Sequence[str],
    lhs_terms: list[str],
    rhs_parts: list[str],
    subset: object,
    na: str,
) -> DesignParts | None:
    """``parse_formula`` for formulas of plain columns, with numpy instead of formulaic/pandas.

    Used when every part is plain column names (plus ``1``/``0``/``- 1``), every column is
    float, int or a pandas categorical, and the left side is plain columns: then the result
    (matrices, labels, rows, errors) is the general path's, at a fraction of the cost
    (pandas' per-call overhead dominated small fits). Anything else returns None.
    """
    tokens = [_plain_tokens(part) for part in rhs_parts]
    if any(token is None for token in tokens):
        return None
    rhs_names = {name for token in tokens for name in token[1]}  # type: ignore[index]
    if any(term not in data.columns or not _IDENTIFIER.match(term) for term in lhs_terms):
        return None
    used = rhs_names | set(lhs_terms)
    if any(name not in data.columns for name in used):
        return None  # the general path names the unknown column
    # tolist(): iterating pandas' Arrow-backed column index name by name is ~3x slower
    ordered = [name for name in data.columns.tolist() if name in used]
    columns: dict[str, pd.Series] = {name: data[name] for name in ordered}
    for name, column in columns.items():
        categorical = isinstance(column.dtype, pd.CategoricalDtype)
        if not categorical and column.dtype.kind not in "if":
            return None
        if categorical and name in lhs_terms and len(lhs_terms) > 1:
            return None
        if categorical and name in rhs_names:
            intercept_everywhere = all(
                token[0]
                for token in tokens
                if name in token[1]  # type: ignore[index]
            )
            if not intercept_everywhere:
                return None
    raw: dict[str, np.ndarray] = {}
    categories: dict[str, list[Any]] = {}
    # columns with a non-finite or missing value (the common all-finite case costs one check)
    incomplete: dict[str, np.ndarray] = {}
    for name, column in columns.items():
        if isinstance(column.dtype, pd.CategoricalDtype):
            # Categorical.codes directly (the .cat accessor costs ~35 us per call)
            raw[name] = np.asarray(column.array.codes)  # type: ignore[attr-defined]
            categories[name] = list(column.dtype.categories)
            if raw[name].size == 0 or raw[name].min() < 0:
                incomplete[name] = raw[name] < 0
                if incomplete[name].all():
                    raise InputError(f"data: column {name!r} is entirely missing")
        else:
            raw[name] = column.to_numpy(dtype=float)
            if raw[name].size == 0 or not np.isfinite(raw[name]).all():
                missing = np.isnan(raw[name])
                if missing.all():
                    raise InputError(f"data: column {name!r} is entirely missing")
                incomplete[name] = missing
    rows = None if subset is None else _subset_mask(subset, data)
    arrays: dict[str, np.ndarray] = raw
    complete = np.ones(len(data), dtype=bool) if rows is None else rows.copy()
    for name, missing in incomplete.items():
        if name not in categories:
            infinite = np.isinf(raw[name] if rows is None else raw[name][rows])
            if infinite.any():
                raise InputError(
                    f"data: column {name!r} has {int(infinite.sum())} infinite value(s); "
                    "only finite numbers or NaN (missing) are allowed"
                )
        complete &= ~missing
    n_dropped = int((len(data) if rows is None else rows.sum()) - complete.sum())
    if n_dropped and na == "raise":
        raise InputError(
            f"data: {n_dropped} row(s) have missing values in the model's columns "
            "(use na='drop' to drop them)"
        )
    if not complete.any():
        raise InputError("data: no complete rows for this formula")
    everything = bool(complete.all())
    keep = np.flatnonzero(complete)
    index = data.index if everything else data.index[keep]
    levels: dict[str, tuple[Any, ...]] = {}
    for name in columns:
        if not everything:
            arrays[name] = arrays[name][keep]
        if name in categories:
            # drop unused levels (as R's drop.unused.levels), keeping their order
            present = np.flatnonzero(np.bincount(arrays[name], minlength=len(categories[name])))
            recode = np.full(len(categories[name]), -1)
            recode[present] = np.arange(present.size)
            arrays[name] = recode[arrays[name]]
            levels[name] = tuple(categories[name][i] for i in present)

    if len(lhs_terms) == 1 and lhs_terms[0] in levels:
        name = lhs_terms[0]
        codes = arrays[name].astype(np.int64)
        if np.unique(codes).size < 2:
            raise InputError(f"data: outcome {name!r} has no variation (one level)")
        outcome: np.ndarray = codes
        kind: Literal["columns", "categorical"] = "categorical"
        outcome_levels: tuple[str, ...] | None = tuple(str(level) for level in levels[name])
    else:
        if any(term in levels for term in lhs_terms):
            bad = next(term for term in lhs_terms if term in levels)
            raise InputError(
                f"formula: outcome column {bad!r} is categorical; "
                "use one categorical column alone or numeric columns"
            )
        outcome = np.column_stack([arrays[term] for term in lhs_terms])
        if np.all(outcome == outcome[0]):
            raise InputError(
                f"data: outcome {' + '.join(lhs_terms)} has no variation (every row the same)"
            )
        kind, outcome_levels = "columns", None

    arrays_out: list[np.ndarray] = []
    columns_out: list[list[str]] = []
    specs = []
    for intercept, names in tokens:  # type: ignore[misc]
        blocks = [np.ones((keep.size, 1))] if intercept else []
        labels = ["(Intercept)"] if intercept else []
        terms: list[tuple[str, tuple[Any, ...] | None]] = []
        for term in names:
            if term in levels:
                kept = levels[term][1:]
                codes = arrays[term]
                blocks.append(
                    (codes[:, None] == np.arange(1, len(levels[term]))[None, :]).astype(float)
                )
                labels += [f"{term}{level}" for level in kept]
                terms.append((term, kept))
            else:
                blocks.append(arrays[term][:, None])
                labels.append(term)
                terms.append((term, None))
        values = np.hstack(blocks) if blocks else np.zeros((keep.size, 0))
        arrays_out.append(values)
        columns_out.append(labels)
        specs.append(_SimpleSpec(intercept, tuple(terms)))
    return DesignParts(
        formula=formula,
        part_names=tuple(part_names),
        parts=PartFrames(part_names, arrays_out, columns_out, index),  # type: ignore[arg-type]
        outcome=outcome,
        outcome_names=tuple(lhs_terms),
        outcome_kind=kind,
        outcome_levels=outcome_levels,
        n_dropped=n_dropped,
        index=index,
        _specs=tuple(specs),
        _variables=tuple(name for name in ordered if name in rhs_names),
        _levels={name: value for name, value in levels.items() if name in rhs_names},
    )
