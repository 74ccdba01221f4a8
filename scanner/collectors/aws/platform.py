"""AWS's platform descriptor: settings, flags, secret variables, units. SDK-free (no boto3)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scanner.collectors.descriptor import Option, Platform, Unit


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
)
