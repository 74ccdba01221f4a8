"""The policy loader: each validation stage rejects bad input with file:line and policy id."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import PolicyError
from scanner.inventory.types import ResourceType, attr
from scanner.policy.loader import baseline_dir, collect_policies, load_policies

TYPES = {
    "test.thing": ResourceType(
        "test.thing",
        "a thing",
        (attr("enabled", "boolean", "on"), attr("owners", "list", "owners"), attr("archived", "boolean", "archived")),
    )
}

GOOD = """
- id: thing_enabled
  title: Thing is enabled
  resource: test.thing
  severity: high
  when: "!resource.archived"
  assert: resource.enabled
  message: "{name} is off (owners: {owners})"
  remediation: Turn it on
  references: {guide: ZT-1, cis: "1.1"}
  tags: [identity]
- id: thing_few_owners
  title: Few owners
  resource: test.thing
  severity: medium
  assert: resource.owners.size() <= params.max_owners
  params: {max_owners: 3}
  message: "{name} has more than {params.max_owners} owners"
  remediation: Remove owners
  references: {guide: ZT-2}
"""


def errors_for(directory: Path) -> list[str]:
    return [str(e) for e in collect_policies([directory], types=TYPES)[1]]


def test_good_policies_load_with_source_lines(write_policies) -> None:
    policies = load_policies([write_policies(GOOD)], types=TYPES)
    assert [p.id for p in policies] == ["thing_enabled", "thing_few_owners"]
    assert policies[0].source.endswith("rules.yaml:1")
    assert policies[1].source.endswith("rules.yaml:11")
    assert policies[1].params == {"max_owners": 3}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- id: x_y\n  title: a: b\n", "rules.yaml:2: invalid YAML: mapping values are not allowed here"),
        ("id: thing\ntitle: not a list\n", "must be a YAML list of policies"),
        ("- just a string\n", "entry 1 is not a mapping"),
        (GOOD.replace("severity: high", "severity: hgh"), "rules.yaml:4 [thing_enabled]: severity: 'hgh' is not one of"),
        (GOOD.replace("  remediation: Turn it on\n", ""), "[thing_enabled]: 'remediation' is required"),
        (GOOD.replace("resource: test.thing\n  severity: high", "resource: test.thingy\n  severity: high"),
         "rules.yaml:3 [thing_enabled]: unknown resource type 'test.thingy'; known types: test.thing"),
        (GOOD.replace("assert: resource.enabled", "assert: resource.enabled &&"), "rules.yaml:6 [thing_enabled]: assert: CEL does not compile"),
        (GOOD.replace("assert: resource.enabled", "assert: resource.enabeld"),
         "[thing_enabled]: assert: test.thing has no attribute enabeld (see `posture resources test.thing`); did you mean enabled?"),
        (GOOD.replace('when: "!resource.archived"', 'when: "!resource.archive"'), "when: test.thing has no attribute archive"),
        (GOOD.replace("params.max_owners\n", "params.max\n"), "[thing_few_owners]: assert: params.max is not defined"),
        (GOOD.replace("{name} is off", "{nam} is off"), "message: placeholder {nam} names nothing on test.thing"),
        (GOOD.replace("Turn it on", "Turn {it} on"), "rules.yaml:8 [thing_enabled]: remediation: placeholder {it} names nothing"),
        (GOOD.replace("guide: ZT-1", "guide: ZT-9"), "references.guide: 'ZT-9' is not one of"),
        (GOOD.replace("id: thing_enabled", "id: Thing-Enabled"), "must be snake_case"),
        (GOOD.replace("  tags: [identity]", "  tags: [identity]\n  colour: blue"), "'colour' was unexpected"),
        (GOOD.replace("thing_few_owners", "thing_enabled"), "rules.yaml:11 [thing_enabled]: duplicate policy id (first defined at"),
    ],
)
def test_each_bad_input_is_one_clear_error(write_policies, text: str, expected: str) -> None:
    errors = errors_for(write_policies(text))
    assert errors, "the loader accepted invalid input"
    assert expected in errors[0]
    assert "\n" not in errors[0]


def test_duplicate_ids_across_files_name_both(write_policies) -> None:
    write_policies(GOOD, "a.yaml")
    directory = write_policies(GOOD.replace("severity: medium", "severity: low"), "b.yaml")
    errors = errors_for(directory)
    assert any("b.yaml:1 [thing_enabled]: duplicate policy id (first defined at" in e and "a.yaml:1" in e for e in errors)


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="no such policy file or directory"):
        load_policies([tmp_path / "nope"], types=TYPES)


def test_string_literals_do_not_count_as_attribute_references(write_policies) -> None:
    text = GOOD.replace("assert: resource.enabled", "assert: \"'resource.bogus' != '' && resource.enabled\"")
    assert load_policies([write_policies(text)], types=TYPES)[0].assert_attributes == {"enabled"}


def test_param_overrides_are_checked(write_policies) -> None:
    directory = write_policies(GOOD)
    policies = load_policies([directory], types=TYPES, param_overrides={"thing_few_owners": {"max_owners": 5}})
    assert policies[1].params["max_owners"] == 5
    with pytest.raises(PolicyError, match="no parameter 'max'"):
        load_policies([directory], types=TYPES, param_overrides={"thing_few_owners": {"max": 5}})
    with pytest.raises(PolicyError, match="must be int"):
        load_policies([directory], types=TYPES, param_overrides={"thing_few_owners": {"max_owners": "five"}})
    with pytest.raises(PolicyError, match="unknown policy 'nope'"):
        load_policies([directory], types=TYPES, param_overrides={"nope": {"max_owners": 5}})


def test_shipped_baseline_is_valid() -> None:
    policies, errors = collect_policies([baseline_dir()])
    assert not errors, [str(e) for e in errors]
    assert policies, "the baseline ships no policies"


yaml_scalars = st.one_of(st.text(max_size=20), st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
yaml_values = st.recursive(yaml_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300))
def test_fuzz_arbitrary_text_only_raises_policy_errors(tmp_path_factory, text: str) -> None:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "p.yaml").write_text(text, encoding="utf-8")
    try:
        load_policies([directory], types=TYPES)
    except PolicyError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entry=st.dictionaries(
    st.sampled_from(["id", "title", "resource", "severity", "when", "assert", "message", "remediation", "references", "tags", "params"]),
    yaml_values, max_size=11))
def test_fuzz_structured_entries_only_raise_policy_errors(tmp_path_factory, entry: dict) -> None:
    import yaml

    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "p.yaml").write_text(yaml.safe_dump([entry]), encoding="utf-8")
    try:
        load_policies([directory], types=TYPES)
    except PolicyError:
        pass


BOMB = GOOD.replace(
    "  params: {max_owners: 3}\n",
    "  params:\n    max_owners: 3\n"
    '    a: &a ["x","x","x","x","x","x","x","x","x","x"]\n'
    + "".join(f"    {n}: &{n} [{', '.join([f'*{p}'] * 10)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    + "    bomb: *i\n",
)


def test_yaml_alias_bomb_is_refused_fast_with_file_and_line(write_policies) -> None:
    import time
    import tracemalloc

    directory = write_policies(BOMB)  # 10^9 strings once expanded
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(PolicyError) as caught:
        load_policies([directory], types=TYPES)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert time.perf_counter() - started < 2.0 and peak < 20_000_000
    message = str(caught.value)
    assert "rules.yaml:18: YAML anchor &a: anchors and aliases are not allowed" in message
    assert "\n" not in message


def test_a_lone_alias_or_merge_key_is_refused_too(write_policies) -> None:
    merged = GOOD.replace("  references: {guide: ZT-1, cis: \"1.1\"}\n", "  references: &refs {guide: ZT-1, cis: \"1.1\"}\n")
    merged = merged.replace("  references: {guide: ZT-2}\n", "  references: *refs\n")
    assert any("YAML anchor &refs" in e for e in errors_for(write_policies(merged)))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("{max_owners: 3, big: [" + ", ".join(["1"] * 1200) + "]}", "params hold more than 1000 values"),
        ("{max_owners: 3, deep: [[[[1]]]]}", "params nest deeper than 3 levels"),
        ("{max_owners: 3, long: " + "x" * 1500 + "}", "a params string is 1500 characters"),
    ],
)
def test_params_are_capped(write_policies, params: str, expected: str) -> None:
    errors = errors_for(write_policies(GOOD.replace("{max_owners: 3}", params)))
    assert any(expected in e and "rules.yaml:16 [thing_few_owners]" in e for e in errors), errors


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("resource.enabled || " + " || ".join(["resource.archived"] * 200), "expression is 4216 characters; the limit is 2000"),
        ("resource.owners.all(a, resource.owners.all(b, resource.owners.exists(c, a + b + c == '')))",
         "comprehensions nest deeper than 2"),
        (" && ".join(["resource.owners.all(a, a != '')"] * 7), "more than 6 comprehensions"),
    ],
)
def test_costly_cel_is_refused_at_load(write_policies, expression: str, expected: str) -> None:
    errors = errors_for(write_policies(GOOD.replace("assert: resource.enabled", f'assert: "{expression}"')))
    assert any(expected in e and "rules.yaml:6 [thing_enabled]: assert:" in e for e in errors), errors


def test_comprehension_names_inside_string_literals_do_not_count(write_policies) -> None:
    expression = "resource.owners.all(a, a != '.all(.all(.all(x')"
    assert errors_for(write_policies(GOOD.replace("assert: resource.enabled", f'assert: "{expression}"'))) == []
