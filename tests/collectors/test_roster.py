"""The roster collector: CSV and JSON rosters, HR presets, bad rows reported by line, settings errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from scanner.collectors import load_collector
from scanner.collectors.base import CollectContext, CollectResult
from scanner.collectors.roster import PRESETS, RosterCollector
from scanner.errors import ConfigError
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.types import RESOURCE_TYPES, problems_with

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
HEADER = "name,email,employment_type,partner,status,start_date,end_date,github,aws_iam_user,entra_upn\n"


@pytest.fixture
def context() -> CollectContext:
    return CollectContext(concurrency=1, clock=lambda: NOW)


@pytest.fixture
def roster(tmp_path: Path, context: CollectContext) -> Callable[..., CollectResult]:
    """Write ``text`` to a roster file and collect it through the registry, as the CLI does."""

    def run(text: str | bytes, name: str = "team.csv", **settings: Any) -> CollectResult:
        path = tmp_path / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        collector = load_collector("roster")({"file": str(path), **settings}, context)
        return collector.collect()

    return run


def entries(result: CollectResult) -> dict[str, Resource]:
    return {r.name: r for r in result.resources}


def test_the_example_roster_reads_cleanly(context: CollectContext) -> None:
    result = load_collector("roster")({"file": str(REPO / "examples" / "roster.csv")}, context).collect()
    (source,) = result.sources
    assert (source.name, source.platform, source.status, source.errors) == ("roster:roster.csv", "roster", "ok", ())
    assert source.started_at == "2026-11-20T09:00:00Z" and source.api_calls == {"file.read": 1}
    people = entries(result)
    assert len(people) >= 6
    assert all(problems_with(r, RESOURCE_TYPES["roster.entry"]) == [] for r in result.resources)
    dmitri = people["Dmitri Volkov"].attributes
    assert (dmitri["status"], dmitri["end_date"], dmitri["aws_iam_user"]) == ("left", "2026-11-10", ["dmitri"])
    carla = people["Carla Mendes"]
    assert carla.id == "roster:entry/carla@lisbondevs.pt" and carla.scope == "roster:roster.csv"
    assert (carla.attributes["employment_type"], carla.attributes["partner"]) == ("contractor", "Lisbon Devs Lda")


def test_the_demo_roster_is_the_example_roster() -> None:
    from scanner.demo.make_people import build

    shipped = json.loads((REPO / "scanner" / "demo" / "people.json").read_text())
    assert shipped == json.loads(json.dumps(build().to_json()))


def test_several_handles_split_on_semicolons_and_emails_lower_case(roster: Callable[..., CollectResult]) -> None:
    result = roster(HEADER + 'Ana Silva,Ana@Northwind.DEV,employee,,active,,,"ana-silva; @ana-alt ;",,ana@northwind.dev\n')
    ana = entries(result)["Ana Silva"].attributes
    assert ana["github"] == ["ana-silva", "ana-alt"]
    assert ana["email"] == "ana@northwind.dev"
    assert ana["start_date"] is None and ana["aws_iam_user"] == []
    assert result.sources[0].status == "ok"


def test_bad_rows_are_reported_with_their_line_numbers(roster: Callable[..., CollectResult]) -> None:
    text = HEADER + "\n".join([  # noqa: FLY002 - one commented row per line
        "Ana Silva,ana@nw.dev,employee,,active,2021-03-01,,ana,,",                  # 2 fine
        "Bo Chen,bo@nw.dev,intern-ish,,active,,,bochen,,",                           # 3 bad employment type
        'Carla Mendes,carla@ld.pt,contractor,"Lisbon Devs, Lda",active,,31/03/2027,carla-m,,',  # 4 bad date
        "Dmitri Volkov,dmitri@nw.dev,employee,,left,,,dvolkov,dmitri,",               # 5 left without end date
        "Ana Again,ANA@nw.dev,employee,,active,,,,,",                                 # 6 duplicate email
        ",,employee,,active,,,,,",                                                     # 7 names no one
        "Eve Okafor,not-an-email,vendor,Acme,active,,,,,",                            # 8 bad email
        "Fay Wu,fay@nw.dev,employee,,active,,,ANA,,",                                 # 9 handle taken
        "Gus,gus@nw.dev,employee,,,,,,,",                                              # 10 status empty
        "Hal,hal@nw.dev,employee,,active,,,,,,extra",                                 # 11 extra cell
        "",
    ])
    result = roster(text)
    (source,) = result.sources
    assert source.status == "partial" and source.error_kind == "api"
    assert source.errors == (
        "team.csv line 3: employment_type 'intern-ish' is not one of employee, contractor, vendor",
        "team.csv line 4: end_date '31/03/2027' is not an ISO date (YYYY-MM-DD)",
        "team.csv line 5: Dmitri Volkov has status left but no end_date; days since exit cannot be counted",
        "team.csv line 6: email ana@nw.dev already appears at line 2; row ignored",
        "team.csv line 7: no name and no valid email: the row names no one; row ignored",
        "team.csv line 8: email 'not-an-email' is not an email address",
        "team.csv line 9: github 'ANA' already belongs to Ana Silva (line 2); not linked to Fay Wu",
        "team.csv line 10: status is empty; use one of active, left",
        "team.csv line 11: 1 more cells than header columns (a stray delimiter?); extra cells ignored",
    )
    people = entries(result)
    # Rows that still name someone are kept, with what could not be read as Unknown.
    assert set(people) == {"Ana Silva", "Bo Chen", "Carla Mendes", "Dmitri Volkov", "Eve Okafor", "Fay Wu", "Gus", "Hal"}
    assert isinstance(people["Bo Chen"].attributes["employment_type"], Unknown)
    assert "line 3" in people["Bo Chen"].attributes["employment_type"].reason
    assert isinstance(people["Carla Mendes"].attributes["end_date"], Unknown)
    assert people["Carla Mendes"].attributes["partner"] == "Lisbon Devs, Lda"
    assert isinstance(people["Eve Okafor"].attributes["email"], Unknown)
    assert people["Fay Wu"].attributes["github"] == []
    assert isinstance(people["Gus"].attributes["status"], Unknown)
    assert all(problems_with(r, RESOURCE_TYPES["roster.entry"]) == [] for r in result.resources)


def test_line_numbers_stay_right_after_a_multi_line_cell(roster: Callable[..., CollectResult]) -> None:
    text = HEADER + 'Ana Silva,ana@nw.dev,employee,"Partner\nwith a newline",active,,,,,\nBo,bo@nw.dev,employee,,retired,,,,,\n'
    result = roster(text)
    assert result.sources[0].errors == ("team.csv line 4: status 'retired' is not one of active, left",)
    assert entries(result)["Bo"].attributes["line"] == 4


def test_semicolon_csv_with_a_bom_from_a_spreadsheet(roster: Callable[..., CollectResult]) -> None:
    text = "\ufeffName;Email;Employment_Type;Status;End_Date;GitHub\nAna;ana@nw.dev;Employee;Active;;ana\n"
    result = roster(text.encode("utf-8"))
    ana = entries(result)["Ana"].attributes
    assert (ana["employment_type"], ana["status"], ana["github"]) == ("employee", "active", ["ana"])
    assert result.sources[0].status == "ok"


def test_unmapped_columns_are_named_in_the_notes(roster: Callable[..., CollectResult]) -> None:
    result = roster("name,email,employment_type,status,Department\nAna,ana@nw.dev,employee,active,Platform\n")
    assert result.sources[0].notes == ("ignored columns (not roster fields): Department",)


def test_json_roster_with_lists_and_line_numbers(roster: Callable[..., CollectResult]) -> None:
    people = [
        {"name": "Ana", "email": "ana@nw.dev", "employment_type": "employee", "status": "active",
         "github": ["ana", "ana-alt"], "entra_upn": "ana@nw.dev"},
        {"name": "Bo", "email": "bo@nw.dev", "employment_type": "vendor", "status": "left", "end_date": "2026-13-01"},
        "not a person",
    ]
    result = roster(json.dumps(people, indent=2), name="team.json")
    ana = entries(result)["Ana"].attributes
    assert ana["github"] == ["ana", "ana-alt"] and ana["entra_upn"] == ["ana@nw.dev"] and ana["line"] == 2
    assert result.sources[0].errors == (
        "team.json line 13: end_date '2026-13-01' is not an ISO date (YYYY-MM-DD)",
        "team.json line 20: expected an object with name, email, ... but found str; row ignored",
    )


def test_json_roster_wrapped_in_an_object_counts_items(roster: Callable[..., CollectResult]) -> None:
    data = {"people": [{"name": "Ana", "email": "ana@nw.dev", "employment_type": "staff", "status": "active"}]}
    result = roster(json.dumps(data), name="team.json")
    assert result.sources[0].errors == ("team.json item 1: employment_type 'staff' is not one of employee, contractor, vendor",)


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ("", "team.csv", "the roster file is empty"),
        ("{not json", "team.json", "not valid JSON at line 1 column 2"),
        ('{"count": 3}', "team.json", 'a JSON roster is a list of people'),
        ("email,github\nana@nw.dev,ana\n", "team.csv", "the roster has no employment_type or status column"),
        ("login,team\nana,x\n", "team.csv", "the roster has no name or employment_type or status column"),
    ],
)
def test_a_file_that_is_not_a_roster_fails_the_source(
    roster: Callable[..., CollectResult], text: str, name: str, expected: str
) -> None:
    result = roster(text, name=name)
    (source,) = result.sources
    assert source.status == "failed" and result.resources == ()
    assert expected in source.errors[0] and name in source.errors[0]


def test_a_file_that_is_not_utf8_fails_with_a_hint(roster: Callable[..., CollectResult]) -> None:
    result = roster(HEADER.encode() + "José,jose@nw.dev,employee,,active,,,,,\n".encode("latin-1"))
    assert result.sources[0].status == "failed" and "save it as UTF-8" in result.sources[0].errors[0]


def test_bamboohr_preset(roster: Callable[..., CollectResult]) -> None:
    text = (
        "Employee #,First Name,Last Name,Work Email,Employment Status,Status,Hire Date,Termination Date,Department\n"
        "1,Ana,Silva,ana@nw.dev,Full-Time,Active,2021-03-01,,Eng\n"
        "2,Dmitri,Volkov,dmitri@nw.dev,Full-Time,Inactive,2020-01-06,2026-11-10,Eng\n"
        "3,Carla,Mendes,carla@ld.pt,Contractor,Active,2025-09-01,,Eng\n"
    )
    result = roster(text, mapping="bamboohr")
    people = entries(result)
    assert people["Dmitri Volkov"].attributes["status"] == "left"
    assert people["Dmitri Volkov"].attributes["end_date"] == "2026-11-10"
    assert people["Carla Mendes"].attributes["employment_type"] == "contractor"
    assert result.sources[0].status == "ok"
    assert result.sources[0].notes == (
        "columns mapped with the bamboohr preset",
        "ignored columns (not roster fields): Employee #, Department",
    )


def test_workday_preset_takes_the_first_non_empty_end_date(roster: Callable[..., CollectResult]) -> None:
    text = (
        "Worker,Primary Work Email,Worker Type,Active Status,Hire Date,Termination Date,Contract End Date,Supplier\n"
        "Carla Mendes,carla@ld.pt,Contingent Worker,Yes,2025-09-01,,2027-03-31,Lisbon Devs Lda\n"
        "Dmitri Volkov,dmitri@nw.dev,Employee,No,2020-01-06,2026-11-10T00:00:00,,\n"
    )
    people = entries(roster(text, mapping="Workday"))
    carla = people["Carla Mendes"].attributes
    assert (carla["employment_type"], carla["end_date"], carla["partner"]) == ("contractor", "2027-03-31", "Lisbon Devs Lda")
    assert (people["Dmitri Volkov"].attributes["status"], people["Dmitri Volkov"].attributes["end_date"]) == ("left", "2026-11-10")


def test_personio_preset(roster: Callable[..., CollectResult]) -> None:
    text = "First name;Last name;Email;Employment type;Status;Contract ends\nEve;Okafor;eve@acme.io;external;leave;2026-12-31\n"
    eve = entries(roster(text, mapping="personio"))["Eve Okafor"].attributes
    assert (eve["employment_type"], eve["status"], eve["end_date"]) == ("contractor", "active", "2026-12-31")


def test_explicit_mapping(roster: Callable[..., CollectResult]) -> None:
    text = "Full Name,Mail,Kind,State,GH\nAna,ana@nw.dev,employee,active,ana\n"
    mapping = {"Full Name": "name", "Mail": "email", "Kind": "employment_type", "State": "status", "GH": "github"}
    ana = entries(roster(text, mapping=mapping))["Ana"].attributes
    assert (ana["email"], ana["github"]) == ("ana@nw.dev", ["ana"])


def test_presets_only_name_roster_fields() -> None:
    from scanner.collectors.roster import FIELDS

    assert {target for preset in PRESETS.values() for target in preset.values()} <= set(FIELDS)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"file": None}, "roster.file: name the roster file"),
        ({"file": "/nonexistent/team.csv"}, "roster.file: /nonexistent/team.csv does not exist"),
        ({"format": "xlsx"}, "roster.format: 'xlsx' is not one of auto, csv, json"),
        ({"mapping": "sap"}, "roster.mapping: unknown preset 'sap'; presets: bamboohr, workday, personio"),
        ({"mapping": {"Mail": "e-mail"}}, "roster.mapping: 'Mail' -> 'e-mail' must map a column name to one of"),
        ({"mapping": 3}, "roster.mapping: give a preset name or a mapping"),
    ],
)
def test_bad_settings_raise_config_errors_naming_the_field(
    tmp_path: Path, context: CollectContext, settings: dict[str, Any], message: str
) -> None:
    path = tmp_path / "team.csv"
    path.write_text(HEADER)
    with pytest.raises(ConfigError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        RosterCollector({"file": str(path), **settings}, context)


def test_format_json_reads_a_file_without_a_json_suffix(roster: Callable[..., CollectResult]) -> None:
    data = [{"name": "Ana", "email": "ana@nw.dev", "employment_type": "employee", "status": "active"}]
    result = roster(json.dumps(data), name="export.txt", format="json")
    assert result.sources[0].status == "ok" and len(result.resources) == 1


def test_the_roster_file_is_only_read(roster: Callable[..., CollectResult], tmp_path: Path) -> None:
    text = HEADER + "Ana,ana@nw.dev,employee,,active,,,,,\n"
    roster(text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["team.csv"]
    assert (tmp_path / "team.csv").read_text() == text


def test_security_onboarding_date_column_and_presets(roster: Callable[..., CollectResult]) -> None:
    result = roster(HEADER.rstrip("\n") + ",security_onboarding_date\n"
                    "Ana Silva,ana@nw.dev,employee,,active,2021-03-01,,,,,2021-03-03T09:30:00Z\n"
                    "Bo Chen,bo@nw.dev,employee,,active,2022-06-13,,,,,\n"
                    "Eve Okafor,eve@acme.io,vendor,Acme,active,2026-02-01,,,,,20.02.2026\n")
    plain = entries(result)
    assert plain["Ana Silva"].attributes["security_onboarding_date"] == "2021-03-03"
    assert plain["Bo Chen"].attributes["security_onboarding_date"] is None  # not completed
    # A date that is not ISO is Unknown on the entry and a bad row in the source status.
    assert isinstance(plain["Eve Okafor"].attributes["security_onboarding_date"], Unknown)
    assert result.sources[0].status == "partial"
    assert result.sources[0].errors == (
        "team.csv line 4: security_onboarding_date '20.02.2026' is not an ISO date (YYYY-MM-DD)",)
    bamboo = entries(roster("First Name,Last Name,Work Email,Employment Status,Status,Security Onboarding Date\n"
                            "Ana,Silva,ana@nw.dev,Full-Time,Active,2021-03-03\n", mapping="bamboohr"))
    workday = entries(roster("Worker,Primary Work Email,Worker Type,Active Status,Security Onboarding Completed\n"
                             "Ana Silva,ana@nw.dev,Employee,Yes,2021-03-03\n", mapping="workday"))
    personio = entries(roster("First name;Last name;Email;Employment type;Status;Security onboarding date\n"
                              "Ana;Silva;ana@nw.dev;internal;active;2021-03-03\n", mapping="personio"))
    for people in (bamboo, workday, personio):
        assert people["Ana Silva"].attributes["security_onboarding_date"] == "2021-03-03"
