"""The Intune collector: the managed devices and device compliance policies of one Entra tenant.

One source, ``intune:<tenant-id>``, with two parts (devices, compliance policies). A part that
fails (403 for a missing Graph permission or Intune licence, 5xx, throttled too long) becomes
Unknown attributes, an error line and a note naming the permission; the other part completes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The intune extra, imported here so a missing one is the descriptor's one-line install hint
# (Platform.collector_class) rather than an ImportError in the middle of a scan.
import azure.identity  # noqa: F401
import requests  # noqa: F401

from scanner.collectors.azure.client import CLOUDS, AccessToken, Cloud, GraphError, check_https, identity_from_claims, scrub, token_claims
from scanner.collectors.azure.collector import first_line
from scanner.collectors.base import CallCounter, Collector, CollectResult, iso, redact
from scanner.collectors.intune import client, mapping
from scanner.errors import ConfigError
from scanner.inventory.model import Resource, SourceStatus, Unknown


@dataclass(frozen=True)
class _Settings:
    tenant: str | None
    cloud: Cloud
    graph_url: str
    ca_bundle: str | None
    credential: Any
    retry_backoff: float
    max_retries: int


@dataclass
class _Outcome:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    failed: int = 0
    parts: int = 0

    def status(self) -> str:
        if self.failed == 0:
            return "ok"
        return "failed" if self.failed >= self.parts else "partial"

    def error_kind(self) -> str | None:
        return next((k for k in ("auth", "permission", "api") if k in self.kinds), None)


class IntuneCollector(Collector):
    platform = "intune"

    def __init__(self, settings: Mapping[str, Any], context: Any) -> None:
        super().__init__(settings, context)
        self._options = self._validate(settings)
        self._counter = CallCounter()
        self._secrets: list[str | None] = []

    @classmethod
    def validate_settings(cls, settings: Mapping[str, Any]) -> _Settings:
        """The settings checked before any network call; a bad one is one ConfigError naming it."""
        return cls._validate(settings)

    @staticmethod
    def _validate(settings: Mapping[str, Any]) -> _Settings:
        tenant = settings.get("tenant")
        if tenant is not None and (not isinstance(tenant, str) or not tenant.strip()):
            raise ConfigError("intune.tenant must be a tenant id or domain (e.g. contoso.onmicrosoft.com)")
        cloud_name = settings.get("cloud") or "public"
        if cloud_name not in CLOUDS:
            raise ConfigError(f"intune.cloud must be one of {', '.join(CLOUDS)}, not {cloud_name!r}")
        cloud = CLOUDS[cloud_name]
        graph_url = check_https("graph_url", settings["graph_url"], "intune") if settings.get("graph_url") else cloud.graph_url
        ca_bundle = settings.get("ca_bundle")
        if ca_bundle is not None:
            ca_bundle = str(ca_bundle)
            if not os.path.isfile(ca_bundle):
                raise ConfigError(f"intune.ca_bundle: no such file {ca_bundle}")
        credential = settings.get("credential")
        if credential is not None and not callable(getattr(credential, "get_token", None)):
            raise ConfigError("intune.credential must be an azure-core TokenCredential (with get_token)")
        backoff = settings.get("retry_backoff", 0.8)
        if not isinstance(backoff, (int, float)) or isinstance(backoff, bool) or backoff < 0:
            raise ConfigError("intune.retry_backoff must be a number of seconds >= 0")
        retries = settings.get("max_retries", 3)
        if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
            raise ConfigError("intune.max_retries must be a whole number >= 0")
        return _Settings(tenant.strip() if isinstance(tenant, str) else None, cloud, graph_url, ca_bundle, credential, float(backoff), retries)

    def collect(self) -> CollectResult:
        options = self._options
        clock = self.context.clock
        started = iso(clock())
        credential = client.credential(options.credential, tenant=options.tenant, cloud=options.cloud, environ=self.context.environ)
        token = AccessToken(credential, options.cloud.graph_scope, None)
        try:
            bearer = token.get()
        except Exception as exc:  # noqa: BLE001 - any credential failure ends here, as one line
            message = self._clean(
                f"could not sign in to Azure for Intune ({type(exc).__name__}: {first_line(exc)}); "
                "run 'az login', set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity"
            )
            name = f"intune:{options.tenant or 'default'}"
            return CollectResult((), (SourceStatus(name, "intune", "failed", (message,), error_kind="auth", started_at=started, finished_at=iso(clock())),))
        self._secrets.append(bearer)
        claims = token_claims(bearer)
        identity = identity_from_claims(claims)
        tenant_id = str(claims.get("tid") or options.tenant or "unknown")
        graph = client.graph_client(
            token=token, base_url=options.graph_url, counter=self._counter, verify=options.ca_bundle or True,
            max_retries=max(options.max_retries, 1) + 2, backoff=options.retry_backoff,
            on_wait=lambda message: self.context.progress.log("intune", message),
        )
        self.context.progress.task("intune", "reading managed devices and compliance policies", total=3)
        outcome = _Outcome()
        devices = self._read(outcome, "managed devices", "DeviceManagementManagedDevices.Read.All",
                             lambda: graph.list("/deviceManagement/managedDevices", {"$select": client.DEVICE_FIELDS}))
        raw_policies = self._read(outcome, "device compliance policies", "DeviceManagementConfiguration.Read.All",
                                  lambda: graph.list("/deviceManagement/deviceCompliancePolicies", {"$expand": "assignments"}))
        # Whose devices these are: the owners' Entra accounts (enabled or not), so a device still
        # managed for someone whose account was disabled (a leaver) shows. One paged list.
        accounts = self._read(outcome, "owner accounts (accountEnabled)", "User.Read.All",
                              lambda: {str(u.get("id")): bool(u.get("accountEnabled", True))
                                       for u in graph.list("/users", {"$select": "id,accountEnabled", "$top": "999"})})
        now = clock()
        resources: list[Resource] = []
        policies: list[Resource] | Unknown
        if isinstance(raw_policies, Unknown):
            policies = raw_policies
        else:
            policies = [mapping.map_compliance_policy(p, tenant_id=tenant_id) for p in raw_policies]
            resources.extend(policies)
        if not isinstance(devices, Unknown):
            resources.extend(mapping.map_device(d, tenant_id=tenant_id, now=now, accounts=accounts) for d in devices)
        if outcome.status() != "failed":
            resources.insert(0, mapping.map_tenant(tenant_id=tenant_id, name=f"Intune {tenant_id}", devices=devices, policies=policies))
        source = SourceStatus(
            name=f"intune:{tenant_id}",
            platform="intune",
            status=outcome.status(),  # type: ignore[arg-type]
            errors=tuple(self._clean(e) for e in outcome.errors),
            notes=tuple(dict.fromkeys(outcome.notes)),
            identity=identity,
            started_at=started,
            finished_at=iso(clock()),
            api_calls=self._counter.snapshot(),
            error_kind=outcome.error_kind(),
        )
        return CollectResult(tuple(resources), (source,))

    def _read(self, outcome: _Outcome, what: str, permission: str, call: Callable[[], Any]) -> Any:
        outcome.parts += 1
        try:
            result = call()
        except GraphError as exc:
            outcome.failed += 1
            outcome.errors.append(str(exc))
            outcome.kinds.append(exc.kind)
            if exc.status == 403:
                outcome.notes.append(f"grant the Graph application permission {permission} (admin consent) to read {what}; the tenant also needs an Intune licence")
                return Unknown(f"needs Graph {permission}")
            if exc.status == 401:
                return Unknown(f"could not read {what}: credential rejected")
            return Unknown(f"could not read {what}: Graph answered {exc.status or 'no response'}")
        finally:
            self.context.progress.advance("intune")
        return result

    def _clean(self, text: str) -> str:
        return scrub(redact(" ".join(str(text).split()), self._secrets))
