"""The fake is held to Atlassian's descriptions: the validator catches a body that departs from
them, the committed subset matches the trim script, and the fake refuses a mutating request."""

from __future__ import annotations

import json

import requests

from tests.fakes.atlassian import schema, trim_openapi
from tests.fakes.atlassian.org import northwind
from tests.fakes.atlassian.server import FakeAtlassian


def test_validator_catches_departures() -> None:
    users = schema.response_schema("admin-organizations", "/v1/orgs/{orgId}/users")
    assert users is not None
    good = {"data": [{"account_id": "a", "account_type": "atlassian", "account_status": "active", "name": "A", "picture": "p"}], "links": {"next": "c2"}}
    assert schema.problems("admin-organizations", users, good) == []
    bad = {"data": [{"account_id": "a", "account_type": "robot", "account_status": "active", "name": "A", "picture": "p", "mfa": True}]}
    found = schema.problems("admin-organizations", users, bad)
    assert any("'robot' not one of" in p for p in found) and any("'mfa' is not in the description" in p for p in found)
    missing = {"data": [{"account_id": "a"}]}
    assert any("required property 'account_status'" in p for p in schema.problems("admin-organizations", users, missing))
    page = schema.response_schema("jira-platform-v3", "/rest/api/3/project/search")
    assert page is not None
    assert schema.problems("jira-platform-v3", page, {"isLast": "yes", "values": []})


def test_every_kept_path_is_in_the_committed_subset() -> None:
    for name, (_file, paths) in trim_openapi.KEEP.items():
        document = schema.document(name)
        assert sorted(document["paths"]) == sorted(paths)
        text = json.dumps(document)
        for ref in set(part.split('"')[0] for part in text.split('"$ref": "')[1:]):
            section, item = ref.removeprefix("#/components/").split("/", 1)
            assert item in document["components"][section], ref


def test_the_fake_refuses_and_records_a_mutation() -> None:
    fake = FakeAtlassian(northwind()).start()
    try:
        response = requests.post(f"{fake.site_base}/northwind/rest/api/3/project", json={}, timeout=5)
        assert response.status_code == 405
        assert fake.mutations == ["POST /site/northwind/rest/api/3/project"]
    finally:
        fake.stop()
