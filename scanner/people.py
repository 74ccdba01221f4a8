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
import textwrap
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
from scanner.outputs.safe import defuse_formula, no_command, one_line

UNLINKED = "(unlinked)"
JSON_SCHEMA = "posture.people/1"


def sheet_platforms(kinds: Mapping[str, AccountKind] | None = None) -> list[tuple[str, str]]:
    """(name, title) of each platform with people's accounts, in registry order: the sheet's columns."""
    from scanner.collectors import platforms

    kinds = account_kinds() if kinds is None else kinds
    with_accounts = {k.platform for k in kinds.values() if not k.is_grant and not k.device}  # devices are not accounts
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
    accounts_by_id = {r.id: r for r in inventory.resources if r.type in kinds and kinds[r.type].covers(r)}
    labels = Labels.of(inventory.resources, kinds)
    columns = [name for name, _title in sheet_platforms(kinds)]
    grants = grant_platforms(kinds)
    rows = [_person_row(person, accounts_by_id, labels, columns, grants) for person in inventory.of_type(PERSON_TYPE)]
    rows.sort(key=lambda row: row.name.lower())
    unlinked = [
        r for r in inventory.resources
        if r.type in kinds and kinds[r.type].covers(r) and not kinds[r.type].is_grant and not kinds[r.type].device
        and not isinstance(r.attributes.get("person"), dict)
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
    """(title, column) of the terminal table. Every platform's accounts share one Accounts cell
    (one account a line, prefixed by its platform) so the table fits a 120-column terminal; CSV
    and JSON keep one column per platform."""
    return [
        ("Person", "name"), ("Type", "employment_type"), ("Status", "status"), ("Accounts", "accounts"),
        *[(f"{dict(sheet_platforms()).get(name, name)} roles", f"{name}_roles") for name in grant_platforms()],
        ("MFA", "mfa"), ("Idle", "days_since_last_activity"),
    ]


# The table fits a 120-column terminal: cells wrap within these caps and Accounts takes the rest
# ("admin" is flagged on each account; CSV and JSON keep every field, admin_platforms included).
TABLE_WIDTH = 120
_CAPS = {"name": 18, "employment_type": 14, "status": 14, "mfa": 7, "days_since_last_activity": 4}
_ROLE_CAP = 22
_MIN_COLUMN = 6


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


def _table_lines(row: PersonRow, attribute: str) -> list[str]:
    """The lines of one table cell; every value one line, control characters made visible."""
    values = row.columns()
    value = values.get(attribute)
    if attribute == "employment_type":
        partner = values.get("partner")
        lines = [_cell(value, ", ")] + ([f"via {partner}"] if partner else [])
    elif attribute == "status":
        days = values.get("days_since_exit")
        lines = [_cell(value, ", ")] + ([f"exited {days}d ago"] if days is not None else [])
    elif attribute == "accounts":
        lines = [f"{platform}: {account}" for platform, _title in sheet_platforms()
                 for account in row.accounts.get(platform, ()) or ()]
    elif isinstance(value, (list, tuple)):
        lines = [_cell(v, ", ") for v in value]
    else:
        lines = [_cell(value, ", ")]
    lines = [one_line(line) for line in lines if line]
    return lines or ["-"]


def _fit(natural: list[int], minimum: list[int], width: int, gap: int) -> list[int]:
    """Column widths summing (with gaps) to at most ``width``: the widest column gives way first."""
    widths = list(natural)
    while sum(widths) + gap * (len(widths) - 1) > width:
        widest = max(range(len(widths)), key=lambda i: (widths[i] - minimum[i], widths[i]))
        if widths[widest] <= minimum[widest]:
            break
        widths[widest] -= 1
    return widths


def render_table(rows: Sequence[PersonRow], width: int = TABLE_WIDTH) -> str:
    """A plain-text table for a terminal or a ticket, at most ``width`` characters wide: one
    account per line in the Accounts cell, long cells wrapped; empty cells print as '-'."""
    columns = table_columns()
    header = [title for title, _ in columns]
    cells = [[_table_lines(row, attribute) for _, attribute in columns] for row in rows]
    natural = [max([len(header[i])] + [len(line) for row in cells for line in row[i]]) for i in range(len(header))]
    capped = natural
    if sum(natural) + 2 * (len(natural) - 1) > width:
        capped = [min(natural[i], _CAPS.get(attribute, _ROLE_CAP if attribute.endswith("_roles") else natural[i]))
                  for i, (_, attribute) in enumerate(columns)]
    minimum = [min(capped[i], max(_MIN_COLUMN, len(header[i]))) for i in range(len(header))]
    widths = _fit(capped, minimum, width, 2)

    def wrap(lines: list[str], size: int) -> list[str]:
        out: list[str] = []
        for line in lines:
            pieces = textwrap.wrap(line, size, break_long_words=True, break_on_hyphens=False) or [""]
            if any(piece.startswith("::") for piece in pieces):
                # A piece may begin a printed line: keep it from reading as a workflow command,
                # wrapping one narrower to leave room for the backslash.
                pieces = textwrap.wrap(line, max(size - 1, 1), break_long_words=True, break_on_hyphens=False)
                pieces = [no_command(piece) for piece in pieces]
            out.extend(pieces)
        return out

    def block(row_cells: Sequence[list[str]]) -> list[str]:
        wrapped = [wrap(lines, widths[i]) for i, lines in enumerate(row_cells)]
        height = max(len(w) for w in wrapped)
        return [
            "  ".join((w[k] if k < len(w) else "").ljust(widths[i]) for i, w in enumerate(wrapped)).rstrip()
            for k in range(height)
        ]

    widths = [max(w, 2) for w in widths]
    out = block([[h] for h in header]) + ["  ".join("-" * w for w in widths)]
    for row_cells in cells:
        out.extend(block(row_cells))
    if not rows:
        out.append("(no accounts and no roster in this inventory)")
    return "\n".join(out) + "\n"


def render_csv(rows: Sequence[PersonRow]) -> str:
    """CSV with one column per field; several accounts in one cell are separated by '; '.
    Cells a spreadsheet would run as formulas are defused (names come from the roster and the
    audited platforms)."""
    buffer = io.StringIO()
    # RFC 4180 line ends: Python quotes a cell holding a bare CR only when CR is in the terminator.
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = csv_columns()
    writer.writerow(columns)
    for row in rows:
        values = row.columns()
        writer.writerow([defuse_formula(_cell(values.get(column), "; ")) for column in columns])
    return buffer.getvalue()


def render_json(rows: Sequence[PersonRow]) -> str:
    """``{"schema": "posture.people/1", "people": [...]}``; account lists stay lists."""
    people = [row.columns() for row in rows]
    return json.dumps({"schema": JSON_SCHEMA, "people": people}, indent=2) + "\n"


RENDERERS = {"table": render_table, "csv": render_csv, "json": render_json}
