"""A toy platform, registered only by tests (monkeypatching ``scanner.collectors.PLATFORMS``).

It proves that a platform is its own package plus one registry line: flags, posture.yaml keys,
secret variables, people linking and the people sheet all come from this descriptor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.base import CollectResult, Collector
from scanner.collectors.descriptor import Option, Platform, Unit
from scanner.errors import ConfigError
from scanner.inventory.model import Resource, SourceStatus
from scanner.inventory.types import AccountKind


class ToyCollector(Collector):
    platform = "toy"

    def collect(self) -> CollectResult:
        if self.settings.get("explode"):
            # A collector bug whose message carries the secret: the pipeline must redact it.
            raise RuntimeError(f"crashed holding token {self.context.environ.get('TOY_TOKEN')}")
        resources = []
        sources = []
        for team in self.settings["teams"]:
            resources.append(Resource("toy.account", f"toy:{team}/dmitri", "dmitri", team, {
                "email": "dmitri@northwind.dev", "active": True, "is_admin": True, "mfa_enabled": True,
                "last_activity_at": None, "days_since_last_activity": None, "handles": [],
            }))
            sources.append(SourceStatus(name=f"toy:{team}", platform="toy", status="ok"))
        return CollectResult(tuple(resources), tuple(sources))


def _validate(settings: Mapping[str, Any]) -> None:
    for team in settings.get("teams") or ():
        if not team.isidentifier():
            raise ConfigError(f"toy.teams: {team!r} is not a team name (letters, digits, _)")


PLATFORM = Platform(
    name="toy",
    title="Toy",
    extra="",
    collector="tests.collectors.toy_platform:ToyCollector",
    options=(
        Option("teams", "list", "Toy team to audit (repeatable).", flag="--toy-team", metavar="TEAM"),
        Option("token_file", "string", "File holding a toy token.", flag="--toy-token-file", path=True),
        Option("explode", "boolean", "Crash (tests only)."),
    ),
    secret_env=("TOY_TOKEN",),
    required=("teams",),
    account_kinds=(AccountKind("toy.account", "toy"),),
    validate=_validate,
    units=lambda settings: [Unit("toy", f"toy:{t}", "toy", {**settings, "teams": [t]}) for t in settings["teams"]],
)
