"""The shared collector helpers: one ``parse_time`` and one "read this or record Unknown" reader."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scanner.collectors.base import UnitReader, parse_time
from scanner.errors import ApiError, AuthError, PermissionDenied
from scanner.inventory.model import Unknown

UTC = timezone.utc


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # GitHub
        ("2024-01-02T03:04:05.1234567Z", datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)),  # Graph / ARM
        ("2024-01-02T05:04:05+02:00", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # an offset, normalised
        ("2024-01-02 03:04:05.000000+0000", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        (datetime(2024, 1, 2, 3, 4, 5), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),  # boto3, naive = UTC
        (datetime(2024, 1, 2, 4, 4, 5, tzinfo=timezone(timedelta(hours=1))), datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
    ],
)
def test_parse_time_reads_every_platform_form(value: object, expected: datetime) -> None:
    parsed = parse_time(value)
    assert parsed == expected
    assert parsed is not None and parsed.tzinfo == UTC


@pytest.mark.parametrize("value", [None, "", "N/A", "no_information", "not_supported", "0001-01-01T00:00:00Z", "yesterday", 5])
def test_parse_time_never_invents_a_date(value: object) -> None:
    assert parse_time(value) is None


def test_a_refusal_is_unknown_with_the_documented_reason_and_a_grouped_note() -> None:
    reader = UnitReader("GitHub organization acme")

    def refused() -> list[str]:
        raise PermissionDenied("403")

    first = reader.read_or_unknown("webhooks", refused, needs="needs admin:org_hook")
    second = reader.read_or_unknown("runner groups", refused, needs="needs admin:org_hook")
    assert first == Unknown("needs admin:org_hook") and second == first
    assert reader.errors == []
    assert reader.all_notes() == ("needs admin:org_hook: runner groups, webhooks",)
    assert reader.error_kind() == "permission"
    assert (reader.parts, reader.failed_parts) == (2, 2)


def test_an_api_failure_is_unknown_and_a_source_error() -> None:
    reader = UnitReader("AWS account 111122223333")

    def broken() -> int:
        raise ApiError("HTTP 502")

    answer = reader.read_or_unknown("the password policy", broken, needs="needs iam:GetAccountPasswordPolicy")
    assert isinstance(answer, Unknown) and "HTTP 502" in answer.reason
    assert reader.errors == ["AWS account 111122223333: could not read the password policy: HTTP 502"]
    assert reader.error_kind() == "api"


def test_a_value_is_returned_as_read() -> None:
    reader = UnitReader("unit")
    assert reader.read_or_unknown("x", lambda: [1, 2]) == [1, 2]
    assert (reader.errors, reader.all_notes(), reader.error_kind()) == ([], (), None)


def test_rejected_credentials_and_bugs_are_not_turned_into_unknown() -> None:
    reader = UnitReader("unit")

    def rejected() -> None:
        raise AuthError("401")

    def bug() -> None:
        raise KeyError("id")

    with pytest.raises(AuthError):
        reader.read_or_unknown("x", rejected)
    with pytest.raises(KeyError):
        reader.read_or_unknown("x", bug)


def test_a_plan_feature_missing_is_a_note_not_a_missing_permission() -> None:
    reader = UnitReader("unit")

    class NotFound(PermissionDenied):
        status = 404

    def absent() -> None:
        raise NotFound("404")

    assert reader.read_or_unknown("rulesets", absent, needs="needs GitHub Team", plan_feature=True) == Unknown("needs GitHub Team")
    assert not reader.missing and reader.all_notes() == ("needs GitHub Team: rulesets",)


def test_a_failure_the_platform_classified_keeps_its_kind_reason_and_note() -> None:
    from scanner.collectors.base import ReadFailure

    reader = UnitReader("Azure")

    def unlicensed() -> None:
        raise ReadFailure("Graph GET /v1.0/identity/conditionalAccess/policies answered 403", kind="permission",
                          reason="needs Microsoft Entra ID P1 or P2 (Conditional Access)", note="Conditional Access needs P1")

    def rejected_here_only() -> None:
        raise ReadFailure("Graph GET /v1.0/applications answered 401", kind="auth", reason="could not read apps: credential rejected")

    assert reader.read_or_unknown("CA", unlicensed) == Unknown("needs Microsoft Entra ID P1 or P2 (Conditional Access)")
    assert reader.read_or_unknown("apps", rejected_here_only) == Unknown("could not read apps: credential rejected")
    assert reader.errors == ["Graph GET /v1.0/identity/conditionalAccess/policies answered 403",
                             "Graph GET /v1.0/applications answered 401"]
    assert reader.notes == ["Conditional Access needs P1"] and reader.error_kind() == "auth"
    assert (reader.parts, reader.failed_parts) == (2, 2)
