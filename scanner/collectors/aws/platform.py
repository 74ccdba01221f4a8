"""AWS's platform descriptor: settings (``AwsSettings`` and its one parser), flags, secret variables, units.
SDK-free (no boto3)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit
from scanner.errors import ConfigError

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@/-]{1,128}$")
_EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


@dataclass(frozen=True)
class AwsSettings:
    """The validated ``aws`` settings (flags --aws-*, or the aws: section of posture.yaml)."""

    profile: str | None = None
    organization: bool = False
    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    accounts: tuple[str, ...] = ()
    skip_accounts: tuple[str, ...] = ()
    region: str | None = None

    @classmethod
    def parse(cls, settings: Mapping[str, Any]) -> AwsSettings:
        known = {"profile", "organization", "role_name", "external_id", "accounts", "skip_accounts", "region"}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise ConfigError(f"aws.{unknown[0]}: unknown setting; known: {', '.join(sorted(known))}")

        def optional_str(key: str, pattern: re.Pattern[str] | None = None, what: str = "") -> str | None:
            value = settings.get(key)
            if value is None or value == "":
                return None
            if not isinstance(value, str):
                raise ConfigError(f"aws.{key}: expected a string, got {type(value).__name__}")
            if pattern is not None and not pattern.match(value):
                raise ConfigError(f"aws.{key}: {what}")
            return value

        def account_list(key: str) -> tuple[str, ...]:
            value = settings.get(key) or ()
            if isinstance(value, str):
                value = [v for v in value.split(",") if v.strip()]
            if not isinstance(value, (list, tuple)):
                raise ConfigError(f"aws.{key}: expected a list of 12-digit account ids")
            ids = []
            for item in value:
                text = str(item).strip()
                if not _ACCOUNT_ID.match(text):
                    raise ConfigError(f"aws.{key}: {text!r} is not a 12-digit AWS account id")
                ids.append(text)
            return tuple(dict.fromkeys(ids))

        organization = settings.get("organization", False)
        if not isinstance(organization, bool):
            raise ConfigError("aws.organization: expected true or false")
        role_name = settings.get("role_name") or "OrganizationAccountAccessRole"
        if not isinstance(role_name, str) or not _ROLE_NAME.match(role_name):
            raise ConfigError(f"aws.role_name: {role_name!r} is not a valid IAM role name")
        parsed = cls(
            profile=optional_str("profile"),
            organization=organization,
            role_name=role_name,
            external_id=optional_str("external_id", _EXTERNAL_ID, "external id must be 2-1224 characters of [\\w+=,.@:/-]"),
            accounts=account_list("accounts"),
            skip_accounts=account_list("skip_accounts"),
            region=optional_str("region", _REGION, "expected an AWS region name such as eu-west-1"),
        )
        if not organization and (parsed.accounts or parsed.skip_accounts):
            raise ConfigError("aws.accounts / aws.skip_accounts only apply with aws.organization (--aws-organization)")
        return parsed




def _units(settings: Mapping[str, Any]) -> list[Unit]:
    """Named accounts are a unit each; otherwise one unit (the caller's account, or the
    organization, whose member list is discovered when it runs)."""
    credential = f"aws:profile:{settings.get('profile') or 'default'}"
    accounts = [str(a) for a in settings.get("accounts") or ()]
    if settings.get("organization") and accounts:
        return [Unit("aws", f"aws:{a}", credential, {**settings, "accounts": [a]}) for a in accounts]
    key = "aws:organization" if settings.get("organization") else "aws:caller"
    return [Unit("aws", key, credential, dict(settings))]


PLATFORM = Platform(
    name="aws",
    title="AWS",
    extra="aws",
    collector="scanner.collectors.aws.collector:AwsCollector",
    options=(
        Option("enabled", "boolean", "Audit the AWS account of the current credentials.", flag="--aws"),
        Option("profile", "string", "AWS profile from ~/.aws/config.", flag="--aws-profile", metavar="NAME"),
        Option("organization", "boolean", "Audit every member account of the AWS Organization.",
               flag="--aws-organization"),
        Option("role_name", "string", "Role assumed in member accounts (default OrganizationAccountAccessRole).",
               flag="--aws-role-name", metavar="NAME"),
        Option("external_id", "string", "ExternalId for the AssumeRole into member accounts.",
               flag="--aws-external-id", metavar="ID"),
        Option("accounts", "list", "Only these account ids (comma-separated).", flag="--aws-accounts", metavar="IDS",
               csv=True, item_kind="string_or_integer"),
        Option("skip_accounts", "list", "Skip these account ids (comma-separated).", flag="--aws-skip-accounts",
               metavar="IDS", csv=True, item_kind="string_or_integer"),
        Option("region", "string", "Home region for regional calls (default: profile's, else us-east-1).",
               flag="--aws-region", metavar="REGION"),
    ),
    secret_env=("AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"),
    enable_flag="--aws",
    account_types=("aws.iam_user",),
    units=_units,
    cis_benchmark="CIS Amazon Web Services Foundations Benchmark",
    validate=AwsSettings.parse,
)
