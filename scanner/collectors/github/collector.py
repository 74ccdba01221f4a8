"""The GitHub collector: organizations, their members and outside collaborators, their repositories.

Per organization, in this order (org-wide endpoints before per-repository ones):

1. REST, once per org: ``/user`` (who we are), ``/orgs/{org}``, owners, members, outside
   collaborators, the ``filter=2fa_disabled`` lists, the repository list (which carries
   ``security_and_analysis`` and topics), Actions settings, runner groups, webhooks, App
   installations, rulesets, SAML credential authorizations (GHEC); the teams with each team's
   members and repositories (access through teams).
2. GraphQL, 25 repositories per query: default-branch protection, rulesets, collaborators,
   deploy keys, environments, CODEOWNERS, Dependabot alerts, the ``.github/workflows`` files (text
   included; a truncated blob is read again through the contents API); then follow-up queries for every
   connection longer than its first page (next pages of many repositories share a query).
   One paginated query for SAML identities.
3. REST, per repository the token administers: webhooks and the Actions token permission.

That is about 2.2 requests per repository plus 1 + 2 per team and a constant per org. Work runs on at most
``context.concurrency`` threads. Whatever the token cannot read becomes ``Unknown("needs ...")``
and a note on the source status; one organization failing never stops the others.
"""

from __future__ import annotations

import fnmatch
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

import requests

from scanner.collectors.base import (
    CallCounter,
    CollectContext,
    Collector,
    CollectResult,
    UnitReader,
    iso,
    redact,
)
from scanner.collectors.github import mapping, org_extras, queries, workflows
from scanner.collectors.github.auth import AppInstallationCredential, TokenCredential
from scanner.collectors.github.cache import EtagCache
from scanner.collectors.github.client import (
    GitHubApiError,
    GitHubAuthError,
    GitHubClient,
    GITHUB_SECONDARY_LIMITS,
    GitHubNotAllowed,
    GraphQLResult,
    SecondaryLimits,
    github_pacer,
)
from scanner.collectors.github.platform import GitHubSettings, parse_settings
from scanner.errors import AuthError, CollectorError, ConfigError, PermissionDenied
from scanner.http import Budget
from scanner.inventory.model import Resource, SourceStatus, Unknown

T = TypeVar("T")

GRAPHQL_BATCH = 25


class _OrgRun(UnitReader):
    """What one organization's collection accumulates besides resources (see ``UnitReader``)."""

    def __init__(self, org: str) -> None:
        super().__init__(f"GitHub organization {org}")
        self.org = org

    def classify(self, what: str, exc: Exception) -> CollectorError | None:
        # Only GitHub's own answers are read-level failures; anything else (a spent budget, a
        # transport failure) fails the organization, as before.
        if isinstance(exc, GitHubApiError) and exc.status == 422:
            return PermissionDenied(str(exc))  # e.g. "Only owners can use this filter."
        return exc if isinstance(exc, (GitHubNotAllowed, GitHubApiError)) else None


