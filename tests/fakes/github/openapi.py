"""Checks the fake's REST responses against GitHub's published OpenAPI description.

Loads only the trimmed subset committed under ``tests/fakes/github_openapi/rest-subset.json``
(regenerate it with ``trim.py`` there). Success responses must be a documented status of the
operation and match its schema; error responses must match the documented schema for that status
or, when GitHub leaves the status undocumented, its ``basic-error`` shape. OpenAPI 3.0 specifics
(``nullable``, ``readOnly``) are handled by ``openapi-schema-validator``'s OAS 3.0 read validator.
"""

from __future__ import annotations

import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from openapi_schema_validator import OAS30ReadValidator

SUBSET_PATH = Path(__file__).resolve().parent.parent / "github_openapi" / "rest-subset.json"


@cache
def load_description(path: Path = SUBSET_PATH) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text())
    return document


class ResponseValidator:
    """Validates (method, path template, status, body) against the trimmed description."""

    def __init__(self, document: dict[str, Any] | None = None) -> None:
        self.document = document if document is not None else load_description()
        self._validators: dict[tuple[str, str, int], OAS30ReadValidator | None] = {}
        self._lock = threading.Lock()

    def operations(self) -> set[tuple[str, str]]:
        """Every (METHOD, template) the description holds."""
        return {(method.upper(), path) for path, item in self.document["paths"].items() for method in item}

    def _resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            _, _, section, name = node["$ref"].split("/", 3)
            node = self.document["components"][section][name]
        return node

    def _schema_for(self, method: str, template: str, status: int) -> tuple[bool, dict[str, Any] | None]:
        """(documented, schema) for a response; schema None means "no body"."""
        operation = self.document["paths"].get(template, {}).get(method.lower())
        if operation is None:
            raise KeyError(f"{method} {template} is not in the trimmed OpenAPI description; add it to trim.py")
        responses = operation["responses"]
        entry = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
        if entry is None:
            if status < 400:
                return False, None
            return False, {"$ref": "#/components/schemas/basic-error"}
        entry = self._resolve(entry)
        content = entry.get("content", {})
        media = content.get("application/json") or next(iter(content.values()), None)
        if media is None or "schema" not in media:
            # GitHub sends its basic-error body with every error, documented or not.
            return True, ({"$ref": "#/components/schemas/basic-error"} if status >= 400 else None)
        return True, media["schema"]

    def _validator(self, method: str, template: str, status: int) -> OAS30ReadValidator | None:
        key = (method, template, status)
        with self._lock:
            if key not in self._validators:
                documented, schema = self._schema_for(method, template, status)
                if not documented and status < 400:
                    raise ValueError(f"{method} {template} answered {status}, which GitHub does not document")
                if schema is None:
                    self._validators[key] = None
                else:
                    root = {**schema, "components": self.document["components"]}
                    self._validators[key] = OAS30ReadValidator(root)
            return self._validators[key]

    def problems(self, method: str, template: str, status: int, body: Any) -> list[str]:
        """Human-readable schema violations of one response (empty when it validates)."""
        if status == 304:
            return []
        try:
            validator = self._validator(method, template, status)
        except (KeyError, ValueError) as exc:
            return [str(exc)]
        if validator is None:
            return [] if body is None else [f"{method} {template} {status}: GitHub documents no body, the fake sent one"]
        if body is None:
            return [f"{method} {template} {status}: GitHub documents a JSON body, the fake sent none"]
        found = []
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            found.append(f"{method} {template} {status} at {where}: {error.message[:300]}")
            if len(found) >= 10:
                break
        return found
