"""Distributed runs on real parts: Debian's redis-server, `posture worker` subprocesses, the fake
GitHub. A Celery run's findings equal a local run's; a unit that keeps failing is a failed source
without losing the others; a worker killed mid-unit still lets the run complete."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.github import OWNER_TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
ORGS = ("northwind-labs", "northwind-oss")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_", "AZURE_"))}
    env.update(PYTHONPATH=str(ROOT), CI="true", GITHUB_TOKEN=OWNER_TOKEN, XDG_STATE_HOME=str(tmp_path / "state"),
               POSTURE_CELERY_VISIBILITY_TIMEOUT="4", **extra)
    return env


def _posture(tmp_path: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], env=_env(tmp_path), capture_output=True,
                          text=True, timeout=timeout, cwd=tmp_path)


class Workers:
    """`posture worker` subprocesses on the test's Redis; stopped (and reaped) at the end."""

    def __init__(self, broker: str, tmp_path: Path) -> None:
        self.broker, self.tmp_path, self.processes = broker, tmp_path, []  # type: list[subprocess.Popen[bytes]]

    def start(self, name: str) -> subprocess.Popen[bytes]:
        log = (self.tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "scanner", "worker", "--broker", self.broker,
                                    "--concurrency", "1"], env=_env(self.tmp_path), stdout=log, stderr=log,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        os.killpg(process.pid, signal.SIGKILL)  # the worker and its pool child: a machine lost mid-unit
        process.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture()
def workers(redis_url: str, tmp_path: Path) -> Iterator[Workers]:
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    pool = Workers(redis_url, tmp_path)
    yield pool
    pool.stop()


def _statuses(path: Path) -> dict[str, str]:
    return {f["uid"]: f["status"] for f in json.loads(path.read_text())["findings"]}


def _scan_args(fake: FakeGitHub, out: Path) -> list[str]:
    return [arg for org in ORGS for arg in ("--github-org", org)] + [
        "--github-url", fake.url, "--no-history", "--format", f"json:{out}"]


def test_a_celery_run_finds_what_a_local_run_finds(workers: Workers, redis_url: str, tmp_path: Path) -> None:
    workers.start("w1")
    workers.start("w2")
    with FakeGitHub() as fake:
        local = _posture(tmp_path, "scan", *_scan_args(fake, tmp_path / "local.json"))
        remote = _posture(tmp_path, "scan", "--executor", redis_url.replace("redis://", "celery://"),
                          *_scan_args(fake, tmp_path / "remote.json"))
        assert not [r for r in fake.requests if r.method not in ("GET", "HEAD", "POST")]
    assert local.returncode == remote.returncode == 1, remote.stderr
    assert "2/2 units collected" in remote.stderr
    assert _statuses(tmp_path / "remote.json") == _statuses(tmp_path / "local.json")
    assert OWNER_TOKEN not in remote.stdout + remote.stderr + (tmp_path / "remote.json").read_text()


def test_a_unit_that_keeps_failing_is_a_failed_source_and_the_others_complete(
        workers: Workers, redis_url: str, tmp_path: Path) -> None:
    workers.start("w1")
    with FakeGitHub() as fake:
        args = _scan_args(fake, tmp_path / "out.json") + ["--github-org", "no-such-org"]
        result = _posture(tmp_path, "scan", "--executor", redis_url.replace("redis://", "celery://"), *args)
    assert result.returncode in (1, 3), result.stderr
    document = json.loads((tmp_path / "out.json").read_text())
    sources = {s["name"]: s["status"] for s in document["run"]["sources"]}
    assert [v for k, v in sources.items() if "no-such-org" in k] == ["failed"], sources
    assert [v for k, v in sources.items() if "northwind-labs" in k] in (["ok"], ["partial"]), sources


def test_a_worker_killed_mid_unit_loses_nothing(workers: Workers, redis_url: str, tmp_path: Path) -> None:
    first = workers.start("w1")
    with FakeGitHub(latency_ms=40) as fake:
        scan = subprocess.Popen([sys.executable, "-m", "scanner", "scan", "--executor",
                                 redis_url.replace("redis://", "celery://"), *_scan_args(fake, tmp_path / "out.json")],
                                env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not fake.requests and time.monotonic() < deadline:  # the first unit is being collected
            time.sleep(0.05)
        assert fake.requests, "no worker picked up a unit"
        workers.kill(first)
        workers.start("w2")  # Redis hands the unacknowledged unit to it after the visibility timeout
        out, err = scan.communicate(timeout=240)
    assert scan.returncode == 1, err
    document = json.loads((tmp_path / "out.json").read_text())
    names = {s["name"] for s in document["run"]["sources"]}
    assert {n for n in names if "northwind" in n} and not [s for s in document["run"]["sources"] if s["status"] == "failed"]
