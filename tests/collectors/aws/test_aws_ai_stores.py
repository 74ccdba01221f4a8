"""WF-5 AI data stores against moto: S3 buckets marked by tag or name are read (public access,
encryption, access logging, sharing); other buckets are left alone; every call is a read."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from scanner.collectors.aws.ai_stores import marker
from tests.collectors.aws.helpers import collect, is_read_only, outcomes
from tests.fakes.aws import seed
from tests.fakes.aws.server import RecordingMotoServer

FOREIGN = "999988887777"


@pytest.fixture(scope="module")
def scanned(moto_server: RecordingMotoServer) -> dict[str, Any]:
    moto_server.reset()
    s3 = boto3.client("s3", region_name=seed.REGION)
    account = boto3.client("sts", region_name=seed.REGION).get_caller_identity()["Account"]
    # Locked down: SSE-KMS, access logs, Block Public Access, shared with this account only.
    s3.create_bucket(Bucket="acme-training-data")
    s3.create_bucket(Bucket="acme-access-logs")
    s3.put_bucket_policy(Bucket="acme-access-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"}, "Action": "s3:PutObject",
        "Resource": "arn:aws:s3:::acme-access-logs/*"}]}))
    s3.put_public_access_block(Bucket="acme-training-data", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True})
    s3.put_bucket_encryption(Bucket="acme-training-data", ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/datasets"}}]})
    s3.put_bucket_logging(Bucket="acme-training-data", BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": "acme-access-logs", "TargetPrefix": "training/"}})
    s3.put_bucket_policy(Bucket="acme-training-data", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:role/trainer"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::acme-training-data/*"}]}))
    # Marked by tag only; shared with the world and a vendor account, default encryption, no logs.
    s3.create_bucket(Bucket="acme-artifacts-7")
    s3.put_bucket_tagging(Bucket="acme-artifacts-7", Tagging={"TagSet": [{"Key": "purpose", "Value": "model-artifacts"}]})
    s3.put_bucket_policy(Bucket="acme-artifacts-7", Policy=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-artifacts-7/*"},
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{FOREIGN}:root"}, "Action": "s3:ListBucket",
         "Resource": "arn:aws:s3:::acme-artifacts-7"}]}))
    # Not an AI store: never read beyond its tags.
    s3.create_bucket(Bucket="acme-website-assets")
    moto_server.clear_log()
    result = collect()
    return {"result": result, "requests": moto_server.requests()}


def test_only_marked_buckets_become_ai_buckets(scanned: dict[str, Any]) -> None:
    buckets = {r.name: r.attributes for r in scanned["result"].resources if r.type == "aws.ai_bucket"}
    assert set(buckets) == {"acme-training-data", "acme-artifacts-7"}
    assert buckets["acme-training-data"]["marked_by"] == "name"
    assert buckets["acme-artifacts-7"]["marked_by"] == "tag purpose=model-artifacts"
    good, bad = buckets["acme-training-data"], buckets["acme-artifacts-7"]
    assert (good["public_access_blocked"], good["kms_encrypted"], good["access_logging"]) == (True, True, True)
    assert good["principals_outside_organization"] == []
    assert (bad["kms_encrypted"], bad["access_logging"]) == (False, False)
    assert bad["principals_outside_organization"] == ["*", f"arn:aws:iam::{FOREIGN}:root"]
    website = [r.action for r in scanned["requests"] if "acme-website-assets" in r.action + r.path]
    assert website and all("tagging" in action for action in website), website  # its tags only


def test_ai_bucket_policies(scanned: dict[str, Any]) -> None:
    table = outcomes(scanned["result"].resources)
    for policy in ("aws_ai_bucket_not_public", "aws_ai_bucket_kms_encrypted", "aws_ai_bucket_access_logged",
                   "aws_ai_bucket_not_shared_outside_organization"):
        assert table[policy] == {"acme-training-data": "PASS", "acme-artifacts-7": "FAIL"}, policy


def test_ai_stores_only_read(scanned: dict[str, Any]) -> None:
    assert all(is_read_only(r.action, r.method, r.path) for r in scanned["requests"])


@pytest.mark.parametrize(
    ("name", "tags", "expected"),
    [
        ("ml-features", {}, "name"),
        ("team-datasets-eu", {}, "name"),
        ("html-templates", {}, None),  # "ml" only as a whole word
        ("images", {"ai-data-store": "true"}, "tag ai-data-store=true"),
        ("images", {"purpose": "website"}, None),
        ("raw", {"Workload": "LLM fine-tuning"}, "tag Workload=LLM fine-tuning"),
    ],
)
def test_marker(name: str, tags: dict[str, str], expected: str | None) -> None:
    assert marker(name, tags) == expected
