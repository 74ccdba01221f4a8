"""The run store: every evaluated run, so reports can say what is new, resolved or persisting.

Backed by SQLAlchemy Core: a SQLite file under the user's state directory by default, or any
SQLAlchemy URL (``postgresql+psycopg://user@host/db``). Tables are prefixed ``posture_`` so the
store can live in a shared database.

A *problem* is a finding whose status is FAIL or WAIVED. Against the previous run of the same
scope, a problem is ``new`` (not a problem last time) or ``persisting``; a problem of the previous
run that is no longer one is ``resolved``. ``first_seen`` is when the problem was first seen in
an unbroken series of runs; ``last_seen`` is this run. A problem that vanished because its
platform could not be read this run (a failed source) is not called resolved, since we did not
look: it is carried into this run's record unchanged, so the next complete run decides.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from scanner.errors import HistoryError
from scanner.files import private_file
from scanner.findings import Finding, Report, ResourceRef, Severity, Status, Waiver

SCHEMA_VERSION = 1
# conn.info flag: the next transaction on this SQLite connection starts with BEGIN IMMEDIATE.
_IMMEDIATE = "posture_begin_immediate"
PROBLEM_STATUSES = frozenset({Status.FAIL, Status.WAIVED})


def default_history_url() -> str:
    """``sqlite:///<user state dir>/posture/history.sqlite`` (created on first use)."""
    import platformdirs

    return f"sqlite:///{Path(platformdirs.user_state_dir('posture')) / 'history.sqlite'}"


def scope_of(report: Report) -> str:
    """The scope a run is compared within: ``report.run.scope`` or its sorted platform:source list."""
    if report.run.scope:
        return report.run.scope
    names = sorted({f"{s.platform}:{s.name}" for s in report.run.sources})
    return ",".join(names) or "default"


def finding_from_json(data: Mapping[str, Any]) -> Finding:
    """Inverse of ``Finding.to_json`` (what the store keeps)."""
    resource = data["resource"]
    waiver = data.get("waiver")
    return Finding(
        uid=data["uid"],
        policy=data["policy"],
        title=data["title"],
        severity=Severity(data["severity"]),
        status=Status(data["status"]),
        resource=ResourceRef(resource["type"], resource["id"], resource["name"], resource["scope"]),
        message=data.get("message", ""),
        remediation=data.get("remediation", ""),
        references=dict(data.get("references") or {}),
        tags=tuple(data.get("tags") or ()),
        first_seen=data.get("first_seen"),
        last_seen=data.get("last_seen"),
        waiver=Waiver(**waiver) if waiver else None,
        change=data.get("change"),
        evidence=dict(data.get("evidence") or {}),  # resolved findings read back keep why they failed
    )


@dataclass(frozen=True)
class RunRecord:
    """One stored run, as ``posture history`` lists it."""

    run_id: str
    scope: str
    started_at: str
    finished_at: str
    tool_version: str
    previous_run_id: str | None
    summary: Mapping[str, Any]

    @property
    def failures(self) -> int:
        return int(self.summary.get("by_status", {}).get("FAIL", 0))

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "scope": self.scope,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "tool_version": self.tool_version,
            "previous_run_id": self.previous_run_id,
            "summary": dict(self.summary),
        }


@dataclass(frozen=True)
class RunDiff:
    """What changed between two runs: problems new in ``after``, resolved since ``before``, persisting."""

    before: RunRecord
    after: RunRecord
    new: tuple[Finding, ...]
    resolved: tuple[Finding, ...]
    persisting: tuple[Finding, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "new": [f.to_json() for f in self.new],
            "resolved": [f.to_json() for f in self.resolved],
            "persisting": [f.to_json() for f in self.persisting],
        }

    def to_text(self) -> str:
        """Plain text for ``posture diff``: counts, then one line per new and resolved problem."""
        lines = [
            f"{self.before.run_id} ({self.before.started_at}) -> {self.after.run_id} ({self.after.started_at})"
            f"  scope {self.after.scope}",
            f"new: {len(self.new)}  resolved: {len(self.resolved)}  persisting: {len(self.persisting)}",
        ]
        for label, findings in (("NEW", self.new), ("RESOLVED", self.resolved)):
            for f in findings:
                lines.append(f"  {label:<8} {f.severity.value:<8} {f.policy}  {f.resource.id}")
        return "\n".join(lines)


