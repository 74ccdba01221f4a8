"""Regenerate ``ocsf_1_5_0_subset.json`` from a checkout of github.com/ocsf/ocsf-schema.

Usage: python make_ocsf_subset.py /path/to/ocsf-schema-git-dir > ocsf_1_5_0_subset.json

Resolves ``extends`` and ``$include`` for the one event class and the few objects posture's
OCSF output uses, and keeps for each attribute only what a validator needs: its type, whether
it is an array, its requirement, its enum values, its profile and whether it is deprecated.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

TAG = "1.5.0"
CLASS = "events/findings/compliance_finding.json"
OBJECTS = ("metadata", "product", "finding_info", "compliance", "resource_details", "remediation", "check", "analytic")


def show(repo: str, path: str) -> dict[str, Any]:
    out = subprocess.run(["git", "--git-dir", repo, "show", f"{TAG}:{path}"], capture_output=True, check=True)
    return json.loads(out.stdout)


EVENT_PARENTS = {"finding": "events/findings/finding.json", "base_event": "events/base_event.json"}


def merged_attributes(repo: str, path: str, index: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    doc = show(repo, path)
    attributes: dict[str, Any] = {}
    parent = doc.get("extends")
    if parent and parent != "object":
        # Event classes extend event classes; objects extend objects (names can clash: "finding").
        parent_path = EVENT_PARENTS[parent] if path.startswith("events/") else index[parent]
        attributes, _ = merged_attributes(repo, parent_path, index)
    own = dict(doc.get("attributes", {}))
    for include in own.pop("$include", []):
        profile = show(repo, include)
        for name, spec in profile.get("attributes", {}).items():
            spec = dict(spec)
            if profile.get("meta") == "profile":
                spec.setdefault("profile", profile["name"])
            attributes[name] = {**attributes.get(name, {}), **spec}
    for name, spec in own.items():
        merged = {**attributes.get(name, {}), **spec}
        if "enum" in spec and "enum" in attributes.get(name, {}):
            merged["enum"] = {**attributes[name]["enum"], **spec["enum"]}  # OCSF merges enums
        attributes[name] = merged
    return attributes, doc


def main(repo: str) -> None:
    names = subprocess.run(["git", "--git-dir", repo, "ls-tree", "--name-only", TAG, "objects/"],
                           capture_output=True, check=True, text=True).stdout.split()
    index = {show(repo, p)["name"]: p for p in names if p.endswith(".json")}
    dictionary = show(repo, "dictionary.json")["attributes"]
    out: dict[str, Any] = {"ocsf_version": TAG, "classes": {}, "objects": {}}

    def describe(attributes: dict[str, Any]) -> dict[str, Any]:
        result = {}
        for name, spec in sorted(attributes.items()):
            base = dictionary.get(name, {})
            # As the OCSF server does: an attribute's enum extends the dictionary's (0 Unknown, 99 Other).
            enum = {**base.get("enum", {}), **spec.get("enum", {})}
            result[name] = {
                "type": spec.get("type") or base.get("type"),
                "is_array": bool(spec.get("is_array", base.get("is_array", False))),
                "requirement": spec.get("requirement", "optional"),
                "enum": sorted(int(k) for k in enum) if enum else None,
                "profile": spec.get("profile"),
                "deprecated": "@deprecated" in spec or "@deprecated" in base,
            }
        return result

    attributes, doc = merged_attributes(repo, CLASS, index)
    out["classes"]["compliance_finding"] = {"uid": 2000 + doc["uid"], "attributes": describe(attributes)}
    for name in OBJECTS:
        attributes, _ = merged_attributes(repo, index[name], index)
        out["objects"][name] = {"attributes": describe(attributes)}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main(sys.argv[1])
