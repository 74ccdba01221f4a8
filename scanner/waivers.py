"""Waivers: accepted risks, each with a reason, an owner and an end date.

A waivers file is a YAML list (or a mapping with a ``waivers:`` list) of entries::

    - policy: github_repo_requires_code_owner_review
      resource: "github:northwind-labs/sandbox-*"    # glob on the resource id or name
      reason: Throwaway prototypes, no production code
      owner: ana@northwind.dev
      expires: 2027-01-31                            # the last day the waiver covers
      ticket: SEC-142                                # optional

``apply_waivers`` turns each FAIL a current waiver covers into WAIVED (the finding carries the
waiver). An expired waiver covers nothing and is reported; so is a waiver that matches no
failing finding, so stale waivers do not pile up unnoticed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import yaml

from scanner.config import load_yaml
from scanner.errors import WaiverError
from scanner.findings import Finding, Status, Waiver

REQUIRED_FIELDS = ("policy", "resource", "reason", "owner", "expires")
OPTIONAL_FIELDS = ("ticket",)
_POLICY_ID = re.compile(r"^[a-z][a-z0-9_]*$")
# A waiver that ends within this many days is worth a notice before it silently stops covering.
EXPIRY_WARNING_DAYS = 14


@dataclass(frozen=True)
class WaiverEntry:
    """A waiver as read from its file, with the line it starts on (for messages)."""

    waiver: Waiver
    line: int

    @property
    def expires_on(self) -> date:
        return date.fromisoformat(self.waiver.expires)

    def covers(self, finding: Finding) -> bool:
        """Same policy, and the glob matches the resource id or name (case-sensitive)."""
        if finding.policy != self.waiver.policy:
            return False
        pattern = self.waiver.resource
        return fnmatchcase(finding.resource.id, pattern) or fnmatchcase(finding.resource.name, pattern)

    def describe(self) -> str:
        ticket = f", ticket {self.waiver.ticket}" if self.waiver.ticket else ""
        line = f", line {self.line}" if self.line else ""
        return (
            f"waiver of {self.waiver.policy} on {self.waiver.resource!r} "
            f"(owner {self.waiver.owner}{ticket}{line})"
        )


def _line_numbers(text: str) -> list[int]:
    """1-based line of each entry of the waivers list, in order (best effort)."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "waivers":
                node = value
                break
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parse_waivers(
    text: str, origin: str = "waivers file", *, known_policies: Collection[str] | None = None
) -> list[WaiverEntry]:
    """Validate a waivers document. Raises ``WaiverError`` naming ``origin:line`` and the field."""
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark is not None else origin
        raise WaiverError(f"{where}: not valid YAML ({getattr(exc, 'problem', None) or exc})") from exc
    if data is None:
        return []
    if isinstance(data, dict):
        if set(data) != {"waivers"}:
            raise WaiverError(f"{origin}: expected a list of waivers (or a mapping with only a 'waivers' key)")
        data = data["waivers"] or []
    if not isinstance(data, list):
        raise WaiverError(f"{origin}: expected a list of waivers, found {type(data).__name__}")
    lines = _line_numbers(text)
    entries: list[WaiverEntry] = []
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else 0
        where = f"{origin}:{line}" if line else f"{origin} entry {index + 1}"
        if not isinstance(item, dict):
            raise WaiverError(f"{where}: each waiver must be a mapping with {', '.join(REQUIRED_FIELDS)}")
        unknown = sorted(set(map(str, item)) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
        if unknown:
            raise WaiverError(
                f"{where}: unknown field {unknown[0]!r}; allowed: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}"
            )
        for name in REQUIRED_FIELDS:
            value = item.get(name)
            if value is None or (isinstance(value, str) and not value.strip()):
                raise WaiverError(f"{where}: missing required field {name!r}")
        for name in ("policy", "resource", "reason", "owner"):
            if not isinstance(item[name], str):
                raise WaiverError(f"{where}: {name!r} must be a string")
        policy = item["policy"].strip()
        if not _POLICY_ID.match(policy):
            raise WaiverError(f"{where}: policy {policy!r} is not a policy id (snake_case, e.g. github_org_requires_2fa)")
        if known_policies is not None and policy not in known_policies:
            raise WaiverError(f"{where}: unknown policy {policy!r}; `posture policies list` shows the ids")
        expires = _as_date(item["expires"])
        if expires is None:
            raise WaiverError(f"{where}: 'expires' must be a date like 2027-01-31, not {item['expires']!r}")
        ticket = item.get("ticket")
        if ticket is not None and not isinstance(ticket, (str, int)):
            raise WaiverError(f"{where}: 'ticket' must be a string")
        key = (policy, item["resource"])
        if key in seen:
            raise WaiverError(f"{where}: duplicate of the waiver on line {seen[key]} (same policy and resource)")
        seen[key] = line
        entries.append(
            WaiverEntry(
                Waiver(
                    policy=policy,
                    resource=item["resource"],
                    reason=item["reason"].strip(),
                    owner=item["owner"].strip(),
                    expires=expires.isoformat(),
                    ticket=str(ticket) if ticket is not None else None,
                ),
                line,
            )
        )
    return entries


def load_waivers(path: Path, *, known_policies: Collection[str] | None = None) -> list[WaiverEntry]:
    """Read and validate a waivers file. Raises ``WaiverError`` (exit 2)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise WaiverError(f"cannot read waivers file {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise WaiverError(f"waivers file {path} is not UTF-8 text") from exc
    return parse_waivers(text, str(path), known_policies=known_policies)


def apply_waivers(
    findings: Iterable[Finding], waivers: Sequence[WaiverEntry | Waiver], today: date
) -> tuple[tuple[Finding, ...], tuple[str, ...]]:
    """FAIL -> WAIVED where a current waiver covers the finding. Returns (findings, notices).

    A waiver covers through its ``expires`` day. Notices list, one line each: waivers that have
    expired (and how many failures they would still cover), waivers that match no failing
    finding, and waivers that end within ``EXPIRY_WARNING_DAYS``.
    """
    entries = [w if isinstance(w, WaiverEntry) else WaiverEntry(w, 0) for w in waivers]
    result: list[Finding] = []
    matched: dict[int, int] = {}  # index of waiver -> failures it matches (expired or not)
    for finding in findings:
        if finding.status is not Status.FAIL:
            result.append(finding)
            continue
        covering: Waiver | None = None
        for index, entry in enumerate(entries):
            if entry.covers(finding):
                matched[index] = matched.get(index, 0) + 1
                if covering is None and entry.expires_on >= today:
                    covering = entry.waiver
        result.append(finding.with_changes(status=Status.WAIVED, waiver=covering) if covering else finding)
    notices: list[str] = []
    for index, entry in enumerate(entries):
        count = matched.get(index, 0)
        if entry.expires_on < today:
            notices.append(
                f"Expired {entry.describe()} on {entry.waiver.expires}: it no longer covers "
                f"{count} failing finding(s); renew it or fix the problem"
            )
        elif count == 0:
            notices.append(f"Unused {entry.describe()}: it matches no failing finding; remove it or fix its pattern")
        elif (entry.expires_on - today).days <= EXPIRY_WARNING_DAYS:
            notices.append(
                f"Expiring {entry.describe()} ends on {entry.waiver.expires} "
                f"({(entry.expires_on - today).days} day(s) left)"
            )
    return tuple(result), tuple(notices)


def check_waivers(
    path: Path, today: date, *, known_policies: Collection[str] | None = None
) -> list[str]:
    """For ``posture waivers check FILE``: validate (raises ``WaiverError``) and describe each waiver.

    Returns one line per waiver with its state (current / expiring / expired) for the CLI to print.
    """
    lines: list[str] = []
    for entry in load_waivers(path, known_policies=known_policies):
        days_left = (entry.expires_on - today).days
        if days_left < 0:
            state = f"EXPIRED {-days_left} day(s) ago"
        elif days_left <= EXPIRY_WARNING_DAYS:
            state = f"expiring in {days_left} day(s)"
        else:
            state = f"current until {entry.waiver.expires}"
        lines.append(f"{entry.describe()}: {state}")
    return lines