class GitHubCollector(Collector):
    platform = "github"

    def __init__(
        self,
        settings: Mapping[str, Any] | GitHubSettings,
        context: CollectContext,
        *,
        session_factory: Callable[[], requests.Session] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        secondary_limits: SecondaryLimits = GITHUB_SECONDARY_LIMITS,
    ) -> None:
        # Parsed once by the descriptor's parser (the one config validation uses); a mapping is
        # parsed here with the same parser. The run's cache directory is the default.
        config = settings if isinstance(settings, GitHubSettings) else parse_settings(settings)
        if config.cache_dir is None and context.cache_dir is not None:
            config = replace(config, cache_dir=context.cache_dir)
        super().__init__(settings if not isinstance(settings, GitHubSettings) else {}, context)
        self.config = config
        self._session_factory = session_factory or requests.Session
        self._sleep = sleep
        # One budget per (API, credential): a token spent on one organization is spent on all.
        self._budgets: dict[tuple[str, str], Budget] = {}
        self._secondary_limits = secondary_limits
        self._token: str | None = None
        self._app_key: str | None = None
        self._load_credentials()

    # -- credentials (read before any network call, so a bad path is a ConfigError) ------------

    def _load_credentials(self) -> None:
        config = self.config
        if config.app_id is not None:
            assert config.app_key_file is not None
            self._app_key = _read_secret_file(config.app_key_file, "github.app_key_file")
            return
        if config.token_file is not None:
            self._token = _read_secret_file(config.token_file, "github.token_file")
        else:
            environ = self.context.environ
            self._token = (environ.get("GITHUB_TOKEN") or environ.get("GH_TOKEN") or "").strip() or None
        if not self._token:
            raise ConfigError(
                "no GitHub credentials: set GITHUB_TOKEN or GH_TOKEN, pass --github-token-file FILE, "
                "or --github-app-id with --github-app-key FILE"
            )

    def _secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self._token, self._app_key) if s)

    def _credential(self, org: str) -> TokenCredential | AppInstallationCredential:
        if self.config.app_id is not None:
            assert self._app_key is not None
            return AppInstallationCredential(
                app_id=self.config.app_id,
                private_key=self._app_key,
                org=org,
                installation_id=self.config.app_installation_id,
            )
        assert self._token is not None
        return TokenCredential(self._token)

    def _budget(self, credential: TokenCredential | AppInstallationCredential) -> Budget:
        key = (self.config.url, credential.cache_label())
        if key not in self._budgets:
            # Paced per route under GitHub's secondary limits: being refused costs a minute's
            # wait and, repeated, the integration's access.
            from scanner.ratelimit import shared_pacer

            # On Celery workers the credential's budget is shared through Redis as well.
            pacer = shared_pacer(self.context.environ, f"github:{self.config.url}:{credential.cache_label()}",
                                 github_pacer(self._secondary_limits))
            self._budgets[key] = Budget(f"GitHub credential {credential.cache_label()}", sleep=self._sleep, pacer=pacer)
        return self._budgets[key]

    # -- the interface -------------------------------------------------------------------------

    def collect(self) -> CollectResult:
        resources: list[Resource] = []
        sources: list[SourceStatus] = []
        for org in self.config.orgs:
            org_resources, status = self._collect_org(org)
            resources.extend(org_resources)
            sources.append(status)
        return CollectResult(tuple(resources), tuple(sources))

    def _collect_org(self, org: str) -> tuple[list[Resource], SourceStatus]:
        run = _OrgRun(org)
        started = iso(self.context.clock())
        identity: str | None = None
        kind: str | None = None
        session = self._session_factory()
        client: GitHubClient | None = None
        try:
            credential = self._credential(org)
            client = GitHubClient(
                rest_url=self.config.url,
                graphql_url=self.config.graphql_url,
                credential=credential,
                session=session,
                counter=run.counter,
                cache=EtagCache(self.config.cache_dir) if self.config.cache_dir else None,
                budget=self._budget(credential),
                sleep=self._sleep,
                on_wait=lambda message: self.context.progress.log(org, message),
                pool_size=self.context.concurrency,
            )
            identity, viewer_login = self._identity(client, credential)
            resources = _OrgReader(self, client, run, viewer_login).read()
            state = "partial" if (run.errors or run.missing) else "ok"
        except CollectorError as exc:
            resources = []
            state = "failed"
            run.errors.append(self._clean(self._explain(org, exc)))
            kind = exc.kind
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            # An answer in a shape nothing above expected: this organization fails, the others
            # (and the other platforms) go on.
            resources = []
            state = "failed"
            run.errors.append(f"GitHub organization {org}: GitHub answered in an unexpected shape "
                              f"({type(exc).__name__}: {str(exc)[:80]}); re-run, and report it if it persists")
            kind = "api"
        except ConfigError:
            raise
        else:
            kind = "api" if run.errors else ("permission" if run.missing else None)
        finally:
            if client is not None:
                client.transport.close()
            session.close()
        status = SourceStatus(
            name=f"github:{org}",  # named like every other source: platform:unit
            platform="github",
            status=state,  # type: ignore[arg-type]
            errors=tuple(self._clean(e) for e in run.errors),
            notes=tuple(self._clean(n) for n in run.all_notes()),
            identity=identity,
            started_at=started,
            finished_at=iso(self.context.clock()),
            api_calls=run.counter.snapshot(),
            error_kind=kind,
        )
        return resources, status

    def _identity(
        self, client: GitHubClient, credential: TokenCredential | AppInstallationCredential
    ) -> tuple[str, str | None]:
        """Who we are, for the source status, and the user login (None for an App installation)."""
        if isinstance(credential, AppInstallationCredential):
            credential.authorization(client)  # exchange now, so a bad App fails before any read
            return credential.describe(), None
        user = client.get_json("/user")
        login = user.get("login") if isinstance(user, dict) else None
        return (f"user {login}" if login else "token"), (str(login) if login else "")

    def _explain(self, org: str, exc: CollectorError) -> str:
        url = self.config.url
        if isinstance(exc, GitHubAuthError):
            return (
                f"GitHub organization {org}: the credentials were rejected (HTTP 401) by {url}: the token is "
                "invalid, expired or revoked; create a new token (or check the App key) and re-run"
            )
        if isinstance(exc, GitHubNotAllowed) and exc.endpoint == "GET /orgs/{org}":
            return (
                f"GitHub organization {org}: not found or not visible to this token (HTTP {exc.status}); "
                "check the name and that the token belongs to a member (read:org scope)"
            )
        if isinstance(exc, AuthError):
            return f"GitHub organization {org}: {exc}"
        return f"GitHub organization {org}: {exc}"

    def _clean(self, text: str) -> str:
        return redact(" ".join(str(text).split()), self._secrets())

    def map_parallel(self, function: Callable[[Any], T], items: Sequence[Any]) -> list[T]:
        if len(items) <= 1 or self.context.concurrency <= 1:
            return [function(item) for item in items]
        with ThreadPoolExecutor(max_workers=self.context.concurrency) as pool:
            return list(pool.map(function, items))


