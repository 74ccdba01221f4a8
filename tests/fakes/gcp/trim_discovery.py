"""Trim Google's discovery documents to the methods the GCP fake serves (run by hand).

    python -m tests.fakes.gcp.trim_discovery /work/shared/gcp-api

Keeps, per API, only the methods in ``METHODS`` and the schemas reachable from their
responses, so ``tests/fakes/gcp/discovery/`` stays small and tests never read the shared copy.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "discovery"

# file -> dotted method ids (resource path + method) the fake serves
METHODS: dict[str, tuple[str, ...]] = {
    "cloudasset.v1.json": ("v1.searchAllResources", "v1.searchAllIamPolicies"),
    "cloudresourcemanager.v3.json": (
        "organizations.get", "organizations.getIamPolicy", "folders.get", "folders.list", "folders.getIamPolicy",
        "projects.get", "projects.list", "projects.getIamPolicy",
    ),
    "iam.v1.json": (
        "projects.serviceAccounts.list", "projects.serviceAccounts.keys.list", "projects.serviceAccounts.getIamPolicy",
        "projects.locations.workloadIdentityPools.list", "projects.locations.workloadIdentityPools.providers.list",
    ),
    "orgpolicy.v2.json": (
        "organizations.policies.getEffectivePolicy", "folders.policies.getEffectivePolicy", "projects.policies.getEffectivePolicy",
    ),
    "essentialcontacts.v1.json": ("organizations.contacts.list",),
    "storage.v1.json": ("buckets.list", "buckets.getIamPolicy"),
}


def _method(doc: dict[str, Any], dotted: str) -> dict[str, Any]:
    parts = dotted.split(".")
    node: dict[str, Any] = doc
    for part in parts[:-1]:
        node = node["resources"][part]
    method: dict[str, Any] = node["methods"][parts[-1]]
    return method


def _refs(schema: Any, found: set[str], schemas: dict[str, Any]) -> None:
    if isinstance(schema, dict):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref not in found:
            found.add(ref)
            _refs(schemas[ref], found, schemas)
        for value in schema.values():
            _refs(value, found, schemas)
    elif isinstance(schema, list):
        for value in schema:
            _refs(value, found, schemas)


def trim(doc: dict[str, Any], methods: tuple[str, ...]) -> dict[str, Any]:
    kept: dict[str, Any] = {}
    needed: set[str] = set()
    for dotted in methods:
        method = _method(doc, dotted)
        kept[dotted] = {k: method[k] for k in ("id", "httpMethod", "path", "flatPath", "parameters", "response") if k in method}
        for parameter in kept[dotted].get("parameters", {}).values():
            parameter.pop("description", None)
        _refs(method.get("response", {}), needed, doc["schemas"])
    schemas = {}
    for name in sorted(needed):
        schema = json.loads(json.dumps(doc["schemas"][name]))
        _strip_descriptions(schema)
        schemas[name] = schema
    return {k: doc[k] for k in ("name", "version", "rootUrl", "servicePath", "revision")} | {"methods": kept, "schemas": schemas}


def _strip_descriptions(node: Any) -> None:
    if isinstance(node, dict):
        for key in ("description", "enumDescriptions", "enumDeprecated"):
            node.pop(key, None)
        for value in node.values():
            _strip_descriptions(value)
    elif isinstance(node, list):
        for value in node:
            _strip_descriptions(value)


def main(source: str) -> None:
    OUT.mkdir(exist_ok=True)
    for name, methods in METHODS.items():
        doc = json.loads((Path(source) / name).read_text("utf-8"))
        (OUT / name).write_text(json.dumps(trim(doc, methods), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {OUT / name}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/gcp-api")
