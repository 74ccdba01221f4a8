"""Guide coverage on GitHub (issue 18) against the fake GitHub: environment separation (ZT-4)."""

from __future__ import annotations

from tests.collectors.github.helpers import statuses

BRANCHES = "github_repo_production_environment_branch_policy"


def test_production_environment_branch_policy(fake, run_collector) -> None:
    result = statuses(run_collector(fake))
    # "protected branches only" and custom branch patterns both restrict the deploying branches.
    assert result[(BRANCHES, "northwind-labs/api")] == "PASS"
    assert result[(BRANCHES, "northwind-labs/web")] == "PASS"
    # A production environment any branch may deploy to.
    assert result[(BRANCHES, "northwind-labs/infra")] == "FAIL"
    # No production environment: not applicable.
    assert result[(BRANCHES, "northwind-labs/mobile-app")] == "SKIPPED"
