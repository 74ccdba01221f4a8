"""Benchmark: one audit of many GitHub organizations by 1, 2, 4 and 8 Celery workers.

Starts Debian's redis-server and the fake GitHub (tests/fakes/github, in a child process) with
``--orgs`` organizations of ``--repos`` repositories each at ``--latency-ms`` per response, then
runs ``posture scan --executor celery://…`` once per worker count (``posture worker``
subprocesses) and once locally. Prints wall time and the request count per run: the request
count must equal the local run's (workers split the work; they never repeat it), and wall time
should fall near-linearly until the shared rate budget or this machine's cores bind.

The issue's full enterprise (20 organizations of 500 repositories, 100 AWS accounts, Azure and
GCP) is ``--orgs 20 --repos 500``; on a 2-core machine the fake and the workers share the cores,
so the curve flattens early: run it on a bigger machine for a real figure.

    python benchmarks/distributed.py [--orgs N] [--repos N] [--latency-ms MS] [--workers 1,2,4,8]

Exit status: 0 when every Celery run's findings and request count equal the local run's.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _serve(conn: Connection, orgs: int, repos: int, latency_ms: int) -> None:
    from tests.fakes.github import FakeGitHub
    from tests.fakes.github.fixtures import default_tokens, make_large_org
    from tests.fakes.github.model import World

    world = World(orgs=[make_large_org(repos, 50, 5, login=f"org{i:02d}") for i in range(orgs)], tokens=default_tokens())
    with FakeGitHub(world, latency_ms=latency_ms) as fake:
        conn.send(fake.url)
        while True:
            command = conn.recv()
            if command == "count":
                conn.send(len(fake.requests))
            elif command == "reset":
                fake.reset_requests()
                conn.send("ok")
            else:
                conn.send("bye")
                return


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=8)
    parser.add_argument("--repos", type=int, default=60)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--workers", default="1,2,4,8")
    args = parser.parse_args(argv)
    from tests.fakes.github import OWNER_TOKEN

    redis_server = shutil.which("redis-server")
    if redis_server is None:
        print("redis-server is not installed (apt-get install -y redis-server)", file=sys.stderr)
        return 2
    port = _free_port()
    work = Path(tempfile.mkdtemp(prefix="posture-bench-"))
    redis = subprocess.Popen([redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(work)],
                             stdout=subprocess.DEVNULL)
    parent, child = mp.Pipe()
    fake = mp.Process(target=_serve, args=(child, args.orgs, args.repos, args.latency_ms), daemon=True)
    fake.start()
    url = parent.recv()
    env = dict(os.environ, PYTHONPATH=str(ROOT), CI="true", GITHUB_TOKEN=OWNER_TOKEN, XDG_STATE_HOME=str(work / "state"))
    orgs = [a for i in range(args.orgs) for a in ("--github-org", f"org{i:02d}")]

    def scan(name: str, *extra: str) -> tuple[float, int, dict[str, str]]:
        parent.send("reset")
        parent.recv()
        out = work / f"{name}.json"
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "scanner", "scan", *orgs, "--github-url", url, "--no-history", "-q",
                        "--format", f"json:{out}", *extra], env=env, cwd=work, capture_output=True, timeout=7200)
        elapsed = time.monotonic() - started
        parent.send("count")
        statuses = {f["uid"]: f["status"] for f in json.loads(out.read_text())["findings"]}
        return elapsed, parent.recv(), statuses

    ok = True
    try:
        local_time, local_requests, local = scan("local")
        print(f"{args.orgs} orgs x {args.repos} repos at {args.latency_ms} ms")
        print(f"{'run':>10} {'wall s':>8} {'requests':>9}  same findings")
        print(f"{'local':>10} {local_time:8.1f} {local_requests:9d}  -")
        for count in (int(c) for c in args.workers.split(",")):
            subprocess.run(["redis-cli", "-p", str(port), "flushall"], capture_output=True)
            workers = [subprocess.Popen([sys.executable, "-m", "scanner", "worker", "--broker",
                                         f"redis://127.0.0.1:{port}/0", "--concurrency", "1"], env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
                       for _ in range(count)]
            time.sleep(2)  # workers connect
            try:
                elapsed, requests, found = scan(f"w{count}", "--executor", f"celery://127.0.0.1:{port}/0")
            finally:
                for worker in workers:
                    os.killpg(worker.pid, signal.SIGTERM)
                for worker in workers:
                    worker.wait(timeout=30)
            same = found == local
            ok = ok and same and requests == local_requests
            print(f"{f'{count} worker' + ('s' if count > 1 else ''):>10} {elapsed:8.1f} {requests:9d}  {same}")
    finally:
        parent.send("stop")
        redis.terminate()
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
