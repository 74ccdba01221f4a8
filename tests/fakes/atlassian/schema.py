"""Validate a JSON body against Atlassian's OpenAPI descriptions (the trimmed copies in ``openapi/``).

Strict on property names: a field the description does not name is an error unless the schema
allows additional properties, so the fake cannot drift from Atlassian's published shapes.
``allOf`` merges, ``oneOf``/``anyOf`` accept any branch, ``nullable`` admits null.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

OPENAPI = Path(__file__).resolve().parent / "openapi"
SPECS = ("admin-organizations", "jira-platform-v3", "confluence-v1", "confluence-v2")


@cache
def document(spec: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((OPENAPI / f"{spec}.json").read_text("utf-8"))
    return data


def response_schema(spec: str, path: str, status: int = 200) -> dict[str, Any] | None:
    """The schema of ``GET path`` answering ``status`` (None when the description has none)."""
    responses = document(spec)["paths"][path]["get"]["responses"]
    response = responses.get(str(status))
    if response is None:
        return None
    if "$ref" in response:
        response = _resolve(spec, response["$ref"])
    content = (response.get("content") or {}).get("application/json") or {}
    schema = content.get("schema")
    return schema if isinstance(schema, dict) else None


def problems(spec: str, schema: dict[str, Any], body: Any, where: str = "$") -> list[str]:
    out: list[str] = []
    _check(spec, schema, body, where, out)
    return out


def _resolve(spec: str, ref: str) -> dict[str, Any]:
    node: Any = document(spec)
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return dict(node)


def _flatten(spec: str, schema: dict[str, Any]) -> dict[str, Any]:
    """Follow $ref and merge allOf into one schema (properties, required, additionalProperties)."""
    while "$ref" in schema:
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**_resolve(spec, schema["$ref"]), **{k: v for k, v in extra.items() if k not in ("description",)}}
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties = dict(merged.get("properties") or {})
        for part in schema["allOf"]:
            flat = _flatten(spec, part)
            properties.update(flat.get("properties") or {})
            for key, value in flat.items():
                if key not in ("properties", "description"):
                    merged.setdefault(key, value)
        if properties:
            merged["properties"] = properties
        return merged
    return schema


def _check(spec: str, schema: dict[str, Any], value: Any, where: str, out: list[str]) -> None:
    schema = _flatten(spec, schema)
    if value is None:
        if not schema.get("nullable") and schema:
            out.append(f"{where}: null where the description does not allow it")
        return
    for key in ("oneOf", "anyOf"):
        if key in schema:
            branches = [problems(spec, branch, value, where) for branch in schema[key]]
            if all(branches):
                out.append(f"{where}: matches no {key} branch ({branches[0][0]})")
            return
    kind = schema.get("type") or ("object" if "properties" in schema else None)
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{where}: {value!r} not one of {schema['enum']}")
    if kind == "object":
        if not isinstance(value, dict):
            out.append(f"{where}: expected object, got {type(value).__name__}")
            return
        properties = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        for name in schema.get("required") or ():
            if name not in value:
                out.append(f"{where}: required property {name!r} missing")
        for key, item in value.items():
            if key in properties:
                _check(spec, properties[key], item, f"{where}.{key}", out)
            elif isinstance(extra, dict):
                _check(spec, extra, item, f"{where}[{key}]", out)
            elif extra is True or (extra is None and not properties):
                continue
            else:
                out.append(f"{where}: property {key!r} is not in the description")
    elif kind == "array":
        if not isinstance(value, list):
            out.append(f"{where}: expected array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(spec, schema.get("items") or {}, item, f"{where}[{index}]", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{where}: expected string, got {type(value).__name__}")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{where}: expected integer, got {type(value).__name__}")
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{where}: expected number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: expected boolean, got {type(value).__name__}")
