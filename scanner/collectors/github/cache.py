"""On-disk ETag cache for conditional GitHub requests (``--cache DIR``).

One JSON file per (credential, URL): the ETag, the body and the next-page link. A re-scan sends
``If-None-Match`` and GitHub answers an unchanged resource with 304, which costs nothing against
the primary rate limit. The cache holds inventory data (not secrets): files are created 0600 in
a 0700 directory. The credential part of the key is a label (``pat:<sha256 prefix>``,
``app:<id>:<org>``), never a token, because GitHub varies answers by who asks.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class CachedResponse:
    etag: str
    body: Any
    next_url: str | None


class EtagCache:
    """Reads and writes cached GET responses under ``directory/github/``."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory) / "github"

    def _path(self, label: str, url: str) -> Path:
        digest = hashlib.sha256(f"{label}\x00{url}".encode()).hexdigest()
        return self.directory / digest[:2] / f"{digest}.json"

    def get(self, label: str, url: str) -> CachedResponse | None:
        path = self._path(label, url)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return CachedResponse(str(data["etag"]), data["body"], data.get("next_url"))
        except (OSError, ValueError, KeyError, TypeError):
            return None  # a missing or damaged entry is just a cache miss

    def put(self, label: str, url: str, etag: str, body: Any, next_url: str | None) -> None:
        path = self._path(label, url)
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.{id(body)}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"etag": etag, "body": body, "next_url": next_url}, handle)
            os.replace(tmp, path)
        except OSError:
            pass  # a cache that cannot be written slows the next scan; it must not fail this one
