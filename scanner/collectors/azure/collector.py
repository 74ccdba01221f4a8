"""The Azure collector: one Entra ID tenant (Graph) plus every readable subscription (ARM).

Sources: the tenant (``azure:tenant:<id>``) and one per subscription
(``azure:subscription:<id>``). Each part of each source is read on its own; a part that fails
(403 for a missing Graph permission or licence, 500, throttled for too long) becomes Unknown
attributes, an error line and a note naming what would complete the audit, and the source is
``partial`` or ``failed``, while every other source completes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from scanner.collectors.azure import mapping, roles
from scanner.collectors.azure.platform import AzureSettings, parse_settings
from scanner.collectors.azure.client import (
    AccessToken,
    ArmRest,
    GraphClient,
    GraphError,
    arm_client_options,
    identity_from_claims,
    scrub,
    token_claims,
)
from scanner.collectors.base import CallCounter, Collector, CollectResult, ReadFailure, UnitReader, iso, redact
from scanner.inventory.model import Resource, SourceState, SourceStatus, Unknown

API_SUBSCRIPTIONS = "2022-12-01"
API_DIAGNOSTIC_SETTINGS = "2021-05-01-preview"
# Defender for Cloud security contacts: the newest version (emails, isEnabled, notificationsByRole).
API_SECURITY_CONTACTS = "2023-12-01-preview"

_USER_FIELDS = "id,displayName,userPrincipalName,mail,userType,accountEnabled,createdDateTime,onPremisesSyncEnabled"
_CREDENTIAL_FIELDS = "passwordCredentials,keyCredentials"
_NO_PREMIUM = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"
_LICENCE = "Microsoft Entra ID P1 or P2"
# Graph's answer to PIM calls in a tenant without Entra ID P2 (400, as published for v1.0).
_NO_P2 = "AadPremiumLicenseRequired"
_P2_REASON = "needs Microsoft Entra ID P2 (Privileged Identity Management)"
_MEMBER_FIELDS = "id,displayName,userPrincipalName,mail,userType"


class _Outcome(UnitReader):
    """Errors, notes, failure kinds and part counts gathered while reading one source (``UnitReader``).

    Graph and ARM parts are classified by their own ``read`` helpers below (a 403 may be a missing
    licence rather than a permission, a 401 fails one part only), then recorded here.
    """

    def __init__(self, unit: str = "Azure") -> None:
        super().__init__(unit)

    def status(self) -> str:
        if self.failed_parts == 0:
            return "ok"
        return "failed" if self.failed_parts >= self.parts else "partial"


class _TenantCredential:
    """Pins every token request to the configured tenant (``--azure-tenant``)."""

    def __init__(self, inner: Any, tenant: str) -> None:
        self._inner = inner
        self._tenant = tenant

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        kwargs.setdefault("tenant_id", self._tenant)
        return self._inner.get_token(*scopes, **kwargs)


class AzureCollector(Collector):
    platform = "azure"

    def __init__(
        self,
        settings: Mapping[str, Any] | AzureSettings,
        context: Any,
        *,
        credential: Any = None,
        session_factory: Callable[[], Any] | None = None,
    ) -> None:
        # Parsed once by the descriptor's parser (the one config validation uses); a mapping is
        # parsed here with the same parser.
        super().__init__(settings if not isinstance(settings, AzureSettings) else {}, context)
        self._options = settings if isinstance(settings, AzureSettings) else parse_settings(settings)
        # The clients' inputs are injected here, as GitHub's and AWS's are (tests, embedding):
        # a TokenCredential (else settings.credential, else DefaultAzureCredential) and the
        # Graph HTTP session (else a requests.Session).
        self._injected_credential = credential
        self._session_factory = session_factory
        self._counter = CallCounter()

    def _credential(self) -> Any:
        options = self._options
        credential = self._injected_credential or options.credential
        if credential is None:
            from azure.identity import DefaultAzureCredential

            # azure-identity's own AZURE_AUTHORITY_HOST (a private or sovereign login host) wins
            # over the cloud's default sign-in host; passing `authority` would override it.
            kwargs: dict[str, Any] = {}
            if not self.context.environ.get("AZURE_AUTHORITY_HOST"):
                kwargs["authority"] = options.cloud.authority_host
            if options.tenant:
                kwargs["additionally_allowed_tenants"] = [options.tenant]
            credential = DefaultAzureCredential(**kwargs)
        if options.tenant:
            credential = _TenantCredential(credential, options.tenant)
        return credential

    # --- collect ---------------------------------------------------------------------------

    def collect(self) -> CollectResult:
        options = self._options
        clock = self.context.clock
        started = iso(clock())
        credential = self._credential()
        graph_token = AccessToken(credential, options.cloud.graph_scope, None)
        self._secrets: list[str | None] = []

        import requests

        session = self._session_factory() if self._session_factory is not None else requests.Session()
        graph = GraphClient(
            token=graph_token,
            base_url=options.graph_url,
            session=session,
            counter=self._counter,
            verify=options.ca_bundle or True,
            max_retries=max(options.max_retries, 1) + 2,
            backoff=options.retry_backoff,
            on_wait=lambda message: self.context.progress.log("azure", message),
        )
        arm_options = arm_client_options(
            counter=self._counter,
            ca_bundle=options.ca_bundle,
            retry_total=options.max_retries,
            retry_backoff=options.retry_backoff,
            scope=options.cloud.arm_scope,
        )

        # Sign in first: without a token nothing else can work, and the claims say who we are.
        try:
            token = graph_token.get()
        except Exception as exc:  # noqa: BLE001 - any credential failure ends here, as one line
            message = self._clean(f"could not sign in to Azure ({type(exc).__name__}: {_first_line(exc)}); "
                                  "run 'az login', set AZURE_CLIENT_ID/AZURE_TENANT_ID/AZURE_CLIENT_SECRET, or use a managed identity")
            name = f"azure:tenant:{options.tenant or 'default'}"
            return CollectResult((), (SourceStatus(name, "azure", "failed", (message,), error_kind="auth", started_at=started, finished_at=iso(clock())),))
        self._secrets.append(token)
        claims = token_claims(token)
        identity = identity_from_claims(claims)
        tenant_id = str(claims.get("tid") or options.tenant or "unknown")

        arm = ArmRest(credential, options.arm_url, arm_options)
        sub_outcome = _Outcome()
        subscriptions = self._list_subscriptions(arm, sub_outcome)

        with ThreadPoolExecutor(max_workers=max(1, self.context.concurrency), thread_name_prefix="azure") as pool:
            tenant_future = pool.submit(self._read_tenant, graph)
            sub_futures = {
                sub_id: pool.submit(self._read_subscription, credential, arm, arm_options, sub_id)
                for sub_id in (subscriptions if isinstance(subscriptions, dict) else {})
            }
            tenant_parts, tenant_outcome = tenant_future.result()
            sub_parts = {sub_id: future.result() for sub_id, future in sub_futures.items()}

        tenant_id = str((tenant_parts["organization"] or {}).get("id") if isinstance(tenant_parts["organization"], dict) else tenant_id) or tenant_id
        directory = self._directory(graph, tenant_id, tenant_parts, sub_parts, tenant_outcome)
        now = clock()
        resources: list[Resource] = []
        if tenant_outcome.status() != "failed":
            # Nothing read at all: no tenant resource (its id and every attribute would be a guess).
            resources.extend(self._tenant_resources(tenant_id, tenant_parts, directory, now))

        graph_calls = {k: v for k, v in self._counter.snapshot().items() if k.startswith("graph ")}
        sources = [self._source(f"azure:tenant:{tenant_id}", tenant_outcome, identity, started, graph_calls)]
        if not isinstance(subscriptions, dict):
            sources.append(self._source("azure:subscriptions", sub_outcome, identity, started, status="failed"))
        else:
            for sub_id in options.subscriptions:
                if sub_id not in subscriptions:
                    sources.append(
                        SourceStatus(
                            name=f"azure:subscription:{sub_id}",
                            platform="azure",
                            status="failed",
                            errors=(f"subscription {sub_id} is not visible to {identity or 'this identity'}; grant it Reader on the subscription or check --azure-subscription",),
                            identity=identity,
                            started_at=started,
                            finished_at=iso(clock()),
                            error_kind="permission",
                        )
                    )
            seen_definitions: dict[str, Resource] = {}
            seen_in: dict[str, list[str]] = {}
            assignments: list[Resource] = []
            environments: dict[str, str | None] = {}
            unreadable: dict[str, Unknown] = {}
            for sub_id, subscription in subscriptions.items():
                parts, outcome, calls = sub_parts[sub_id]
                sub_resources, definitions = self._subscription_resources(subscription, parts, directory, now)
                for resource in sub_resources:
                    if resource.type == "azure.subscription":
                        resources.append(resource)
                        environments[sub_id] = resource.attributes["environment"]
                        continue
                    # An assignment inherited from a management group shows in every subscription
                    # below it: keep it once (from the first subscription, in listing order), and
                    # remember every subscription (environment) it reaches.
                    key = resource.id.lower()
                    if key not in seen_in:
                        seen_in[key] = []
                        assignments.append(resource)
                    seen_in[key].append(sub_id)
                for key in ("role_assignments", "eligibility"):
                    if isinstance(parts[key], Unknown):
                        unreadable[sub_id] = parts[key]
                for definition in definitions:
                    seen_definitions.setdefault(definition.id, definition)
                sources.append(self._source(f"azure:subscription:{sub_id}", outcome, identity, started, calls))
            resources.extend(mapping.with_environments(assignments, seen_in, environments, unreadable))
            resources.extend(seen_definitions.values())
        return CollectResult(tuple(resources), tuple(sources))

    # --- ARM ---------------------------------------------------------------------------------

    def _list_subscriptions(self, arm: ArmRest, outcome: _Outcome) -> dict[str, dict[str, Any]] | None:
        """Readable subscriptions (filtered to --azure-subscription), or None if the list failed."""
        try:
            items = arm.list("/subscriptions", API_SUBSCRIPTIONS)
        except Exception as exc:  # noqa: BLE001 - recorded on the source
            kind, message, _ = self._arm_failure(exc, "list subscriptions", "Reader on the subscriptions")
            outcome.errors.append(message)
            outcome.kinds.add(kind)
            outcome.notes.append("grant the identity Reader on each subscription (or a management group above them)")
            return None
        found = {str(s.get("subscriptionId")).lower(): s for s in items if s.get("subscriptionId")}
        if self._options.subscriptions:
            found = {k: v for k, v in found.items() if k in self._options.subscriptions}
        self.context.progress.task("azure", f"reading {len(found)} subscriptions and the tenant", total=len(found) + 1)
        return found

    def _read_subscription(
        self, credential: Any, arm: ArmRest, arm_options: Mapping[str, Any], sub_id: str
    ) -> tuple[dict[str, Any], _Outcome, dict[str, int]]:
        """Every ARM part of one subscription. Never raises: failures become Unknown parts."""
        from azure.mgmt.authorization import AuthorizationManagementClient

        counter = CallCounter()
        options = dict(arm_options)
        base_hook = options["raw_request_hook"]

        def hook(request: Any) -> None:
            base_hook(request)
            http = request.http_request
            from scanner.collectors.azure.client import operation_key

            counter.add(f"arm {operation_key(http.method, http.url)}")

        options["raw_request_hook"] = hook
        client = AuthorizationManagementClient(credential, sub_id, base_url=self._options.arm_url, **options)
        sub_arm = ArmRest(credential, self._options.arm_url, options)
        scope = f"/subscriptions/{sub_id}"
        outcome = _Outcome()
        parts: dict[str, Any] = {}

        def read(name: str, what: str, needs: str, call: Callable[[], Any], *, tolerate: Callable[[Exception], Any] | None = None) -> None:
            def attempt() -> Any:
                try:
                    return call()
                except Exception as exc:  # noqa: BLE001 - classified here, recorded on the source
                    if tolerate is not None:
                        tolerated = tolerate(exc)
                        if tolerated is not None:
                            return tolerated
                    kind, message, reason = self._arm_failure(exc, f"{what} of subscription {sub_id}", needs)
                    note = f"{needs} on subscription {sub_id} would complete {what}" if kind == "permission" else None
                    raise ReadFailure(message, kind=kind, reason=reason, note=note) from exc

            parts[name] = outcome.read_or_unknown(what, attempt, needs=needs)

        def ser(items: Any) -> list[dict[str, Any]]:
            return [item.serialize(keep_readonly=True) for item in items]

        read("role_assignments", "role assignments", "Reader (Microsoft.Authorization/roleAssignments/read)",
             lambda: ser(client.role_assignments.list_for_subscription()))
        read("role_definitions", "role definitions", "Reader (Microsoft.Authorization/roleDefinitions/read)",
             lambda: ser(client.role_definitions.list(scope)))
        read("eligibility", "PIM eligible assignments", "Reader (Microsoft.Authorization/roleEligibilityScheduleInstances/read)",
             lambda: ser(client.role_eligibility_schedule_instances.list_for_scope(scope)),
             tolerate=_no_pim_licence)
        if parts.get("eligibility") is _NO_PIM:
            parts["assignment_schedules"] = []
        else:
            read("assignment_schedules", "PIM active assignments", "Reader (Microsoft.Authorization/roleAssignmentScheduleInstances/read)",
                 lambda: ser(client.role_assignment_schedule_instances.list_for_scope(scope)),
                 tolerate=lambda exc: [] if _no_pim_licence(exc) is not None else None)
        read("classic_admins", "classic administrators", "Reader (Microsoft.Authorization/classicAdministrators/read)",
             lambda: ser(client.classic_administrators.list()),
             tolerate=_retired_classic_admins)
        read("diagnostic_settings", "activity log diagnostic settings", "Reader (Microsoft.Insights/diagnosticSettings/read)",
             lambda: sub_arm.list(f"{scope}/providers/Microsoft.Insights/diagnosticSettings", API_DIAGNOSTIC_SETTINGS))
        read("security_contacts", "Defender for Cloud security contacts", "Reader or Security Reader (Microsoft.Security/securityContacts/read)",
             lambda: sub_arm.list(f"{scope}/providers/Microsoft.Security/securityContacts", API_SECURITY_CONTACTS))
        self.context.progress.advance("azure")
        return parts, outcome, counter.snapshot()

    def _arm_failure(self, exc: Exception, what: str, needs: str) -> tuple[str, str, str]:
        """(error kind, one-line error, Unknown reason) for a failed ARM read."""
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError

        status = getattr(exc, "status_code", None)
        code = getattr(getattr(exc, "error", None), "code", None)
        detail = _first_line(exc)
        if isinstance(exc, ClientAuthenticationError) and status in (None, 401):
            return "auth", f"ARM refused the credential reading {what} ({detail}); sign in again", f"could not read {what}: credential rejected"
        if status == 403:
            return "permission", f"ARM denied {what} (403 {code or ''}); grant {needs}".replace("( ", "(").replace(" )", ")"), f"needs {needs}"
        if isinstance(exc, HttpResponseError) and status is not None:
            return "api", f"ARM failed reading {what} ({status} {code or ''}: {detail}); retry later".replace(" :", ":"), f"could not read {what}: ARM answered {status}"
        return "api", f"ARM failed reading {what} ({type(exc).__name__}: {detail})", f"could not read {what}"

    # --- Graph -------------------------------------------------------------------------------

    def _read_tenant(self, graph: GraphClient) -> tuple[dict[str, Any], _Outcome]:
        """Every Graph part of the tenant, read one after another on this worker (the pool's
        other workers are busy with subscriptions; Graph throttles per app anyway)."""
        outcome = _Outcome()
        parts: dict[str, Any] = {}

        def read(name: str, what: str, permission: str, call: Callable[[], Any], *, licence_reason: str | None = None) -> None:
            def attempt() -> Any:
                try:
                    return call()
                except GraphError as exc:
                    note = None
                    if exc.status == 403 and exc.code == _NO_PREMIUM and licence_reason:
                        reason = licence_reason
                        note = f"{what} needs {_LICENCE}; without it these attributes are Unknown"
                    elif exc.status == 403:
                        reason = f"needs Graph {permission}"
                        note = f"grant the Graph application permission {permission} (admin consent) to read {what}"
                    elif exc.status == 401:
                        reason = f"could not read {what}: credential rejected"
                    else:
                        reason = f"could not read {what}: Graph answered {exc.status or 'no response'}"
                    raise ReadFailure(str(exc), kind=exc.kind, reason=reason, note=note) from exc

            parts[name] = outcome.read_or_unknown(what, attempt, needs=f"needs Graph {permission}")

        read("organization", "the tenant's verified domains", "Directory.Read.All",
             lambda: next(iter(graph.list("/organization", {"$select": "id,displayName,verifiedDomains"})), None))
        self._read_users(graph, parts, outcome)
        read("registration", "MFA registration (userRegistrationDetails)", "AuditLog.Read.All",
             lambda: graph.list("/reports/authenticationMethods/userRegistrationDetails"),
             licence_reason=f"needs {_LICENCE} (userRegistrationDetails)")
        read("directory_roles", "directory role assignments", "RoleManagement.Read.Directory",
             lambda: graph.list("/roleManagement/directory/roleAssignments"))
        read("directory_role_definitions", "directory role names", "RoleManagement.Read.Directory",
             lambda: graph.list("/roleManagement/directory/roleDefinitions", {"$select": "id,displayName,isBuiltIn"}))
        self._read_directory_pim(graph, parts, outcome, read)
        read("security_defaults", "security defaults", "Policy.Read.All",
             lambda: graph.get("/policies/identitySecurityDefaultsEnforcementPolicy"))
        read("ca_policies", "Conditional Access policies", "Policy.Read.All",
             lambda: graph.list("/identity/conditionalAccess/policies"),
             licence_reason=f"needs {_LICENCE} (Conditional Access)")
        read("authorization_policy", "guest invitation settings", "Policy.Read.All",
             lambda: graph.get("/policies/authorizationPolicy"))
        read("service_principals", "service principals", "Directory.Read.All (or Application.Read.All)",
             lambda: graph.list("/servicePrincipals", {"$select": f"id,appId,displayName,servicePrincipalType,accountEnabled,appOwnerOrganizationId,{_CREDENTIAL_FIELDS}"}))
        read("applications", "app registrations", "Directory.Read.All (or Application.Read.All)",
             lambda: graph.list("/applications", {"$select": f"id,appId,displayName,signInAudience,createdDateTime,{_CREDENTIAL_FIELDS}"}))
        self._read_federated_credentials(graph, parts, outcome)
        read("graph_app_roles", "Microsoft Graph permission names", "Directory.Read.All (or Application.Read.All)",
             lambda: graph.get(f"/servicePrincipals(appId='{roles.MICROSOFT_GRAPH_APP_ID}')", {"$select": "id,appRoles"}))
        graph_sp = parts.get("graph_app_roles")
        if isinstance(graph_sp, dict):
            read("graph_grants", "Graph permissions granted to apps", "Directory.Read.All (or Application.Read.All)",
                 lambda: graph.list(f"/servicePrincipals/{graph_sp['id']}/appRoleAssignedTo"))
            parts["graph_app_roles"] = list(graph_sp.get("appRoles") or [])
        else:
            parts["graph_grants"] = graph_sp
        self.context.progress.advance("azure")
        return parts, outcome

    def _read_federated_credentials(self, graph: GraphClient, parts: dict[str, Any], outcome: _Outcome) -> None:
        """Each app registration's federated identity credentials (one Graph call per app: v1.0
        lists them only under the application). Who may sign in as the app with an external token
        (GitHub Actions OIDC) is what makes a path from a repository to an Azure role."""
        apps = parts.get("applications")
        if isinstance(apps, Unknown):
            parts["federated_credentials"] = apps
            return
        outcome.parts += 1
        found: dict[str, list[dict[str, Any]]] = {}
        for app in apps or []:
            object_id = str(app.get("id"))
            try:
                found[object_id] = graph.list(f"/applications/{object_id}/federatedIdentityCredentials")
            except GraphError as exc:
                outcome.failed_parts += 1
                outcome.errors.append(str(exc))
                outcome.kinds.add(exc.kind)
                if exc.status == 403:
                    reason = "needs Graph Application.Read.All (federated identity credentials)"
                    outcome.notes.append("grant the Graph application permission Application.Read.All to read federated identity credentials")
                else:
                    reason = f"could not read federated identity credentials: Graph answered {exc.status or 'no response'}"
                # One failure makes every app's list doubtful (the same permission and service).
                parts["federated_credentials"] = Unknown(reason)
                return
        parts["federated_credentials"] = found

    def _read_directory_pim(self, graph: GraphClient, parts: dict[str, Any], outcome: _Outcome, read: Callable[..., None]) -> None:
        """PIM for directory roles: eligible assignments and the schedule instances that say
        which active assignments are standing. Without Entra ID P2 Graph answers 400
        AadPremiumLicenseRequired: PIM is unavailable (every active assignment is standing) and
        eligibility is Unknown with that reason; a note says so, the source stays complete."""
        outcome.parts += 1
        parts["directory_pim"] = True
        try:
            parts["directory_eligibility"] = graph.list("/roleManagement/directory/roleEligibilityScheduleInstances")
        except GraphError as exc:
            if exc.code == _NO_P2:
                parts["directory_pim"] = False
                parts["directory_eligibility"] = parts["directory_schedules"] = Unknown(_P2_REASON)
                outcome.notes.append("PIM-eligible directory roles need Microsoft Entra ID P2; without it every active admin role is standing")
                return
            outcome.failed_parts += 1
            outcome.errors.append(str(exc))
            outcome.kinds.add(exc.kind)
            if exc.status == 403:
                reason = Unknown("needs Graph RoleManagement.Read.Directory")
                outcome.notes.append("grant the Graph application permission RoleManagement.Read.Directory to read PIM-eligible directory roles")
            else:
                reason = Unknown(f"could not read PIM-eligible directory roles: Graph answered {exc.status or 'no response'}")
            parts["directory_pim"] = parts["directory_eligibility"] = parts["directory_schedules"] = reason
            return
        read("directory_schedules", "directory role assignment schedules (PIM)", "RoleManagement.Read.Directory",
             lambda: graph.list("/roleManagement/directory/roleAssignmentScheduleInstances"))

    def _read_users(self, graph: GraphClient, parts: dict[str, Any], outcome: _Outcome) -> None:
        """Users with signInActivity; if that field is refused (licence or AuditLog.Read.All),
        read them again without it and mark only the sign-in attributes Unknown."""
        outcome.parts += 1
        parts["sign_in"] = None
        try:
            parts["users"] = graph.list("/users", {"$select": f"{_USER_FIELDS},signInActivity", "$top": "999"})
            return
        except GraphError as exc:
            if exc.status != 403:
                outcome.failed_parts += 1
                outcome.errors.append(str(exc))
                outcome.kinds.add(exc.kind)
                parts["users"] = Unknown(f"could not read users: Graph answered {exc.status or 'no response'}")
                return
            outcome.errors.append(str(exc))
            outcome.kinds.add(exc.kind)
            if exc.code == _NO_PREMIUM:
                parts["sign_in"] = Unknown(f"needs {_LICENCE} (signInActivity)")
                outcome.notes.append(f"last sign-in (signInActivity) needs {_LICENCE}; inactivity checks are Unknown without it")
            else:
                parts["sign_in"] = Unknown("needs Graph AuditLog.Read.All (signInActivity)")
                outcome.notes.append("grant the Graph application permission AuditLog.Read.All to read last sign-in times")
        try:
            parts["users"] = graph.list("/users", {"$select": _USER_FIELDS, "$top": "999"})
            # Users were read; only their sign-in part is missing: one more part, and it failed.
            outcome.parts += 1
            outcome.failed_parts += 1
        except GraphError as exc:
            outcome.failed_parts += 1
            outcome.errors.append(str(exc))
            outcome.kinds.add(exc.kind)
            if exc.status == 403:
                parts["users"] = Unknown("needs Graph Directory.Read.All (User.Read.All)")
                outcome.notes.append("grant the Graph application permission Directory.Read.All (or User.Read.All) to read users")
            else:
                parts["users"] = Unknown(f"could not read users: Graph answered {exc.status or 'no response'}")

    def _directory(
        self,
        graph: GraphClient,
        tenant_id: str,
        tenant_parts: Mapping[str, Any],
        sub_parts: Mapping[str, Any],
        outcome: _Outcome,
    ) -> mapping.Directory:
        """Index what Graph returned; look up principals of role assignments that are neither a
        user nor a service principal (groups, foreign principals) one by one."""
        users = tenant_parts["users"]
        sps = tenant_parts["service_principals"]
        organization = tenant_parts["organization"]
        users_by_id = users if isinstance(users, Unknown) else {str(u.get("id")): u for u in users}
        sps_by_id = sps if isinstance(sps, Unknown) else {str(s.get("id")): s for s in sps}
        domains: Any = (
            organization if isinstance(organization, Unknown)
            else [str(d.get("name")) for d in (organization or {}).get("verifiedDomains") or [] if d.get("name")]
        )
        wanted: set[str] = set()
        groups: set[str] = set()
        for parts, _, _ in sub_parts.values():
            for key in ("role_assignments", "eligibility"):
                items = parts.get(key)
                if not isinstance(items, list):
                    continue
                for item in items:
                    props = item.get("properties") or {}
                    principal_type = str(props.get("principalType") or "")
                    principal_id = str(props.get("principalId") or "")
                    if principal_type in ("Group", "ForeignGroup", "Device") or (
                        principal_type == "User" and isinstance(users_by_id, dict) and principal_id not in users_by_id
                    ):
                        wanted.add(principal_id)
                    if principal_type == "Group":
                        groups.add(principal_id)
        # Groups and users excluded from Conditional Access: named, and groups expanded, so the
        # tenant can say who an exclusion lets through.
        ca_policies = tenant_parts.get("ca_policies")
        if isinstance(ca_policies, list):
            for policy in ca_policies:
                if policy.get("state") != "enabled":
                    continue
                users_condition = (policy.get("conditions") or {}).get("users") or {}
                # Included groups too: whether an admin is covered depends on who is in them.
                for group_id in list(users_condition.get("excludeGroups") or []) + list(users_condition.get("includeGroups") or []):
                    wanted.add(str(group_id))
                    groups.add(str(group_id))
                for user_id in users_condition.get("excludeUsers") or []:
                    if isinstance(users_by_id, dict) and user_id not in users_by_id and user_id not in ("All", "None", "GuestsOrExternalUsers"):
                        wanted.add(str(user_id))
        # Directory roles held by a (role-assignable) group: its members are the admins.
        for key in ("directory_roles", "directory_eligibility"):
            items = tenant_parts.get(key)
            if not isinstance(items, list) or not isinstance(users_by_id, dict):
                continue
            for item in items:
                principal_id = str(item.get("principalId") or "")
                if principal_id and principal_id not in users_by_id and not (isinstance(sps_by_id, dict) and principal_id in sps_by_id):
                    wanted.add(principal_id)
                    groups.add(principal_id)
        others: dict[str, Mapping[str, Any]] = {}
        if wanted:
            def lookup(object_id: str) -> tuple[str, Any]:
                try:
                    return object_id, graph.get(f"/directoryObjects/{object_id}", {"$select": "id,displayName"})
                except GraphError as exc:
                    return object_id, exc

            with ThreadPoolExecutor(max_workers=max(1, self.context.concurrency)) as pool:
                for object_id, found in pool.map(lookup, sorted(wanted)):
                    if isinstance(found, dict):
                        others[object_id] = found
                    elif isinstance(found, GraphError) and found.status not in (404,):
                        outcome.errors.append(str(found))
                        outcome.kinds.add(found.kind)
        members = self._group_members(graph, sorted(groups), outcome) if groups else {}
        return mapping.Directory(tenant_id, domains, users_by_id, sps_by_id, others, members)

    def _group_members(self, graph: GraphClient, group_ids: list[str], outcome: _Outcome) -> dict[str, Any]:
        """group id -> transitive members (paged), or Unknown naming what is missing."""

        def members(group_id: str) -> tuple[str, Any]:
            try:
                return group_id, graph.list(f"/groups/{group_id}/transitiveMembers", {"$select": _MEMBER_FIELDS, "$top": "999"})
            except GraphError as exc:
                return group_id, exc

        result: dict[str, Any] = {}
        outcome.parts += 1
        failed = False
        with ThreadPoolExecutor(max_workers=max(1, self.context.concurrency)) as pool:
            for group_id, found in pool.map(members, group_ids):
                if not isinstance(found, GraphError):
                    result[group_id] = found
                elif found.status == 404:
                    result[group_id] = []  # the group is gone: nobody holds anything through it
                else:
                    failed = True
                    outcome.errors.append(str(found))
                    outcome.kinds.add(found.kind)
                    if found.status == 403:
                        result[group_id] = Unknown("needs Graph GroupMember.Read.All (or Directory.Read.All)")
                        outcome.notes.append("grant the Graph application permission GroupMember.Read.All (or Directory.Read.All) to see who holds roles through groups")
                    else:
                        result[group_id] = Unknown(f"could not read members of group {group_id}: Graph answered {found.status or 'no response'}")
        if failed:
            outcome.failed_parts += 1
        return result

    def _tenant_resources(
        self, tenant_id: str, parts: Mapping[str, Any], directory: mapping.Directory, now: Any
    ) -> list[Resource]:
        users = parts["users"]
        sps = parts["service_principals"]
        display_names: dict[str, str] = {}
        if not isinstance(users, Unknown):
            display_names.update({str(u.get("id")): str(u.get("userPrincipalName") or u.get("displayName")) for u in users})
        if not isinstance(sps, Unknown):
            display_names.update({str(s.get("id")): str(s.get("displayName")) for s in sps})
        role_names = dict(roles.ENTRA_PRIVILEGED_ROLES)
        if isinstance(parts["directory_role_definitions"], list):
            role_names.update({str(d.get("id")): str(d.get("displayName")) for d in parts["directory_role_definitions"]})
        tenant_directory = mapping.TenantDirectory(
            directory=directory,
            role_names=role_names,
            display_names=display_names,
            eligibility=parts["directory_eligibility"],
            assignment_schedules=parts["directory_schedules"],
            pim_available=parts["directory_pim"],
        )
        resources = [
            mapping.map_tenant(
                tenant_id=tenant_id,
                organization=parts["organization"] if parts["organization"] is not None else {},
                security_defaults=parts["security_defaults"],
                ca_policies=parts["ca_policies"],
                authorization_policy=parts["authorization_policy"],
                directory_role_assignments=parts["directory_roles"],
                users=users,
                display_names=display_names,
                tenant_directory=tenant_directory,
                registration=parts["registration"],
            )
        ]
        eligible_by_principal = mapping.directory_roles_by_principal(parts["directory_eligibility"], parts["directory_role_definitions"])
        roles_by_principal = mapping.directory_roles_by_principal(parts["directory_roles"], parts["directory_role_definitions"])
        admins = mapping.admin_principals(parts["directory_roles"], roles.ENTRA_ADMIN_ROLES)
        registration = parts["registration"]
        registration_by_id = registration if isinstance(registration, Unknown) else {str(r.get("id")): r for r in registration}
        if not isinstance(users, Unknown):
            for user in users:
                resources.append(
                    mapping.map_user(
                        user,
                        tenant_id=tenant_id,
                        now=now,
                        sign_in=parts["sign_in"],
                        registration=registration_by_id if isinstance(registration_by_id, Unknown) else registration_by_id.get(str(user.get("id"))),
                        roles_by_principal=roles_by_principal,
                        admins=admins,
                        eligible_roles_by_principal=eligible_by_principal,
                    )
                )
        permissions = mapping.graph_permissions_by_principal(parts["graph_grants"], parts["graph_app_roles"])
        if not isinstance(sps, Unknown):
            for sp in sps:
                resources.append(
                    mapping.map_service_principal(
                        sp, tenant_id=tenant_id, now=now, roles_by_principal=roles_by_principal, permissions_by_principal=permissions
                    )
                )
        apps = parts["applications"]
        if not isinstance(apps, Unknown):
            federated = parts.get("federated_credentials", Unknown("federated identity credentials were not read"))
            resources.extend(mapping.map_application(app, tenant_id=tenant_id, now=now, federated=federated) for app in apps)
        return resources

    def _subscription_resources(
        self, subscription: Mapping[str, Any], parts: Mapping[str, Any], directory: mapping.Directory, now: Any
    ) -> tuple[list[Resource], list[Resource]]:
        sub_id = str(subscription.get("subscriptionId")).lower()
        definitions_part = parts["role_definitions"]
        definitions = {} if isinstance(definitions_part, Unknown) else {
            mapping.role_guid(str(d.get("id") or d.get("name"))): d for d in definitions_part
        }
        eligibility = parts["eligibility"]
        pim_available: Any = False if eligibility is _NO_PIM else (eligibility if isinstance(eligibility, Unknown) else True)
        schedules = parts["assignment_schedules"]

        assignments: list[Resource] | Unknown
        active = parts["role_assignments"]
        if isinstance(active, Unknown):
            assignments = active
        else:
            assignments = []
            for item in active:
                assignment_type, end_at = mapping.classify_active(item, schedules, now)
                assignments.append(
                    mapping.map_role_assignment(
                        item, subscription_id=sub_id, assignment_type=assignment_type, end_at=end_at,
                        definitions=definitions, directory=directory, pim_available=pim_available,
                        definitions_read=not isinstance(definitions_part, Unknown),
                    )
                )
            if isinstance(eligibility, list):
                for item in eligibility:
                    end = mapping.parse_time((item.get("properties") or {}).get("endDateTime"))
                    assignments.append(
                        mapping.map_role_assignment(
                            item, subscription_id=sub_id, assignment_type="eligible", end_at=iso(end),
                            definitions=definitions, directory=directory, pim_available=pim_available,
                            definitions_read=not isinstance(definitions_part, Unknown),
                        )
                    )
        subscription_resource = Resource(
            type="azure.subscription",
            id=f"/subscriptions/{sub_id}",
            name=str(subscription.get("displayName") or sub_id),
            scope=sub_id,
            attributes=mapping.subscription_attributes(
                subscription,
                assignments=assignments,
                pim_available=pim_available,
                diagnostic_settings=parts["diagnostic_settings"],
                classic_admins=parts["classic_admins"],
                security_contacts=parts["security_contacts"],
                environment_rule=self._options.environment,
            ),
        )
        custom = [
            mapping.map_role_definition(d)
            for d in definitions.values()
            if str((d.get("properties") or {}).get("type") or "") == "CustomRole"
        ]
        resources = [subscription_resource]
        if not isinstance(assignments, Unknown):
            resources.extend(assignments)
        return resources, custom

    def _source(self, name: str, outcome: _Outcome, identity: str | None, started: str | None,
                api_calls: Mapping[str, int] | None = None, status: SourceState | None = None) -> SourceStatus:
        """How reading one source went, from the outcome its parts recorded (errors scrubbed)."""
        return SourceStatus(
            name=name,
            platform="azure",
            status=status or outcome.status(),  # type: ignore[arg-type]
            errors=tuple(self._clean(e) for e in outcome.errors),
            notes=tuple(dict.fromkeys(outcome.notes)),
            identity=identity,
            started_at=started,
            finished_at=iso(self.context.clock()),
            api_calls=dict(api_calls or {}),
            error_kind=outcome.error_kind(),
        )

    def _clean(self, text: str) -> str:
        return scrub(redact(" ".join(str(text).split()), getattr(self, "_secrets", [])))


# Shared with the Intune collector, which signs in the same way.
TenantCredential = _TenantCredential


class _NoPim:
    """Marker: PIM answered that the tenant has no Entra ID P2 licence."""


_NO_PIM: Any = _NoPim()


def _no_pim_licence(exc: Exception) -> Any:
    code = str(getattr(getattr(exc, "error", None), "code", "") or "")
    if getattr(exc, "status_code", None) in (400, 403) and "PremiumLicense" in code:
        return _NO_PIM
    return None


def _retired_classic_admins(exc: Exception) -> Any:
    # Classic administrators were retired in 2024: subscriptions without any answer 404.
    if getattr(exc, "status_code", None) == 404:
        return []
    return None


def first_line(exc: BaseException) -> str:
    """The cause of a sign-in or API error in one scrubbed line (shared with the Intune collector)."""
    return _first_line(exc)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "message", None) or exc) or type(exc).__name__
    # azure-identity appends troubleshooting boilerplate to every sign-in error; keep the cause.
    text = text.split("To mitigate this issue", 1)[0].split("To troubleshoot", 1)[0]
    return scrub(" ".join(text.split()))[:300]  # scrub before cutting: never keep half a token
