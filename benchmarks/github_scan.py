"""Benchmark: a full GitHub audit of a large fake org, cold and then re-scanned with the ETag cache.

Starts the fake GitHub (tests/fakes/github) in a child process with a large org (default 1,000
repos / 500 members / 50 teams) and 50 ms latency per request, then runs the GitHub collector
through ``scanner.collectors.load_collector("github")`` twice with the same cache directory:
once cold (empty cache) and once warm. Prints requests by endpoint, requests per repository,
wall time, peak memory and the share of 304s on the re-scan, against the issue's targets:
<= 4 requests per repository, <= 90 s for the full audit, >= 90% 304s on the re-scan.
The fake runs in its own process so its CPU and memory are not billed to the collector.
Every repository carries two or three workflow files (one in a hundred a long one): the figure
"extra requests per repository for workflows" counts what reading them adds (target <= 0.2).

GitHub's secondary limits are modelled by the fake (``--no-secondary-limits`` turns them off): at
most 100 requests in flight, 900 points a minute per REST endpoint and 2,000 for GraphQL, at most
90 s of request time per minute. The run must get 0 refusals and stay within 1.15x of the floor
those limits put under it (printed). The re-scan is modelled as a later run: the fake's windows are
cleared between the two.

    python benchmarks/github_scan.py [--repos N] [--members N] [--teams N] [--latency-ms MS]
                                     [--concurrency N] [--tracemalloc] [--no-secondary-limits]

Exit status: 0 when every target is met, 1 otherwise.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # so ``tests.fakes`` imports when run as a script

TARGET_REQUESTS_PER_REPO = 4.0
TARGET_SECONDS = 90.0
TARGET_304_SHARE = 0.90
TARGET_FLOOR_RATIO = 1.15


def _serve(conn: Connection, repos: int, members: int, teams: int, latency_ms: int, secondary: bool) -> None:
    """Child process: run the fake and answer "stats" / "reset" / "stop" over ``conn``."""
    from tests.fakes.github import FakeGitHub, SecondaryLimits, large_world

    limits = SecondaryLimits() if secondary else None
    world = _with_workflows(large_world(repos, members, teams))
    with FakeGitHub(world, latency_ms=latency_ms, secondary_limits=limits) as fake:
        conn.send(fake.url)
        while True:
            command = conn.recv()
            if command == "stats":
                by_endpoint = Counter(r.key for r in fake.requests)
                statuses = Counter(r.status for r in fake.requests)
                not_modified = Counter(r.key for r in fake.requests if r.status == 304)
                writes = [f"{r.method} {r.path}" for r in fake.writes()] + [
                    f"mutation {r.path}" for r in fake.graphql_mutations()
                ]
                conn.send({"by_endpoint": by_endpoint, "statuses": statuses, "not_modified": not_modified,
                           "writes": writes, "refusals": Counter(fake.secondary_refusals),
                           "request_seconds": fake.request_seconds_total})
            elif command == "reset":
                fake.reset_requests()
                fake.reset_secondary_windows()
                conn.send("ok")
            else:
                conn.send("bye")
                return


WORKFLOW_BLOB_LIMIT = 16 * 1024  # the fake's GraphQL blob text limit, lowered so 1 repo in 100 needs a follow-up
TARGET_WORKFLOW_REQUESTS_PER_REPO = 0.2


def _with_workflows(world: Any) -> Any:
    """Give every repository of the large org workflow files: a CI and a deploy workflow, a
    third in every other one, and in one repository a hundred a workflow longer than GraphQL's
    blob text limit (read again through the contents API)."""
    from tests.fakes.github import graphql_api

    graphql_api.BLOB_TEXT_LIMIT = WORKFLOW_BLOB_LIMIT
    ci = ("name: ci\non: [push, pull_request]\npermissions: {contents: read}\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
          "    steps:\n      - uses: actions/checkout@v4\n        with: {persist-credentials: false}\n      - run: make test\n")
    deploy = ("name: deploy\non: {push: {branches: [main]}}\npermissions: {contents: read}\njobs:\n  deploy:\n"
              "    runs-on: ubuntu-latest\n    environment: production\n    permissions: {id-token: write}\n    steps:\n"
              "      - uses: aws-actions/configure-aws-credentials@v4\n        with: {role-to-assume: arn:aws:iam::1:role/x}\n")
    long_steps = "".join(f"      - run: echo step {i} {'x' * 40}\n" for i in range(400))
    for org in world.orgs:
        for index, repo in enumerate(org.repos):
            repo.files[".github/workflows/ci.yml"] = ci
            repo.files[".github/workflows/deploy.yml"] = deploy
            if index % 2:
                repo.files[".github/workflows/lint.yaml"] = ci.replace("make test", "make lint")
            if index % 100 == 3:
                repo.files[".github/workflows/matrix.yml"] = ci + "  long:\n    runs-on: ubuntu-latest\n    steps:\n" + long_steps
    return world


def _run_collector(url: str, cache_dir: Path, concurrency: int, org: str, token: str) -> tuple[Any, float]:
    from scanner.collectors import load_collector
    from scanner.collectors.base import CollectContext

    context = CollectContext(concurrency=concurrency, cache_dir=cache_dir, environ={"GITHUB_TOKEN": token})
    collector_class = load_collector("github")
    started = time.perf_counter()
    result = collector_class({"orgs": [org], "url": url, "cache_dir": str(cache_dir)}, context).collect()
    return result, time.perf_counter() - started


def _print_requests(title: str, stats: dict[str, Any]) -> None:
    total = sum(stats["by_endpoint"].values())
    print(f"\n{title}: {total} requests")
    for key, count in sorted(stats["by_endpoint"].items(), key=lambda kv: (-kv[1], kv[0])):
        cached = stats["not_modified"].get(key, 0)
        note = f"  ({cached} x 304)" if cached else ""
        print(f"  {count:6d}  {key}{note}")
    print("  statuses: " + ", ".join(f"{status}: {n}" for status, n in sorted(stats["statuses"].items())))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--teams", type=int, default=50)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--tracemalloc", action="store_true", help="also measure the Python heap peak (slower)")
    parser.add_argument("--no-secondary-limits", dest="secondary", action="store_false",
                        help="do not model GitHub's secondary rate limits in the fake")
    args = parser.parse_args(argv)

    from tests.fakes.github import OWNER_TOKEN

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(child, args.repos, args.members, args.teams, args.latency_ms, args.secondary),
                         daemon=True)
    server.start()
    url = parent.recv()
    print(
        f"fake GitHub at {url}: org bigcorp, {args.repos} repos, {args.members} members, {args.teams} teams, "
        f"{args.latency_ms} ms latency; collector concurrency {args.concurrency}; "
        f"secondary limits {'modelled' if args.secondary else 'off'}"
    )
    ok = True
    try:
        with tempfile.TemporaryDirectory(prefix="posture-gh-cache-") as tmp:
            cache_dir = Path(tmp)
            if args.tracemalloc:
                tracemalloc.start()
            cold, cold_seconds = _run_collector(url, cache_dir, args.concurrency, "bigcorp", OWNER_TOKEN)
            heap_peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
            rss_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            parent.send("stats")
            cold_stats = parent.recv()
            parent.send("reset")
            parent.recv()
            warm, warm_seconds = _run_collector(url, cache_dir, args.concurrency, "bigcorp", OWNER_TOKEN)
            parent.send("stats")
            warm_stats = parent.recv()
            if args.tracemalloc:
                tracemalloc.stop()
    finally:
        parent.send("stop")
        parent.recv()
        server.join(timeout=10)

    _print_requests("cold scan", cold_stats)
    _print_requests("re-scan with the ETag cache", warm_stats)

    for label, result in (("cold", cold), ("re-scan", warm)):
        for source in result.sources:
            errors = f"; errors: {list(source.errors)[:3]}" if source.errors else ""
            print(f"\n{label}: source {source.name} status {source.status}, {len(result.resources)} resources{errors}")

    cold_total = sum(cold_stats["by_endpoint"].values())
    warm_total = sum(warm_stats["by_endpoint"].values())
    per_repo = cold_total / max(1, args.repos)
    share_304 = warm_stats["statuses"].get(304, 0) / max(1, warm_total)
    writes = cold_stats["writes"] + warm_stats["writes"]

    # make_large_org gives one repository in a hundred 60 deploy keys and 30 environments, more
    # than the batch query's first page: they must come back whole, not cut at 50 / 25.
    long_repos = [
        r for r in cold.resources
        if r.type == "github.repository" and r.name.endswith(tuple(f"-{i:04d}" for i in range(7, args.repos, 100)))
    ]
    paged_complete = bool(long_repos) and all(
        isinstance(r.attributes["deploy_keys"], list) and len(r.attributes["deploy_keys"]) == 60
        and isinstance(r.attributes["environments"], list) and len(r.attributes["environments"]) == 30
        for r in long_repos
    )

    workflow_requests = cold_stats["by_endpoint"].get("GET /repos/{owner}/{repo}/contents/{path}", 0)
    workflow_per_repo = workflow_requests / max(1, args.repos)
    expected_workflows = sum(2 + (i % 2) + (1 if i % 100 == 3 else 0) for i in range(args.repos))
    workflows_read = sum(1 for r in cold.resources if r.type == "github.workflow" and r.attributes.get("parse_error") is None)
    # The floor GitHub's secondary limits put under the cold scan: the busiest REST endpoint at 900
    # a minute, GraphQL at 2,000 a minute, and every request's time within 90 s a minute.
    rest_counts = [n for key, n in cold_stats["by_endpoint"].items() if not key.endswith("/graphql")]
    graphql_count = sum(n for key, n in cold_stats["by_endpoint"].items() if key.endswith("/graphql"))
    cold_total_requests = sum(cold_stats["by_endpoint"].values())
    # Request time as the fake measured it (the latency plus its own work, which a loaded machine
    # stretches), never less than the nominal latency.
    request_seconds = max(cold_stats["request_seconds"], cold_total_requests * args.latency_ms / 1000)
    floor = max(max(rest_counts, default=0) / 900 * 60, graphql_count / 2000 * 60, request_seconds / 90 * 60)
    refusals = cold_stats["refusals"] + warm_stats["refusals"]

    def verdict(passed: bool) -> str:
        return "ok " if passed else "MISS"

    print("\nfigures")
    checks = [
        (per_repo <= TARGET_REQUESTS_PER_REPO, f"requests per repository (cold): {per_repo:.2f}  (target <= {TARGET_REQUESTS_PER_REPO:g})"),
        # With GitHub's secondary limits modelled the floor below is the target (the 90 s figure
        # predates them: ~72 s of request time a minute at 50 ms cannot fit under it by much).
        (cold_seconds <= TARGET_SECONDS or args.secondary,
         f"wall time, full audit (cold): {cold_seconds:.1f} s  (target <= {TARGET_SECONDS:g} s"
         + (", informational with secondary limits)" if args.secondary else ")")),
        (share_304 >= TARGET_304_SHARE, f"304 share on re-scan: {share_304:.1%} of {warm_total}  (target >= {TARGET_304_SHARE:.0%})"),
        (not writes, f"non-read requests: {len(writes)}  (target 0){' ' + str(writes[:3]) if writes else ''}"),
        (all(s.status == "ok" for s in (*cold.sources, *warm.sources)), "sources ok on both runs"),
        (paged_complete, f"{len(long_repos)} repositories beyond one GraphQL page read in full (60 keys, 30 environments)"),
        (workflow_per_repo <= TARGET_WORKFLOW_REQUESTS_PER_REPO,
         f"extra requests per repository for workflows (cold): {workflow_per_repo:.3f}  "
         f"(target <= {TARGET_WORKFLOW_REQUESTS_PER_REPO:g}; files ride in the batched GraphQL query, "
         f"{workflow_requests} truncated blobs read again)"),
        (workflows_read == expected_workflows, f"workflow files read and parsed: {workflows_read} of {expected_workflows}"),
    ]
    if args.secondary:
        checks += [
            (not refusals, f"secondary-limit refusals: {sum(refusals.values())}  (target 0){' ' + str(dict(refusals)) if refusals else ''}"),
            (cold_seconds <= TARGET_FLOOR_RATIO * floor or cold_seconds <= 5,
             f"cold wall time / secondary-limit floor ({floor:.1f} s): {cold_seconds / max(floor, 1e-9):.2f}x  "
             f"(target <= {TARGET_FLOOR_RATIO:g}x)"),
        ]
    for passed, line in checks:
        ok = ok and passed
        print(f"  [{verdict(passed)}] {line}")
    print(f"         wall time, re-scan: {warm_seconds:.1f} s")
    if args.secondary:
        print(f"         server-side request time (cold): {cold_stats['request_seconds']:.1f} s for {cold_total_requests} "
              f"requests; floor = max(busiest REST endpoint {max(rest_counts, default=0)}/900 min, GraphQL "
              f"{graphql_count}/2000 min, request time/90 s per min)")
    print(f"         peak RSS of the collector process: {rss_peak_mb:.0f} MB")
    if heap_peak is not None:
        print(f"         peak Python heap during the cold scan (tracemalloc): {heap_peak / 2**20:.0f} MB")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
