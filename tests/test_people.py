"""The people view: one row per person (plus unlinked accounts), rendered as table, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date

from scanner.correlate import correlate
from scanner.inventory.model import SourceStatus, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.people import UNLINKED, people_rows, render_csv, render_json, render_table
from tests.fakes.people.accounts import (
    entra_user,
    github_member,
    iam_user,
    role_assignment,
    roster_entry,
)

ROSTER = SourceStatus(name="roster:team.csv", platform="roster", status="ok")


def inventory() -> Inventory:
    resources = (
        roster_entry("Ana Silva", "ana@acme.dev", github=["ana-silva"], entra_upn=["ana@acme.dev"], line=2),
        roster_entry("Dmitri Volkov", "dmitri@acme.dev", status="left", end_date="2026-11-10",
                     github=["dvolkov"], aws_iam_user=["dmitri"], line=3),
        roster_entry("Carla Mendes", "carla@lisbondevs.pt", employment_type="contractor", partner="Lisbon Devs Lda",
                     end_date="2027-03-31", github=["carla-m"], line=4),
        roster_entry("Zoe Nobody", "zoe@acme.dev", line=5),
        github_member("ana-silva", role="owner", is_admin=True, days_since_last_activity=3),
        github_member("dvolkov"),
        github_member("carla-m", role="outside_collaborator", is_outside_collaborator=True, mfa_enabled=False),
        github_member("build-bot-legacy", is_admin=True, mfa_enabled=False),
        iam_user("dmitri", active=False),
        iam_user("jenkins-ci", mfa_enabled=Unknown("needs iam:ListMFADevices")),
        entra_user("ana@acme.dev", "oid-ana", is_admin=True, days_since_last_activity=1),
        role_assignment("ra-ana", "oid-ana", "Owner"),
    )
    return Inventory(resources, (ROSTER,), "2026-11-20T09:00:00Z")


def rows_by_name() -> dict:
    return {row.name: row for row in people_rows(correlate(inventory(), date(2026, 11, 20)))}


def test_one_row_per_person_sorted_then_the_unlinked_accounts() -> None:
    rows = people_rows(correlate(inventory(), date(2026, 11, 20)))
    assert [row.name for row in rows] == ["Ana Silva", "Carla Mendes", "Dmitri Volkov", "Zoe Nobody", UNLINKED]


def test_a_person_row_holds_accounts_admin_mfa_and_exit() -> None:
    rows = rows_by_name()
    ana = rows["Ana Silva"]
    assert ana.github == ("acme/ana-silva (admin)",)
    assert ana.azure == ("ana@acme.dev (admin)",)
    assert ana.azure_roles == ("Owner on sub-1",)  # no subscription resource to name it
    assert ana.admin_platforms == ("azure", "github")
    assert (ana.mfa, ana.days_since_last_activity, ana.linked) == ("yes", 1, True)
    dmitri = rows["Dmitri Volkov"]
    assert (dmitri.status, dmitri.end_date, dmitri.days_since_exit) == ("left", "2026-11-10", 10)
    assert dmitri.aws == ("111122223333/dmitri (disabled)",)
    carla = rows["Carla Mendes"]
    assert carla.github == ("acme/carla-m (outside)",)
    assert (carla.employment_type, carla.partner, carla.mfa) == ("contractor", "Lisbon Devs Lda", "no")
    assert rows["Zoe Nobody"].mfa == "n/a" and rows["Zoe Nobody"].github == ()


def test_unlinked_accounts_are_grouped_in_one_row() -> None:
    unlinked = rows_by_name()[UNLINKED]
    assert unlinked.github == ("acme/build-bot-legacy (admin)",)
    assert unlinked.aws == ("111122223333/jenkins-ci",)
    assert (unlinked.admin_platforms, unlinked.mfa, unlinked.linked) == (("github",), "no", False)


def test_an_uncorrelated_inventory_is_correlated_as_of_its_collection_day() -> None:
    rows = {row.name: row for row in people_rows(inventory())}
    assert rows["Dmitri Volkov"].days_since_exit == 10


def test_without_a_roster_every_account_is_unlinked() -> None:
    accounts = tuple(r for r in inventory().resources if not r.type.startswith("roster."))
    rows = people_rows(Inventory(accounts, (), "2026-11-20T09:00:00Z"))
    assert [row.name for row in rows] == [UNLINKED]
    assert len(rows[0].github) == 4


def _blocks(table: str) -> dict[str, str]:
    """Each row's lines (a row starts where the first column is not blank), keyed by person."""
    blocks: dict[str, list[str]] = {}
    current = ""
    for line in table.splitlines()[2:]:
        if not line.startswith(" "):
            current = line.split("  ", 1)[0]
            blocks[current] = []
        blocks[current].append(line)
    return {name: "\n".join(lines) for name, lines in blocks.items()}


