"""Validate a JSON body against a discovery document's ``schemas`` (the trimmed copies in
``discovery/``). Strict on property names: a field the API does not describe is an error, so
the fake cannot drift from Google's description."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

DISCOVERY = Path(__file__).resolve().parent / "discovery"
FILES = {
    "cloudasset": "cloudasset.v1.json",
    "cloudresourcemanager": "cloudresourcemanager.v3.json",
    "iam": "iam.v1.json",
    "orgpolicy": "orgpolicy.v2.json",
    "essentialcontacts": "essentialcontacts.v1.json",
    "storage": "storage.v1.json",
}


@cache
def document(api: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DISCOVERY / FILES[api]).read_text("utf-8"))
    return data


def response_schema(api: str, method_id: str) -> str:
    return str(document(api)["methods"][method_id]["response"]["$ref"])


def problems(api: str, schema_name: str, body: Any) -> list[str]:
    schemas = document(api)["schemas"]
    out: list[str] = []
    _check(schemas, {"$ref": schema_name}, body, schema_name, out)
    return out


def _check(schemas: dict[str, Any], schema: dict[str, Any], value: Any, where: str, out: list[str]) -> None:
    if "$ref" in schema:
        schema = schemas[schema["$ref"]]
    kind = schema.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            out.append(f"{where}: expected object, got {type(value).__name__}")
            return
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            if properties is not None and key in properties:
                _check(schemas, properties[key], item, f"{where}.{key}", out)
            elif isinstance(extra, dict):
                _check(schemas, extra, item, f"{where}[{key}]", out)
            elif properties is not None:
                out.append(f"{where}: property {key!r} is not in the discovery schema")
    elif kind == "array":
        if not isinstance(value, list):
            out.append(f"{where}: expected array, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(schemas, schema.get("items", {}), item, f"{where}[{index}]", out)
    elif kind == "string":
        if not isinstance(value, str):
            out.append(f"{where}: expected string, got {type(value).__name__}")
        elif "enum" in schema and value not in schema["enum"]:
            out.append(f"{where}: {value!r} not one of {schema['enum']}")
    elif kind == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{where}: expected integer, got {type(value).__name__}")
    elif kind == "number":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{where}: expected number, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            out.append(f"{where}: expected boolean, got {type(value).__name__}")
    # type "any" or unspecified: anything goes