def _read_secret_file(path: Path, key: str) -> str:
    try:
        text = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise ConfigError(f"{key}: {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{key}: cannot read {path} ({type(exc).__name__})") from None
    if not text:
        raise ConfigError(f"{key}: {path} is empty")
    return text


class _OrgReader:
    """Reads one organization with one client; records what it could not read on ``run``."""

    def __init__(self, collector: GitHubCollector, client: GitHubClient, run: _OrgRun, viewer_login: str | None) -> None:
        self.collector = collector
        self.viewer_login = viewer_login  # None: an App installation
        self.client = client
        self.run = run
        self.org = run.org
        self.progress = collector.context.progress

    # -- reading helpers --------------------------------------------------------------------

    def optional(self, what: str, reason: str, read: Callable[[], T], *, plan_feature: bool = False) -> T | Unknown:
        """Run ``read``; a refusal becomes Unknown(reason) plus a note, an API failure an error."""
        return self.run.read_or_unknown(what, read, needs=reason, plan_feature=plan_feature)

    def well_formed(self, items: Any, what: str, *keys: str) -> list[dict[str, Any]]:
        """The items of a list answer that carry every ``keys`` as a non-empty string. One malformed
        item costs that item only (a source error, the source partial), never the organization."""
        kept: list[dict[str, Any]] = []
        dropped = 0
        for item in items if isinstance(items, list) else []:
            if isinstance(item, dict) and all(isinstance(item.get(k), str) and item.get(k) for k in keys):
                kept.append(item)
            else:
                dropped += 1
        if dropped:
            self.run.errors.append(
                f"GitHub organization {self.org}: {dropped} item(s) of the {what} list without "
                f"{' or '.join(keys)} were left out (malformed answer)"
            )
        return kept

    # -- the org ----------------------------------------------------------------------------

    def read(self) -> list[Resource]:
        client, org = self.client, self.org
        self.progress.task(org, f"GitHub {org}: organization settings")
        org_json = client.get_json("/orgs/{org}", org=org)
        # The organization-level reads are independent of each other: read them in parallel (about
        # 15 endpoints and the repository list; each is one or a few pages).
        reads: dict[str, Callable[[], Any]] = {
            "owners": lambda: self.well_formed(
                client.paginate("/orgs/{org}/members", {"role": "admin"}, org=org), "owners", "login"
            ),
            "members": lambda: self.well_formed(client.paginate("/orgs/{org}/members", org=org), "members", "login"),
            "outside": lambda: self.optional(
                "outside collaborators", mapping.NEEDS_OWNER,
                lambda: self.well_formed(
                    client.paginate("/orgs/{org}/outside_collaborators", org=org), "outside collaborators", "login"
                ),
            ),
            "two_fa": lambda: self.optional(
                "members' and outside collaborators' 2FA", mapping.NEEDS_OWNER, self._two_factor_disabled
            ),
            "actions": lambda: self.optional(
                "Actions permissions", mapping.NEEDS_ACTIONS_ADMIN,
                lambda: client.get_json("/orgs/{org}/actions/permissions", org=org),
            ),
            "workflow": lambda: self.optional(
                "Actions workflow token permission", mapping.NEEDS_ACTIONS_ADMIN,
                lambda: client.get_json("/orgs/{org}/actions/permissions/workflow", org=org),
            ),
            "fork_pr": lambda: self.optional(
                "fork pull-request approval policy", mapping.NEEDS_ACTIONS_ADMIN,
                lambda: client.get_json("/orgs/{org}/actions/permissions/fork-pr-contributor-approval", org=org),
            ),
            "runner_groups": lambda: self.optional(
                "self-hosted runner groups", mapping.NEEDS_ACTIONS_ADMIN,
                lambda: client.paginate("/orgs/{org}/actions/runner-groups", item_key="runner_groups", org=org),
            ),
            "hooks": lambda: self.optional(
                "organization webhooks", mapping.NEEDS_OWNER + " with admin:org_hook",
                lambda: client.paginate("/orgs/{org}/hooks", org=org),
            ),
            "installations": lambda: self.optional(
                "installed GitHub Apps", mapping.NEEDS_OWNER,
                lambda: client.paginate("/orgs/{org}/installations", item_key="installations", org=org),
            ),
            "rulesets": lambda: self.optional(
                "organization rulesets", mapping.NEEDS_OWNER,
                lambda: client.paginate("/orgs/{org}/rulesets", org=org),
            ),
            "credentials": lambda: self.optional(
                "members' last activity (SAML credential authorizations)", mapping.NEEDS_GHEC_OWNER,
                lambda: client.paginate("/orgs/{org}/credential-authorizations", org=org),
                plan_feature=True,
            ),
            "saml": lambda: self.optional("SAML SSO configuration and linked identities", mapping.NEEDS_OWNER, self._saml),
            "repos": self._repositories,
        }
        read = dict(zip(reads, self.collector.map_parallel(lambda thunk: thunk(), list(reads.values())), strict=True))
        owners, members, outside, repos = read["owners"], read["members"], read["outside"], read["repos"]
        outside_list = [] if isinstance(outside, Unknown) else outside
        two_fa, actions, workflow, fork_pr = read["two_fa"], read["actions"], read["workflow"], read["fork_pr"]
        runner_groups, hooks, installations = read["runner_groups"], read["hooks"], read["installations"]
        rulesets, credentials, saml = read["rulesets"], read["credentials"], read["saml"]
        selected: Any = None
        if isinstance(actions, Unknown):
            selected = actions
        elif isinstance(actions, dict) and actions.get("allowed_actions") == "selected":
            selected = self.optional(
                "Actions allowed actions", mapping.NEEDS_ACTIONS_ADMIN,
                lambda: client.get_json("/orgs/{org}/actions/permissions/selected-actions", org=org),
            )

        sees_every_team = self.viewer_login is None or self.viewer_login in {o.get("login") for o in owners}
        if sees_every_team:
            team_access: Any = self.optional(
                "repository access through teams", mapping.NEEDS_OWNER, lambda: self._team_access(repos)
            )
        else:
            # A member sees neither secret teams nor the repositories it cannot read itself: the
            # list would understate someone's access, so it is unknown rather than short.
            team_access = Unknown(mapping.NEEDS_OWNER + " to see every team")
            self.run.missing[mapping.NEEDS_OWNER].add("repository access through teams")
        self.progress.task(org, f"GitHub {org}: repositories", total=len(repos))
        repo_raws = self._read_repositories(repos)

        now = self.collector.context.clock()
        raw = mapping.OrgRaw(
            login=org,
            org=org_json if isinstance(org_json, dict) else {},
            owners=owners,
            members=members,
            outside_collaborators=outside_list,
            two_factor_disabled=two_fa,
            actions_permissions=actions,
            selected_actions=selected,
            workflow_permissions=workflow,
            fork_pr_approval=fork_pr,
            runner_groups=runner_groups,
            hooks=hooks,
            installations=installations,
            rulesets=rulesets,
            saml=saml,
            credential_authorizations=credentials,
            repositories_count=len(repos),
        )
        organization = mapping.map_organization(raw)
        if isinstance(outside, Unknown):
            # The list could not be read: its size is unknown, not zero.
            organization = organization.with_attributes(outside_collaborators_count=outside)
        if organization.attributes.get("two_factor_requirement_enabled") == Unknown(mapping.NEEDS_OWNER):
            self.run.missing[mapping.NEEDS_OWNER].add("organization security settings (2FA requirement, base permission)")
        access = mapping.repository_access(
            ((r.rest["full_name"], r.direct_collaborators, r.outside_collaborators) for r in repo_raws), team_access
        )
        members_resources = mapping.map_members(raw, access, now)
        critical = self.collector.config.critical_topics
        repositories = []
        for repo_raw in repo_raws:
            try:
                repositories.append(mapping.map_repository(repo_raw, critical, now))
            except (KeyError, TypeError, AttributeError, ValueError) as exc:
                # One repository GitHub described in an unexpected shape is left out, loudly.
                self.run.errors.append(
                    f"GitHub organization {org}: repository {repo_raw.rest.get('name')} left out: malformed "
                    f"answer ({type(exc).__name__}: {str(exc)[:80]})"
                )
        return org_extras.extend(self, [organization, *members_resources, *repositories, *self._workflows(repo_raws)])

    def _workflows(self, repo_raws: Sequence[mapping.RepoRaw]) -> list[Resource]:
        """github.workflow resources from the workflow files the batch queries carried; blobs
        GraphQL truncated are read whole through the REST contents API, in parallel."""
        found: dict[str, list[workflows.WorkflowFile]] = {}
        pending: list[tuple[mapping.RepoRaw, workflows.PendingBlob]] = []
        resources: list[Resource] = []
        for raw in repo_raws:
            name = str(raw.rest["full_name"])
            result = workflows.files_from_block(raw.rest, raw.graphql, raw.graphql_unknown)
            if isinstance(result, Unknown):
                resources.append(workflows.unreadable_repository(
                    name, result.reason, str(raw.rest.get("visibility") or "private"), bool(raw.rest.get("archived"))))
                continue
            found[name] = list(result[0])
            pending += [(raw, blob) for blob in result[1]]

        def read_whole(item: tuple[mapping.RepoRaw, workflows.PendingBlob]) -> workflows.WorkflowFile:
            raw, blob = item
            answer = self.optional(
                f"workflow file {blob.repository}/{blob.path}", NEEDS_CONTENTS,
                lambda: self.client.get_json("/repos/{owner}/{repo}/contents/{path}", owner=self.org,
                                             repo=str(raw.rest["name"]), path=blob.path),
            )
            text = None if isinstance(answer, Unknown) else workflows.contents_text(answer)
            reason = answer.reason if isinstance(answer, Unknown) else f"could not be read whole ({blob.reason})"
            return workflows.workflow_file(raw.rest, blob.path, text, None if text is not None else reason)

        for file in self.collector.map_parallel(read_whole, pending):
            found.setdefault(file.repository, []).append(file)
        for files in found.values():
            resources += workflows.map_workflows(sorted(files, key=lambda f: f.path))
        return resources

    def _team_access(self, repos: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, str]]:
        """login -> {repository full name: PERMISSION} granted through teams, over the scanned
        repositories. REST, one team list plus each team's members and repositories (100 a page):
        GitHub lists a child team's members under its parent too, so a parent's repositories reach
        them; these GETs are ETag-cached, where the equivalent GraphQL would not be."""
        client, org = self.client, self.org
        scanned = {str(r.get("full_name")) for r in repos}
        teams = self.well_formed(client.paginate("/orgs/{org}/teams", org=org), "teams", "slug")
        slugs = sorted({str(t["slug"]) for t in teams})

        def read_team(slug: str) -> tuple[list[Any], list[Any]]:
            members = self.well_formed(
                client.paginate("/orgs/{org}/teams/{team_slug}/members", org=org, team_slug=slug),
                f"team {slug} members", "login",
            )
            team_repos = self.well_formed(
                client.paginate("/orgs/{org}/teams/{team_slug}/repos", org=org, team_slug=slug),
                f"team {slug} repositories", "full_name",
            )
            return members, team_repos

        access: dict[str, dict[str, str]] = {}
        for members, team_repos in self.collector.map_parallel(read_team, slugs):
            grants = {
                str(repo.get("full_name")): mapping.team_repository_permission(repo)
                for repo in team_repos
                if isinstance(repo, dict) and str(repo.get("full_name")) in scanned
            }
            for member in members:
                login = member.get("login") if isinstance(member, dict) else None
                if not login:
                    continue
                mine = access.setdefault(str(login), {})
                for full_name, permission in grants.items():
                    mine[full_name] = mapping.strongest(mine.get(full_name), permission)
        return access

    def _two_factor_disabled(self) -> set[str]:
        client, org = self.client, self.org
        members = client.paginate("/orgs/{org}/members", {"filter": "2fa_disabled"}, org=org)
        outside = client.paginate("/orgs/{org}/outside_collaborators", {"filter": "2fa_disabled"}, org=org)
        return {m["login"] for m in self.well_formed([*members, *outside], "members without 2FA", "login")}

    def _saml(self) -> mapping.SamlInfo | Unknown:
        name_ids: dict[str, str] = {}
        emails: dict[str, str] = {}
        cursor: str | None = None
        seen_cursors: set[str | None] = set()
        while True:
            if cursor in seen_cursors:
                # A cursor GitHub already answered: the next request would repeat forever.
                raise GitHubApiError("SAML identities: GitHub's pagination did not advance (a cursor came back twice)")
            seen_cursors.add(cursor)
            result = self.client.graphql(queries.SAML_IDENTITIES_QUERY, {"org": self.org, "cursor": cursor})
            organization = result.data.get("organization") or {}
            provider = organization.get("samlIdentityProvider")
            if provider is None:
                if result.errors_under("organization", "samlIdentityProvider") or not organization.get(
                    "viewerCanAdminister"
                ):
                    raise GitHubNotAllowed("SAML identity provider", status=403, endpoint="POST /graphql")
                return mapping.SamlInfo(configured=False)
            identities = provider.get("externalIdentities") or {}
            for node in identities.get("nodes") or []:
                user = (node or {}).get("user") or {}
                saml_identity = (node or {}).get("samlIdentity") or {}
                login = user.get("login")
                if not login:
                    continue  # an identity not linked to a GitHub account yet
                name_ids[login] = str(saml_identity.get("nameId") or saml_identity.get("username") or "")
                for email in saml_identity.get("emails") or []:
                    if email and email.get("value"):
                        emails[login] = email["value"]
                        break
            page = identities.get("pageInfo") or {}
            if not page.get("hasNextPage"):
                return mapping.SamlInfo(configured=True, name_ids=name_ids, emails=emails)
            cursor = page.get("endCursor")

    # -- repositories -------------------------------------------------------------------------

    def _repositories(self) -> list[dict[str, Any]]:
        config = self.collector.config
        repos = self.well_formed(
            self.client.paginate("/orgs/{org}/repos", {"type": "all"}, org=self.org), "repositories", "name", "full_name"
        )
        selected = []
        for repo in repos:
            if config.skip_archived and repo.get("archived"):
                continue
            if config.repos and not any(fnmatch.fnmatchcase(str(repo.get("name")), p) for p in config.repos):
                continue
            selected.append(repo)
        return sorted(selected, key=lambda r: str(r.get("name")).lower())

    def _read_repositories(self, repos: list[dict[str, Any]]) -> list[mapping.RepoRaw]:
        """GraphQL batches and the per-repository REST reads run side by side: the REST reads are
        paced per endpoint (GitHub's secondary limits), so they take the longest and start first."""
        batches = [repos[i : i + GRAPHQL_BATCH] for i in range(0, len(repos), GRAPHQL_BATCH)]
        graphql_parts: dict[str, tuple[Any, dict[str, Unknown]]] = {}
        workers = max(1, self.collector.context.concurrency)
        with ThreadPoolExecutor(max_workers=workers) as rest_pool:
            rest = {str(repo["name"]): rest_pool.submit(self._repository_rest, repo) for repo in repos}
            try:
                for batch_result in self.collector.map_parallel(self._graphql_batch, batches):
                    graphql_parts.update(batch_result)
                self._complete_connections(graphql_parts)
            except BaseException:
                for future in rest.values():
                    future.cancel()
                raise
            return self.collector.map_parallel(
                lambda repo: self._repository(repo, graphql_parts[repo["name"]], rest[str(repo["name"])].result()),
                repos,
            )

    def _repository_rest(self, repo: dict[str, Any]) -> tuple[Any, Any]:
        """Webhooks and the Actions token permission of one repository (REST, admin only)."""
        client, org, name = self.client, self.org, str(repo["name"])
        if not bool((repo.get("permissions") or {}).get("admin", True)):
            # The repository list says the token is not an admin here: do not spend two 404s to learn it.
            self.run.missing[mapping.NEEDS_REPO_ADMIN].add("repository webhooks and Actions token permission")
            return Unknown(mapping.NEEDS_REPO_ADMIN), Unknown(mapping.NEEDS_REPO_ADMIN)
        hooks = self.optional(
            "repository webhooks", mapping.NEEDS_REPO_ADMIN,
            lambda: client.paginate("/repos/{owner}/{repo}/hooks", owner=org, repo=name),
        )
        workflow = self.optional(
            "repository Actions token permission", mapping.NEEDS_REPO_ADMIN,
            lambda: client.get_json("/repos/{owner}/{repo}/actions/permissions/workflow", owner=org, repo=name),
        )
        return hooks, workflow

    def _graphql_batch(self, batch: list[dict[str, Any]]) -> dict[str, tuple[Any, dict[str, Unknown]]]:
        names = [str(r["name"]) for r in batch]
        try:
            result = self.client.graphql(
                queries.repositories_query(len(names)), queries.repositories_variables(self.org, names)
            )
        except (GitHubApiError, GitHubNotAllowed) as exc:
            self.run.errors.append(
                f"GitHub organization {self.org}: GraphQL read of {len(names)} repositories failed: {exc}"
            )
            failed = Unknown(f"could not be read: {exc}")
            return {name: (failed, {}) for name in names}
        parts: dict[str, tuple[Any, dict[str, Unknown]]] = {}
        organization = result.data.get("organization") or {}
        for index, name in enumerate(names):
            alias = f"r{index}"
            block = organization.get(alias)
            field_unknowns = self._graphql_field_unknowns(result, alias, name)
            if block is None:
                reason = next(iter(field_unknowns.values()), Unknown("repository not visible to GraphQL"))
                self.run.missing[reason.reason].add(f"repository {name}")
                parts[name] = (reason, {})
            else:
                parts[name] = (block, field_unknowns)
        return parts

    # -- connections longer than the batch query's first page ---------------------------------

    def _complete_connections(self, parts: Mapping[str, tuple[Any, dict[str, Unknown]]]) -> None:
        """Read every connection the batch query left unfinished (``pageInfo.hasNextPage``) to its
        end, appending the pages to the repository's block in place: the effective protection,
        the environments and the deploy keys are then computed over all of them, never a first page.
        Next pages of many repositories (and of rulesets' and environments' own connections, by
        node id) share a query; a page that cannot be read makes its attribute Unknown, not shorter."""
        pending: list[_Truncated] = []
        for name, (block, unknowns) in parts.items():
            if isinstance(block, Unknown):
                continue
            for field_name in queries.REPOSITORY_CONNECTIONS:
                if field_name in unknowns:
                    continue
                connection = block.get(field_name)
                if isinstance(connection, dict):
                    pending += _truncated(connection, field_name, name, unknowns, repo_level=True)
                    pending += _nested_truncated(_nodes_of(connection), field_name, name, unknowns)
        while pending:
            batches = [pending[i : i + FOLLOW_UP_BATCH] for i in range(0, len(pending), FOLLOW_UP_BATCH)]
            pending = [more for found in self.collector.map_parallel(self._follow_up, batches) for more in found]

    def _follow_up(self, batch: list[_Truncated]) -> list[_Truncated]:
        query, variables = queries.follow_up_query(self.org, [t.request for t in batch])
        try:
            result = self.client.graphql(query, variables)
        except (GitHubApiError, GitHubNotAllowed) as exc:
            for item in batch:
                self._unreadable_page(item, Unknown(f"could not be read: {exc}"), str(exc))
            return []
        organization = result.data.get("organization") or {}
        more: list[_Truncated] = []
        for index, item in enumerate(batch):
            alias = f"p{index}"
            by_repo = item.request.repo is not None
            holder = (organization if by_repo else result.data).get(alias)
            page = holder.get("page") if isinstance(holder, dict) else None
            if not isinstance(page, dict):
                errors = result.errors_under("organization", alias) if by_repo else result.errors_under(alias)
                message = str(errors[0].get("message", "no answer")) if errors else "no answer"
                forbidden = any(e.get("type") in ("FORBIDDEN", "INSUFFICIENT_SCOPES") for e in errors)
                reason = mapping.NEEDS_REPO_ADMIN if forbidden else f"could not be read: {message}"[:200]
                self._unreadable_page(item, Unknown(reason), message)
                continue
            nodes = [n for n in page.get("nodes") or [] if n is not None]
            existing = item.connection.get("nodes")
            if isinstance(existing, list):
                existing.extend(nodes)
            else:
                item.connection["nodes"] = list(nodes)
            info = page.get("pageInfo") or {}
            item.connection["pageInfo"] = info
            if by_repo:
                more += _nested_truncated(nodes, item.attribute, item.repo, item.unknowns)
            if info.get("hasNextPage"):
                cursor = info.get("endCursor")
                if not nodes or not isinstance(cursor, str) or cursor == item.request.cursor:
                    self._unreadable_page(item, Unknown("could not be read: GitHub's pagination did not advance"),
                                          f"{item.request.field} pagination did not advance")
                    continue
                more.append(_Truncated(
                    queries.PageRequest(item.request.field, cursor, item.request.repo, item.request.node_id),
                    item.connection, item.repo, item.attribute, item.unknowns,
                ))
        return more

    def _unreadable_page(self, item: _Truncated, unknown: Unknown, message: str) -> None:
        item.unknowns[item.attribute] = unknown
        what = _FIELD_NAMES.get(item.attribute, item.attribute)
        if unknown.reason == mapping.NEEDS_REPO_ADMIN:
            self.run.missing[unknown.reason].add(what)
        else:
            self.run.errors.append(
                f"GitHub organization {self.org}: repository {item.repo}: could not read all {what}: {message}"[:300]
            )

    def _graphql_field_unknowns(self, result: GraphQLResult, alias: str, repo: str) -> dict[str, Unknown]:
        unknowns: dict[str, Unknown] = {}
        for error in result.errors_under("organization", alias):
            path = list(error.get("path") or [])
            field_name = str(path[2]) if len(path) > 2 else "*"
            if field_name in ("directCollaborators", "outsideCollaborators"):
                reason = mapping.NEEDS_PUSH
            elif error.get("type") in ("FORBIDDEN", "INSUFFICIENT_SCOPES", "NOT_FOUND") or "admin" in str(
                error.get("message", "")
            ).lower():
                reason = mapping.NEEDS_REPO_ADMIN
            else:
                reason = f"GitHub could not answer: {error.get('message', 'error')}"[:200]
                self.run.errors.append(f"GitHub organization {self.org}: repository {repo}: {reason}")
            unknowns[field_name] = Unknown(reason)
            if reason in (mapping.NEEDS_PUSH, mapping.NEEDS_REPO_ADMIN):
                self.run.missing[reason].add(_FIELD_NAMES.get(field_name, field_name))
        return unknowns

    def _repository(
        self, repo: dict[str, Any], graphql_part: tuple[Any, dict[str, Unknown]], rest: tuple[Any, Any]
    ) -> mapping.RepoRaw:
        org, name = self.org, str(repo["name"])
        block, unknowns = graphql_part
        hooks, workflow = rest
        if not bool((repo.get("permissions") or {}).get("admin", True)):
            # GraphQL answers a non-admin with empty lists / false for admin-only fields rather than
            # an error; an empty answer there would read as "no protection", so it is unknown instead.
            if not isinstance(block, Unknown):
                unknowns = {**unknowns, **{name: Unknown(mapping.NEEDS_REPO_ADMIN) for name in ADMIN_ONLY_FIELDS}}
                self.run.missing[mapping.NEEDS_REPO_ADMIN].add(
                    "classic branch protection, deploy keys and Dependabot alerts"
                )
        direct = self._collaborators(block, unknowns, "directCollaborators", "DIRECT", name)
        outside = self._collaborators(block, unknowns, "outsideCollaborators", "OUTSIDE", name)
        self.progress.advance(org)
        return mapping.RepoRaw(
            rest=repo,
            graphql=block,
            graphql_unknown=unknowns,
            hooks=hooks,
            workflow_permissions=workflow,
            direct_collaborators=direct,
            outside_collaborators=outside,
        )

    def _collaborators(
        self, block: Any, unknowns: Mapping[str, Unknown], alias: str, affiliation: str, name: str
    ) -> Any:
        if isinstance(block, Unknown):
            return block
        if alias in unknowns:
            return unknowns[alias]
        connection = block.get(alias)
        if not isinstance(connection, dict):
            return Unknown(mapping.NEEDS_PUSH)
        pairs = _pairs(connection)
        page = connection.get("pageInfo") or {}
        seen_cursors: set[Any] = set()
        while page.get("hasNextPage"):
            cursor = page.get("endCursor")
            if not isinstance(cursor, str) or cursor in seen_cursors:
                return self._unreadable_collaborators(name, "GitHub's pagination did not advance")
            seen_cursors.add(cursor)
            try:
                result = self.client.graphql(
                    queries.COLLABORATORS_PAGE_QUERY,
                    {"owner": self.org, "name": name, "affiliation": affiliation, "cursor": cursor},
                )
            except (GitHubApiError, GitHubNotAllowed) as exc:
                return self._unreadable_collaborators(name, str(exc))
            repository = (result.data.get("organization") or {}).get("repository")
            connection = repository.get("collaborators") if isinstance(repository, dict) else None
            if not isinstance(connection, dict):
                # A follow-up page that answers null (with errors) leaves the list short: the
                # list is unknown, never the part read so far.
                errors = result.errors_under("organization", "repository") or list(result.errors)
                message = str(errors[0].get("message", "no answer")) if errors else "no answer"
                return self._unreadable_collaborators(name, message)
            pairs.extend(_pairs(connection))
            page = connection.get("pageInfo") or {}
        return pairs

    def _unreadable_collaborators(self, name: str, message: str) -> Unknown:
        self.run.errors.append(
            f"GitHub organization {self.org}: repository {name}: could not read all repository collaborators: "
            f"{message}"[:300]
        )
        return Unknown(f"could not be read: {message}"[:200])


