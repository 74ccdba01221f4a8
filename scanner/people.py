"""The people view: one row per person with their accounts across platforms, for access reviews.

``posture people`` prints it; the HTML report shows it as its People section. A row holds what
a security owner checks in the quarterly access review: the person's accounts per platform,
admin rights, MFA, roster status and days since exit. Accounts that link to no roster person
are grouped in one last row, ``(unlinked)``. Renderers return strings; the CLI writes them.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from scanner.correlate import (
    ACCOUNT_KINDS,
    ENTRY_TYPE,
    PERSON_TYPE,
    ROLE_ASSIGNMENT_TYPE,
    Labels,
    correlate,
)
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory

UNLINKED = "(unlinked)"
PLATFORMS: tuple[str, ...] = ("github", "aws", "azure")
JSON_SCHEMA = "posture.people/1"


@dataclass(frozen=True)
class PersonRow:
    """One line of the access-review sheet. Account cells read ``scope/name`` (Entra: the UPN),
    flagged ``disabled`` (can no longer sign in), ``outside`` (GitHub outside collaborator),
    ``guest`` (Entra guest) and ``admin`` (owner/admin on the platform)."""

    name: str
    email: str | None
    employment_type: str | None
    partner: str | None
    status: str | None
    end_date: str | None
    days_since_exit: int | None
    github: tuple[str, ...]
    aws: tuple[str, ...]
    azure: tuple[str, ...]
    azure_roles: tuple[str, ...]
    admin_platforms: tuple[str, ...]
    mfa: str  # yes | no | unknown | n/a (no active account)
    days_since_last_activity: int | None
    linked: bool

    def accounts(self, platform: str) -> tuple[str, ...]:
        value: tuple[str, ...] = getattr(self, platform)
        return value


def people_rows(inventory: Inventory, today: date | None = None) -> list[PersonRow]:
    """Rows for every roster person (by name), then one ``(unlinked)`` row if any account is.

    Correlates first when the inventory has not been correlated yet, as of ``today`` or else the
    day the inventory was collected.
    """
    if not _is_correlated(inventory):
        inventory = correlate(inventory, today or inventory.collected_on)
    accounts_by_id = {r.id: r for r in inventory.resources if r.type in ACCOUNT_KINDS or r.type == ROLE_ASSIGNMENT_TYPE}
    labels = Labels.of(inventory.resources)
    rows = [_person_row(person, accounts_by_id, labels) for person in inventory.of_type(PERSON_TYPE)]
    rows.sort(key=lambda row: row.name.lower())
    unlinked = [
        r for r in inventory.resources
        if r.type in ACCOUNT_KINDS and not isinstance(r.attributes.get("person"), dict)
    ]
    if unlinked:
        rows.append(_unlinked_row(unlinked))
    return rows


def _is_correlated(inventory: Inventory) -> bool:
    has_entries = False
    has_people = False
    for resource in inventory.resources:
        if resource.type in ACCOUNT_KINDS and "link_method" not in resource.attributes:
            return False
        has_entries = has_entries or resource.type == ENTRY_TYPE
        has_people = has_people or resource.type == PERSON_TYPE
    return has_people or not has_entries


def _person_row(person: Resource, accounts_by_id: dict[str, Resource], labels: Labels) -> PersonRow:
    attributes = person.attributes
    accounts = [accounts_by_id[i] for i in attributes.get("accounts", ()) if i in accounts_by_id]
    assignments = [accounts_by_id[i] for i in attributes.get("role_assignments", ()) if i in accounts_by_id]
    cells = _account_cells(accounts)
    admin = attributes.get("admin_accounts") or []
    return PersonRow(
        name=person.name,
        email=_plain(attributes.get("email")),
        employment_type=_plain(attributes.get("employment_type")),
        partner=_plain(attributes.get("partner")),
        status=_plain(attributes.get("status")),
        end_date=_plain(attributes.get("end_date")),
        days_since_exit=_plain(attributes.get("days_since_exit")),
        github=cells["github"],
        aws=cells["aws"],
        azure=cells["azure"],
        azure_roles=tuple(labels.role_assignment(a) for a in assignments),
        admin_platforms=tuple(sorted({label.split(":", 1)[0] for label in admin})),
        mfa=_mfa_cell(attributes.get("mfa_everywhere"), int(attributes.get("active_accounts") or 0)),
        days_since_last_activity=_plain(attributes.get("days_since_last_activity")),
        linked=True,
    )


def _unlinked_row(accounts: Sequence[Resource]) -> PersonRow:
    cells = _account_cells(accounts)
    active = [a for a in accounts if a.attributes.get("active") is True]
    admin = sorted({_platform(a) for a in active if a.attributes.get("is_admin") is True})
    mfa_values = [a.attributes.get("mfa_enabled") for a in active]
    if any(v is False for v in mfa_values):
        mfa = "no"
    elif not active:
        mfa = "n/a"
    elif all(v is True for v in mfa_values):
        mfa = "yes"
    else:
        mfa = "unknown"
    return PersonRow(
        name=UNLINKED, email=None, employment_type=None, partner=None, status=None, end_date=None,
        days_since_exit=None, github=cells["github"], aws=cells["aws"], azure=cells["azure"], azure_roles=(),
        admin_platforms=tuple(admin), mfa=mfa, days_since_last_activity=None, linked=False,
    )


def _account_cells(accounts: Iterable[Resource]) -> dict[str, tuple[str, ...]]:
    cells: dict[str, list[str]] = {platform: [] for platform in PLATFORMS}
    for account in sorted(accounts, key=lambda r: (r.type, r.scope, r.name)):
        label = account.name if _platform(account) == "azure" else f"{account.scope}/{account.name}"
        flags = []
        if account.attributes.get("active") is False:
            flags.append("disabled")
        elif isinstance(account.attributes.get("active"), Unknown):
            flags.append("enabled?")
        if account.attributes.get("is_outside_collaborator") is True:
            flags.append("outside")
        if account.attributes.get("is_guest") is True:
            flags.append("guest")
        if account.attributes.get("is_admin") is True:
            flags.append("admin")
        if flags:
            label = f"{label} ({', '.join(flags)})"
        cells.setdefault(_platform(account), []).append(label)
    return {platform: tuple(values) for platform, values in cells.items()}


def _mfa_cell(value: Any, active_accounts: int) -> str:
    if active_accounts == 0:
        return "n/a"
    if isinstance(value, Unknown):
        return "unknown"
    return "yes" if value is True else "no"


def _platform(resource: Resource) -> str:
    return resource.type.split(".", 1)[0]


def _plain(value: Any) -> Any:
    return None if isinstance(value, Unknown) else value


# Renderers


TABLE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Person", "name"),
    ("Type", "employment_type"),
    ("Partner", "partner"),
    ("Status", "status"),
    ("Days since exit", "days_since_exit"),
    ("GitHub", "github"),
    ("AWS", "aws"),
    ("Azure", "azure"),
    ("Azure roles", "azure_roles"),
    ("Admin on", "admin_platforms"),
    ("MFA", "mfa"),
    ("Idle days", "days_since_last_activity"),
)

CSV_COLUMNS: tuple[str, ...] = (
    "name", "email", "employment_type", "partner", "status", "end_date", "days_since_exit",
    "github", "aws", "azure", "azure_roles", "admin_platforms", "mfa", "days_since_last_activity", "linked",
)


def _cell(value: Any, separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return separator.join(str(v) for v in value)
    return str(value)


def render_table(rows: Sequence[PersonRow]) -> str:
    """A plain-text table for a terminal or a ticket; empty cells print as '-'."""
    header = [title for title, _ in TABLE_COLUMNS]
    body = [
        [_cell(getattr(row, attribute), ", ") or "-" for _, attribute in TABLE_COLUMNS]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out.extend(line(cells) for cells in body)
    if not rows:
        out.append("(no accounts and no roster in this inventory)")
    return "\n".join(out) + "\n"


def render_csv(rows: Sequence[PersonRow]) -> str:
    """CSV with one column per field; several accounts in one cell are separated by '; '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([_cell(getattr(row, column), "; ") for column in CSV_COLUMNS])
    return buffer.getvalue()


def render_json(rows: Sequence[PersonRow]) -> str:
    """``{"schema": "posture.people/1", "people": [...]}``; account lists stay lists."""
    people = []
    for row in rows:
        data = asdict(row)
        people.append({key: list(value) if isinstance(value, tuple) else value for key, value in data.items()})
    return json.dumps({"schema": JSON_SCHEMA, "people": people}, indent=2) + "\n"


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}
