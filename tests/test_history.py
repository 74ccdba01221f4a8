"""History: two runs (and a third) stamp new / persisting / resolved, with waivers, on SQLite and PostgreSQL.

The PostgreSQL test starts a throwaway cluster (Debian's ``postgresql``: initdb + pg_ctl, run as
the ``postgres`` user when the tests run as root) on a free local port, and skips with a clear
reason only when the server binaries are absent (a failure under ``POSTURE_REQUIRE_SERVERS=1``, as
in CI: see ``tests/servers.py``).
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "outputs"))

from report_factory import make_finding, make_report

from scanner.errors import HistoryError
from scanner.findings import Severity, Status, worst_failure
from scanner.history import HistoryStore, default_history_url, format_runs, scope_of
from scanner.inventory.model import SourceStatus
from scanner.waivers import apply_waivers, parse_waivers
from tests.servers import require_module, server_missing

WAIVER = """\
- policy: github_repo_branch_protection
  resource: "github:northwind-labs/sandbox-*"
  reason: Prototypes
  owner: ana@northwind.dev
  expires: 2026-12-31
"""


def run_one():  # type: ignore[no-untyped-def]
    return make_report(
        [
            make_finding("github_org_requires_2fa", "github:northwind-labs", severity=Severity.HIGH),
            make_finding("github_repo_branch_protection", "github:northwind-labs/api", severity=Severity.MEDIUM),
            make_finding("github_repo_branch_protection", "github:northwind-labs/sandbox-1", severity=Severity.MEDIUM),
            make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/bo.chen", status=Status.PASS,
                         resource_type="aws.iam_user"),
        ],
        started_at="2026-11-13T09:00:00Z",
        finished_at="2026-11-13T09:01:00Z",
    )


def run_two():  # type: ignore[no-untyped-def]
    return make_report(
        [
            make_finding("github_org_requires_2fa", "github:northwind-labs", severity=Severity.HIGH),  # persisting
            make_finding("github_repo_branch_protection", "github:northwind-labs/api", status=Status.PASS),  # fixed
            make_finding("github_repo_branch_protection", "github:northwind-labs/sandbox-1", severity=Severity.MEDIUM),
            make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/bo.chen", status=Status.PASS,
                         resource_type="aws.iam_user"),
            make_finding("aws_iam_user_mfa", "arn:aws:iam::111122223333:user/dmitri", severity=Severity.CRITICAL,
                         resource_type="aws.iam_user"),  # new
        ],
        started_at="2026-11-20T09:00:00Z",
        finished_at="2026-11-20T09:01:00Z",
    )


def exercise(store: HistoryStore) -> None:
    """Two runs of one scope with waivers applied, then a third run of another scope, then diff."""
    waivers = parse_waivers(WAIVER, "waivers.yaml")
    first_findings, _ = apply_waivers(run_one().findings, waivers, date(2026, 11, 13))
    first = store.record(run_one().with_findings(first_findings), scope="northwind")
    assert first.previous_run_id is None and first.run.run_id and first.run.scope == "northwind"
    assert {f.change for f in first.findings if f.status in (Status.FAIL, Status.WAIVED)} == {"new"}
    assert all(f.first_seen == "2026-11-13T09:00:00Z" for f in first.findings)
    assert first.summary()["new"] == 2  # first recorded run: every failure is new (as --new-only sees it)

    second_findings, _ = apply_waivers(run_two().findings, waivers, date(2026, 11, 20))
    second = store.record(run_two().with_findings(second_findings), scope="northwind")
    assert second.previous_run_id == first.run.run_id
    by_resource = {f.resource.id: f for f in second.findings}
    org = by_resource["github:northwind-labs"]
    assert (org.change, org.first_seen, org.last_seen) == ("persisting", "2026-11-13T09:00:00Z", "2026-11-20T09:00:00Z")
    dmitri = by_resource["arn:aws:iam::111122223333:user/dmitri"]
    assert (dmitri.change, dmitri.first_seen) == ("new", "2026-11-20T09:00:00Z")
    sandbox = by_resource["github:northwind-labs/sandbox-1"]
    assert sandbox.status is Status.WAIVED and sandbox.change == "persisting" and sandbox.waiver is not None
    passing = by_resource["arn:aws:iam::111122223333:user/bo.chen"]
    assert passing.change is None and passing.first_seen == "2026-11-13T09:00:00Z"
    assert [f.resource.id for f in second.resolved] == ["github:northwind-labs/api"]
    assert second.summary()["new"] == 1 and second.summary()["resolved"] == 1
    # CI: --fail-on high --new-only trips on the new critical only.
    assert worst_failure(second.findings, new_only=True) is Severity.CRITICAL
    assert worst_failure([org], new_only=True) is None

    other = store.record(run_one(), scope="acme")
    assert other.previous_run_id is None  # scopes do not mix

    runs = store.runs()
    assert [r.run_id for r in runs] == [other.run.run_id, second.run.run_id, first.run.run_id]
    assert [r.run_id for r in store.runs(scope="northwind")] == [second.run.run_id, first.run.run_id]
    table = format_runs(runs)
    assert second.run.run_id in table and "northwind" in table

    diff = store.diff(first.run.run_id, second.run.run_id)
    assert [f.resource.id for f in diff.new] == ["arn:aws:iam::111122223333:user/dmitri"]
    assert [f.resource.id for f in diff.resolved] == ["github:northwind-labs/api"]
    assert {f.resource.id for f in diff.persisting} == {"github:northwind-labs", "github:northwind-labs/sandbox-1"}
    assert "new: 1  resolved: 1  persisting: 2" in diff.to_text()
    # Defaults: the latest run against its previous run; run ids by unique prefix.
    assert store.diff(run_b=second.run.run_id[:20]).to_json() == diff.to_json()
    with pytest.raises(HistoryError, match="is the first of scope 'acme'"):
        store.diff()
    with pytest.raises(HistoryError, match="no run 'nope'"):
        store.run("nope")


def test_two_runs_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'state' / 'history.sqlite'}"
    with HistoryStore(url) as store:
        exercise(store)
    with HistoryStore(url) as reopened:  # persisted, schema reused
        assert len(reopened.runs()) == 3


def test_missing_platform_is_not_resolved(tmp_path: Path) -> None:
    with HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        store.record(run_two(), scope="s")
        github_only = [f for f in run_two().findings if f.resource.platform == "github"]
        sources = (SourceStatus("northwind-labs", "github", "ok"), SourceStatus("111122223333", "aws", "failed"))
        later = store.record(make_report(github_only, sources=sources, started_at="2026-11-27T09:00:00Z"), scope="s")
        assert later.resolved == ()  # AWS was not read: dmitri's failure is not called resolved
        sources_ok = (SourceStatus("northwind-labs", "github", "ok"), SourceStatus("111122223333", "aws", "ok"))
        again = store.record(make_report(github_only, sources=sources_ok, started_at="2026-12-04T09:00:00Z"), scope="s")
        assert [f.resource.id for f in again.resolved] == ["arn:aws:iam::111122223333:user/dmitri"]


def test_scope_and_default_url(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert scope_of(make_report()) == "aws:111122223333,azure:northwind.onmicrosoft.com,github:northwind-labs"
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_history_url() == f"sqlite:///{tmp_path / 'posture' / 'history.sqlite'}"


def test_errors_are_history_errors_without_passwords(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="not a valid database URL"):
        HistoryStore("::nonsense::")
    port = free_port()
    with pytest.raises(HistoryError) as caught:
        HistoryStore(f"postgresql+psycopg://posture:hunter2@127.0.0.1:{port}/posture?connect_timeout=2")
    assert "hunter2" not in str(caught.value) and f"127.0.0.1:{port}" in str(caught.value)
    blocked = tmp_path / "file"
    blocked.write_text("")
    with pytest.raises(HistoryError):
        HistoryStore(f"sqlite:///{blocked / 'sub' / 'h.sqlite'}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pg_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    found = candidates[0] if candidates else shutil.which("pg_ctl")
    return Path(found).parent if found else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    bindir = _pg_bin()
    if bindir is None or not (bindir / "initdb").exists():
        server_missing("PostgreSQL server binaries not installed (Debian: apt-get install -y postgresql)")
    # Outside pytest's private (0700, root-owned) temp root, so the postgres user can reach it.
    base = Path(tempfile.mkdtemp(prefix="posture-pg-"))
    data, sockets = base / "data", base / "run"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        runuser = shutil.which("runuser")
        if runuser is None:
            server_missing("running as root without runuser: cannot start PostgreSQL as the postgres user")
        shutil.chown(base, "postgres")
        shutil.chown(sockets, "postgres")
        prefix = [runuser, "-u", "postgres", "--"]
    port = free_port()
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-U", "posture", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True, timeout=120)
    log = base / "pg.log"
    subprocess.run(
        prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
                  f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        check=True, capture_output=True, timeout=90,
    )
    try:
        subprocess.run(prefix + [str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "posture",
                                 "history"], check=True, capture_output=True, timeout=30)
        yield f"postgresql+psycopg://posture@127.0.0.1:{port}/history"
    finally:
        subprocess.run(prefix + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


def test_two_runs_on_postgresql(postgres_url: str) -> None:
    require_module("psycopg", "pip install 'posture-audit[postgres]'")
    with HistoryStore(postgres_url) as store:
        exercise(store)
    with HistoryStore(postgres_url) as reopened:
        assert len(reopened.runs()) == 3


def chain_of_concurrent_runs(url: str, runs: int = 8) -> list[str | None]:
    """Record ``runs`` reports of one scope at once (a store per thread, as separate processes would)."""
    import threading

    barrier = threading.Barrier(runs, timeout=60)
    previous: list[str | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            with HistoryStore(url) as store:
                barrier.wait()
                stamped = store.record(run_one(), "one-scope")
            with lock:
                previous.append(stamped.previous_run_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    with HistoryStore(url) as store:
        recorded = store.runs(limit=100, scope="one-scope")
    assert len(recorded) == runs
    return [r.previous_run_id for r in reversed(recorded)]


def assert_one_chain(previous: list[str | None], url: str) -> None:
    with HistoryStore(url) as store:
        ids = [r.run_id for r in reversed(store.runs(limit=100, scope="one-scope"))]
    # Oldest first: the first run has no predecessor, each later one names the one before it.
    assert previous == [None, *ids[:-1]]


def test_concurrent_runs_of_one_scope_form_one_chain(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.sqlite'}"
    assert_one_chain(chain_of_concurrent_runs(url), url)


def test_concurrent_runs_on_postgresql_form_one_chain(postgres_url: str) -> None:
    require_module("psycopg", "pip install 'posture-audit[postgres]'")
    with HistoryStore(postgres_url) as store:  # a scope of its own in the shared database
        assert store.runs(scope="one-scope") == []
    assert_one_chain(chain_of_concurrent_runs(postgres_url), postgres_url)


def test_an_incomplete_run_is_recorded_flagged_and_never_a_baseline(tmp_path: Path) -> None:
    with HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        first = store.record(run_one(), "s")
        incomplete = store.record(run_two(), "s", complete=False)
        assert incomplete.previous_run_id == first.run.run_id
        third = store.record(run_two(), "s")
        assert third.previous_run_id == first.run.run_id  # not the incomplete one
        assert store.runs(scope="s")[1].summary["complete"] is False


def test_a_block_that_raises_records_nothing(tmp_path: Path) -> None:
    with HistoryStore(f"sqlite:///{tmp_path / 'h.sqlite'}") as store:
        with pytest.raises(RuntimeError), store.recording(run_one(), "s"):
            raise RuntimeError("the reports could not be written")
        assert store.runs() == []


def test_history_file_and_directories_are_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.umask(0o022)
    path = tmp_path / "state" / "posture" / "history.sqlite"
    with HistoryStore(f"sqlite:///{path}") as store:
        store.record(run_one(), "s")
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    assert (tmp_path / "state").stat().st_mode & 0o777 == 0o700


def test_findings_read_back_from_history_keep_their_evidence() -> None:
    from scanner.findings import Finding, ResourceRef, Severity, Status
    from scanner.history import finding_from_json

    finding = Finding(uid="u1", policy="p", title="t", severity=Severity.HIGH, status=Status.FAIL,
                      resource=ResourceRef("github.repository", "github:a/b", "a/b", "a"), message="m",
                      remediation="r", evidence={"default_branch_protected": False})
    assert finding_from_json(finding.to_json()).evidence == {"default_branch_protected": False}
