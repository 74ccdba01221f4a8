"""Environment separation across accounts (guide ZT-4, issue 18): production roles that
non-production accounts may assume.

A role in a production account whose trust policy names another scanned account of a different
(or no) environment lets whoever controls that staging or sandbox account act in production: the
separation the account boundary was meant to give is gone. The environments come from the
``aws.account`` resources of the same scan (Organizations tags or OU names). Trusted accounts outside the
organization are not judged here (the external-id policy's concern, OP-6); a member account that
was not scanned in the same run (``--aws-accounts`` or a shard) makes the answer Unknown.

Runs over a finished collection (organization or single account); the collector calls
:func:`annotate` with one line.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scanner.inventory.model import Resource, Unknown

PRODUCTION = "production"


def annotate(resources: Iterable[Resource], organization_accounts: frozenset[str] = frozenset()) -> list[Resource]:
    """``resources`` with ``trusted_nonproduction_accounts`` set on every ``aws.iam_role``.

    ``organization_accounts`` are the organization's member accounts: one of them trusted by a
    production role but not scanned (a sharded or filtered run) leaves the answer Unknown, never a PASS.
    """
    items = list(resources)
    environments: dict[str, Any] = {
        str(r.attributes.get("account_id")): r.attributes.get("environment") for r in items if r.type == "aws.account"
    }
    return [
        r.with_attributes(trusted_nonproduction_accounts=_nonproduction(r, environments, organization_accounts))
        if r.type == "aws.iam_role" else r
        for r in items
    ]


def _nonproduction(role: Resource, environments: dict[str, Any], organization_accounts: frozenset[str]) -> list[str] | Unknown:
    environment = role.attributes.get("environment")
    if isinstance(environment, Unknown):
        return environment
    if environment != PRODUCTION:
        return []
    trusted = role.attributes.get("trusted_accounts")
    if isinstance(trusted, Unknown):
        return trusted
    own = role.attributes.get("account_id")
    found: list[str] = []
    for account in trusted or ():
        if account == own:
            continue
        if account not in environments:
            if account in organization_accounts:
                return Unknown(f"trusted account {account} of the organization was not scanned, so its environment "
                               "is unknown; scan it in the same run")
            continue  # outside the organization: the external-id check's concern
        other = environments[account]
        if isinstance(other, Unknown):
            return Unknown(f"the environment of trusted account {account} is unknown ({other.reason})")
        if other != PRODUCTION:
            found.append(f"{account} ({other or 'no environment'})")
    return found
