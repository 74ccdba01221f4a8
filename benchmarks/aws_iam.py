"""Benchmark: collect an AWS account with 1,000 IAM users, 300 roles and 200 customer policies,
with the IAM evaluator on (admin / escalation / assumable roles for every principal).

Starts moto in server mode on 127.0.0.1 in a child process (so the memory measured is the
scanner's alone), seeds it through boto3 - including escalation material: PassRole + RunInstances
policies, admin roles trusting EC2 and the account - points the collector at it with
AWS_ENDPOINT_URL (as the tests do) and prints the wall time, the evaluator's share, the peak
memory (max RSS) and the API calls per action.
Targets: the IAM data in at most 15 calls; the whole collection under 10 s and 200 MB.

    python benchmarks/aws_iam.py [--users 1000 --roles 300 --policies 200]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=300)
    parser.add_argument("--policies", type=int, default=200)
    args = parser.parse_args()

    import resource as rusage
    import subprocess
    import urllib.request

    # The tests' moto server (moto + the stubs that fill its gaps: Access Analyzer answers in
    # every region as a real account would, instead of a 500 retried 38 times).
    root = str(Path(__file__).resolve().parents[1])
    child = (
        "import sys, time\n"
        f"sys.path.insert(0, {root!r})\n"
        "from tests.fakes.aws.server import RecordingMotoServer\n"
        "server = RecordingMotoServer(); server.start(); print(server.url, flush=True)\n"
        "while True: time.sleep(3600)\n"
    )
    server = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert server.stdout is not None
    url = server.stdout.readline().strip()
    host, port = url.removeprefix("http://").rsplit(":", 1)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
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
        # 1 in 10 admin, 1 in 10 PassRole + RunInstances (escalation through an admin EC2 role),
        # 1 in 10 scoped to the user's own keys, the rest read-only.
        actions = {0: ["*"], 1: ["iam:PassRole", "ec2:RunInstances"], 2: ["iam:CreateAccessKey"]}.get(i % 10, ["s3:GetObject"])
        resource = "arn:aws:iam::*:user/${aws:username}" if i % 10 == 2 else "*"
        statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
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
        principal = {"AWS": f"arn:aws:iam::{100000000000 + i}:root"}
        if i % 50 == 0:
            principal = {"Service": "ec2.amazonaws.com"}
        elif i % 50 == 1:
            principal = {"AWS": "arn:aws:iam::123456789012:root"}
        trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}]}
        iam.create_role(RoleName=f"role-{i:04d}", AssumeRolePolicyDocument=json.dumps(trust))
        iam.attach_role_policy(RoleName=f"role-{i:04d}", PolicyArn=policy_arns[i % len(policy_arns)])

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(seed_user, range(args.users)))
        list(pool.map(seed_role, range(args.roles)))
    seeded = time.perf_counter() - seed_started

    from scanner.collectors.aws import mapping

    evaluating = [0.0]

    def timed(function: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            begun = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                evaluating[0] += time.perf_counter() - begun

        return run

    # The evaluator runs inside the mapping of users, roles and policies: time those.
    for name in ("map_users", "map_roles", "map_policies"):
        setattr(mapping, name, timed(getattr(mapping, name)))
    rss_before = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    collector = AwsCollector({}, CollectContext(clock=lambda: datetime.now(timezone.utc)))
    started = time.perf_counter()
    result = collector.collect()
    wall = time.perf_counter() - started
    peak = rusage.getrusage(rusage.RUSAGE_SELF).ru_maxrss / 1024
    server.terminate()
    server.wait(timeout=30)

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
    principals = [r for r in result.resources if r.type in ("aws.iam_user", "aws.iam_role")]
    admins = sum(1 for r in principals if r.attributes.get("admin_equivalent") is True)
    escalating = sum(1 for r in principals if r.attributes.get("can_escalate_to_admin") is True)
    print(f"evaluator: {admins} admin-equivalent, {escalating} can escalate, of {len(principals)} principals; "
          f"{evaluating[0]:.2f} s mapping IAM with the evaluator")
    print(f"peak memory (max RSS of the scanner process): {peak:.0f} MB (before collecting: {rss_before:.0f} MB)")
    ok = iam_calls <= 15 and wall < 10 and peak < 200 and counts.get("aws.iam_user") == args.users
    print("target met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
