"""The platform registry: every descriptor is SDK-free and complete, and a platform registered from
outside the package (a toy, by monkeypatching the registry mapping) appears everywhere: in
``scan --help``, in posture.yaml parsing, in a scan, in people linking and the people sheet."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.collectors import PLATFORMS, platform
from scanner.inventory.types import ACCOUNT_KINDS, RESOURCE_TYPES

REPO = Path(__file__).resolve().parents[1]
ROSTER = REPO / "examples" / "roster.csv"


@pytest.mark.parametrize("name", sorted(PLATFORMS))
def test_descriptors_are_complete(name: str) -> None:
    descriptor = platform(name)
    assert descriptor.name == name
    flags = [o.flag for o in descriptor.options if o.flag]
    assert len(flags) == len(set(flags))
    for option in descriptor.options:
        assert option.help.endswith(".") or option.help.endswith(")"), option
        if option.csv:
            assert option.kind == "list"
    for type_name in descriptor.account_types:
        assert type_name in RESOURCE_TYPES and ACCOUNT_KINDS[type_name].platform == name
    assert descriptor.units is not None


def test_descriptors_import_no_sdk() -> None:
    # A fresh interpreter: the registry and every descriptor load without boto3, azure or requests.
    code = (
        "import sys; from scanner.collectors import platforms; platforms(); "
        "heavy = sorted(m for m in ('boto3', 'botocore', 'azure', 'requests', 'urllib3') if m in sys.modules); "
        "print(','.join(heavy))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True,
                          env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == ""


def test_units_split_collection() -> None:
    assert [u.key for u in platform("github").units({"orgs": ["a", "b"]})] == ["github:a", "github:b"]  # type: ignore[misc]
    assert [u.key for u in platform("aws").units({"organization": True, "accounts": ["111122223333"]})] == [  # type: ignore[misc]
        "aws:111122223333"]
    assert [u.key for u in platform("roster").units({"file": "/x/team.csv"})] == ["roster:/x/team.csv"]  # type: ignore[misc]


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(PLATFORMS, "toy", "tests.collectors.toy_platform:PLATFORM")


def test_a_toy_platform_shows_in_scan_help(posture, toy) -> None:
    help_text = posture("scan", "--help").out
    assert "--toy-team TEAM" in help_text and "--toy-token-file" in help_text
    assert "--toy-team" in posture("collect", "--help").out
    assert "--toy-team" not in posture("evaluate", "--help").out  # evaluate takes the roster's flags only


def test_a_toy_platform_in_posture_yaml(toy, tmp_path: Path, posture) -> None:
    from scanner.config import build_settings, read_config_file

    config = tmp_path / "posture.yaml"
    config.write_text("toy:\n  teams: [red]\n  token_file: secrets/toy.txt\n")
    settings = build_settings(read_config_file(config))
    assert settings.enabled_sources == ["toy"]
    assert settings.sources["toy"] == {"teams": ["red"], "token_file": str(tmp_path / "secrets" / "toy.txt")}
    for content, message in [("toy:\n  teams: [1]\n", "each item of toy.teams must be a str, got int"),
                             ("toy:\n  colour: red\n", "unknown setting 'toy.colour'"),
                             ("toy:\n  token_file: x\n", "toy: set toy.teams in the config (or --toy-team TEAM)"),
                             ("toy:\n  teams: [red-team]\n", "toy.teams: 'red-team' is not a team name")]:
        config.write_text(content)
        result = posture("collect", "--config", config, "-o", tmp_path / "s.json")
        assert result.code == 2 and message in result.err, result.err


def test_a_toy_platform_in_a_scan_and_the_people_sheet(toy, posture, tmp_path: Path) -> None:
    snap = tmp_path / "snap.json"
    result = posture("scan", "--toy-team", "red", "--roster", ROSTER, "--no-history", "--format", "json", "-o", snap)
    document = json.loads(result.out)
    assert {s["name"] for s in document["run"]["sources"]} == {"toy:red", "roster:roster.csv"}
    # Dmitri left on 2026-11-10 and still holds the toy account: the leaver policy sees it.
    leaver = next(f for f in document["findings"]
                  if f["policy"] == "people_leaver_all_access_revoked" and f["resource"]["name"] == "Dmitri Volkov")
    assert leaver["status"] == "FAIL" and "toy:red/dmitri" in leaver["message"]
    assert result.code == 1

    people = json.loads(posture("people", snap, "--format", "json").out)["people"]
    dmitri = next(p for p in people if p["name"] == "Dmitri Volkov")
    assert dmitri["toy"] == ["red/dmitri (admin)"] and dmitri["admin_platforms"] == ["toy"]
    table = posture("people", snap).out
    # The terminal table shares one Accounts cell (120 columns); the toy account is listed in it.
    assert re.search(r"Person\s+Type\s+Status\s+Accounts\s+Azure roles\s+MFA", table.splitlines()[0])
    assert "toy: red/dmitri (admin)" in table
    assert "toy" in posture("people", snap, "--format", "csv").out.splitlines()[0].split(",")


def test_a_toy_platform_secret_is_redacted(toy, posture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOY_TOKEN", "toy-secret-value-123")
    config = tmp_path / "posture.yaml"
    config.write_text("toy:\n  teams: [red]\n  explode: true\n")
    result = posture("collect", "--config", config, "-o", tmp_path / "s.json")
    assert result.code == 3
    assert "the toy collector stopped unexpectedly" in result.err
    assert "toy-secret-value-123" not in result.err and "***" in result.err


def test_the_distribution_name_and_one_extra_per_platform() -> None:
    import tomllib

    from scanner.collectors import platforms

    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == "posture-audit" and project["scripts"] == {"posture": "scanner.cli:main"}
    extras = project["optional-dependencies"]
    for descriptor in platforms():
        if descriptor.extra:
            assert descriptor.extra in extras, descriptor.name
            assert descriptor.extra in extras["all"][0], descriptor.name
    # The index's `posture` is someone else's project: no install line may name it.
    assert not re.search(r"pip install '?posture\[", (REPO / "README.md").read_text())


def test_policies_list_platform_filters_on_the_resource_platform(posture) -> None:
    listed = posture("policies", "list", "--platform", "aws", "--format", "json")
    policies = json.loads(listed.out)
    assert policies and {p["resource"].split(".")[0] for p in policies} == {"aws"}
    # A people policy on IAM users is an AWS policy (it reads aws.iam_user), whatever its id says.
    assert any(p["id"].startswith("people_") for p in policies)
