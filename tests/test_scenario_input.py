"""Scenario input: schema export, bundled cases, every kind of bad input (issue 4, section 5).

Bad input must give one :class:`InputError` line naming the file (with line where known),
the field and what is allowed; on the CLI, exit status 2, one stderr line, no traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from _helpers import run_cli, schema_paths
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from coercive._errors import InputError
from coercive.policy.loader import CASES_DIR, bundled_cases, load_scenario, scenario_from_text
from coercive.policy.scenario import Scenario, json_schema

# more examples on demand: COERCIVE_FUZZ_EXAMPLES=5000 pytest tests/test_scenario_input.py
FUZZ = int(os.environ.get("COERCIVE_FUZZ_EXAMPLES", "150"))
SRC = Path(__file__).resolve().parents[1] / "src"
SCHEMA_FILE = SRC / "coercive" / "policy" / "scenario.schema.json"
# The bad-file transforms edit exact lines, so they work on a frozen scenario text rather than
# on a library case, whose coding may be revised.
DPRK_2017 = (Path(__file__).parent / "fixtures" / "scenario_parsing_fixture.yaml").read_text(
    encoding="utf-8"
)


def test_committed_schema_is_in_sync() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(json_schema())), (
        "scenario.schema.json is stale: regenerate it with "
        "python -c 'import json; from coercive.policy.scenario import json_schema; "
        "print(json.dumps(json_schema(), indent=2, sort_keys=True))'"
    )


def test_schema_documents_required_paths() -> None:
    defs = json_schema()["$defs"]
    assert set(defs["Sanctions"]["properties"]["kind"]["enum"]) >= {"targeted", "comprehensive"}
    for block, name in [
        ("Threat", "escalation_dominance"),
        ("Deadline", "months"),
        ("Assurance", "credibility"),
        ("Inducements", "sanctions_relief"),
        ("Inducements", "compensation"),
    ]:
        assert defs[block]["properties"][name].get("description"), (block, name)


def test_every_field_is_documented() -> None:
    doc = (SRC.parent / "docs" / "scenario.md").read_text(encoding="utf-8")
    missing = [path for path in schema_paths(Scenario, "[i]") if f"`{path}" not in doc]
    assert not missing, f"docs/scenario.md does not document: {missing}"


@pytest.mark.parametrize("case_id", bundled_cases())
def test_bundled_cases_validate(case_id: str) -> None:
    scenario = load_scenario(case_id)
    assert isinstance(scenario, Scenario)
    assert scenario.id == case_id


def test_dprk_cases_are_bundled() -> None:
    assert {"dprk-2017", "dprk-2018"} <= set(bundled_cases())


def test_overrides_parse_yaml_scalars() -> None:
    scenario = load_scenario(
        "dprk-2017",
        [
            "instruments.deadline.months=null",
            "instruments.inducements.sanctions_relief=true",
            "instruments.inducements.compensation=0.05",
            "instruments.sanctions.kind=targeted",
            "instruments.assurance.credibility={low: 0.2, high: 0.4}",
        ],
    )
    inst = scenario.instruments
    assert inst.deadline.months is None
    assert inst.inducements.sanctions_relief is True
    assert inst.inducements.compensation == 0.05
    assert inst.sanctions.kind == "targeted"
    assert inst.assurance.credibility.low == 0.2  # type: ignore[union-attr]
    # the mapping form is the same as the string form
    same = load_scenario("dprk-2017", {"instruments.sanctions.kind": "targeted"})
    assert same.instruments.sanctions.kind == "targeted"


def test_yaml_path_and_case_id_agree(tmp_path: Path) -> None:
    path = tmp_path / "copy.yaml"
    path.write_text((CASES_DIR / "dprk-2017.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert load_scenario(path) == load_scenario("dprk-2017")


# ----------------------------------------------------------------------------------------
# Bad input: every kind, one line, naming where and what is allowed
# ----------------------------------------------------------------------------------------

BAD_OVERRIDES = [
    # (override, fragments the message must contain)
    ("instruments.sanctions.kind=smart", ["instruments.sanctions.kind", "'targeted'"]),
    ("instruments.sanctions.colour=red", ["unknown path", "allowed at instruments.sanctions"]),
    ("nonsense=1", ["unknown path", "allowed at top level"]),
    ("instruments.threat.escalation_dominance=1.5", ["escalation_dominance", "[0, 1]"]),
    ("instruments.threat.escalation_dominance=-0.1", ["out of range", "allowed"]),
    ("instruments.threat.escalation_dominance=high", ["escalation_dominance", "allowed"]),
    ("instruments.threat.escalation_dominance=.nan", ["finite", "allowed"]),
    ("instruments.threat.escalation_dominance={low: 0.5}", ["missing high", "allowed"]),
    ("instruments.threat.escalation_dominance={low: 0.5, high: 0.2}", ["low <= high"]),
    ("instruments.threat.escalation_dominance={dist: beta, a: 1}", ["distribution", "allowed"]),
    ("instruments.threat.escalation_dominance={dist: normal, mean: 0.5, sd: 0}", ["sd > 0"]),
    ("instruments.threat.escalation_dominance=true", ["escalation_dominance", "allowed"]),
    ("instruments.deadline.months=-2", ["instruments.deadline.months", "allowed"]),
    ("instruments.deadline.months=.inf", ["instruments.deadline.months", "finite"]),
    ("instruments.deadline.months=six", ["instruments.deadline.months", "allowed"]),
    ("instruments.deadline.months.x=1", ["unknown path", "value, not a section"]),
    ("instruments.deadline=6", ["instruments.deadline", "mapping"]),
    ("instruments.inducements.sanctions_relief=maybe", ["sanctions_relief", "true | false"]),
    ("instruments.inducements.compensation=2", ["compensation", "[0, 1]"]),
    ("instruments.sanctions.enforcement.Atlantis=0.5", ["unknown path", "coalition_enforcement"]),
    ("actors.third_parties.0.stake_in_target=-1", ["stake_in_target", "within [0, 100]"]),
    ("actors.third_parties.0.trade_share=0.99", ["trade shares must sum"]),
    ("actors.third_parties.99.trade_share=0.1", ["list item 99"]),
    ("actors.third_parties.first.trade_share=0.1", ["list index"]),
    ("model.draws=0", ["model.draws", "allowed"]),
    ("model.draws=1.5", ["model.draws", "integer"]),
    ("model.equilibrium=best", ["model.equilibrium", "'stable'"]),
    ("instruments.deadline.months=[1, 2", ["VALUE is not a YAML value"]),
    ("no-equals-sign", ["PATH=VALUE"]),
    ("=1", ["empty path segment"]),
    ("instruments..kind=targeted", ["empty path segment"]),
]


@pytest.mark.parametrize(("override", "fragments"), BAD_OVERRIDES)
def test_bad_override_is_one_line(override: str, fragments: list[str]) -> None:
    with pytest.raises(InputError) as info:
        load_scenario("dprk-2017", [override])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("--set "), message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


BAD_FILES = [
    # (transform of the dprk-2017 text, fragments, line expected in the message)
    (
        lambda t: t.replace("kind: comprehensive", "kind: smart"),
        ["sanctions.kind", "'targeted'"],
        True,
    ),
    (
        lambda t: t.replace("  threat:\n", "  threat:\n    bogus: 1\n"),
        ["threat.bogus", "allowed:"],
        True,
    ),
    (
        lambda t: t.replace("    months: 6\n", "    months: six\n"),
        ["deadline.months", "allowed"],
        True,
    ),
    (
        lambda t: re.sub(r"(?m)^  exploited_regime_loss:.*\n", "", t),
        ["exploited_regime_loss", "missing"],
        True,
    ),
    (
        lambda t: t.replace(
            "escalation_dominance: {low: 0.3, high: 0.6}", "escalation_dominance: 7"
        ),
        ["escalation_dominance", "[0, 1]"],
        True,
    ),
    (lambda t: t.replace("  sanctions:\n", "  sanctions: [\n", 1), ["invalid YAML"], True),
    (
        lambda t: t.replace("id: parsing-fixture", "id: parsing-fixture\nid: again"),
        ["duplicate key 'id'"],
        True,
    ),
    (lambda t: "", ["empty"], False),
    (lambda t: "- a\n- b\n", ["list", "mapping"], False),
    (lambda t: "just a string", ["mapping"], False),
    (lambda t: "a: 2017-13-45\n", ["invalid YAML value"], False),
    (lambda t: "a: !!python/object:os.system ls\n", ["invalid YAML"], True),
    (lambda t: "\t- tab\n", ["invalid YAML"], True),
]


@pytest.mark.parametrize(("transform", "fragments", "has_line"), BAD_FILES)
def test_bad_file_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, transform, fragments, has_line
) -> None:
    # A short relative name: the message shortens names past 80 characters, and a worker's
    # tmp_path (pytest-xdist adds a directory) can be that long.
    monkeypatch.chdir(tmp_path)
    path = Path("bad.yaml")
    text = transform(DPRK_2017)
    assert text != DPRK_2017  # the transform found its line
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path)), message
    if has_line:
        assert message.startswith(f"{path}:"), message
        line = int(message[len(str(path)) + 1 :].split(":", 1)[0])
        assert 1 <= line <= DPRK_2017.count("\n") + 2
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_bad_field_points_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = DPRK_2017.replace("kind: comprehensive", "kind: smart")
    expected = next(i for i, line in enumerate(text.splitlines(), 1) if "kind: smart" in line)
    monkeypatch.chdir(tmp_path)  # a short name, as in test_bad_file_is_one_line
    path = Path("bad.yaml")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=rf"^{path}:{expected}: instruments\.sanctions\.kind"):
        load_scenario(path)


def test_missing_file_and_unknown_case(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match="no such file or bundled case; bundled cases: .*dprk-2017"
    ):
        load_scenario(tmp_path / "absent.yaml")
    with pytest.raises(InputError, match="no such file or bundled case"):
        load_scenario("dprk-1950")
    with pytest.raises(InputError, match="not a file"):
        load_scenario(tmp_path)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "binary.yaml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(InputError, match="bad|UTF-8|NUL"):
        load_scenario(path)


# ----------------------------------------------------------------------------------------
# Fuzz: random YAML and garbage never raise anything but InputError
# ----------------------------------------------------------------------------------------

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.text(max_size=10), children, max_size=4),
    ),
    max_leaves=12,
)


# where an error is: the file (with line where known) or the offending --set
_WHERE = re.compile(r"^(fuzz\.yaml(:\d+)?|--set .*?): ")


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _field_error_path(text: str) -> str | None:
    """The field path a validation error of ``text`` must name (None: not a field error).

    An oracle independent of the loader's formatting: parse the YAML and validate it
    directly; the first pydantic error's location (or, for a cross-field check with no
    location, the path at the start of its message) is the field in question.
    """
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        Scenario.model_validate(data)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        if error["loc"]:
            return _one_line(".".join(str(part) for part in error["loc"]))
        message = str(error["msg"]).removeprefix("Value error, ")
        match = re.match(r"^([\w.]+): ", message)
        return match.group(1) if match else None
    except (RecursionError, OverflowError, ArithmeticError):
        return None
    return None


def _check(text: str, overrides: list[str] | None = None) -> None:
    try:
        scenario_from_text(text, source="fuzz.yaml", overrides=overrides)
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message
        where = _WHERE.match(message)
        assert where is not None, f"does not name the file or --set: {message!r}"
        if overrides:
            return  # the --set names the path the user gave
        assert where.group(1).startswith("fuzz.yaml"), message
        path = _field_error_path(text)
        if path is not None:
            assert f": {path}: " in message, f"does not name the field {path!r}: {message!r}"


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_fuzz_garbage_text(text: str) -> None:
    _check(text)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(yaml_values)
def test_fuzz_random_yaml_documents(document: object) -> None:
    _check(yaml.safe_dump(document))


SCENARIO_DATA = yaml.safe_load(DPRK_2017)


def _leaf_paths(node: object, prefix: tuple = ()) -> list[tuple]:
    if isinstance(node, dict):
        return [p for k, v in node.items() for p in _leaf_paths(v, (*prefix, k))] or [prefix]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in _leaf_paths(v, (*prefix, i))] or [prefix]
    return [prefix]


LEAVES = _leaf_paths(SCENARIO_DATA)


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LEAVES), yaml_values)
def test_fuzz_mutated_scenario(path: tuple, value: object) -> None:
    data = json.loads(json.dumps(SCENARIO_DATA))
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    _check(yaml.safe_dump(data, sort_keys=False))


@settings(max_examples=FUZZ, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.sampled_from([".".join(map(str, p)) for p in LEAVES]),
        st.text(max_size=30),
    ),
    st.text(max_size=30),
)
def test_fuzz_overrides(path: str, value: str) -> None:
    setting = f"{path}={value}"
    try:
        scenario_from_text(DPRK_2017, source="fuzz.yaml", overrides=[setting])
    except InputError as exc:
        message = str(exc)
        assert "\n" not in message
        # the file itself is valid, so every error is the --set's, named as given: at the
        # start, or (a cross-field check failing elsewhere in the file) after the file's field
        named = f"--set {_one_line(setting)}"
        assert message.startswith(named) or (
            message.startswith("fuzz.yaml") and _one_line(f"(after --set {setting})") in message
        ), message


def test_field_errors_name_the_file_line_and_path() -> None:
    """Hand-picked field errors: file with line, dotted field path, what is allowed."""
    bad_kind = DPRK_2017.replace("kind: comprehensive", "kind: smart", 1)
    with pytest.raises(InputError) as info:
        scenario_from_text(bad_kind, source="case.yaml")
    assert re.match(r"^case\.yaml:\d+: instruments\.sanctions\.kind: ", str(info.value))
    assert "'comprehensive'" in str(info.value)
    with pytest.raises(InputError) as info:
        scenario_from_text(
            DPRK_2017, source="case.yaml", overrides=["instruments.assurance.credibility=1.5"]
        )
    message = str(info.value)
    assert message.startswith("--set instruments.assurance.credibility=1.5: ")
    assert "instruments.assurance.credibility: " in message and "[0, 1]" in message
    # an override that breaks a cross-field check (schema 2: unique party names) is named
    first = SCENARIO_DATA["actors"]["third_parties"][0]["name"]
    setting = f"actors.third_parties.1.name={first}"
    with pytest.raises(InputError) as info:
        scenario_from_text(DPRK_2017, source="case.yaml", overrides=[setting])
    message = str(info.value)
    assert "\n" not in message and setting in message
    assert "third party names must be unique" in message


# ----------------------------------------------------------------------------------------
# The CLI: exit status 2, one stderr line, no traceback
# ----------------------------------------------------------------------------------------


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "coercive.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["assess", "dprk-2017", "--set", "instruments.sanctions.kind=smart"],
        ["assess", "dprk-2017", "--set", "instruments.nothing=1"],
        ["assess", "dprk-2017", "--set", "instruments.threat.escalation_dominance=2"],
        ["assess", "dprk-2017", "--set", "instruments.deadline.months=soon", "--json"],
        ["assess", "dprk-2017", "--set", "missing-equals"],
        ["assess", "no-such-case"],
        ["assess", "/nonexistent/dir/scenario.yaml"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(
    args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # In this process, through the entry point (coercive.cli.main): the same handling of
    # errors as the installed command, without a second of interpreter start-up per case.
    code, out, err = run_cli(args, capsys)
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert out == ""


def test_cli_bad_yaml_file(tmp_path: Path) -> None:
    # A real process: the path must come back in the one line the shell user sees.
    path = tmp_path / "broken.yaml"
    path.write_text(DPRK_2017.replace("  sanctions:\n", "  sanctions: {\n", 1), encoding="utf-8")
    result = _cli("assess", str(path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert str(path) in result.stderr and "Traceback" not in result.stderr


def test_cli_assess_json() -> None:
    result = _cli("assess", "dprk-2017", "--json", "--set", "model.draws=300")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    for key in (
        "compliance",
        "credibility",
        "war",
        "pressure",
        "conditions",
        "binding",
        "calculus",
    ):
        assert key in data
    assert set(data["conditions"]) == {"threat", "deadline", "assurance", "inducement"}


def test_cli_assess_terminal_view(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["assess", "dprk-2018", "--set", "model.draws=300"], capsys)
    assert code == 0, err
    assert "Compliance" in out and "Binding condition" in out


# ----------------------------------------------------------------------------------------
# Issue 11, section 2: each reproduction is a regression test
# ----------------------------------------------------------------------------------------

BOMB = "\n".join(
    ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"a{k}: &a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 9)]
)


def _short_line(exc: pytest.ExceptionInfo[InputError]) -> str:
    message = str(exc.value)
    assert "\n" not in message and len(message) <= 300, message[:400]
    return message


def test_alias_bomb_file_is_refused_before_it_expands(tmp_path: Path) -> None:
    import time

    path = tmp_path / "bomb.yaml"
    path.write_text(BOMB, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(InputError, match="expands to more than 100,000 values") as info:
        load_scenario(path)
    assert time.perf_counter() - start < 2.0  # was 40 s and 4.8 GB
    _short_line(info)


def test_alias_bomb_in_a_set_value_is_refused() -> None:
    value = (
        "["
        + ", ".join(
            ["&a0 [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
            + [f"&a{k} [" + ", ".join([f"*a{k - 1}"] * 9) + "]" for k in range(1, 8)]
        )
        + "]"
    )
    with pytest.raises(InputError, match="expands to more than") as info:
        load_scenario("dprk-2017", [f"actors.target.name={value}"])
    _short_line(info)


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(InputError) as info:
        load_scenario("dprk-2017", ["actors.target={name: &a [*a]}"])
    _short_line(info)


def test_a_small_alias_is_fine_and_a_set_changes_one_place_only() -> None:
    text = DPRK_2017.replace(
        "  export_share: {low: 0.08, high: 0.11}", "  export_share: &share {low: 0.10, high: 0.11}"
    ).replace("  import_dependence: {low: 0.10, high: 0.14}", "  import_dependence: *share")
    assert "&share" in text and "*share" in text
    scenario = scenario_from_text(text, overrides=["economy.export_share.low=0.105"])
    assert scenario.economy.export_share.low == 0.105  # type: ignore[union-attr]
    assert scenario.economy.import_dependence.low == 0.10  # type: ignore[union-attr]


def test_merge_key_override_is_not_a_duplicate() -> None:
    text = DPRK_2017.replace(
        "  export_share: {low: 0.08, high: 0.11}", "  export_share: &share {low: 0.10, high: 0.11}"
    ).replace(
        "  import_dependence: {low: 0.10, high: 0.14}",
        "  import_dependence: {<<: *share, high: 0.14}",
    )
    scenario = scenario_from_text(text)
    assert scenario.economy.import_dependence.low == 0.10  # type: ignore[union-attr]
    assert scenario.economy.import_dependence.high == 0.14  # type: ignore[union-attr]
    # a real duplicate beside a merge key is still refused
    twice = text.replace("{<<: *share, high: 0.14}", "{<<: *share, high: 0.14, high: 0.2}")
    with pytest.raises(InputError, match="duplicate key 'high'"):
        scenario_from_text(twice)


@pytest.mark.parametrize(
    "override",
    [
        "actors.target={name: X, name: Y}",
        "instruments.threat.escalation_dominance={low: 0.1, low: 0.2, high: 0.3}",
    ],
)
def test_duplicate_keys_inside_a_set_value_are_refused(override: str) -> None:
    with pytest.raises(InputError, match="duplicate key") as info:
        load_scenario("dprk-2017", [override])
    _short_line(info)


@pytest.mark.parametrize("number", ["1:30", "1:30.5", "010", "-0:30"])
def test_yaml_11_base_60_and_octal_are_not_numbers(number: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="economy.gdp_usd_bn"):
        load_scenario("dprk-2017", [f"economy.gdp_usd_bn={number}"])
    path = tmp_path / "b60.yaml"
    path.write_text(
        re.sub(r"(?m)^  gdp_usd_bn: \S+", f"  gdp_usd_bn: {number}", DPRK_2017), encoding="utf-8"
    )
    with pytest.raises(InputError, match=r"b60.yaml:\d+: economy.gdp_usd_bn"):
        load_scenario(path)


def test_ordinary_numbers_still_read(tmp_path: Path) -> None:
    for text, expected in [("31", 31), ("3.1e1", 31.0), ("31e0", 31.0), ("1_000", 1000)]:
        assert load_scenario("dprk-2017", [f"economy.gdp_usd_bn={text}"]).economy.gdp_usd_bn == (
            expected
        )


@pytest.mark.parametrize("digit", ["²", "١", "٣", "①"])
def test_unicode_digits_are_not_list_indices(digit: str) -> None:
    with pytest.raises(InputError, match="expected a list index") as info:
        load_scenario("dprk-2017", [f"actors.third_parties.{digit}.trade_share=0.1"])
    _short_line(info)


def test_a_file_name_too_long_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="File name too long") as info:
        load_scenario(tmp_path / ("x" * 300 + ".yaml"))
    assert _short_line(info).startswith("...")  # the name is cut, keeping its end


def test_an_unsearchable_directory_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # (as root a chmod 000 directory stays searchable, so the OS error is simulated)
    def refuse(self: Path) -> bool:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_file", refuse)
    with pytest.raises(InputError, match=r"locked/case.yaml: cannot open \(Permission denied\)"):
        load_scenario("locked/case.yaml")


def test_huge_values_are_never_echoed_whole() -> None:
    big = "[" + ", ".join(["1"] * 200_001) + "]"
    with pytest.raises(InputError) as info:
        load_scenario("dprk-2017", [f"instruments.threat.escalation_dominance={big}"])
    _short_line(info)
    with pytest.raises(InputError) as info:
        load_scenario("dprk-2017", {"instruments.threat.escalation_dominance": "x" * 10**6})
    _short_line(info)


def test_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(DPRK_2017 + "\n#" + "x" * 1_000_000, encoding="utf-8")
    with pytest.raises(InputError, match="at most 1,000,000 bytes"):
        load_scenario(path)


def test_shown_survives_hostile_values() -> None:
    from coercive._errors import shown

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    assert "Hostile" in shown(Hostile()) and len(shown(Hostile())) <= 80
    assert len(shown("x" * 10**6)) <= 80
    nested: list = []
    nested.append(nested)
    assert len(shown(nested)) <= 80
    assert InputError("a\nb " + "c" * 1000).args[0].startswith("a b c")
    assert len(str(InputError("c" * 1000))) == 300
