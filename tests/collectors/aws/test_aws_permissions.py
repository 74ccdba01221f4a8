"""Missing permissions and bad settings: Unknown with the action to grant, partial/failed
sources, ConfigError before any network call."""

from __future__ import annotations

import pytest

from scanner.collectors.aws.collector import AwsCollector
from scanner.collectors.base import CollectContext
from scanner.errors import ConfigError
from scanner.inventory.model import Unknown
from tests.collectors.aws.helpers import collect
from tests.fakes.aws import seed
from tests.fakes.aws.server import Fault, RecordingMotoServer


@pytest.fixture
def small_account(moto_server: RecordingMotoServer):
    moto_server.reset()
    seed.seed_iam(None, seed.MAIN_ACCOUNT)
    yield moto_server
    moto_server.clear_faults()


def users(result):
    return {r.name: r.attributes for r in result.resources if r.type == "aws.iam_user"}


def test_denied_credential_report_makes_its_attributes_unknown(small_account: RecordingMotoServer) -> None:
    small_account.inject(Fault("iam", "GetCredentialReport"))
    result = collect({})
    (source,) = result.sources
    assert source.status == "partial" and source.error_kind == "permission"
    assert any("iam:GetCredentialReport denied" in e for e in source.errors)
    assert any("grant iam:GetCredentialReport" in n for n in source.notes)
    bo = users(result)["bo.chen"]
    assert bo["mfa_enabled"] == Unknown("needs iam:GetCredentialReport")
    assert bo["active"] == Unknown("needs iam:GetCredentialReport")
    assert bo["is_admin"] is False  # still known: it comes from GetAccountAuthorizationDetails
    (account,) = [r.attributes for r in result.resources if r.type == "aws.account"]
    assert account["iam_users_with_console"] == Unknown("needs iam:GetCredentialReport")


def test_denied_authorization_details_still_lists_users_from_the_report(small_account: RecordingMotoServer) -> None:
    small_account.inject(Fault("iam", "GetAccountAuthorizationDetails"))
    result = collect({})
    found = users(result)
    assert set(found) == {"bo.chen", "dmitri", "jenkins-ci", "ops-admin"}
    assert found["dmitri"]["is_admin"] == Unknown("needs iam:GetAccountAuthorizationDetails")
    assert found["dmitri"]["mfa_enabled"] is False
    assert not [r for r in result.resources if r.type in ("aws.iam_role", "aws.iam_policy")]
    assert result.sources[0].status == "partial"


def test_rejected_credentials_fail_the_source(small_account: RecordingMotoServer) -> None:
    small_account.inject(Fault("sts", "GetCallerIdentity", code="InvalidClientTokenId"))
    result = collect({})
    (source,) = result.sources
    assert source.status == "failed" and source.error_kind == "auth"
    assert result.resources == ()
    assert "fake-secret-for-tests-only" not in " ".join(source.errors)


def test_collector_works_with_an_injected_session_factory(small_account: RecordingMotoServer) -> None:
    from scanner.collectors.aws.client import AwsSessionFactory

    made = []

    class CountingFactory(AwsSessionFactory):
        def base(self):  # type: ignore[override]
            made.append("base")
            return super().base()

    collector = AwsCollector({}, CollectContext(clock=lambda: seed.NOW), session_factory=CountingFactory())
    result = collector.collect()
    assert made == ["base"] and any(r.type == "aws.iam_user" for r in result.resources)


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"accounts": ["12345"], "organization": True}, "aws.accounts"),
        ({"skip_accounts": "abc", "organization": True}, "aws.skip_accounts"),
        ({"accounts": ["111122223333"]}, "aws.accounts"),
        ({"role_name": "bad role!"}, "aws.role_name"),
        ({"region": "mars"}, "aws.region"),
        ({"organization": "yes"}, "aws.organization"),
        ({"external_id": "x"}, "aws.external_id"),
        ({"colour": "blue"}, "aws.colour"),
    ],
)
def test_bad_settings_raise_config_error_naming_the_field(settings, field) -> None:
    with pytest.raises(ConfigError, match=field.replace(".", r"\.")):
        AwsCollector(settings, CollectContext())


def test_missing_profile_is_a_config_error(moto_server: RecordingMotoServer) -> None:
    with pytest.raises(ConfigError, match="no AWS profile named 'nope'"):
        AwsCollector({"profile": "nope"}, CollectContext()).collect()


def test_comma_separated_accounts_are_accepted() -> None:
    collector = AwsCollector({"organization": True, "accounts": "111122223333,444455556666"}, CollectContext())
    assert collector.options.accounts == ("111122223333", "444455556666")
