"""The AWS collector: one account (the caller's) or every member account of an AWS Organization.

Per account it reads IAM in bulk (the credential report and GetAccountAuthorizationDetails,
never one call per user), the account-wide guards (password policy, federation, Block Public
Access, Access Analyzer, security contact) and CloudTrail. Every call is a read; a permission
the credentials lack turns the attributes it feeds into ``Unknown("needs <action>")`` and the
account's source into ``partial``. In organization mode accounts are collected concurrently
(bounded by ``context.concurrency``) and one account failing (AssumeRole denied) leaves the
others complete.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from datetime import datetime
from typing import Any, ClassVar, TypeVar, overload

from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from scanner.collectors.aws import ai_stores, mapping, separation
from scanner.collectors.aws.platform import AwsSettings
from scanner.collectors.aws.client import (
    ACCESS_DENIED_CODES,
    AUTH_ERROR_CODES,
    AccountClients,
    AwsSessionFactory,
    error_code,
)
from scanner.collectors.base import CallCounter, CollectContext, Collector, CollectResult, UnitReader, iso, redact
from scanner.errors import ApiError, AuthError, CollectorError, ConfigError, PermissionDenied
from scanner.inventory.model import Resource, SourceStatus, Unknown

T = TypeVar("T")

_GAAD_FILTER = ["User", "Role", "Group", "LocalManagedPolicy"]
_BPA_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
_PUBLIC_GRANTEES = (
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
)


# --------------------------------------------------------------------------- one account


@dataclass
class OrgFacts:
    """What the organization says about one account (read from the management account)."""

    organization_id: str | None
    is_management_account: bool | Unknown
    scps_enabled: bool | Unknown
    tags: dict[str, str] | Unknown
    ou_name: str | None | Unknown
    account_name: str | None = None
    member_accounts: frozenset[str] = frozenset()
    identity_center_in_org: bool | None = None
    # SCP documents per level (root, OUs, account) for the IAM evaluator; None: not read here.
    scps: list[list[Any]] | Unknown | None = None

    @property
    def org_member(self) -> bool:
        return self.organization_id is not None

    def environment(self) -> str | None | Unknown:
        if not self.org_member:
            return None
        if isinstance(self.tags, Unknown):
            return self.tags
        ou = None if isinstance(self.ou_name, Unknown) else self.ou_name
        return mapping.environment_from(self.tags, ou)


NOT_IN_ORG = OrgFacts(None, False, False, {}, None)


class _Abort(Exception):
    """The whole account cannot be read (credentials rejected); carries the collector error."""

    def __init__(self, error: CollectorError) -> None:
        super().__init__(str(error))
        self.error = error


class _Denied(PermissionDenied):
    """An AWS access-denied answer; ``code`` is AWS's error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Failed(ApiError):
    """Any other AWS failure: ``detail`` for the source error, ``short`` for the Unknown's reason."""

    def __init__(self, detail: str, short: str) -> None:
        super().__init__(detail)
        self.short = short


