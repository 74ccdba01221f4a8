"""The fake Atlassian organizations the collector tests and the demo read.

Northwind Labs (``northwind.dev``) declares its authentication policies and keeps most things
right, with a few deliberate problems; Tidewater (``tidewater.io``) has too many admins, a
public Jira project, an anonymous Confluence space and an external admin. Every policy in
``policies/atlassian/`` PASSes on one resource and FAILs on another across the two.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc)


@dataclass(frozen=True)
class User:
    """An Atlassian account: an organization's managed user and/or a site user."""

    account_id: str
    name: str
    email: str | None
    status: str = "active"  # active | inactive | closed (Organizations API account_status)
    last_active: str | None = "2026-11-18T10:00:00Z"
    products: tuple[str, ...] = ("jira-software", "confluence")
    account_type: str = "atlassian"


@dataclass(frozen=True)
class Grant:
    permission: str
    holder_type: str  # anyone | applicationRole | group | user | projectRole | projectLead ...
    parameter: str | None = None


@dataclass(frozen=True)
class Scheme:
    id: int
    name: str
    grants: tuple[Grant, ...]


@dataclass(frozen=True)
class Project:
    id: str
    key: str
    name: str
    scheme_id: int
    archived: bool = False
    type_key: str = "software"


@dataclass(frozen=True)
class Space:
    id: str
    key: str
    name: str
    anonymous: tuple[tuple[str, str], ...] = ()  # (operation, targetType) granted to anonymous users
    status: str = "current"
    type: str = "global"


@dataclass
class Site:
    name: str
    users: tuple[User, ...]  # site users who are not managed accounts of the org (external, apps)
    groups: dict[str, tuple[str, ...]]  # group name -> account ids
    jira_admins: tuple[str, ...]  # account ids holding ADMINISTER
    schemes: tuple[Scheme, ...]
    projects: tuple[Project, ...]
    spaces: tuple[Space, ...]
    scanner_is_admin: bool = True  # the scanning account holds the Administer Jira global permission


@dataclass
class Org:
    org_id: str
    name: str
    domains: tuple[tuple[str, str], ...]  # (domain, claim status)
    users: tuple[User, ...]  # managed accounts (Organizations API users)
    sites: tuple[Site, ...]
    policies: tuple[dict[str, object], ...] = ()  # Organizations API policies (ip-allowlist, data-residency)
    authentication_policies: tuple[dict[str, object], ...] = ()  # declared in posture.yaml (not exposed by the API)
    admin_key: str = "atlassian-admin-key-for-tests-0123456789"
    email: str = "posture-audit@northwind.dev"
    api_token: str = "ATATT-fake-site-token-0123456789abcdef"
    extra: dict[str, object] = field(default_factory=dict)

    def all_users(self) -> dict[str, User]:
        out = {u.account_id: u for u in self.users}
        for site in self.sites:
            for user in site.users:
                out.setdefault(user.account_id, user)
        return out


def _browse(*holders: tuple[str, str | None]) -> tuple[Grant, ...]:
    grants = [Grant("BROWSE_PROJECTS", kind, parameter) for kind, parameter in holders]
    grants.append(Grant("ADMINISTER_PROJECTS", "projectRole", "10002"))
    return tuple(grants)


def northwind() -> Org:
    users = (
        User("nw-ana", "Ana Pereira", "ana@northwind.dev"),
        User("nw-ben", "Ben Okafor", "ben@northwind.dev"),
        User("nw-chloe", "Chloe Martin", "chloe@northwind.dev", last_active="2026-11-02T08:00:00Z"),
        User("nw-dmitri", "Dmitri Volkov", "dmitri@northwind.dev", last_active="2026-05-01T12:00:00Z"),  # inactive 200 days
        User("nw-erin", "Erin Walsh", "erin@northwind.dev", last_active="2026-10-30T12:00:00Z"),  # not covered by SSO
        User("nw-farah", "Farah Khan", "farah@northwind.dev", last_active=None, products=("confluence",)),  # never active
        User("nw-gus", "Gus Lee", "gus@northwind.dev", status="closed", last_active="2025-01-10T12:00:00Z"),
    )
    site = Site(
        name="northwind",
        users=(
            User("ext-kai", "Kai (Contractor)", "kai@contractor.example", last_active=None),
            User("app-bot", "Automation for Jira", None, account_type="app", last_active=None, products=()),
        ),
        groups={"site-admins": ("nw-ana", "nw-ben"), "jira-users": ("nw-ana", "nw-ben", "nw-chloe", "ext-kai")},
        jira_admins=("nw-ana", "nw-ben"),
        schemes=(
            Scheme(10000, "Default permission scheme", _browse(("applicationRole", "jira-software"), ("group", "jira-users"))),
            Scheme(10001, "Public roadmap scheme", _browse(("anyone", None), ("group", "jira-users"))),
        ),
        projects=(
            Project("10010", "CORE", "Core platform", 10000),
            Project("10011", "WEB", "Website", 10000),
            Project("10012", "ROAD", "Public roadmap", 10001),
            Project("10013", "OLD", "Old roadmap (archived)", 10001, archived=True),
        ),
        spaces=(
            Space("65537", "ENG", "Engineering"),
            Space("65538", "HAND", "Handbook", anonymous=(("read", "space"),)),
            Space("65539", "ARCH", "Archive", anonymous=(("read", "space"),), status="archived"),
        ),
    )
    return Org(
        org_id="0a1b2c3d-4e5f-6789-abcd-ef0123456789",
        name="Northwind Labs",
        domains=(("northwind.dev", "verified"), ("northwind-old.dev", "unverified")),
        users=users,
        sites=(site,),
        policies=({"id": "pol-ip-1", "type": "ip-allowlist", "name": "Office and VPN", "status": "enabled"},),
        authentication_policies=(
            {"name": "Okta SSO", "sso_enforced": True, "two_step_enforced": False, "default": True},
            {"name": "Break-glass", "sso_enforced": False, "two_step_enforced": True, "members": ["ben@northwind.dev"]},
            {"name": "Local logins", "sso_enforced": False, "two_step_enforced": False, "members": ["erin@northwind.dev"]},
        ),
    )


def tidewater() -> Org:
    users = (
        User("tw-hana", "Hana Sato", "hana@tidewater.io"),
        User("tw-ivan", "Ivan Petrov", "ivan@tidewater.io"),
        User("tw-jon", "Jon Reyes", "jon@tidewater.io"),
        User("tw-kim", "Kim Ng", "kim@tidewater.io"),
        User("tw-lea", "Lea Novak", "lea@tidewater.io"),
    )
    site = Site(
        name="tidewater",
        users=(User("ext-max", "Max (Agency)", "max@agency.example", last_active=None),),
        groups={"site-admins": ("tw-hana", "tw-ivan", "tw-jon", "tw-kim", "ext-max")},
        jira_admins=("tw-hana", "tw-ivan", "tw-jon", "tw-kim", "ext-max"),
        schemes=(Scheme(10000, "Default permission scheme", _browse(("applicationRole", None))),),
        projects=(Project("10100", "OPS", "Operations", 10000),),
        spaces=(Space("98305", "TEAM", "Team space"),),
    )
    return Org(
        org_id="9f8e7d6c-5b4a-3210-fedc-ba9876543210",
        name="Tidewater",
        domains=(("tidewater.io", "verified"),),
        users=users,
        sites=(site,),
        authentication_policies=({"name": "Two-step for all", "sso_enforced": False, "two_step_enforced": True, "default": True},),
        email="audit@tidewater.io",
        extra={"sso_licensed": False},  # no Atlassian Guard: two-step verification is the control
    )
