"""Benchmark: a Google Cloud organization audit on the Cloud Asset path and on the fallback path.

Starts the fake Google APIs (tests/fakes/gcp) in a child process with a synthetic organization
(default 500 projects / 2,000 service accounts / 5,000 bindings) and 50 ms latency per
response, then runs the GCP collector twice: with Cloud Asset Inventory granted, and with it
denied (403) so it walks Resource Manager + IAM + Cloud Storage per project. Prints requests
by API and wall time for both, against the target: the Cloud Asset path in at most 40
requests and 60 s. The fallback path's figures are printed beside it (no target).

    python benchmarks/gcp_scan.py [--projects N] [--service-accounts N] [--bindings N]
                                  [--latency-ms MS] [--concurrency N]

Exit status: 0 when the Cloud Asset path meets its target, 1 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import sys
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_REQUESTS = 40
MAX_SECONDS = 60.0


def _serve(conn: Connection, projects: int, accounts: int, bindings: int, latency: float, deny_asset: bool) -> None:
    from tests.fakes.gcp.org import synthetic
    from tests.fakes.gcp.server import FakeGcp

    fake = FakeGcp(synthetic(projects, accounts, bindings), max_page=500, latency=latency)
    if deny_asset:
        fake.fail(r"^GET /cloudasset/", "PERMISSION_DENIED")
    fake.start()
    conn.send((fake.url, fake.token, fake.org.org_id))
    conn.recv()  # wait for "stop"
    conn.send((len(fake.mutations), len(fake.schema_problems)))
    fake.stop()


def run(args: argparse.Namespace, deny_asset: bool) -> dict[str, Any]:
    from google.oauth2.credentials import Credentials

    from scanner.collectors.base import CollectContext
    from scanner.collectors.gcp.collector import GcpCollector

    parent, child = mp.Pipe()
    proc = mp.Process(target=_serve, args=(child, args.projects, args.service_accounts, args.bindings, args.latency_ms / 1000, deny_asset), daemon=True)
    proc.start()
    url, token, org_id = parent.recv()
    settings = {"organization": org_id, "endpoint_base": url, "credential": Credentials(token=token), "domains": ["example.com"]}
    started = time.perf_counter()
    result = GcpCollector(settings, CollectContext(concurrency=args.concurrency)).collect()
    elapsed = time.perf_counter() - started
    parent.send("stop")
    mutations, schema_problems = parent.recv()
    proc.join(timeout=10)
    (source,) = result.sources
    by_api: Counter[str] = Counter()
    for key, count in source.api_calls.items():
        by_api[key.split(" ", 1)[0]] += count
    return {
        "status": source.status,
        "errors": source.errors[:3],
        "requests": sum(source.api_calls.values()),
        "by_api": dict(sorted(by_api.items())),
        "seconds": elapsed,
        "resources": len(result.resources),
        "mutations": mutations,
        "schema_problems": schema_problems,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--service-accounts", type=int, default=2000)
    parser.add_argument("--bindings", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    print(f"synthetic org: {args.projects} projects, {args.service_accounts} service accounts, {args.bindings} bindings, {args.latency_ms:.0f} ms/response, concurrency {args.concurrency}")
    asset = run(args, deny_asset=False)
    fallback = run(args, deny_asset=True)
    print(f"{'':28}{'Cloud Asset path':>20}{'fallback path':>20}")
    print(f"{'status':28}{asset['status']:>20}{fallback['status']:>20}")
    print(f"{'requests':28}{asset['requests']:>20}{fallback['requests']:>20}")
    print(f"{'wall time (s)':28}{asset['seconds']:>20.1f}{fallback['seconds']:>20.1f}")
    print(f"{'resources':28}{asset['resources']:>20}{fallback['resources']:>20}")
    for api in sorted(set(asset["by_api"]) | set(fallback["by_api"])):
        print(f"{'  ' + api:28}{asset['by_api'].get(api, 0):>20}{fallback['by_api'].get(api, 0):>20}")
    for name, figures in (("asset", asset), ("fallback", fallback)):
        if figures["errors"]:
            print(f"{name} errors: {figures['errors']}")
        if figures["mutations"] or figures["schema_problems"]:
            print(f"{name}: {figures['mutations']} mutating requests, {figures['schema_problems']} schema problems")
    ok = (
        asset["status"] == "ok"
        and asset["requests"] <= MAX_REQUESTS
        and asset["seconds"] <= MAX_SECONDS
        and asset["resources"] == fallback["resources"]
        and not (asset["mutations"] or asset["schema_problems"] or fallback["mutations"] or fallback["schema_problems"])
    )
    print(f"target (Cloud Asset path): <= {MAX_REQUESTS} requests and <= {MAX_SECONDS:.0f} s, same inventory as the fallback: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
