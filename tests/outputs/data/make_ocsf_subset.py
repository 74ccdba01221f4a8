"""Regenerate ``ocsf_<version>_subset.json`` from a checkout of github.com/ocsf/ocsf-schema.

Usage: python make_ocsf_subset.py /path/to/ocsf-schema-git-dir [TAG] > ocsf_1_5_0_subset.json
       (TAG defaults to 1.5.0; the 1.1 and 1.2 releases are tagged v1.1.0 and v1.2.0)

    for t in v1.1.0 v1.2.0 1.3.0 1.4.0 1.5.0; do v=${t#v}; \
        python make_ocsf_subset.py REPO $t > ocsf_${v//./_}_subset.json; done

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
OBJECTS = (
    "metadata", "product", "finding_info", "compliance", "resource_details", "remediation", "check", "analytic",
    "evidences", "cloud", "account", "group", "organization",
)


def show(repo: str, path: str) -> dict[str, Any]:
    out = subprocess.run(["git", "--git-dir", repo, "show", f"refs/tags/{TAG}:{path}"], capture_output=True, check=True)
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
    names = subprocess.run(["git", "--git-dir", repo, "ls-tree", "--name-only", f"refs/tags/{TAG}", "objects/"],
                           capture_output=True, check=True, text=True).stdout.split()
    index = {show(repo, p)["name"]: p for p in names if p.endswith(".json")}
    dictionary = show(repo, "dictionary.json")["attributes"]
    out: dict[str, Any] = {"ocsf_version": TAG.lstrip("v"), "classes": {}, "objects": {}}

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
        if name not in index:  # an object that this release does not have yet (e.g. check before 1.3)
            continue
        attributes, _ = merged_attributes(repo, index[name], index)
        out["objects"][name] = {"attributes": describe(attributes)}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    if len(sys.argv) > 2:
        TAG = sys.argv[2]
    main(sys.argv[1])