NEEDS_CONTENTS = "needs read access to the repository's files (repo scope, or the Contents: read App permission)"
FOLLOW_UP_BATCH = 10  # next pages per follow-up query (each up to 100 nodes)


@dataclass(frozen=True)
class _Truncated:
    """A connection with more pages: where to ask for the next one and where its nodes go."""

    request: queries.PageRequest
    connection: dict[str, Any]  # the connection in the repository's block, extended in place
    repo: str
    attribute: str  # the repository field whose attributes it feeds (rulesets, environments, ...)
    unknowns: dict[str, Unknown]  # the repository's field -> Unknown map


def _nodes_of(connection: Mapping[str, Any]) -> list[Any]:
    return [n for n in connection.get("nodes") or [] if isinstance(n, dict)]


def _truncated(
    connection: dict[str, Any], field_name: str, repo: str, unknowns: dict[str, Unknown], *, repo_level: bool,
    node_id: str | None = None, attribute: str | None = None,
) -> list[_Truncated]:
    info = connection.get("pageInfo") or {}
    cursor = info.get("endCursor")
    if not info.get("hasNextPage") or not isinstance(cursor, str):
        return []
    request = queries.PageRequest(field_name, cursor, repo if repo_level else None, node_id)
    return [_Truncated(request, connection, repo, attribute or field_name, unknowns)]


