"""Regenerates the trimmed OpenAPI subset and GraphQL schema the fake GitHub validates against.

GitHub's full REST description is 13 MB and must not be read at test time (a fresh clone has no
``../shared``), so this script keeps only the operations the fake serves plus every component
they reference, and writes ``rest-subset.json`` beside itself. The GraphQL schema is copied as
without descriptions and without the duplicate field definitions graphql-core rejects. Source: the npm packages
``@octokit/openapi`` (``generated/api.github.com.json``, ``generated/ghec.json``) and
``@octokit/graphql-schema`` (``schema.graphql``), both MIT.

Usage: python tests/fakes/github_openapi/trim.py [SOURCE_DIR]   (default ../shared/github-openapi)
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# (method, path template, description file). Keep in step with tests/fakes/github/rest.py ROUTES.
OPERATIONS: tuple[tuple[str, str, str], ...] = (
    ("get", "/user", "api.github.com.json"),
    ("get", "/rate_limit", "api.github.com.json"),
    ("get", "/app", "api.github.com.json"),
    ("get", "/app/installations", "api.github.com.json"),
    ("post", "/app/installations/{installation_id}/access_tokens", "api.github.com.json"),
    ("get", "/orgs/{org}/installation", "api.github.com.json"),
    ("get", "/orgs/{org}", "api.github.com.json"),
    ("get", "/orgs/{org}/members", "api.github.com.json"),
    ("get", "/orgs/{org}/memberships/{username}", "api.github.com.json"),
    ("get", "/orgs/{org}/outside_collaborators", "api.github.com.json"),
    ("get", "/orgs/{org}/teams", "api.github.com.json"),
    ("get", "/orgs/{org}/teams/{team_slug}/members", "api.github.com.json"),
    ("get", "/orgs/{org}/teams/{team_slug}/repos", "api.github.com.json"),
    ("get", "/orgs/{org}/repos", "api.github.com.json"),
    ("get", "/orgs/{org}/hooks", "api.github.com.json"),
    ("get", "/orgs/{org}/rulesets", "api.github.com.json"),
    ("get", "/orgs/{org}/rulesets/{ruleset_id}", "api.github.com.json"),
    ("get", "/orgs/{org}/installations", "api.github.com.json"),
    ("get", "/orgs/{org}/actions/permissions", "api.github.com.json"),
    ("get", "/orgs/{org}/actions/permissions/workflow", "api.github.com.json"),
    ("get", "/orgs/{org}/actions/permissions/selected-actions", "api.github.com.json"),
    ("get", "/orgs/{org}/actions/permissions/fork-pr-contributor-approval", "api.github.com.json"),
    ("get", "/orgs/{org}/actions/runner-groups", "api.github.com.json"),
    ("get", "/orgs/{org}/credential-authorizations", "ghec.json"),
    ("get", "/repos/{owner}/{repo}/actions/secrets", "api.github.com.json"),
    ("get", "/orgs/{org}/copilot/billing", "api.github.com.json"),
    ("get", "/orgs/{org}/copilot/billing/seats", "api.github.com.json"),
    ("get", "/orgs/{org}/organization-roles", "api.github.com.json"),
    ("get", "/orgs/{org}/organization-roles/{role_id}/teams", "api.github.com.json"),
    ("get", "/orgs/{org}/organization-roles/{role_id}/users", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/branches/{branch}/protection", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/rulesets", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/rulesets/{ruleset_id}", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/rules/branches/{branch}", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/collaborators", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/teams", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/keys", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/hooks", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/environments", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/environments/{environment_name}", "api.github.com.json"),
    (
        "get",
        "/repos/{owner}/{repo}/environments/{environment_name}/deployment-branch-policies",
        "api.github.com.json",
    ),
    ("get", "/repos/{owner}/{repo}/actions/permissions", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/actions/permissions/workflow", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/actions/permissions/selected-actions", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/actions/permissions/fork-pr-contributor-approval", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/contents/{path}", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/codeowners/errors", "api.github.com.json"),
    ("get", "/repos/{owner}/{repo}/vulnerability-alerts", "api.github.com.json"),
)

# Keys that only document (examples and prose) and make up most of the size.
DROPPED_KEYS = frozenset({"examples", "x-github", "x-githubEnterpriseServer", "externalDocs"})


def _strip(node: Any, *, in_properties: bool = False) -> Any:
    """Drops documentation-only keys; never drops a property that happens to be named so."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if not in_properties and (key in DROPPED_KEYS or key == "example"):
                continue
            out[key] = _strip(value, in_properties=(key == "properties" and not in_properties))
        return out
    if isinstance(node, list):
        return [_strip(item) for item in node]
    return node


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            found.append(ref)
        for value in node.values():
            found.extend(_refs(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_refs(item))
    return found


def trim(source_dir: Path) -> dict[str, Any]:
    """The subset of the descriptions in ``source_dir`` the fake serves, as one OpenAPI document."""
    documents: dict[str, dict[str, Any]] = {}
    paths: dict[str, dict[str, Any]] = {}
    components: dict[str, dict[str, Any]] = {}
    pending: list[tuple[str, str]] = []  # (file, $ref)
    for method, path, file_name in OPERATIONS:
        document = documents.setdefault(file_name, json.loads((source_dir / file_name).read_text()))
        operation = _strip(document["paths"][path][method])
        operation.pop("requestBody", None)  # the fake's only POST body is validated by hand
        paths.setdefault(path, {})[method] = operation
        pending.extend((file_name, ref) for ref in _refs(operation))
    while pending:
        file_name, ref = pending.pop()
        _, _, section, name = ref.split("/", 3)
        if name in components.get(section, {}):
            continue
        component = _strip(documents[file_name]["components"][section][name])
        components.setdefault(section, {})[name] = component
        pending.extend((file_name, inner) for inner in _refs(component))
    first = documents["api.github.com.json"]
    return {
        "openapi": first["openapi"],
        "info": {
            "title": "GitHub REST API (subset served by the posture test fake)",
            "version": first["info"]["version"],
            "x-source": "npm @octokit/openapi generated/api.github.com.json + ghec.json (MIT)",
        },
        "paths": dict(sorted(paths.items())),
        "components": {section: dict(sorted(items.items())) for section, items in sorted(components.items())},
    }


def clean_graphql_schema(sdl: str) -> str:
    """The published SDL minus descriptions and minus the duplicate field definitions it carries.

    GitHub's schema (``@octokit/graphql-schema`` 15.26.1) defines e.g.
    ``EnterpriseOwnerInfo.repositoryDeployKeySetting`` twice, which graphql-core's SDL validation
    rejects; the first definition is kept. Descriptions are dropped to halve the size and parse time.
    """
    from graphql import parse, print_ast
    from graphql.language import FieldDefinitionNode, Node

    document = parse(sdl, no_location=True)

    def scrub(node: Node) -> None:
        if hasattr(node, "description"):
            node.description = None  # type: ignore[attr-defined]
        fields = getattr(node, "fields", None)
        if fields:
            seen: set[str] = set()
            kept = []
            for field_node in fields:
                name = field_node.name.value
                if name in seen:
                    continue
                seen.add(name)
                kept.append(field_node)
                scrub(field_node)
            node.fields = tuple(kept)  # type: ignore[attr-defined]
        for attribute in ("arguments", "values"):
            for child in getattr(node, attribute, None) or ():
                if isinstance(child, (FieldDefinitionNode, Node)):
                    scrub(child)

    for definition in document.definitions:
        scrub(definition)
    return print_ast(document) + "\n"


def main(argv: list[str]) -> int:
    source_dir = Path(argv[1]) if len(argv) > 1 else HERE.parents[3] / "shared" / "github-openapi"
    subset = trim(source_dir)
    (HERE / "rest-subset.json").write_text(json.dumps(subset, indent=1, sort_keys=False) + "\n")
    sdl = (source_dir / "github-graphql-schema.graphql").read_text()
    (HERE / "schema.graphql").write_text(clean_graphql_schema(sdl))
    for licence in ("LICENSE", "LICENSE-graphql-schema.md"):
        if (source_dir / licence).exists():
            shutil.copyfile(source_dir / licence, HERE / licence)
    sizes = {p.name: p.stat().st_size for p in HERE.iterdir() if p.suffix in {".json", ".graphql"}}
    print(f"{len(subset['paths'])} paths, {sum(len(v) for v in subset['components'].values())} components; {sizes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