def test_table_has_one_block_per_row_and_dashes_for_empty_cells() -> None:
    table = render_table(people_rows(inventory()))
    lines = table.splitlines()
    assert lines[0].split()[:4] == ["Person", "Type", "Status", "Accounts"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    blocks = _blocks(table)
    assert len(blocks) == 5
    dmitri = blocks["Dmitri Volkov"]
    assert "left" in dmitri and "exited 10d ago" in dmitri and "aws: 111122223333/dmitri (disabled)" in dmitri
    assert render_table([]).endswith("(no accounts and no roster in this inventory)\n")


def test_table_fits_a_120_column_terminal_on_the_demo() -> None:
    from scanner.demo import load_demo  # the whole demo team: the widest real table we ship

    table = render_table(people_rows(load_demo()))
    assert max(len(line) for line in table.splitlines()) <= 120
    assert max(len(line) for line in render_table(people_rows(load_demo()), width=80).splitlines()) <= 80
    # Wrapping moves text, never drops it: the same characters as an unwrapped table.
    wide = render_table(people_rows(load_demo()), width=10_000)
    assert sorted("".join(table.split()).replace("-", "")) == sorted("".join(wide.split()).replace("-", ""))
    for row in people_rows(load_demo()):
        for account in (*row.github, *row.aws, *row.azure):
            assert account in wide


HOSTILE_ROSTER_NAMES = ("[/x]", "[link=http://evil]x[/link]", "\x1b]8;;http://evil\x07click\x1b]8;;\x07",
                        "Ana\n::add-mask::secret", "Bo\r::error::x", "=cmd|' /C calc'!A0", "  =1+1", "\t@SUM(A1)", "\n+1", "::error::x")


def test_table_and_csv_make_hostile_roster_names_inert() -> None:
    rows = [replace(people_rows(inventory())[0], name=name, partner=name) for name in HOSTILE_ROSTER_NAMES]
    table = render_table(rows)
    assert "\x1b" not in table and "\x07" not in table and "\r" not in table
    # Every line starts with our own column text or blanks, never with a workflow command.
    assert not any(line.lstrip().startswith("::") for line in table.splitlines())
    assert "Ana\\n::add-mask::secret" in render_table(rows, width=10_000)
    assert "\\::error::x" in render_table([replace(rows[0], name="::error::x")])
    records = list(csv.reader(io.StringIO(render_csv(rows), newline="")))[1:]
    names = [record[0] for record in records]
    for name, cell in zip(HOSTILE_ROSTER_NAMES, names, strict=True):
        if name.lstrip(" \t\r\n").startswith(("=", "+", "-", "@")) or name.startswith(("\t", "\r", "\n")):
            assert cell == "'" + name, name
        else:
            assert cell == name


def test_csv_round_trips_through_a_spreadsheet_reader() -> None:
    text = render_csv(people_rows(inventory()))
    records = list(csv.DictReader(io.StringIO(text)))
    assert [r["name"] for r in records][-1] == UNLINKED
    ana = records[0]
    assert ana["github"] == "acme/ana-silva (admin)" and ana["admin_platforms"] == "azure; github"
    assert ana["days_since_exit"] == "" and ana["linked"] == "yes"
    assert records[2]["days_since_exit"] == "10"


def test_json_keeps_lists_and_numbers() -> None:
    data = json.loads(render_json(people_rows(inventory())))
    assert data["schema"] == "posture.people/1"
    dmitri = next(p for p in data["people"] if p["name"] == "Dmitri Volkov")
    assert dmitri["days_since_exit"] == 10 and dmitri["github"] == ["acme/dvolkov"]
    assert dmitri["email"] == "dmitri@acme.dev"