def _nested_truncated(nodes: Sequence[Any], attribute: str, repo: str, unknowns: dict[str, Unknown]) -> list[_Truncated]:
    """Connections inside a ruleset or an environment node that have more pages."""
    found: list[_Truncated] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        for nested in queries.NESTED_CONNECTIONS:
            connection = node.get(nested)
            if not isinstance(connection, dict):
                continue
            node_id = node.get("id")
            if not isinstance(node_id, str):
                if (connection.get("pageInfo") or {}).get("hasNextPage"):
                    unknowns[attribute] = Unknown("could not be read: a paged connection without a node id")
                continue
            found += _truncated(connection, nested, repo, unknowns, repo_level=False, node_id=node_id, attribute=attribute)
    return found


# Repository fields GitHub only answers truthfully to repository admins.
ADMIN_ONLY_FIELDS = ("branchProtectionRules", "deployKeys", "hasVulnerabilityAlertsEnabled")

_FIELD_NAMES = {
    "rulesets": "rulesets",
    "defaultBranchRef": "default-branch protection",
    "deployKeys": "deploy keys",
    "branchProtectionRules": "classic branch protection",
    "environments": "environments",
    "hasVulnerabilityAlertsEnabled": "Dependabot alerts",
    "directCollaborators": "repository collaborators",
    "outsideCollaborators": "repository collaborators",
    "codeowners": "CODEOWNERS errors",
    "workflowFiles": "workflow files",
}


def _pairs(connection: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (edge["node"]["login"], str(edge.get("permission") or "").upper())
        for edge in connection.get("edges") or []
        if edge and edge.get("node") and edge["node"].get("login")
    ]
