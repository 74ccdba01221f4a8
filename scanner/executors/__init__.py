"""Where collection runs: in this process, as one shard of N, or as Celery tasks on Redis.

Collection is cut into the units the platform descriptors declare (one GitHub org, one AWS
account, one Azure tenant, one roster file). Every executor collects a list of units into one
Inventory that records which units it holds; the rest of the pipeline (correlate, evaluate,
outputs, history, sinks) runs once on the merged inventory, wherever that is.
"""

from __future__ import annotations

from scanner.executors.plan import Plan, plan_units, select_shard

__all__ = ["Plan", "plan_units", "select_shard"]
