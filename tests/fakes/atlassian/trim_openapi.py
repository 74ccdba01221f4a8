"""Trim Atlassian's published OpenAPI descriptions to the operations the collector calls.

    python -m tests.fakes.atlassian.trim_openapi [SOURCE_DIR]

SOURCE_DIR holds the (already trimmed) published copies (admin-organizations, Jira Cloud
platform v3, Confluence v1 and v2). The output, committed under ``openapi/``, keeps each kept
path's GET operation and every component it reaches, so the fake validates its answers against
Atlassian's own description and the tests never read anything outside the repository.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "openapi"

KEEP: dict[str, tuple[str, tuple[str, ...]]] = {
    "admin-organizations": (
        "admin-organizations.trimmed.json",
        ("/v1/orgs/{orgId}", "/v1/orgs/{orgId}/users", "/v1/orgs/{orgId}/domains", "/v1/orgs/{orgId}/policies"),
    ),
    "jira-platform-v3": (
        "jira-platform-v3.trimmed.json",
        (
            "/rest/api/3/myself",
            "/rest/api/3/users/search",
            "/rest/api/3/project/search",
            "/rest/api/3/permissionscheme",
            "/rest/api/3/project/{projectKeyOrId}/permissionscheme",
            "/rest/api/3/permissions",
            "/rest/api/3/mypermissions",
            "/rest/api/3/group/member",
            "/rest/api/3/user/permission/search",
        ),
    ),
    "confluence-v2": ("confluence-v2.trimmed.json", ("/spaces",)),
    "confluence-v1": ("confluence-v1.trimmed.json", ("/wiki/rest/api/space/{spaceKey}",)),
}


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/"):
            out.add(ref)
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def trim(document: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    kept_paths = {p: {"get": document["paths"][p]["get"]} for p in paths}
    components: dict[str, dict[str, Any]] = {}
    pending: set[str] = set()
    _refs(kept_paths, pending)
    done: set[str] = set()
    while pending:
        ref = pending.pop()
        if ref in done:
            continue
        done.add(ref)
        _, _, section, name = ref.split("/", 3)
        node = document["components"][section][name]
        components.setdefault(section, {})[name] = node
        _refs(node, pending)
    return {
        "openapi": document.get("openapi"),
        "info": document.get("info", {}),
        "servers": document.get("servers", []),
        "paths": kept_paths,
        "components": {section: dict(sorted(items.items())) for section, items in sorted(components.items())},
    }


def main(source: Path) -> None:
    HERE.mkdir(exist_ok=True)
    for name, (filename, paths) in KEEP.items():
        document = json.loads((source / filename).read_text("utf-8"))
        (HERE / f"{name}.json").write_text(json.dumps(trim(document, paths), indent=1, sort_keys=False) + "\n", encoding="utf-8")
        print(f"wrote openapi/{name}.json ({len(paths)} paths)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/shared/atlassian-api"))
