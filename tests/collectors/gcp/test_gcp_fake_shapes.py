"""The fake speaks Google's description: its validator rejects what the discovery schema does
not allow, and the trimmed discovery documents describe every method the collector calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.fakes.gcp import schema

ROOT = Path(__file__).resolve().parents[3]


def test_validator_rejects_an_undescribed_field_and_a_wrong_type() -> None:
    good = {"accounts": [{"email": "a@p.iam.gserviceaccount.com", "disabled": False}], "nextPageToken": "2"}
    assert schema.problems("iam", "ListServiceAccountsResponse", good) == []
    bad = {"accounts": [{"email": "a@p.iam.gserviceaccount.com", "disabled": "no", "owner": "x"}]}
    found = schema.problems("iam", "ListServiceAccountsResponse", bad)
    assert any("disabled" in p and "boolean" in p for p in found)
    assert any("'owner' is not in the discovery schema" in p for p in found)


def test_google_error_shape_is_what_the_client_parses() -> None:
    from scanner.collectors.gcp.client import parse_error

    body = {
        "error": {
            "code": 403,
            "message": "Cloud Asset API has not been used in project 999 before or it is disabled.",
            "status": "PERMISSION_DENIED",
            "details": [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {"service": "cloudasset.googleapis.com", "consumer": "projects/999"},
                }
            ],
        }
    }
    status = parse_error(403, body)
    assert (status.reason, status.service, status.consumer) == ("SERVICE_DISABLED", "cloudasset.googleapis.com", "projects/999")


def test_every_path_the_collector_calls_is_a_described_get_or_getiampolicy() -> None:
    """The collector's request paths (as templates in its source) match a kept discovery method."""
    described = []
    for name in schema.FILES.values():
        doc = json.loads((schema.DISCOVERY / name).read_text("utf-8"))
        for method in doc["methods"].values():
            path = method.get("flatPath", method["path"])
            assert method["httpMethod"] == "GET" or path.endswith(":getIamPolicy")
            described.append(path)
    source = (ROOT / "scanner" / "collectors" / "gcp" / "collector.py").read_text("utf-8")
    for needle in (":searchAllResources", ":searchAllIamPolicies", ":getEffectivePolicy", "/contacts", "/serviceAccounts", "/keys", "workloadIdentityPools", "/providers", "storage/v1/b", ":getIamPolicy", "v3/folders", "v3/projects"):
        assert needle in source
        assert any(needle.split("/")[-1] in path or needle.lstrip("/") in path for path in described), needle
    assert not re.search(r"\"(PUT|PATCH|DELETE)\"", source)