@dataclass(eq=False)
class _AccountRun(UnitReader):
    """Collects one account through its clients, recording what could not be read (``UnitReader``)."""

    clients: AccountClients
    account_id: str
    now: datetime
    sleep: Callable[[float], None]
    report_timeout: float = 120.0

    def __post_init__(self) -> None:
        super().__init__(f"AWS account {self.account_id}")

    # -- calling

    @overload
    def attempt(self, action: str, fn: Callable[[], T]) -> T | Unknown: ...

    @overload
    def attempt(self, action: str, fn: Callable[[], T], absent: Mapping[str, Any]) -> Any: ...
    # (With ``absent`` the answer is T, one of its values (often a literal such as ``{}``, which
    # cannot be inferred) or an Unknown: callers narrow with isinstance(..., Unknown).)

    def attempt(self, action: str, fn: Callable[[], T], absent: Mapping[str, Any] | None = None) -> Any:
        """``fn()``, or for an error code listed in ``absent`` its value, else an ``Unknown``."""

        def read() -> Any:
            try:
                return fn()
            except ClientError as exc:
                if absent and error_code(exc) in absent:
                    return absent[error_code(exc)]
                raise

        return self.read_or_unknown(action, read, needs=f"needs {action}")

    def classify(self, what: str, exc: Exception) -> CollectorError | None:
        if isinstance(exc, ClientError):
            code = error_code(exc)
            if code in AUTH_ERROR_CODES:
                raise _Abort(AuthError(f"AWS account {self.account_id}: credentials rejected by {what} ({code})")) from exc
            if code in ACCESS_DENIED_CODES:
                return _Denied(code)
            message = " ".join(redact(str(exc.response.get("Error", {}).get("Message", "")), self.clients.secrets()).split())
            if message.startswith("<"):
                message = ""  # an HTML error page, not a message: the code says enough
            return _Failed(f"{code}{': ' + message[:120] if message else ''}", code)
        if isinstance(exc, NoCredentialsError):
            raise _Abort(AuthError("no AWS credentials found; configure a profile or the default credential chain")) from exc
        if isinstance(exc, BotoCoreError):
            reason = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
            return _Failed(f"{type(exc).__name__}: {reason}", type(exc).__name__)
        return None

    def denied(self, what: str, needs: str, error: CollectorError) -> Unknown:
        self.kinds.add("permission")
        note = f"grant {what} to read what it feeds (see deploy/aws/posture-audit-policy.json)"
        if note not in self.notes:
            self.notes.append(note)
            self.errors.append(f"{what} denied ({getattr(error, 'code', error)}) in account {self.account_id}")
        return Unknown(needs)

    def failed(self, what: str, error: CollectorError) -> Unknown:
        self.kinds.add("api")
        self.errors.append(f"{what} failed in account {self.account_id} ({error})")
        return Unknown(f"{what} failed ({getattr(error, 'short', error)})")

    def _iam(self) -> Any:
        return self.clients.client("iam")

    # -- IAM

    def authorization_details(self) -> mapping.Authorization | Unknown:
        def read() -> mapping.Authorization:
            paginator = self._iam().get_paginator("get_account_authorization_details")
            pages = paginator.paginate(Filter=_GAAD_FILTER, PaginationConfig={"PageSize": 1000})
            return mapping.Authorization.from_pages(pages)

        return self.attempt("iam:GetAccountAuthorizationDetails", read)

    def credential_report(self) -> dict[str, dict[str, str]] | Unknown:
        iam = self._iam()
        deadline = time.monotonic() + self.report_timeout
        delay = 0.25
        generated = self.attempt("iam:GenerateCredentialReport", iam.generate_credential_report)
        while isinstance(generated, dict) and generated.get("State") != "COMPLETE":
            if time.monotonic() > deadline:
                self.errors.append(f"the IAM credential report of account {self.account_id} was not ready in time")
                return Unknown("the IAM credential report was not ready in time")
            self.sleep(delay)
            delay = min(delay * 2, 4.0)
            generated = self.attempt("iam:GenerateCredentialReport", iam.generate_credential_report)
        while True:
            report = self.attempt(
                "iam:GetCredentialReport",
                iam.get_credential_report,
                absent={"ReportInProgress": "in-progress", "ReportNotPresent": "absent", "ReportExpired": "absent"},
            )
            if report == "in-progress" and time.monotonic() < deadline:
                self.sleep(delay)
                continue
            break
        if isinstance(report, Unknown):
            return report
        if not isinstance(report, dict):
            reason = (
                generated if isinstance(generated, Unknown) else Unknown("the IAM credential report could not be generated")
            )
            return reason
        return mapping.parse_credential_report(report.get("Content", b""))

    def virtual_mfa(self) -> tuple[set[str] | Unknown, bool | Unknown]:
        """(IAM user names with a virtual MFA device, root has a virtual device)."""

        def read() -> tuple[set[str], bool]:
            users: set[str] = set()
            root = False
            for page in self._iam().get_paginator("list_virtual_mfa_devices").paginate(AssignmentStatus="Assigned"):
                for device in page.get("VirtualMFADevices", ()):
                    user = device.get("User") or {}
                    if str(user.get("Arn", "")).endswith(":root") or "root-account-mfa-device" in device.get("SerialNumber", ""):
                        root = True
                    elif user.get("UserName"):
                        users.add(user["UserName"])
            return users, root

        result = self.attempt("iam:ListVirtualMFADevices", read)
        if isinstance(result, Unknown):
            return result, result
        return result

    # -- account-wide

    def account_facts(
        self,
        org: OrgFacts,
        report: dict[str, dict[str, str]] | Unknown,
        users: Sequence[Resource],
        root_virtual_mfa: bool | Unknown,
        trails: Sequence[mapping.TrailFacts] | Unknown,
        bpa: dict[str, bool] | Unknown,
    ) -> dict[str, Any]:
        iam = self._iam()
        facts: dict[str, Any] = {}

        aliases = self.attempt("iam:ListAccountAliases", iam.list_account_aliases)
        facts["alias"] = (aliases.get("AccountAliases") or [None])[0] if isinstance(aliases, dict) else None

        facts["organizational_unit"] = org.ou_name
        facts["org_member"] = org.org_member
        facts["organization_id"] = org.organization_id
        facts["is_management_account"] = org.is_management_account
        facts["scps_enabled"] = org.scps_enabled

        summary = self.attempt("iam:GetAccountSummary", iam.get_account_summary)
        if isinstance(summary, Unknown):
            facts.update(root_mfa_enabled=summary, root_mfa_kind=summary)
            facts["root_access_keys_present"] = mapping.root_access_keys(summary, report)
        else:
            summary_map = summary.get("SummaryMap", {})
            mfa = bool(summary_map.get("AccountMFAEnabled"))
            facts["root_mfa_enabled"] = mfa
            facts["root_access_keys_present"] = mapping.root_access_keys(
                bool(summary_map.get("AccountAccessKeysPresent")), report
            )
            if not mfa:
                facts["root_mfa_kind"] = None
            elif isinstance(root_virtual_mfa, Unknown):
                facts["root_mfa_kind"] = root_virtual_mfa
            else:
                facts["root_mfa_kind"] = "virtual" if root_virtual_mfa else "hardware"
        facts["root_last_used_at"], facts["root_days_since_last_used"] = mapping.root_usage(report, self.now)

        policy = self.attempt(
            "iam:GetAccountPasswordPolicy", iam.get_account_password_policy, absent={"NoSuchEntity": None}
        )
        if isinstance(policy, Unknown):
            for key in ("password_policy_present", "password_minimum_length", "password_reuse_prevention", "password_max_age_days"):
                facts[key] = policy
        else:
            rules = (policy or {}).get("PasswordPolicy") or {}
            facts["password_policy_present"] = policy is not None
            facts["password_minimum_length"] = rules.get("MinimumPasswordLength") if policy else None
            facts["password_reuse_prevention"] = rules.get("PasswordReusePrevention")
            facts["password_max_age_days"] = rules.get("MaxPasswordAge") or None  # 0/absent: never expire

        facts["iam_users"] = len(users)
        console = [u.attributes.get("has_console_password") for u in users]
        unknown_console = next((c for c in console if isinstance(c, Unknown)), None)
        facts["iam_users_with_console"] = unknown_console or sum(1 for c in console if c is True)

        saml = self.attempt("iam:ListSAMLProviders", iam.list_saml_providers)
        oidc = self.attempt("iam:ListOpenIDConnectProviders", iam.list_open_id_connect_providers)
        facts["saml_providers"] = (
            saml if isinstance(saml, Unknown) else [mapping.name_from_arn(p["Arn"]) for p in saml.get("SAMLProviderList", ())]
        )
        facts["oidc_providers"] = (
            oidc
            if isinstance(oidc, Unknown)
            else [p["Arn"].split("oidc-provider/", 1)[-1] for p in oidc.get("OpenIDConnectProviderList", ())]
        )
        instances = self.attempt("sso:ListInstances", lambda: self.clients.client("sso-admin").list_instances())
        identity_center: bool | Unknown
        if isinstance(instances, Unknown):
            identity_center = instances
        else:
            identity_center = bool(instances.get("Instances"))
            if not identity_center and org.identity_center_in_org is not None:
                identity_center = org.identity_center_in_org
            elif not identity_center and org.org_member and org.is_management_account is not True:
                identity_center = Unknown(
                    "IAM Identity Center lives in the management account; scan with --aws-organization"
                )
        facts["identity_center_enabled"] = identity_center
        saml_present = isinstance(facts["saml_providers"], list) and bool(facts["saml_providers"])
        if saml_present or identity_center is True:
            facts["federation_present"] = True
        elif isinstance(facts["saml_providers"], Unknown):
            facts["federation_present"] = facts["saml_providers"]
        elif isinstance(identity_center, Unknown):
            facts["federation_present"] = identity_center
        else:
            facts["federation_present"] = False

        contact = self.attempt(
            "account:GetAlternateContact",
            lambda: self.clients.client("account").get_alternate_contact(AlternateContactType="SECURITY"),
            absent={"ResourceNotFoundException": None},
        )
        facts["security_contact_present"] = contact if isinstance(contact, Unknown) else contact is not None

        facts["s3_block_public_access"] = bpa if isinstance(bpa, Unknown) else all(bpa.get(k, False) for k in _BPA_KEYS)

        facts["access_analyzer_enabled"], facts["access_analyzer_missing_regions"] = self.access_analyzers()
        facts.update(mapping.trail_rollup(trails))
        return facts

    def enabled_regions(self) -> list[str] | Unknown:
        """Regions enabled for the account (ec2:DescribeRegions lists only those by default)."""
        answer = self.attempt("ec2:DescribeRegions", lambda: self.clients.client("ec2").describe_regions())
        if isinstance(answer, Unknown):
            return answer
        return sorted(str(r["RegionName"]) for r in answer.get("Regions", ()) if r.get("RegionName"))

    def access_analyzers(self) -> tuple[bool | Unknown, list[str] | Unknown]:
        """(an active analyzer in every enabled region, the enabled regions without one).

        An analyzer only watches its own region, so the home region alone proves nothing about
        the others. A region that cannot be read is Unknown, never counted as covered."""
        regions = self.enabled_regions()
        wanted = [self.clients.region] if isinstance(regions, Unknown) else regions or [self.clients.region]

        def one(region: str) -> tuple[str, bool | Unknown, _AccountRun]:
            probe = _AccountRun(self.clients, self.account_id, self.now, self.sleep)
            client = self.clients.client("accessanalyzer", region)
            answer = probe.attempt("access-analyzer:ListAnalyzers", client.list_analyzers)
            if isinstance(answer, Unknown):
                return region, answer, probe
            return region, any(a.get("status") == "ACTIVE" for a in answer.get("analyzers", ())), probe

        with ThreadPoolExecutor(max_workers=min(8, len(wanted)), thread_name_prefix="posture-aws-aa") as pool:
            results = list(pool.map(one, wanted))
        missing = [region for region, active, _ in results if active is False]
        failed = [(region, active, probe) for region, active, probe in results if isinstance(active, Unknown)]
        if failed:
            # One line for the whole fan-out, not one per region.
            first = failed[0][2]
            self.kinds.update(first.kinds)
            for note in first.notes:
                if note not in self.notes:
                    self.notes.append(note)
            names = ", ".join(region for region, _, _ in failed)
            detail = first.errors[0] if first.errors else str(failed[0][1])
            self.errors.append(f"access-analyzer:ListAnalyzers could not be read in {len(failed)} region(s) ({names}): {detail}")
        if missing:
            return False, missing
        if isinstance(regions, Unknown):
            reason = Unknown(f"other regions not listed ({regions.reason})")
            return reason, reason
        if failed:
            reason = Unknown(f"access-analyzer:ListAnalyzers failed in {', '.join(r for r, _, _ in failed)}")
            return reason, reason
        return True, []

    def account_public_access_block(self) -> dict[str, bool] | Unknown:
        answer: dict[str, Any] | Unknown = self.attempt(
            "s3:GetAccountPublicAccessBlock",
            lambda: self.clients.client("s3control").get_public_access_block(AccountId=self.account_id),
            absent={"NoSuchPublicAccessBlockConfiguration": {}},
        )
        if isinstance(answer, Unknown):
            return answer
        return dict(answer.get("PublicAccessBlockConfiguration") or {})

    # -- CloudTrail

    def trails(self, account_bpa: dict[str, bool] | Unknown) -> list[mapping.TrailFacts] | Unknown:
        described = self.attempt(
            "cloudtrail:DescribeTrails", lambda: self.clients.client("cloudtrail").describe_trails(includeShadowTrails=True)
        )
        if isinstance(described, Unknown):
            return described
        seen: dict[str, mapping.TrailFacts] = {}
        for trail in described.get("trailList", ()):
            arn = trail.get("TrailARN")
            if not arn or arn in seen:
                continue
            region = trail.get("HomeRegion") or self.clients.region
            client = self.clients.client("cloudtrail", region)
            status = self.attempt("cloudtrail:GetTrailStatus", lambda: client.get_trail_status(Name=arn))
            selectors = self.attempt("cloudtrail:GetEventSelectors", lambda: client.get_event_selectors(TrailName=arn))
            owned = arn.split(":")[4] == self.account_id if arn.count(":") >= 5 else True
            bucket_public: bool | Unknown
            if owned:
                bucket_public = self.bucket_public(str(trail.get("S3BucketName") or ""), account_bpa)
            else:
                bucket_public = Unknown("the log bucket belongs to the account owning the trail")
            seen[arn] = mapping.TrailFacts(
                trail=trail,
                is_logging=status if isinstance(status, Unknown) else bool(status.get("IsLogging")),
                management_events=(
                    selectors if isinstance(selectors, Unknown) else mapping.management_events_from(selectors, trail)
                ),
                bucket_public=bucket_public,
                latest_delivery_error=(
                    status if isinstance(status, Unknown) else (status.get("LatestDeliveryError") or None)
                ),
            )
        return list(seen.values())

    def bucket_public(self, bucket: str, account_bpa: dict[str, bool] | Unknown) -> bool | Unknown:
        """Whether the trail's bucket is public: by policy (GetBucketPolicyStatus) or by ACL,
        unless Block Public Access (bucket or account) neutralises it."""
        if not bucket:
            return Unknown("the trail names no S3 bucket")
        s3 = self.clients.client("s3")
        unreadable = {"NoSuchBucket": "missing", "AccessDenied": "denied", "403": "denied"}
        bucket_bpa = self.attempt(
            "s3:GetBucketPublicAccessBlock",
            lambda: s3.get_public_access_block(Bucket=bucket),
            absent={"NoSuchPublicAccessBlockConfiguration": {}, **unreadable},
        )
        if bucket_bpa in ("missing", "denied"):
            return Unknown(f"log bucket {bucket} is not readable from account {self.account_id} (another account's bucket?)")
        flags = dict(account_bpa) if isinstance(account_bpa, dict) else {}
        if isinstance(bucket_bpa, dict):
            for key, value in (bucket_bpa.get("PublicAccessBlockConfiguration") or {}).items():
                flags[key] = flags.get(key, False) or bool(value)
        if flags.get("RestrictPublicBuckets") and flags.get("IgnorePublicAcls"):
            return False
        policy_public: bool | Unknown = False
        if not flags.get("RestrictPublicBuckets"):
            status = self.attempt(
                "s3:GetBucketPolicyStatus",
                lambda: s3.get_bucket_policy_status(Bucket=bucket),
                absent={"NoSuchBucketPolicy": {"PolicyStatus": {"IsPublic": False}}},
            )
            if isinstance(status, Unknown):
                policy_public = status
            else:
                is_public = (status.get("PolicyStatus") or {}).get("IsPublic")
                policy_public = (
                    bool(is_public) if isinstance(is_public, bool) else Unknown("s3:GetBucketPolicyStatus gave no IsPublic")
                )
        acl_public: bool | Unknown = False
        if not flags.get("IgnorePublicAcls"):
            acl = self.attempt("s3:GetBucketAcl", lambda: s3.get_bucket_acl(Bucket=bucket))
            if isinstance(acl, Unknown):
                acl_public = acl
            else:
                acl_public = any(g.get("Grantee", {}).get("URI") in _PUBLIC_GRANTEES for g in acl.get("Grants", ()))
        if policy_public is True or acl_public is True:
            return True
        if isinstance(policy_public, Unknown):
            return policy_public
        if isinstance(acl_public, Unknown):
            return acl_public
        return False

    # -- everything

    def run(self, org: OrgFacts, name: str | None) -> list[Resource]:
        scope = mapping.AccountScope(self.account_id, org.environment(), org.member_accounts)
        auth = self.authorization_details()
        if isinstance(auth, mapping.Authorization) and isinstance(org.scps, list):
            auth.scps = org.scps
        report = self.credential_report()
        virtual_users, root_virtual = self.virtual_mfa()
        users = mapping.map_users(auth, report, virtual_users, scope, self.now)
        resources: list[Resource] = list(users)
        if isinstance(auth, mapping.Authorization):
            resources.extend(mapping.map_roles(auth, scope, self.now))
            resources.extend(mapping.map_policies(auth, scope))
        bpa = self.account_public_access_block()
        resources.extend(ai_stores.collect(self, scope, bpa))  # WF-5: AI dataset / model buckets
        trails = self.trails(bpa)
        if not isinstance(trails, Unknown):
            resources.extend(
                mapping.map_trail(t, scope) for t in trails if t.trail.get("TrailARN", "").split(":")[4:5] == [self.account_id]
            )
        facts = self.account_facts(org, report, users, root_virtual, trails, bpa)
        account_name = name or (facts.get("alias") if isinstance(facts.get("alias"), str) else None) or self.account_id
        resources.insert(0, mapping.map_account(scope, account_name, facts))
        return resources


