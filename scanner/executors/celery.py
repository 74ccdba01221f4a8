"""Collection as Celery tasks on Redis: one task per unit, then one chord body that finishes the run.

Why Celery: it is the engine Prowler's own service runs on, and it already does what a home-made
scheduler would get wrong: acknowledgement after the task (``acks_late``), redelivery of a task
whose worker died (``reject_on_worker_lost`` + the Redis visibility timeout), retries with
backoff, time limits, and beat for the audit's cadence.

Tasks carry only plain JSON: a unit's non-secret settings and the run's configuration values.
Credentials never travel through the broker: each worker reads them from its own environment
(GITHUB_TOKEN, the AWS chain, azure-identity, ADC), as the CLI does.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from typing import Any

from celery import Celery, chord

from scanner.collectors.base import CollectContext
from scanner.collectors.descriptor import Unit
from scanner.inventory.snapshot import Inventory

# A unit that failed for a transient reason (5xx, throttled) is tried again this many times.
TRANSIENT_RETRIES = 2
# Seconds after which Redis hands an unacknowledged task (its worker died) to another worker.
DEFAULT_VISIBILITY_TIMEOUT = 3600


def make_app(broker: str, backend: str | None = None, *, unit_time_limit: int = 3600) -> Celery:
    """A Celery app with posture's tasks registered. Nothing happens at import time."""
    app = Celery("posture", broker=broker, backend=backend or broker)
    visibility = int(os.environ.get("POSTURE_CELERY_VISIBILITY_TIMEOUT", DEFAULT_VISIBILITY_TIMEOUT))
    app.conf.update(
        task_serializer="json", result_serializer="json", accept_content=["json"],
        task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=1,
        task_time_limit=unit_time_limit + 60, task_soft_time_limit=unit_time_limit,
        broker_transport_options={"visibility_timeout": visibility},
        result_backend_transport_options={"visibility_timeout": visibility},
        result_expires=7 * 24 * 3600, broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.task(name="posture.collect_unit", bind=True, max_retries=TRANSIENT_RETRIES)(_collect_unit_task)
    app.task(name="posture.finish_run")(_finish_run_task)
    app.task(name="posture.run_audit")(_run_audit_task)
    return app


def unit_to_json(unit: Unit) -> dict[str, Any]:
    return {"platform": unit.platform, "key": unit.key, "credential": unit.credential, "settings": dict(unit.settings)}


def unit_from_json(data: Mapping[str, Any]) -> Unit:
    return Unit(data["platform"], data["key"], data["credential"], data["settings"])


def _collect_unit_task(task: Any, unit_json: Mapping[str, Any], concurrency: int = 4) -> dict[str, Any]:
    from scanner.collectors import platform as load_platform
    from scanner.executors.local import collect_unit
    from scanner.pipeline import environment

    unit = unit_from_json(unit_json)
    platform = load_platform(unit.platform)
    context = CollectContext(concurrency=concurrency, environ=environment())
    result = collect_unit(unit, platform, context)
    transient = [s for s in result.sources if s.status == "failed" and s.error_kind in ("api", "internal")]
    if transient and task.request.retries < TRANSIENT_RETRIES:
        raise task.retry(countdown=2 ** (task.request.retries + 1))
    inventory = Inventory(result.resources, result.sources, units=(unit.key,))
    return inventory.to_json()


def _finish_run_task(parts: list[dict[str, Any]], values: Mapping[str, Any], planned: list[str]) -> dict[str, Any]:
    """The chord body: merge the units, then correlate, evaluate, outputs, history, sinks once."""
    from scanner.inventory.snapshot import merge
    from scanner.pipeline import finish_run

    inventories = [Inventory.from_json(p, origin=f"unit {i + 1}") for i, p in enumerate(parts)]
    merged = merge([_with_plan(i, planned) for i in inventories])
    return finish_run(values, merged).to_json()


def _run_audit_task(values: Mapping[str, Any]) -> str:
    """Beat's task: plan the configured audit and launch its chord (returns the chord's id)."""
    from celery import current_app

    from scanner.config import build_settings
    from scanner.pipeline import plan_for

    plan = plan_for(build_settings(values))
    result = launch(current_app, plan.units, values, list(plan.keys))
    return str(result.id)


def _with_plan(inventory: Inventory, planned: list[str]) -> Inventory:
    from dataclasses import replace

    return replace(inventory, planned_units=tuple(planned))


def launch(app: Celery, units: tuple[Unit, ...] | list[Unit], values: Mapping[str, Any], planned: list[str],
           concurrency: int = 4) -> Any:
    """Queue one task per unit and the chord body; returns the chord's AsyncResult."""
    header = [app.signature("posture.collect_unit", args=(unit_to_json(u), concurrency)) for u in units]
    body = app.signature("posture.finish_run", args=(dict(values), planned))
    return chord(header, app=app)(body)


def wait(result: Any, total: int, on_progress: Callable[[int, int], None], timeout: float) -> dict[str, Any]:
    """Wait for the chord, reporting how many units are done; raise TimeoutError past ``timeout``."""
    deadline = time.monotonic() + timeout
    header = result.parent
    done = -1
    while not result.ready():
        finished = header.completed_count() if header is not None else 0
        if finished != done:
            done = finished
            on_progress(done, total)
        if time.monotonic() > deadline:
            raise TimeoutError(f"the run did not finish within {timeout:.0f} s")
        time.sleep(0.2)
    on_progress(total, total)
    outcome: dict[str, Any] = result.get(propagate=True)
    return outcome
