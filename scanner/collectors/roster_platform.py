"""The roster's platform descriptor: the team roster file (CSV or JSON), one unit per file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit


def _units(settings: Mapping[str, Any]) -> list[Unit]:
    file = str(settings.get("file") or "")
    return [Unit("roster", f"roster:{file}", "local", dict(settings))] if file else []


PLATFORM = Platform(
    name="roster",
    title="HR roster",
    extra="",
    collector="scanner.collectors.roster:RosterCollector",
    options=(
        Option("file", "string",
               "The team roster (CSV or JSON): people, status, end dates, handles. With evaluate: linked to "
               "the snapshots' accounts now, replacing a roster they hold.", flag="--roster", path=True),
        Option("mapping", "string_or_mapping",
               "Column mapping preset for HR exports: bamboohr, workday or personio (see docs/platforms/roster.md).",
               flag="--roster-mapping", metavar="PRESET"),
        Option("format", "string", "Roster file format (default auto).", flag="--roster-format",
               choices=("auto", "csv", "json")),
    ),
    required=("file",),
    units=_units,
    notes={"required": "roster: name the roster file with --roster FILE (or roster.file in the config)"},
)