# --------------------------------------------------------------------------- the collector


class AwsCollector(Collector):
    """Collects the caller's account, or with ``organization`` every member account."""

    platform: ClassVar[str] = "aws"

    def __init__(
        self,
        settings: Mapping[str, Any] | AwsSettings,
        context: CollectContext,
        *,
        session_factory: AwsSessionFactory | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # Parsed once by the descriptor's parser (the one config validation uses); a mapping is
        # parsed here with the same parser.
        super().__init__(settings if not isinstance(settings, AwsSettings) else {}, context)
        self.options = settings if isinstance(settings, AwsSettings) else AwsSettings.parse(settings)
        self.sessions = session_factory or AwsSessionFactory(self.options.profile)
        self._sleep = sleep

    def collect(self) -> CollectResult:
        result = self._collect()
        members: frozenset[str] = getattr(self, "_organization_accounts", frozenset())  # set by organization mode
        return CollectResult(tuple(separation.annotate(result.resources, members)), result.sources)  # ZT-4 across accounts

    def _collect(self) -> CollectResult:
        base = self.sessions.base()
        region = self.options.region or base.region_name or "us-east-1"
        if self.options.organization:
            return self._collect_organization(base, region)
        counter = CallCounter()
        clients = self._clients(base, region, counter)
        started = self._now_iso()
        try:
            identity = self._identity(clients)
        except CollectorError as exc:
            return CollectResult((), (self._failed("aws:default", exc, started, counter),))
        account_id, arn = identity
        org = self._own_org_facts(clients, account_id)
        return self._collect_account(clients, account_id, None, org, arn, started)

    # -- helpers

    def _now_iso(self) -> str:
        return iso(self.context.clock()) or ""

    def _clients(self, session: Any, region: str, counter: CallCounter) -> AccountClients:
        return AccountClients(session, region, counter, max_pool_connections=max(10, self.context.concurrency * 2))

    def _failed(self, name: str, exc: CollectorError, started: str, counter: CallCounter, identity: str | None = None) -> SourceStatus:
        return SourceStatus(
            name=name,
            platform="aws",
            status="failed",
            errors=(str(exc),),
            identity=identity,
            started_at=started,
            finished_at=self._now_iso(),
            api_calls=counter.snapshot(),
            error_kind=exc.kind,
        )

    def _identity(self, clients: AccountClients) -> tuple[str, str]:
        run = _AccountRun(clients, "(unknown)", self.context.clock(), self._sleep)
        try:
            answer = run.attempt("sts:GetCallerIdentity", clients.client("sts").get_caller_identity)
        except _Abort as abort:
            raise abort.error from abort
        if isinstance(answer, Unknown):
            detail = "; ".join(run.errors) or answer.reason
            if "permission" in run.kinds:
                raise AuthError(f"cannot identify the AWS credentials ({detail})")
            # A network failure or a 5xx says nothing about the credentials: the source is
            # unreachable (exit 3), not misconfigured (exit 2).
            raise ApiError(f"AWS is unreachable: sts:GetCallerIdentity failed ({detail}); check the network or endpoint and retry")
        return str(answer["Account"]), str(answer["Arn"])

    def _own_org_facts(self, clients: AccountClients, account_id: str) -> OrgFacts:
        """Organizations facts for a single-account scan (full only from the management account)."""
        run = _AccountRun(clients, account_id, self.context.clock(), self._sleep)
        org_client = clients.client("organizations")
        try:
            described = run.attempt(
                "organizations:DescribeOrganization",
                org_client.describe_organization,
                absent={"AWSOrganizationsNotInUseException": None},
            )
        except _Abort:
            return OrgFacts(None, Unknown("credentials rejected"), Unknown("credentials rejected"), {}, None)
        if described is None:
            return NOT_IN_ORG
        if isinstance(described, Unknown):
            return OrgFacts(None, described, described, described, described)
        organization = described["Organization"]
        is_management = organization.get("MasterAccountId") == account_id
        if not is_management:
            why = Unknown("read from the organization's management account: scan with --aws-organization")
            return OrgFacts(organization["Id"], False, why, why, why)
        lister = _OrgLister(clients, run)
        facts = lister.facts_for(account_id, organization, frozenset())
        return facts

    def _collect_account(
        self,
        clients: AccountClients,
        account_id: str,
        name: str | None,
        org: OrgFacts,
        identity: str | None,
        started: str,
    ) -> CollectResult:
        run = _AccountRun(clients, account_id, self.context.clock(), self._sleep)
        source_name = f"aws:{account_id}"
        try:
            resources = run.run(org, name)
        except _Abort as abort:
            return CollectResult((), (self._failed(source_name, abort.error, started, clients.counter, identity),))
        kind = "permission" if "permission" in run.kinds else ("api" if run.kinds else None)
        status = SourceStatus(
            name=source_name,
            platform="aws",
            status="partial" if run.errors else "ok",
            errors=tuple(run.errors),
            notes=tuple(run.notes),
            identity=identity,
            started_at=started,
            finished_at=self._now_iso(),
            api_calls=clients.counter.snapshot(),
            error_kind=kind,
        )
        return CollectResult(tuple(resources), (status,))

    # -- organization mode

    def _collect_organization(self, base: Any, region: str) -> CollectResult:
        counter = CallCounter()
        mgmt = self._clients(base, region, counter)
        started = self._now_iso()
        try:
            caller_account, caller_arn = self._identity(mgmt)
        except CollectorError as exc:
            return CollectResult((), (self._failed("aws:organization", exc, started, counter),))
        run = _AccountRun(mgmt, caller_account, self.context.clock(), self._sleep)
        lister = _OrgLister(mgmt, run)
        try:
            organization, accounts = lister.organization_and_accounts()
        except CollectorError as exc:
            return CollectResult((), (self._failed("aws:organization", exc, started, counter, caller_arn),))
        org_id = organization["Id"]
        by_id = {a["Id"]: a for a in accounts}
        wanted = [a for a in accounts if a.get("Status", "ACTIVE") == "ACTIVE"]
        if self.options.accounts:
            wanted = [a for a in wanted if a["Id"] in self.options.accounts]
        wanted = [a for a in wanted if a["Id"] not in self.options.skip_accounts]
        missing = [a for a in self.options.accounts if a not in by_id]
        member_ids = frozenset(by_id)
        self._organization_accounts = member_ids
        identity_center = lister.identity_center_in_management(caller_account, organization)

        facts_by_account: dict[str, OrgFacts] = {}
        for account in wanted:
            facts = lister.facts_for(account["Id"], organization, member_ids)
            facts.account_name = account.get("Name")
            facts.identity_center_in_org = identity_center
            facts_by_account[account["Id"]] = facts

        org_source = SourceStatus(
            name=f"aws:organization:{org_id}",
            platform="aws",
            status="partial" if run.errors or missing else "ok",
            errors=tuple(run.errors) + tuple(f"account {a} is not in organization {org_id}" for a in missing),
            notes=tuple(run.notes) + (f"{len(accounts)} accounts listed, {len(wanted)} selected for audit",),
            identity=caller_arn,
            started_at=started,
            finished_at=self._now_iso(),
            api_calls=counter.snapshot(),
            error_kind=("permission" if "permission" in run.kinds else "api") if run.errors or missing else None,
        )

        progress = self.context.progress
        progress.task("aws", f"AWS organization {org_id}: {len(wanted)} accounts", total=len(wanted))

        def one(account: Mapping[str, Any]) -> CollectResult:
            account_id = account["Id"]
            account_counter = CallCounter()
            account_started = self._now_iso()
            try:
                if account_id == caller_account:
                    clients = self._clients(base, region, account_counter)
                    identity = caller_arn
                else:
                    role_arn = f"arn:aws:iam::{account_id}:role/{self.options.role_name}"
                    session = self.sessions.assume_role(mgmt, role_arn, external_id=self.options.external_id)
                    clients = self._clients(session, region, account_counter)
                    identity = f"{role_arn} (assumed by {caller_arn})"
                return self._collect_account(
                    clients, account_id, account.get("Name"), facts_by_account[account_id], identity, account_started
                )
            except CollectorError as exc:
                return CollectResult((), (self._failed(f"aws:{account_id}", exc, account_started, account_counter),))
            finally:
                progress.advance("aws")

        resources: list[Resource] = []
        sources: list[SourceStatus] = [org_source]
        with ThreadPoolExecutor(max_workers=max(1, self.context.concurrency), thread_name_prefix="posture-aws") as pool:
            for result in pool.map(one, wanted):
                resources.extend(result.resources)
                sources.extend(result.sources)
        return CollectResult(tuple(resources), tuple(sources))


class _OrgLister:
    """Organizations reads, from the management (or delegated administrator) account."""

    def __init__(self, clients: AccountClients, run: _AccountRun) -> None:
        self.clients = clients
        self.run = run
        self._client = clients.client("organizations")
        self._ou_names: dict[str, str | None | Unknown] = {}
        self._scps: bool | Unknown | None = None
        self._scp_documents: dict[str, Any] = {}

    def organization_and_accounts(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        try:
            described = self._client.describe_organization()
            accounts: list[dict[str, Any]] = []
            for page in self._client.get_paginator("list_accounts").paginate():
                accounts.extend(page.get("Accounts", ()))
        except ClientError as exc:
            code = error_code(exc)
            if code == "AWSOrganizationsNotInUseException":
                raise ConfigError(
                    "--aws-organization: this AWS account is not in an organization; scan it without --aws-organization"
                ) from exc
            if code in ACCESS_DENIED_CODES:
                raise PermissionDenied(
                    f"cannot list the organization's accounts ({code}); run from the management account or a "
                    "delegated administrator with organizations:ListAccounts"
                ) from exc
            if code in AUTH_ERROR_CODES:
                raise AuthError(f"AWS credentials rejected by Organizations ({code})") from exc
            raise ApiError(f"organizations:ListAccounts failed ({code})") from exc
        except NoCredentialsError as exc:
            raise AuthError("no AWS credentials found; configure a profile or the default credential chain") from exc
        except BotoCoreError as exc:
            raise ApiError(f"organizations:ListAccounts failed ({type(exc).__name__})") from exc
        return described["Organization"], accounts

    def scps_enabled(self) -> bool | Unknown:
        if self._scps is None:
            roots = self.run.attempt("organizations:ListRoots", lambda: self._client.list_roots())
            if isinstance(roots, Unknown):
                self._scps = roots
            else:
                self._scps = any(
                    p.get("Type") == "SERVICE_CONTROL_POLICY" and p.get("Status") == "ENABLED"
                    for root in roots.get("Roots", ())
                    for p in root.get("PolicyTypes", ())
                )
        return self._scps

    def _ou_name(self, account_id: str) -> str | None | Unknown:
        parents = self.run.attempt("organizations:ListParents", lambda: self._client.list_parents(ChildId=account_id))
        if isinstance(parents, Unknown):
            return parents
        for parent in parents.get("Parents", ()):
            if parent.get("Type") != "ORGANIZATIONAL_UNIT":
                return None
            ou_id = parent["Id"]
            if ou_id not in self._ou_names:
                ou = self.run.attempt(
                    "organizations:DescribeOrganizationalUnit",
                    lambda: self._client.describe_organizational_unit(OrganizationalUnitId=ou_id),
                )
                self._ou_names[ou_id] = ou if isinstance(ou, Unknown) else ou["OrganizationalUnit"].get("Name")
            return self._ou_names[ou_id]
        return None

    def scps_for(self, account_id: str, organization: Mapping[str, Any]) -> list[list[Any]] | Unknown:
        """The SCP documents that apply to the account, per level from the root down. SCPs do not
        apply to the management account; with SCPs disabled there is none."""
        if organization.get("MasterAccountId") == account_id:
            return []
        enabled = self.scps_enabled()
        if isinstance(enabled, Unknown):
            return enabled
        if not enabled:
            return []
        chain = [account_id]
        child = account_id
        for _ in range(8):  # Organizations nests OUs at most five deep
            parents = self.run.attempt("organizations:ListParents", partial(self._client.list_parents, ChildId=child))
            if isinstance(parents, Unknown):
                return parents
            found = list(parents.get("Parents", ()))
            if not found:
                break
            child = str(found[0]["Id"])
            chain.append(child)
            if found[0].get("Type") == "ROOT":
                break
        levels: list[list[Any]] = []
        for target in reversed(chain):
            listed = self.run.attempt("organizations:ListPoliciesForTarget", partial(self._scps_on, target))
            if isinstance(listed, Unknown):
                return listed
            documents = []
            for summary in listed:
                policy_id = str(summary.get("Id"))
                if policy_id not in self._scp_documents:
                    described = self.run.attempt(
                        "organizations:DescribePolicy", partial(self._client.describe_policy, PolicyId=policy_id)
                    )
                    if isinstance(described, Unknown):
                        return described
                    self._scp_documents[policy_id] = described.get("Policy", {}).get("Content")
                documents.append(self._scp_documents[policy_id])
            if documents:  # every level has at least one SCP in AWS; none seen: nothing to apply
                levels.append(documents)
        return levels

    def _scps_on(self, target: str) -> list[dict[str, Any]]:
        paginator = self._client.get_paginator("list_policies_for_target")
        pages = paginator.paginate(TargetId=target, Filter="SERVICE_CONTROL_POLICY")
        return [policy for page in pages for policy in page.get("Policies", ())]

    def facts_for(self, account_id: str, organization: Mapping[str, Any], members: frozenset[str]) -> OrgFacts:
        tags = self.run.attempt(
            "organizations:ListTagsForResource", lambda: self._client.list_tags_for_resource(ResourceId=account_id)
        )
        return OrgFacts(
            organization_id=organization["Id"],
            is_management_account=organization.get("MasterAccountId") == account_id,
            scps_enabled=self.scps_enabled(),
            tags=tags if isinstance(tags, Unknown) else mapping.tag_map(tags.get("Tags")),
            ou_name=self._ou_name(account_id),
            member_accounts=members,
            scps=self.scps_for(account_id, organization),
        )

    def identity_center_in_management(self, caller_account: str, organization: Mapping[str, Any]) -> bool | None:
        """Whether the organization has IAM Identity Center (seen from the management account)."""
        if organization.get("MasterAccountId") != caller_account:
            return None
        instances = self.run.attempt("sso:ListInstances", lambda: self.clients.client("sso-admin").list_instances())
        return None if isinstance(instances, Unknown) else bool(instances.get("Instances"))