def _sort_key(f: Finding) -> tuple[int, str, str]:
    return (-f.severity.rank, f.policy, f.resource.id)


def _new_run_id(started_at: str) -> str:
    """Sortable and readable: ``20261120T090000Z-3f9a1c``."""
    stamp = "".join(ch for ch in started_at if ch.isalnum())[:16] or "run"
    return f"{stamp}-{secrets.token_hex(3)}"


class HistoryStore:
    """Runs and their findings in a SQL database. ``url`` is any SQLAlchemy URL (default SQLite)."""

    def __init__(self, url: str | None = None) -> None:
        import sqlalchemy as sa

        self.url = url or default_history_url()
        try:
            parsed = sa.engine.make_url(self.url)
        except Exception as exc:  # ArgumentError, ValueError: malformed URL
            raise HistoryError(f"history URL is not a valid database URL: {exc}") from exc
        # Never print a password that came in the URL.
        self.display_url = parsed.render_as_string(hide_password=True)
        sqlite = parsed.get_backend_name() == "sqlite"
        if sqlite and parsed.database not in (None, "", ":memory:"):
            try:
                # Private like snapshots: the store holds every finding of every run.
                private_file(Path(parsed.database).expanduser())
            except OSError as exc:
                raise HistoryError(f"cannot create history file {parsed.database}: {exc}") from exc
        metadata = sa.MetaData()
        self._meta = sa.Table(
            "posture_meta",
            metadata,
            sa.Column("key", sa.String(64), primary_key=True),
            sa.Column("value", sa.String(256), nullable=False),
        )
        self._runs = sa.Table(
            "posture_runs",
            metadata,
            sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("run_id", sa.String(64), nullable=False, unique=True),
            sa.Column("scope", sa.String(1024), nullable=False, index=True),
            sa.Column("started_at", sa.String(40), nullable=False),
            sa.Column("finished_at", sa.String(40), nullable=False),
            sa.Column("tool_version", sa.String(64), nullable=False),
            sa.Column("previous_run_id", sa.String(64)),
            sa.Column("summary", sa.Text, nullable=False),
        )
        self._findings = sa.Table(
            "posture_findings",
            metadata,
            sa.Column("run_id", sa.String(64), primary_key=True),
            sa.Column("uid", sa.String(64), primary_key=True),
            sa.Column("status", sa.String(16), nullable=False),
            sa.Column("first_seen", sa.String(40)),
            sa.Column("data", sa.Text, nullable=False),
        )
        try:
            self._engine = sa.create_engine(self.url, **({"connect_args": {"timeout": 60}} if sqlite else {}))
            if sqlite:
                _sqlite_transactions(self._engine)
            with self._engine.connect() as conn:
                # One writer at a time from the first statement: runs starting together must not
                # each read "no tables" and race to create them (SQLite answers "locked" at once
                # to a reader that tries to upgrade, without waiting).
                conn.info[_IMMEDIATE] = True
                try:
                    conn.begin()
                finally:
                    conn.info.pop(_IMMEDIATE, None)
                metadata.create_all(conn)
                row = conn.execute(sa.select(self._meta.c.value).where(self._meta.c.key == "schema")).first()
                if row is None:
                    conn.execute(self._meta.insert().values(key="schema", value=str(SCHEMA_VERSION)))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise HistoryError(
                        f"history store {self.display_url} has schema {row[0]}, newer than this posture "
                        f"understands ({SCHEMA_VERSION}): upgrade posture or use another --history URL"
                    )
                conn.commit()
        except HistoryError:
            raise
        except Exception as exc:  # SQLAlchemyError, driver import errors, OSError
            raise HistoryError(f"cannot open history store {self.display_url}: {_why(exc)}") from exc

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing ---------------------------------------------------------------------------

    def record(self, report: Report, scope: str | None = None, *, complete: bool = True) -> Report:
        """Store ``report`` as a run of ``scope`` and return it stamped against the previous run.

        Sets each finding's ``first_seen``/``last_seen`` and, for problems, ``change`` (new or
        persisting); fills ``resolved``, ``previous_run_id`` and ``run.run_id``/``run.scope``.
        With no previous complete run of the scope every problem is ``new`` and ``previous_run_id``
        is None. An incomplete run (``complete=False``) is stored flagged, and is never the
        baseline of a later run.
        """
        with self.recording(report, scope, complete=complete) as stamped:
            return stamped

    @contextmanager
    def recording(self, report: Report, scope: str | None = None, *, complete: bool = True) -> Iterator[Report]:
        """Stamp ``report`` against the previous complete run; store it when the block ends without error.

        The scope's chain is locked from the read of the previous run to the insert of this one
        (SQLite: ``BEGIN IMMEDIATE``; other databases: ``SELECT ... FOR UPDATE`` on the store's
        meta row), so concurrent runs of one scope form a chain instead of all finding "no previous
        run". The caller writes its reports inside the block: a run whose reports could not be
        written raises out of it and is not recorded.
        """
        scope = scope or scope_of(report)
        try:
            conn = self._engine.connect()
        except Exception as exc:
            raise HistoryError(f"cannot open history store {self.display_url}: {_why(exc)}") from exc
        try:
            try:
                conn.info[_IMMEDIATE] = True
                try:
                    transaction = conn.begin()
                finally:
                    conn.info.pop(_IMMEDIATE, None)
                import sqlalchemy as sa

                # Other backends: hold the meta row until commit (SQLite omits FOR UPDATE; BEGIN
                # IMMEDIATE above already holds its write lock).
                conn.execute(sa.select(self._meta.c.value).where(self._meta.c.key == "schema").with_for_update()).first()
                result, rows, run_row = self._prepare(conn, report, scope, complete)
            except HistoryError:
                raise
            except Exception as exc:
                raise HistoryError(f"cannot record run in history store {self.display_url}: {_why(exc)}") from exc
            yield result  # an exception here rolls back (the connection closes without commit)
            try:
                conn.execute(self._runs.insert().values(**run_row))
                if rows:
                    conn.execute(self._findings.insert(), rows)
                transaction.commit()
            except Exception as exc:
                raise HistoryError(f"cannot record run in history store {self.display_url}: {_why(exc)}") from exc
        finally:
            conn.info.pop(_IMMEDIATE, None)
            conn.close()

    def _previous_complete_run(self, conn: Any, scope: str) -> str | None:
        import sqlalchemy as sa

        rows = conn.execute(
            sa.select(self._runs.c.run_id, self._runs.c.summary)
            .where(self._runs.c.scope == scope)
            .order_by(self._runs.c.seq.desc())
        )
        for run_id, summary in rows:
            if json.loads(summary).get("complete", True):
                return str(run_id)
        return None

    def _prepare(
        self, conn: Any, report: Report, scope: str, complete: bool
    ) -> tuple[Report, list[dict[str, Any]], dict[str, Any]]:
        import sqlalchemy as sa

        run_id = report.run.run_id or _new_run_id(report.run.started_at)
        now = report.run.started_at
        previous_id = self._previous_complete_run(conn, scope)
        before: dict[str, tuple[str, str | None, str]] = {}
        if previous_id:
            found = conn.execute(
                sa.select(
                    self._findings.c.uid,
                    self._findings.c.status,
                    self._findings.c.first_seen,
                    self._findings.c.data,
                ).where(self._findings.c.run_id == previous_id)
            )
            before = {uid: (status, first_seen, data) for uid, status, first_seen, data in found}
        stamped = [self._stamp(f, before.get(f.uid), now) for f in report.findings]
        current = {f.uid for f in stamped if f.status in PROBLEM_STATUSES}
        unread_platforms = {s.platform for s in report.run.sources if s.status == "failed"}
        present = {f.uid for f in stamped}
        resolved = []
        carried: list[tuple[str, str | None, str]] = []
        for uid, (status, first_seen, data) in before.items():
            if Status(status) not in PROBLEM_STATUSES or uid in current:
                continue
            old = finding_from_json(json.loads(data))
            if uid not in present and old.resource.platform in unread_platforms:
                # Not looked at this run: not resolved. Carry it into this run's record so
                # the next run still compares against it.
                carried.append((status, first_seen, data))
                continue
            resolved.append(old.with_changes(change="resolved"))
        result = replace(
            report,
            run=replace(report.run, run_id=run_id, scope=scope),
            findings=tuple(stamped),
            resolved=tuple(sorted(resolved, key=_sort_key)),
            previous_run_id=previous_id,
        )
        summary = result.summary()
        if not complete:
            summary["complete"] = False
        run_row = {
            "run_id": run_id,
            "scope": scope,
            "started_at": report.run.started_at,
            "finished_at": report.run.finished_at,
            "tool_version": report.run.tool_version,
            "previous_run_id": previous_id,
            "summary": json.dumps(summary, sort_keys=True),
        }
        rows = [
            {
                "run_id": run_id,
                "uid": f.uid,
                "status": f.status.value,
                "first_seen": f.first_seen,
                "data": json.dumps(f.to_json(), sort_keys=True),
            }
            for f in stamped
        ]
        rows += [
            {"run_id": run_id, "uid": json.loads(data)["uid"], "status": status, "first_seen": first_seen,
             "data": data}
            for status, first_seen, data in carried
        ]
        return result, rows, run_row

    @staticmethod
    def _stamp(finding: Finding, before: tuple[str, str | None, str] | None, now: str) -> Finding:
        was_status = Status(before[0]) if before else None
        was_first = before[1] if before else None
        if finding.status in PROBLEM_STATUSES:
            persisting = was_status in PROBLEM_STATUSES
            return finding.with_changes(
                first_seen=(was_first or now) if persisting else now,
                last_seen=now,
                change="persisting" if persisting else "new",
            )
        same = was_status is finding.status
        return finding.with_changes(first_seen=(was_first or now) if same else now, last_seen=now, change=None)

    # -- reading ---------------------------------------------------------------------------

    def runs(self, limit: int = 20, scope: str | None = None) -> list[RunRecord]:
        """The most recent runs first (of one scope, or all)."""
        import sqlalchemy as sa

        query = sa.select(self._runs).order_by(self._runs.c.seq.desc()).limit(limit)
        if scope:
            query = query.where(self._runs.c.scope == scope)
        try:
            with self._engine.connect() as conn:
                return [self._record(row) for row in conn.execute(query).mappings()]
        except Exception as exc:
            raise HistoryError(f"cannot read history store {self.display_url}: {_why(exc)}") from exc

    def run(self, ref: str) -> RunRecord:
        """A run by id or unique id prefix. Raises ``HistoryError`` naming the candidates otherwise."""
        import sqlalchemy as sa

        try:
            with self._engine.connect() as conn:
                rows = list(
                    conn.execute(
                        sa.select(self._runs).where(self._runs.c.run_id.startswith(ref, autoescape=True)).limit(5)
                    ).mappings()
                )
        except Exception as exc:
            raise HistoryError(f"cannot read history store {self.display_url}: {_why(exc)}") from exc
        exact = [r for r in rows if r["run_id"] == ref]
        if exact:
            return self._record(exact[0])
        if not rows:
            raise HistoryError(f"no run {ref!r} in history store {self.display_url}; `posture history` lists runs")
        if len(rows) > 1:
            names = ", ".join(r["run_id"] for r in rows)
            raise HistoryError(f"run id {ref!r} is ambiguous ({names}): give more characters")
        return self._record(rows[0])

    def findings(self, run_id: str) -> list[Finding]:
        import sqlalchemy as sa

        try:
            with self._engine.connect() as conn:
                rows = conn.execute(sa.select(self._findings.c.data).where(self._findings.c.run_id == run_id))
                return [finding_from_json(json.loads(data)) for (data,) in rows]
        except Exception as exc:
            raise HistoryError(f"cannot read history store {self.display_url}: {_why(exc)}") from exc

    def diff(self, run_a: str | None = None, run_b: str | None = None) -> RunDiff:
        """Compare two runs. ``run_b`` defaults to the latest run; ``run_a`` to the run before it."""
        if run_b is None:
            latest = self.runs(limit=1)
            if not latest:
                raise HistoryError(f"history store {self.display_url} holds no runs yet: run `posture scan` first")
            after = latest[0]
        else:
            after = self.run(run_b)
        if run_a is None:
            if after.previous_run_id is None:
                raise HistoryError(
                    f"run {after.run_id} is the first of scope {after.scope!r}: nothing to compare it with"
                )
            before = self.run(after.previous_run_id)
        else:
            before = self.run(run_a)
        return diff_findings(before, self.findings(before.run_id), after, self.findings(after.run_id))

    @staticmethod
    def _record(row: Any) -> RunRecord:  # a SQLAlchemy RowMapping
        return RunRecord(
            run_id=row["run_id"],
            scope=row["scope"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            tool_version=row["tool_version"],
            previous_run_id=row["previous_run_id"],
            summary=json.loads(row["summary"]),
        )


def diff_findings(
    before: RunRecord, before_findings: Iterable[Finding], after: RunRecord, after_findings: Iterable[Finding]
) -> RunDiff:
    """Problems (FAIL/WAIVED) new in ``after``, resolved since ``before``, and persisting."""
    old = {f.uid: f for f in before_findings if f.status in PROBLEM_STATUSES}
    new = {f.uid: f for f in after_findings if f.status in PROBLEM_STATUSES}
    return RunDiff(
        before=before,
        after=after,
        new=tuple(sorted((f for uid, f in new.items() if uid not in old), key=_sort_key)),
        resolved=tuple(sorted((f for uid, f in old.items() if uid not in new), key=_sort_key)),
        persisting=tuple(sorted((f for uid, f in new.items() if uid in old), key=_sort_key)),
    )


def format_runs(runs: Iterable[RunRecord]) -> str:
    """A table for ``posture history``: id, when, scope, findings, failures, new, resolved."""
    lines = [f"{'RUN':<24} {'STARTED':<21} {'TOTAL':>6} {'FAIL':>5} {'NEW':>4} {'RESOLVED':>8}  SCOPE"]
    for run in runs:
        s = run.summary
        lines.append(
            f"{run.run_id:<24} {run.started_at:<21} {s.get('total', 0):>6} {run.failures:>5} "
            f"{s.get('new', '-')!s:>4} {s.get('resolved', '-')!s:>8}  {run.scope}"
        )
    return "\n".join(lines)


def _sqlite_transactions(engine: Any) -> None:
    """Let SQLAlchemy, not pysqlite, start transactions, so recording can take the write lock first.

    pysqlite defers BEGIN until the first write, which lets two runs both read "the previous run"
    before either writes. The documented SQLAlchemy recipe: disable pysqlite's own BEGIN and emit
    ours, ``BEGIN IMMEDIATE`` when ``HistoryStore.recording`` asks for it.
    """
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get(_IMMEDIATE) else "BEGIN")


def _why(exc: BaseException) -> str:
    # SQLAlchemy messages carry the SQL and a link; the first line is what a person needs.
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
