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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from scanner.correlate import (
    ENTRY_TYPE,
    PERSON_TYPE,
    Labels,
    account_kinds,
    correlate,
)
from scanner.inventory.model import Resource, Unknown
from scanner.inventory.snapshot import Inventory
from scanner.inventory.types import AccountKind

UNLINKED = "(unlinked)"
JSON_SCHEMA = "posture.people/1"


def sheet_platforms(kinds: Mapping[str, AccountKind] | None = None) -> list[tuple[str, str]]:
    """(name, title) of each platform with people's accounts, in registry order: the sheet's columns."""
    from scanner.collectors import platforms

    kinds = account_kinds() if kinds is None else kinds
    with_accounts = {k.platform for k in kinds.values() if not k.is_grant}
    listed = [(p.name, p.title) for p in platforms() if p.name in with_accounts]
    # Kinds of a platform not in the registry (a snapshot from a newer posture) still get a column.
    listed += [(name, name) for name in sorted(with_accounts - {n for n, _ in listed})]
    return listed


def grant_platforms(kinds: Mapping[str, AccountKind] | None = None) -> list[str]:
    """Platforms whose role assignments (grants) get a column of their own."""
    kinds = account_kinds() if kinds is None else kinds
    return list(dict.fromkeys(k.platform for k in kinds.values() if k.is_grant))


@dataclass(frozen=True)
class PersonRow:
    """One line of the access-review sheet. Account cells read ``scope/name`` (Entra: the UPN),
    flagged ``disabled`` (can no longer sign in), ``outside`` (GitHub outside collaborator),
    ``guest`` (Entra guest) and ``admin`` (owner/admin on the platform).

    ``accounts``: platform -> account cells; ``roles``: platform -> role assignments held. Both
    are also readable as attributes (``row.github``, ``row.azure_roles``), the names the JSON and
    CSV columns carry.
    """

    name: str
    email: str | None
    employment_type: str | None
    partner: str | None
    status: str | None
    end_date: str | None
    days_since_exit: int | None
    accounts: Mapping[str, tuple[str, ...]]
    roles: Mapping[str, tuple[str, ...]]
    admin_platforms: tuple[str, ...]
    mfa: str  # yes | no | unknown | n/a (no active account)
    days_since_last_activity: int | None
    linked: bool

    def __getattr__(self, name: str) -> tuple[str, ...]:
        # Only called for names that are not fields: "<platform>" or "<platform>_roles".
        fields = self.__dict__
        if name.endswith("_roles") and name[: -len("_roles")] in fields.get("roles", {}):
            return tuple(fields["roles"][name[: -len("_roles")]])
        if name in fields.get("accounts", {}):
            return tuple(fields["accounts"][name])
        raise AttributeError(name)

    def columns(self) -> dict[str, Any]:
        """The row as flat columns: fixed fields, one per platform, one per platform's roles."""
        data: dict[str, Any] = {
            "name": self.name, "email": self.email, "employment_type": self.employment_type,
            "partner": self.partner, "status": self.status, "end_date": self.end_date,
            "days_since_exit": self.days_since_exit,
        }
        data.update({platform: list(cells) for platform, cells in self.accounts.items()})
        data.update({f"{platform}_roles": list(cells) for platform, cells in self.roles.items()})
        data.update({
            "admin_platforms": list(self.admin_platforms), "mfa": self.mfa,
            "days_since_last_activity": self.days_since_last_activity, "linked": self.linked,
        })
        return data


def people_rows(inventory: Inventory, today: date | None = None) -> list[PersonRow]:
    """Rows for every roster person (by name), then one ``(unlinked)`` row if any account is.

    Correlates first when the inventory has not been correlated yet, as of ``today`` or else the
    day the inventory was collected.
    """
    if not _is_correlated(inventory):
        inventory = correlate(inventory, today or inventory.collected_on)
    kinds = account_kinds()
    accounts_by_id = {r.id: r for r in inventory.resources if r.type in kinds}
    labels = Labels.of(inventory.resources, kinds)
    columns = [name for name, _title in sheet_platforms(kinds)]
    grants = grant_platforms(kinds)
    rows = [_person_row(person, accounts_by_id, labels, columns, grants) for person in inventory.of_type(PERSON_TYPE)]
    rows.sort(key=lambda row: row.name.lower())
    unlinked = [
        r for r in inventory.resources
        if r.type in kinds and not kinds[r.type].is_grant and not isinstance(r.attributes.get("person"), dict)
    ]
    if unlinked:
        rows.append(_unlinked_row(unlinked, labels, columns, grants))
    return rows


