"""S3 buckets that hold AI datasets or model artifacts (guide WF-5, issue 18).

A bucket is an AI data store when a tag says so (``ai``, ``ml``, ``data-classification``,
``purpose``, ``workload`` ... with a value naming datasets, training data, models, embeddings or
ML; or any tag key ``ai-data-store``), or when its name does (``datasets``, ``training-data``,
``models``, ``ml-``, ``sagemaker``, ``embeddings``, ``llm``, ``fine-tune``). Only those buckets
are read further, so the cost is one ``ListBuckets``, one ``GetBucketTagging`` per bucket, and five
reads per AI bucket: public access block, policy status, default encryption, access logging and
the bucket policy (whose principals outside the organization make the data shared outside it).

Every read goes through the account run's ``attempt``: a denied call is ``Unknown("needs s3:...")``
and a note naming the permission, never a PASS. Read-only throughout. The collector calls
:func:`collect` with one line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from scanner.inventory.model import Resource, Unknown

if TYPE_CHECKING:
    from scanner.collectors.aws.collector import _AccountRun
    from scanner.collectors.aws.mapping import AccountScope

_AI_WORDS = r"(datasets?|training[-_ ]?data|train(ing)?|models?|model[-_ ]?artifacts?|embeddings?|ml|ai|llm|genai|sagemaker|fine[-_ ]?tun(e|ing)|feature[-_ ]?store)"
_NAME = re.compile(rf"(^|[-_.]){_AI_WORDS}([-_.]|$)", re.IGNORECASE)
_TAG_VALUE = re.compile(rf"(^|[-_ :/.]){_AI_WORDS}([-_ :/.]|$)", re.IGNORECASE)
_TAG_KEYS = {"ai", "ml", "purpose", "workload", "data-classification", "dataclassification", "data-type", "usage"}
_MARKER_KEY = "ai-data-store"
_PUBLIC_ACCESS_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def marker(name: str, tags: Mapping[str, str]) -> str | None:
    """Why a bucket counts as an AI data store ("tag purpose=training-data", "name"), or None."""
    for key, value in tags.items():
        if key.lower() == _MARKER_KEY and str(value).lower() not in ("false", "no", "0"):
            return f"tag {key}={value}"
        if key.lower() in _TAG_KEYS and _TAG_VALUE.search(str(value)):
            return f"tag {key}={value}"
    if _NAME.search(name):
        return "name"
    return None


def collect(run: _AccountRun, scope: AccountScope, account_bpa: Mapping[str, bool] | Unknown) -> list[Resource]:
    """The ``aws.ai_bucket`` resources of one account (none when the buckets cannot be listed)."""
    s3 = run.clients.client("s3")
    listed = run.attempt("s3:ListAllMyBuckets", lambda: s3.list_buckets())
    if isinstance(listed, Unknown):
        return []  # the denial is already in the source's errors and notes
    resources = []
    for bucket in listed.get("Buckets") or []:
        name = str(bucket.get("Name"))
        tagging = run.attempt(
            "s3:GetBucketTagging", _tagging_reader(s3, name), absent={"NoSuchTagSet": {"TagSet": []}}
        )
        tags = {} if isinstance(tagging, Unknown) else {t["Key"]: t["Value"] for t in tagging.get("TagSet") or []}
        why = marker(name, tags)
        if why is None:
            continue
        resources.append(_bucket(run, scope, name, tags, why, account_bpa))
    return resources


def _tagging_reader(s3: Any, name: str) -> Any:
    return lambda: s3.get_bucket_tagging(Bucket=name)


def _bucket(
    run: _AccountRun, scope: AccountScope, name: str, tags: dict[str, str], why: str, account_bpa: Mapping[str, bool] | Unknown
) -> Resource:
    s3 = run.clients.client("s3")
    block = run.attempt(
        "s3:GetBucketPublicAccessBlock",
        lambda: s3.get_public_access_block(Bucket=name),
        absent={"NoSuchPublicAccessBlockConfiguration": {"PublicAccessBlockConfiguration": {}}},
    )
    status = run.attempt(
        "s3:GetBucketPolicyStatus",
        lambda: s3.get_bucket_policy_status(Bucket=name),
        absent={"NoSuchBucketPolicy": {"PolicyStatus": {"IsPublic": False}}},
    )
    encryption = run.attempt(
        "s3:GetEncryptionConfiguration",
        lambda: s3.get_bucket_encryption(Bucket=name),
        absent={"ServerSideEncryptionConfigurationNotFoundError": {"ServerSideEncryptionConfiguration": {"Rules": []}}},
    )
    logging = run.attempt("s3:GetBucketLogging", lambda: s3.get_bucket_logging(Bucket=name))
    policy = run.attempt("s3:GetBucketPolicy", lambda: s3.get_bucket_policy(Bucket=name), absent={"NoSuchBucketPolicy": {}})
    return map_bucket(scope, name, tags, why, account_bpa, block, status, encryption, logging, policy)


def map_bucket(
    scope: AccountScope, name: str, tags: dict[str, str], why: str, account_bpa: Mapping[str, bool] | Unknown,
    block: Any, status: Any, encryption: Any, logging: Any, policy: Any,
) -> Resource:
    """One ``aws.ai_bucket`` from the raw S3 answers (each the API's dict or an Unknown)."""
    blocked: bool | Unknown
    if isinstance(block, Unknown):
        blocked = block
    else:
        config = block.get("PublicAccessBlockConfiguration") or {}
        account = {} if isinstance(account_bpa, Unknown) else account_bpa
        blocked = all(bool(config.get(k)) or bool(account.get(k)) for k in _PUBLIC_ACCESS_KEYS)
    public = status if isinstance(status, Unknown) else bool((status.get("PolicyStatus") or {}).get("IsPublic"))
    algorithm: str | None | Unknown
    if isinstance(encryption, Unknown):
        algorithm = encryption
    else:
        rules = (encryption.get("ServerSideEncryptionConfiguration") or {}).get("Rules") or []
        algorithm = next(
            (str(r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"]) for r in rules
             if (r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm")),
            None,
        )
    logged = logging if isinstance(logging, Unknown) else bool(logging.get("LoggingEnabled"))
    outside = policy if isinstance(policy, Unknown) else _outside_principals(policy.get("Policy"), scope)
    attributes = {
        "bucket": name,
        "account_id": scope.account_id,
        "environment": scope.environment,
        "tags": tags,
        "marked_by": why,
        "public_access_blocked": blocked,
        "policy_public": public,
        "encryption": algorithm,
        "kms_encrypted": algorithm if isinstance(algorithm, Unknown) else algorithm in ("aws:kms", "aws:kms:dsse"),
        "access_logging": logged,
        "principals_outside_organization": outside,
    }
    return Resource("aws.ai_bucket", f"arn:aws:s3:::{name}", name, scope.account_id, attributes)


def _outside_principals(document: Any, scope: AccountScope) -> list[str] | Unknown:
    """AWS principals an Allow statement names that are neither this account nor the organization's."""
    if not document:
        return []
    try:
        policy = json.loads(document) if isinstance(document, str) else document
    except ValueError:
        return Unknown("the bucket policy is not valid JSON")
    statements = policy.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    inside = {scope.account_id, *scope.organization_accounts}
    found: list[str] = []
    for statement in statements:
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        for value in _aws_principals(principal):
            account = value if re.fullmatch(r"\d{12}", value) else (value.split(":")[4] if value.count(":") >= 5 else value)
            if value == "*" or account not in inside:
                if "aws:PrincipalOrgID" in json.dumps(statement.get("Condition") or {}):
                    continue  # limited to the organization by condition
                if value not in found:
                    found.append(value)
    return found


def _aws_principals(principal: Any) -> Iterable[str]:
    if principal == "*":
        yield "*"
        return
    if isinstance(principal, dict):
        values = principal.get("AWS")
        if values is None:
            return
        for value in [values] if isinstance(values, str) else values:
            yield str(value)
