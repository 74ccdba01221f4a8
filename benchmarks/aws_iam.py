"""Benchmark: collect an AWS account with 1,000 IAM users, 300 roles and 200 customer policies.

Starts moto in server mode on 127.0.0.1, seeds it through boto3, points the collector at it
with AWS_ENDPOINT_URL (as the tests do) and prints the wall time and the API calls per action.
Target: the IAM data in at most 15 calls for the whole account, in under 30 s.

    python benchmarks/aws_iam.py [--users 1000 --roles 300 --policies 200]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=300)
    parser.add_argument("--policies", type=int, default=200)
    args = parser.parse_args()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    empty = Path(tempfile.mkdtemp()) / "none"
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="AKIABENCHMARKPOSTURE",
        AWS_SECRET_ACCESS_KEY="benchmark-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_CONFIG_FILE=str(empty),
        AWS_SHARED_CREDENTIALS_FILE=str(empty),
    )
    import boto3

    from scanner.collectors.aws.collector import AwsCollector
    from scanner.collectors.base import CollectContext

    iam = boto3.client("iam", region_name="us-east-1")
    seed_started = time.perf_counter()
    policy_arns = []
    for i in range(args.policies):
        statement = {"Effect": "Allow", "Action": ["s3:GetObject"] if i % 10 else ["*"], "Resource": "*"}
        document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        policy_arns.append(iam.create_policy(PolicyName=f"policy-{i:04d}", PolicyDocument=document)["Policy"]["Arn"])
    for g in range(10):
        iam.create_group(GroupName=f"group-{g}")
        iam.attach_group_policy(GroupName=f"group-{g}", PolicyArn=policy_arns[g * 3])

    def seed_user(i: int) -> None:
        name = f"user-{i:04d}"
        iam.create_user(UserName=name, Tags=[{"Key": "email", "Value": f"{name}@example.com"}])
        iam.add_user_to_group(GroupName=f"group-{i % 10}", UserName=name)
        iam.attach_user_policy(UserName=name, PolicyArn=policy_arns[i % len(policy_arns)])
        if i % 3 == 0:
            iam.create_login_profile(UserName=name, Password="Bench-Password-123456")
        if i % 2 == 0:
            iam.create_access_key(UserName=name)

    def seed_role(i: int) -> None:
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{100000000000 + i}:root"}, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=f"role-{i:04d}", AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=f"role-{i:04d}", PolicyArn=policy_arns[i % len(policy_arns)])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(seed_user, range(args.users)))
        list(pool.map(seed_role, range(args.roles)))
    seeded = time.perf_counter() - seed_started

    collector = AwsCollector({}, CollectContext(clock=lambda: datetime.now(timezone.utc)))
    started = time.perf_counter()
    result = collector.collect()
    wall = time.perf_counter() - started
    server.stop()

    (source,) = result.sources
    counts: dict[str, int] = {}
    for resource in result.resources:
        counts[resource.type] = counts.get(resource.type, 0) + 1
    iam_calls = sum(v for k, v in source.api_calls.items() if k.startswith("iam:"))
    print(f"seeded {args.users} users / {args.roles} roles / {args.policies} policies in {seeded:.1f} s")
    print(f"collected in {wall:.2f} s wall: {', '.join(f'{n} {t}' for t, n in sorted(counts.items()))}")
    print(f"source {source.name}: {source.status}{' (' + '; '.join(source.errors) + ')' if source.errors else ''}")
    print("API calls per action:")
    for action, count in source.api_calls.items():
        print(f"  {action:45} {count}")
    print(f"IAM calls: {iam_calls} (target <= 15); total calls: {sum(source.api_calls.values())}")
    ok = iam_calls <= 15 and wall < 30 and counts.get("aws.iam_user") == args.users
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