def report_rows(inventory: Inventory) -> tuple[dict[str, Any], ...]:
    """The access-review rows for reports (the HTML People section); empty without a roster."""
    if not any(r.type == PERSON_TYPE for r in inventory.resources):
        return ()
    platforms = sheet_platforms()
    grants = grant_platforms()
    rows = []
    for row in people_rows(inventory):
        data: dict[str, Any] = {
            "person": row.name,
            "type": row.employment_type or "",
            "partner": row.partner or "",
            "status": row.status or "",
            "days since exit": "" if row.days_since_exit is None else row.days_since_exit,
        }
        for name, title in platforms:
            data[title] = list(row.accounts.get(name, ())) + (list(row.roles.get(name, ())) if name in grants else [])
        data["admin on"] = list(row.admin_platforms)
        data["MFA"] = row.mfa
        rows.append(data)
    return tuple(rows)


def _is_correlated(inventory: Inventory) -> bool:
    kinds = account_kinds()
    has_entries = False
    has_people = False
    for resource in inventory.resources:
        if resource.type in kinds and "link_method" not in resource.attributes:
            return False
        has_entries = has_entries or resource.type == ENTRY_TYPE
        has_people = has_people or resource.type == PERSON_TYPE
    return has_people or not has_entries


def _person_row(person: Resource, accounts_by_id: dict[str, Resource], labels: Labels, columns: Sequence[str],
                grants: Sequence[str]) -> PersonRow:
    attributes = person.attributes
    accounts = [accounts_by_id[i] for i in attributes.get("accounts", ()) if i in accounts_by_id]
    assignments = [accounts_by_id[i] for i in attributes.get("role_assignments", ()) if i in accounts_by_id]
    cells = _account_cells(accounts, labels, columns)
    roles: dict[str, list[str]] = {platform: [] for platform in grants}
    for assignment in assignments:
        roles.setdefault(_platform(assignment), []).append(labels.role_assignment(assignment))
    admin = attributes.get("admin_accounts") or []
    return PersonRow(
        name=person.name,
        email=_plain(attributes.get("email")),
        employment_type=_plain(attributes.get("employment_type")),
        partner=_plain(attributes.get("partner")),
        status=_plain(attributes.get("status")),
        end_date=_plain(attributes.get("end_date")),
        days_since_exit=_plain(attributes.get("days_since_exit")),
        accounts=cells,
        roles={platform: tuple(values) for platform, values in roles.items()},
        admin_platforms=tuple(sorted({label.split(":", 1)[0] for label in admin})),
        mfa=_mfa_cell(attributes.get("mfa_everywhere"), int(attributes.get("active_accounts") or 0)),
        days_since_last_activity=_plain(attributes.get("days_since_last_activity")),
        linked=True,
    )


def _unlinked_row(accounts: Sequence[Resource], labels: Labels, columns: Sequence[str],
                  grants: Sequence[str]) -> PersonRow:
    cells = _account_cells(accounts, labels, columns)
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
        days_since_exit=None, accounts=cells, roles={platform: () for platform in grants},
        admin_platforms=tuple(admin), mfa=mfa, days_since_last_activity=None, linked=False,
    )


def _account_cells(accounts: Iterable[Resource], labels: Labels, columns: Sequence[str]) -> dict[str, tuple[str, ...]]:
    cells: dict[str, list[str]] = {platform: [] for platform in columns}
    for account in sorted(accounts, key=lambda r: (r.type, r.scope, r.name)):
        label = labels.short_name(account)
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


def table_columns() -> list[tuple[str, str]]:
    """(title, column) of the terminal table: fixed fields around one column per platform."""
    platforms = sheet_platforms()
    return [
        ("Person", "name"), ("Type", "employment_type"), ("Partner", "partner"), ("Status", "status"),
        ("Days since exit", "days_since_exit"),
        *[(title, name) for name, title in platforms],
        *[(f"{dict(platforms).get(name, name)} roles", f"{name}_roles") for name in grant_platforms()],
        ("Admin on", "admin_platforms"), ("MFA", "mfa"), ("Idle days", "days_since_last_activity"),
    ]


def csv_columns() -> list[str]:
    return [
        "name", "email", "employment_type", "partner", "status", "end_date", "days_since_exit",
        *[name for name, _title in sheet_platforms()], *[f"{name}_roles" for name in grant_platforms()],
        "admin_platforms", "mfa", "days_since_last_activity", "linked",
    ]


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
    columns = table_columns()
    header = [title for title, _ in columns]
    body = [
        [_cell(row.columns().get(column), ", ") or "-" for _, column in columns]
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
    columns = csv_columns()
    writer.writerow(columns)
    for row in rows:
        values = row.columns()
        writer.writerow([_cell(values.get(column), "; ") for column in columns])
    return buffer.getvalue()


def render_json(rows: Sequence[PersonRow]) -> str:
    """``{"schema": "posture.people/1", "people": [...]}``; account lists stay lists."""
    people = [row.columns() for row in rows]
    return json.dumps({"schema": JSON_SCHEMA, "people": people}, indent=2) + "\n"


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}
