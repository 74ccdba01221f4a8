"""The roster collector: the team's authoritative list of people, from a CSV or JSON file.

Each row becomes one ``roster.entry`` resource (name, work email, employment type, partner,
status, dates, known handles). Correlation (``scanner.correlate``) later links platform accounts
to these people. HR exports use their own column names and values; ``mapping`` renames
columns, either explicitly or through a preset (``bamboohr``, ``workday``, ``personio``).

A bad row is reported in the source status with its line number (status ``partial``); a row is
only left out when it cannot name a person at all, and that is reported too. Nothing is dropped
silently. The file is only read.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from scanner.collectors.base import (
    CallCounter,
    CollectContext,
    Collector,
    CollectResult,
    iso,
)
from scanner.errors import ConfigError
from scanner.inventory.model import Resource, SourceStatus, Unknown

# The roster's own fields. first_name/last_name exist for HR exports that split the name.
FIELDS: tuple[str, ...] = (
    "name",
    "first_name",
    "last_name",
    "email",
    "employment_type",
    "partner",
    "status",
    "start_date",
    "end_date",
    "github",
    "aws_iam_user",
    "entra_upn",
    "security_onboarding_date",
)
HANDLE_FIELDS: tuple[str, ...] = ("github", "aws_iam_user", "entra_upn")
EMPLOYMENT_TYPES: tuple[str, ...] = ("employee", "contractor", "vendor")
STATUSES: tuple[str, ...] = ("active", "left")

# Column mappings for common HR exports: export column -> roster field. Several columns may map
# to one field; the first non-empty one wins (e.g. Workday's termination and contract end dates).
# Columns are matched case-insensitively; the posture fields themselves are always understood.
PRESETS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "bamboohr": MappingProxyType(
            {
                "First Name": "first_name",
                "Last Name": "last_name",
                "Work Email": "email",
                "Employment Status": "employment_type",
                "Status": "status",
                "Hire Date": "start_date",
                "Termination Date": "end_date",
                "Contract End Date": "end_date",
                "Agency": "partner",
                "GitHub": "github",
                # A custom date field (BambooHR has no built-in one): when security onboarding was completed.
                "Security Onboarding Date": "security_onboarding_date",
                "Security Training Completed": "security_onboarding_date",
            }
        ),
        "workday": MappingProxyType(
            {
                "Worker": "name",
                "Legal Name": "name",
                "Primary Work Email": "email",
                "Email - Work": "email",
                "Worker Type": "employment_type",
                "Active Status": "status",
                "Hire Date": "start_date",
                "Termination Date": "end_date",
                "Contract End Date": "end_date",
                "Supplier": "partner",
                # The completion date of the security onboarding learning assignment, as exported.
                "Security Onboarding Completed": "security_onboarding_date",
                "Security Onboarding Completion Date": "security_onboarding_date",
            }
        ),
        "personio": MappingProxyType(
            {
                "First name": "first_name",
                "Last name": "last_name",
                "Email": "email",
                "Employment type": "employment_type",
                "Status": "status",
                "Hire date": "start_date",
                "Termination date": "end_date",
                "Contract ends": "end_date",
                "Company": "partner",
                # A custom attribute ("dynamic field") the team adds for security onboarding.
                "Security onboarding date": "security_onboarding_date",
                "Security onboarding completed": "security_onboarding_date",
            }
        ),
    }
)

# HR vocabularies -> roster values, compared case-insensitively. Anything else is a bad row.
EMPLOYMENT_VALUES: Mapping[str, str] = MappingProxyType(
    {
        "employee": "employee",
        "full-time": "employee",
        "full time": "employee",
        "part-time": "employee",
        "part time": "employee",
        "intern": "employee",
        "internal": "employee",  # Personio
        "permanent": "employee",
        "contractor": "contractor",
        "contract": "contractor",
        "contingent worker": "contractor",  # Workday
        "freelance": "contractor",
        "freelancer": "contractor",
        "consultant": "contractor",
        "external": "contractor",  # Personio
        "vendor": "vendor",
        "supplier": "vendor",
    }
)
STATUS_VALUES: Mapping[str, str] = MappingProxyType(
    {
        "active": "active",
        "yes": "active",  # Workday "Active Status"
        "onboarding": "active",
        "leave": "active",  # Personio: on leave, still employed
        "on leave": "active",
        "left": "left",
        "no": "left",
        "inactive": "left",
        "terminated": "left",
        "offboarded": "left",
        "former": "left",
    }
)

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_MAX_ERRORS = 500  # beyond this the status says how many more, rather than growing without bound


@dataclass(frozen=True)
class RosterSettings:
    """The validated ``roster`` settings."""

    file: Path
    mapping: Mapping[str, str]  # lower-cased column -> field
    preset: str | None
    format: str  # "csv" | "json"

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> RosterSettings:
        raw_file = settings.get("file")
        if not isinstance(raw_file, (str, Path)) or not str(raw_file).strip():
            raise ConfigError("roster.file: name the roster file (CSV or JSON) with --roster FILE")
        path = Path(raw_file).expanduser()
        if not path.is_file():
            raise ConfigError(f"roster.file: {path} does not exist or is not a file")
        fmt = settings.get("format", "auto") or "auto"
        if fmt not in ("auto", "csv", "json"):
            raise ConfigError(f"roster.format: {fmt!r} is not one of auto, csv, json")
        if fmt == "auto":
            fmt = "json" if path.suffix.lower() == ".json" else "csv"
        raw_mapping = settings.get("mapping")
        preset: str | None = None
        mapping: dict[str, str] = {}
        if raw_mapping is None or raw_mapping == "":
            pass
        elif isinstance(raw_mapping, str):
            if raw_mapping.lower() not in PRESETS:
                raise ConfigError(
                    f"roster.mapping: unknown preset {raw_mapping!r}; presets: {', '.join(PRESETS)} "
                    "(or give a mapping of column -> field)"
                )
            preset = raw_mapping.lower()
            mapping = {column.lower(): target for column, target in PRESETS[preset].items()}
        elif isinstance(raw_mapping, Mapping):
            for column, target in raw_mapping.items():
                if not isinstance(column, str) or target not in FIELDS:
                    raise ConfigError(
                        f"roster.mapping: {column!r} -> {target!r} must map a column name to one of "
                        f"{', '.join(FIELDS)}"
                    )
                mapping[column.strip().lower()] = target
        else:
            raise ConfigError("roster.mapping: give a preset name or a mapping of column -> field")
        return cls(path, MappingProxyType(mapping), preset, fmt)


@dataclass
class _Row:
    """One raw row: where it is, and its cells by lower-cased column name."""

    line: int
    cells: dict[str, Any]
    label: str = field(default="line")


class RosterCollector(Collector):
    """Reads one roster file into ``roster.entry`` resources and one source status."""

    platform = "roster"

    def __init__(self, settings: Mapping[str, Any], context: CollectContext) -> None:
        super().__init__(settings, context)
        self.config = RosterSettings.parse(settings)

    @property
    def source_name(self) -> str:
        return f"roster:{self.config.file.name}"

    def collect(self) -> CollectResult:
        started = iso(self.context.clock())
        calls = CallCounter()
        path = self.config.file
        self.context.progress.task(self.source_name, f"reading roster {path.name}")
        try:
            calls.add("file.read")
            text = path.read_text(encoding="utf-8-sig")
        except PermissionError:
            return self._failed(
                f"{path}: permission denied reading the roster; make it readable by this user",
                "permission", started, calls,
            )
        except (OSError, UnicodeDecodeError) as exc:
            return self._failed(f"{path}: cannot read the roster ({exc}); save it as UTF-8", "api", started, calls)
        try:
            columns, rows = (
                _json_rows(text) if self.config.format == "json" else _csv_rows(text)
            )
        except _FileProblem as exc:
            return self._failed(f"{path}: {exc}", "api", started, calls)

        resolver = _ColumnResolver(columns, self.config.mapping)
        missing = resolver.missing_required()
        if missing:
            hint = f" (preset {self.config.preset})" if self.config.preset else ""
            return self._failed(
                f"{path}: the roster has no {' or '.join(missing)} column{hint}; found columns: "
                f"{', '.join(columns) or 'none'}. Rename the columns or set roster.mapping",
                "api", started, calls,
            )
        reader = _EntryReader(path.name, self.source_name)
        resources = [entry for row in rows if (entry := reader.read(row, resolver)) is not None]
        self.context.progress.advance(self.source_name, len(rows))

        notes = []
        if self.config.preset:
            notes.append(f"columns mapped with the {self.config.preset} preset")
        if resolver.ignored:
            notes.append(f"ignored columns (not roster fields): {', '.join(resolver.ignored)}")
        errors = reader.errors
        if len(errors) > _MAX_ERRORS:
            errors = errors[:_MAX_ERRORS] + [f"{path.name}: {len(errors) - _MAX_ERRORS} more bad rows not listed"]
        status = SourceStatus(
            name=self.source_name,
            platform=self.platform,
            status="partial" if errors else "ok",
            errors=tuple(errors),
            notes=tuple(notes),
            identity=None,
            started_at=started,
            finished_at=iso(self.context.clock()),
            api_calls=calls.snapshot(),
            error_kind="api" if errors else None,
        )
        return CollectResult(tuple(resources), (status,))

    def _failed(self, message: str, kind: str, started: str | None, calls: CallCounter) -> CollectResult:
        status = SourceStatus(
            name=self.source_name,
            platform=self.platform,
            status="failed",
            errors=(message,),
            started_at=started,
            finished_at=iso(self.context.clock()),
            api_calls=calls.snapshot(),
            error_kind=kind,
        )
        return CollectResult((), (status,))


class _FileProblem(Exception):
    """The file as a whole cannot be read as a roster (the message is for the user)."""


def _csv_rows(text: str) -> tuple[list[str], list[_Row]]:
    if not text.strip():
        raise _FileProblem("the roster file is empty")
    header_line = text.splitlines()[0]
    # European HR exports use ';' or tab; pick the delimiter that splits the header most.
    delimiter = max((",", ";", "\t"), key=lambda d: header_line.count(d))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [cell.strip() for cell in next(reader)]
    except csv.Error as exc:
        raise _FileProblem(f"line 1: not a CSV header ({exc})") from exc
    if not any(header):
        raise _FileProblem("line 1: the header row is empty")
    rows: list[_Row] = []
    previous_end = reader.line_num
    while True:
        line = previous_end + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _FileProblem(f"line {line}: malformed CSV ({exc})") from exc
        previous_end = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank line: not a row
        row = _Row(line, {})
        for index, cell in enumerate(cells):
            column = header[index].lower() if index < len(header) else f"#extra{index}"
            row.cells[column] = cell
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            row.cells["#overflow"] = len(cells) - len(header)
        rows.append(row)
    return header, rows


def _json_rows(text: str) -> tuple[list[str], list[_Row]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _FileProblem(f"not valid JSON at line {exc.lineno} column {exc.colno} ({exc.msg})") from exc
    if isinstance(data, dict):
        for key in ("people", "persons", "employees", "roster"):
            if isinstance(data.get(key), list):
                data = data[key]
                break
    if not isinstance(data, list):
        raise _FileProblem('a JSON roster is a list of people (or {"people": [...]})')
    lines = _item_lines(text)
    if lines is None or len(lines) != len(data):
        numbers, label = list(range(1, len(data) + 1)), "item"
    else:
        numbers, label = lines, "line"
    columns: dict[str, str] = {}
    rows = []
    for number, item in zip(numbers, data):
        if not isinstance(item, dict):
            rows.append(_Row(number, {"#not-an-object": type(item).__name__}, label=label))
            continue
        for key in item:
            columns.setdefault(str(key).lower(), str(key))
        rows.append(_Row(number, {str(k).strip().lower(): v for k, v in item.items()}, label=label))
    return list(columns.values()), rows


def _item_lines(text: str) -> list[int] | None:
    """The line each element of a top-level JSON list starts on (None for another shape)."""
    decoder = json.JSONDecoder()
    whitespace = re.compile(r"\s*")
    position = whitespace.match(text, 0).end()  # type: ignore[union-attr]
    if text[position:position + 1] != "[":
        return None
    position += 1
    lines: list[int] = []
    try:
        while True:
            position = whitespace.match(text, position).end()  # type: ignore[union-attr]
            if text[position:position + 1] == "]":
                return lines
            lines.append(text.count("\n", 0, position) + 1)
            _, position = decoder.raw_decode(text, position)
            position = whitespace.match(text, position).end()  # type: ignore[union-attr]
            if text[position:position + 1] == ",":
                position += 1
    except (ValueError, IndexError):
        return None


class _ColumnResolver:
    """Which column feeds which field, given the header and the mapping."""

    def __init__(self, columns: Sequence[str], mapping: Mapping[str, str]) -> None:
        self.sources: dict[str, list[str]] = {f: [] for f in FIELDS}
        self.ignored: list[str] = []
        for column in columns:
            key = column.strip().lower()
            target = mapping.get(key) or (key if key in FIELDS else None)
            if target is None:
                self.ignored.append(column)
            else:
                self.sources[target].append(key)

    def missing_required(self) -> list[str]:
        missing = []
        if not (self.sources["name"] or self.sources["first_name"] or self.sources["email"]):
            missing.append("name")
        for required in ("employment_type", "status"):
            if not self.sources[required]:
                missing.append(required)
        return missing

    def value(self, row: _Row, target: str) -> Any:
        """The first non-empty cell among the columns that feed ``target``, else None."""
        for column in self.sources[target]:
            value = row.cells.get(column)
            if isinstance(value, str):
                value = value.strip()
            if value not in (None, "", []):
                return value
        return None


class _EntryReader:
    """Turns rows into ``roster.entry`` resources, collecting one-line errors as it goes."""

    def __init__(self, file_name: str, scope: str) -> None:
        self.file_name = file_name
        self.scope = scope
        self.errors: list[str] = []
        self._emails: dict[str, int] = {}
        self._handles: dict[tuple[str, str], tuple[int, str]] = {}
        self._ids: set[str] = set()

    def _error(self, row: _Row, message: str) -> None:
        self.errors.append(f"{self.file_name} {row.label} {row.line}: {message}")

    def read(self, row: _Row, columns: _ColumnResolver) -> Resource | None:
        if "#not-an-object" in row.cells:
            self._error(row, f"expected an object with name, email, ... but found {row.cells['#not-an-object']}; row ignored")
            return None
        if "#overflow" in row.cells:
            self._error(row, f"{row.cells['#overflow']} more cells than header columns (a stray delimiter?); extra cells ignored")

        name = _text(columns.value(row, "name"))
        if name is None:
            parts = [_text(columns.value(row, "first_name")), _text(columns.value(row, "last_name"))]
            name = " ".join(p for p in parts if p) or None
        email_raw = _text(columns.value(row, "email"))
        email: str | None | Unknown = None
        if email_raw is not None:
            if _EMAIL.match(email_raw):
                email = email_raw.lower()
            else:
                self._error(row, f"email {email_raw!r} is not an email address")
                email = Unknown(f"roster {row.label} {row.line}: email {email_raw!r} is not an email address")
        if name is None and not isinstance(email, str):
            self._error(row, "no name and no valid email: the row names no one; row ignored")
            return None
        if isinstance(email, str):
            first = self._emails.get(email)
            if first is not None:
                self._error(row, f"email {email} already appears at {row.label} {first}; row ignored")
                return None
            self._emails[email] = row.line
        elif email is None:
            self._error(row, f"{name} has no work email; only handles can link their accounts")
        display = name or (email if isinstance(email, str) else f"{row.label} {row.line}")

        employment = self._choice(row, columns, "employment_type", EMPLOYMENT_VALUES, EMPLOYMENT_TYPES)
        status = self._choice(row, columns, "status", STATUS_VALUES, STATUSES)
        start_date = self._date(row, columns, "start_date")
        end_date = self._date(row, columns, "end_date")
        onboarding = self._date(row, columns, "security_onboarding_date")
        if status == "left" and end_date is None:
            self._error(row, f"{display} has status left but no end_date; days since exit cannot be counted")
        partner = _text(columns.value(row, "partner"))

        handles: dict[str, list[str]] = {}
        for handle_field in HANDLE_FIELDS:
            handles[handle_field] = self._handles_of(row, columns, handle_field, display)

        entry_id = f"roster:entry/{email}" if isinstance(email, str) else f"roster:entry/{_slug(display)}"
        if entry_id in self._ids:
            entry_id = f"{entry_id}#{row.line}"
        self._ids.add(entry_id)
        return Resource(
            type="roster.entry",
            id=entry_id,
            name=display,
            scope=self.scope,
            attributes={
                "name": display,
                "email": email,
                "employment_type": employment,
                "partner": partner,
                "status": status,
                "start_date": start_date,
                "end_date": end_date,
                "github": handles["github"],
                "aws_iam_user": handles["aws_iam_user"],
                "entra_upn": handles["entra_upn"],
                "line": row.line,
                "security_onboarding_date": onboarding,
            },
        )

    def _choice(
        self,
        row: _Row,
        columns: _ColumnResolver,
        target: str,
        vocabulary: Mapping[str, str],
        allowed: Sequence[str],
    ) -> str | Unknown:
        raw = _text(columns.value(row, target))
        if raw is None:
            self._error(row, f"{target} is empty; use one of {', '.join(allowed)}")
            return Unknown(f"roster {row.label} {row.line}: {target} is empty")
        value = vocabulary.get(raw.lower())
        if value is None:
            self._error(row, f"{target} {raw!r} is not one of {', '.join(allowed)}")
            return Unknown(f"roster {row.label} {row.line}: {target} {raw!r} is not recognised")
        return value

    def _date(self, row: _Row, columns: _ColumnResolver, target: str) -> str | None | Unknown:
        raw = _text(columns.value(row, target))
        if raw is None:
            return None
        try:
            # ISO dates; a full ISO timestamp is accepted and cut to its date.
            return date.fromisoformat(raw[:10] if len(raw) > 10 and raw[10] in "T " else raw).isoformat()
        except ValueError:
            self._error(row, f"{target} {raw!r} is not an ISO date (YYYY-MM-DD)")
            return Unknown(f"roster {row.label} {row.line}: {target} {raw!r} is not an ISO date")

    def _handles_of(self, row: _Row, columns: _ColumnResolver, target: str, display: str) -> list[str]:
        raw = columns.value(row, target)
        if raw is None:
            return []
        values = raw if isinstance(raw, list) else str(raw).split(";")
        handles: list[str] = []
        for value in values:
            handle = str(value).strip()
            if handle.startswith("@") and target == "github":
                handle = handle[1:]
            if not handle or handle.lower() in (h.lower() for h in handles):
                continue
            key = (target, handle.lower())
            owner = self._handles.get(key)
            if owner is not None:
                self._error(
                    row,
                    f"{target} {handle!r} already belongs to {owner[1]} ({row.label} {owner[0]}); "
                    f"not linked to {display}",
                )
                continue
            self._handles[key] = (row.line, display)
            handles.append(handle)
        return handles


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value).strip()
    return text or None


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"
