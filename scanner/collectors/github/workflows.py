"""GitHub Actions workflow files -> ``github.workflow`` resources (parse, then analyse).

Pure functions, no I/O: the collector reads each repository's ``.github/workflows`` tree and blob
text inside its batched GraphQL queries and hands the text here. The analysis follows the rule
descriptions of zizmor (``unpinned-uses``, ``dangerous-triggers``, ``template-injection``,
``excessive-permissions``, ``artipacked``, ``cache-poisoning``, ``secrets-inherit``,
``self-hosted-runner``, ``hardcoded-container-credentials``), poutine and OpenSSF Scorecard
(Dangerous-Workflow, Token-Permissions, Pinned-Dependencies), so a policy over these attributes
reaches the verdict those tools reach on the same file.

A file that does not parse is a resource with ``parse_error`` set and every analysed attribute
Unknown (policies ERROR on it, ``github_workflow_parses`` FAILs); a tree that could not be read is
one placeholder resource per repository with every attribute Unknown. Secrets are never copied:
a hard-coded credential is recorded by where it is and what it looks like, never its value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from scanner.inventory.model import Resource, Unknown

WORKFLOW_DIRECTORY = ".github/workflows"

# Triggers that run with the base repository's secrets and a write token while the code or data
# they act on comes from someone else (zizmor dangerous-triggers, Scorecard Dangerous-Workflow).
DANGEROUS_TRIGGERS = frozenset({"pull_request_target", "workflow_run"})
# Triggers an outsider can cause, whose runs write to the default branch's cache scope.
UNTRUSTED_TRIGGERS = DANGEROUS_TRIGGERS | {"issue_comment", "issues", "discussion", "discussion_comment",
                                           "pull_request_review", "pull_request_review_comment"}
# Owners whose actions GitHub maintains (zizmor's default policy lets them be pinned by tag).
FIRST_PARTY_OWNERS = frozenset({"actions", "github"})

FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
VERSION_TAG = re.compile(r"^v?\d+(\.\d+)*([-.+][0-9A-Za-z.-]+)?$")
EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)

# Contexts an outsider controls (zizmor template-injection, Scorecard Dangerous-Workflow's list).
ATTACKER_CONTEXTS = re.compile(
    r"github\.(?:"
    r"head_ref"
    r"|event\.(?:issue|pull_request|discussion)\.(?:title|body)"
    r"|event\.(?:comment|review|review_comment)\.body"
    r"|event\.pages(?:\.[^.\s\[]+|\[[^\]]*\])\.page_name"
    r"|event\.commits(?:\.[^.\s\[]+|\[[^\]]*\])\.(?:message|author\.email|author\.name)"
    r"|event\.head_commit\.(?:message|author\.email|author\.name)"
    r"|event\.pull_request\.head\.(?:ref|label|repo\.default_branch)"
    r"|event\.workflow_run\.(?:head_branch|display_title|head_commit\.(?:message|author\.email|author\.name)"
    r"|pull_requests\.[^.\s]+\.head\.ref)"
    r")(?![A-Za-z0-9_])"
)
# A checkout of the pull request's head in a privileged workflow (Scorecard "untrusted code checkout").
UNTRUSTED_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|github\.event\.workflow_run\.head_(?:sha|branch)"
    r"|refs/pull/|github\.event\.issue\.number|github\.event\.number"
)
UNTRUSTED_FETCH = re.compile(r"gh\s+pr\s+checkout|git\s+fetch\s+\S+\s+(?:\+?refs/)?pull/|git\s+checkout\s+\S*pull/")

# Credential shapes (a subset of gitleaks' rules that cannot be a placeholder).
CREDENTIAL_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("GitHub token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b")),
    ("Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b")),
    ("private key", re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----")),
    ("Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
)
# Keys whose literal value is a credential (zizmor hardcoded-container-credentials and friends).
SECRET_KEYS = re.compile(r"(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key)$")

CLOUD_AUTH_ACTIONS = {
    "aws-actions/configure-aws-credentials": ("aws", "role-to-assume"),
    "azure/login": ("azure", "client-id"),
    "google-github-actions/auth": ("gcp", "workload_identity_provider"),
}
CACHE_ACTIONS = ("actions/cache", "actions/cache/restore", "actions/cache/save")
SETUP_ACTIONS_WITH_CACHE = ("actions/setup-node", "actions/setup-python", "actions/setup-go", "actions/setup-java",
                            "actions/setup-dotnet", "ruby/setup-ruby", "pnpm/action-setup")


@dataclass(frozen=True)
class WorkflowFile:
    """One workflow file as read from the default branch."""

    repository: str  # owner/name
    path: str  # .github/workflows/ci.yml
    text: str | None  # None: the blob could not be read (``unreadable`` says why)
    visibility: str = "private"
    archived: bool = False
    default_branch: str | None = None
    unreadable: str | None = None


def workflow_id(repository: str, path: str) -> str:
    return f"github:{repository}/workflow/{path}"


# -- the declared attributes, in order (types/github.py declares the same names) ---------------

ANALYSED = (
    "name", "triggers", "dangerous_triggers", "untrusted_triggers", "trigger_branches", "permissions",
    "job_permissions", "jobs_without_permissions", "write_all_permissions", "id_token_write_workflow",
    "id_token_jobs", "jobs", "actions", "unpinned_actions", "unpinned_third_party_actions", "runners",
    "self_hosted_jobs", "environments", "secrets_used", "secrets_inherit_jobs", "untrusted_checkouts",
    "template_injections", "persisted_credentials_jobs", "artifact_credential_exposures", "uses_cache",
    "is_release", "cache_poisoning_sources", "hardcoded_credentials", "cloud_auth",
)


def unreadable_repository(repository: str, reason: str, visibility: str = "private",
                          archived: bool = False) -> Resource:
    """A placeholder for a repository whose workflows could not be listed: every check ERRORs."""
    org = repository.split("/", 1)[0]
    unknown = Unknown(reason)
    attributes: dict[str, Any] = {
        "full_name": repository, "org": org, "path": unknown, "repository_visibility": visibility,
        "repository_archived": archived, "parse_error": unknown, **{key: unknown for key in ANALYSED},
    }
    return Resource("github.workflow", workflow_id(repository, WORKFLOW_DIRECTORY + "/*"),
                    f"{repository}:{WORKFLOW_DIRECTORY}/*", org, attributes)


def map_workflows(files: Sequence[WorkflowFile]) -> list[Resource]:
    """Every file of one repository -> resources; the cache-poisoning link is across files."""
    analysed = [(f, _analyse_file(f)) for f in files]
    writers = sorted(
        f.path for f, a in analysed
        if isinstance(a.get("uses_cache"), bool) and a["uses_cache"] and a["untrusted_triggers"]
    )
    resources = []
    for file, attributes in analysed:
        if attributes.get("is_release") is True and attributes.get("uses_cache") is True:
            attributes["cache_poisoning_sources"] = [p for p in writers if p != file.path]
        elif "cache_poisoning_sources" not in attributes:
            attributes["cache_poisoning_sources"] = []
        org = file.repository.split("/", 1)[0]
        resources.append(Resource("github.workflow", workflow_id(file.repository, file.path),
                                  f"{file.repository}:{file.path}", org, attributes))
    return resources


def _analyse_file(file: WorkflowFile) -> dict[str, Any]:
    base: dict[str, Any] = {
        "full_name": file.repository, "org": file.repository.split("/", 1)[0], "path": file.path,
        "repository_visibility": file.visibility, "repository_archived": file.archived,
    }
    if file.text is None:
        unknown = Unknown(file.unreadable or "the workflow file could not be read")
        return {**base, "parse_error": unknown, **{key: unknown for key in ANALYSED}}
    try:
        document = yaml.safe_load(file.text)
        if not isinstance(document, Mapping):
            raise ValueError("the file is not a YAML mapping")
        trigger_value = document["on"] if "on" in document else document.get(True)  # YAML 1.1: on -> True
        if trigger_value is None:
            raise ValueError("no 'on:' trigger")
        if not isinstance(document.get("jobs"), Mapping) or not document["jobs"]:
            raise ValueError("no 'jobs:' mapping")
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        message = " ".join(str(exc).split())[:200]
        unknown = Unknown(f"the workflow file does not parse: {message}")
        return {**base, "parse_error": message or type(exc).__name__, **{key: unknown for key in ANALYSED}}
    return {**base, "parse_error": None, **_analyse(document, trigger_value, file.repository)}


# -- analysis --------------------------------------------------------------------------------


def _triggers(value: Any) -> dict[str, Any]:
    if isinstance(value, str):
        return {value: None}
    if isinstance(value, list):
        return {str(v): None for v in value}
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def _permissions(value: Any) -> Any:
    """``None`` when not declared; ``read-all`` / ``write-all`` / ``{}`` / {scope: level}."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return {str(k): str(v) for k, v in value.items()}
    return str(value)


def _grants(permissions: Any, scope: str, level: str = "write") -> bool:
    if permissions == f"{level}-all" or (level == "read" and permissions == "write-all"):
        return True
    return isinstance(permissions, Mapping) and permissions.get(scope) == level


def _texts(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


def _pairs(value: Any, prefix: str) -> Iterable[tuple[str, str, Any]]:
    """(where, key, value) for every mapping entry below ``value``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            where = f"{prefix}.{key}"
            yield where, str(key), item
            yield from _pairs(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _pairs(item, f"{prefix}[{index}]")


def parse_uses(uses: str, own_org: str) -> dict[str, Any]:
    """A ``uses:`` reference and how it is pinned: sha, tag, branch, local, docker-digest, docker-tag."""
    if uses.startswith("./"):
        return {"uses": uses, "owner": None, "ref": None, "pinning": "local", "third_party": False}
    if uses.startswith("docker://"):
        pinning = "docker-digest" if "@sha256:" in uses else "docker-tag"
        return {"uses": uses, "owner": None, "ref": None, "pinning": pinning, "third_party": True}
    target, _, ref = uses.partition("@")
    owner = target.split("/", 1)[0]
    if not ref:
        pinning = "unpinned"
    elif FULL_SHA.match(ref):
        pinning = "sha"
    elif VERSION_TAG.match(ref):
        pinning = "tag"
    else:
        pinning = "branch"
    third_party = owner.lower() not in FIRST_PARTY_OWNERS and owner.lower() != own_org.lower()
    return {"uses": uses, "owner": owner, "ref": ref or None, "pinning": pinning, "third_party": third_party}


def _action_name(uses: str) -> str:
    """``actions/cache/restore@v4`` -> ``actions/cache/restore`` (lower-cased, no ref)."""
    return uses.partition("@")[0].lower()


def _analyse(document: Mapping[str, Any], trigger_value: Any, repository: str) -> dict[str, Any]:
    own_org = repository.split("/", 1)[0]
    triggers = _triggers(trigger_value)
    trigger_branches: dict[str, Any] = {}
    for event, config in triggers.items():
        if isinstance(config, Mapping):
            branches = config.get("branches")
            tags = config.get("tags")
            if isinstance(branches, str):
                branches = [branches]
            if isinstance(tags, str):
                tags = [tags]
            trigger_branches[event] = {"branches": [str(b) for b in branches or []] or None,
                                       "tags": [str(t) for t in tags or []] or None}
    untrusted = sorted(set(triggers) & UNTRUSTED_TRIGGERS)
    is_release = "release" in triggers or any(
        (filters.get("tags") or []) for event, filters in trigger_branches.items() if event == "push"
    )
    workflow_permissions = _permissions(document.get("permissions"))
    workflow_level_declared = "permissions" in document

    jobs: list[dict[str, Any]] = []
    job_permissions: dict[str, Any] = {}
    without_permissions: list[str] = []
    write_all: list[str] = ["workflow"] if workflow_permissions == "write-all" else []
    id_token_jobs: list[str] = []
    actions: list[dict[str, Any]] = []
    runners: list[str] = []
    self_hosted: list[str] = []
    environments: list[str] = []
    secrets_inherit: list[str] = []
    untrusted_checkouts: list[str] = []
    injections: list[dict[str, str]] = []
    persisted: list[str] = []
    artifact_exposures: list[str] = []
    uses_cache = False
    credentials: list[dict[str, str]] = []
    cloud_auth: list[dict[str, Any]] = []
    dangerous = bool(set(triggers) & DANGEROUS_TRIGGERS)
    id_token_workflow = _grants(workflow_permissions, "id-token")

    text_of_document = "\n".join(_texts(document))
    secrets_used = sorted(set(re.findall(r"secrets\.([A-Za-z_][A-Za-z0-9_]*)", text_of_document)))

    for job_id, job in (document.get("jobs") or {}).items():
        job_id = str(job_id)
        if not isinstance(job, Mapping):
            continue
        permissions = _permissions(job.get("permissions"))
        if "permissions" in job:
            job_permissions[job_id] = permissions
        elif not workflow_level_declared:
            without_permissions.append(job_id)
        if permissions == "write-all":
            write_all.append(f"job:{job_id}")
        effective = permissions if "permissions" in job else workflow_permissions
        job_id_token = _grants(effective, "id-token")
        if job_id_token:
            id_token_jobs.append(job_id)

        runs_on = job.get("runs-on")
        labels: list[str] = []
        if isinstance(runs_on, str):
            labels = [runs_on]
        elif isinstance(runs_on, list):
            labels = [str(v) for v in runs_on]
        elif isinstance(runs_on, Mapping):  # {group: ..., labels: [...]}: a runner group is self-hosted
            labels = [f"group:{runs_on.get('group')}"] if runs_on.get("group") else []
            extra = runs_on.get("labels")
            labels += [str(v) for v in ([extra] if isinstance(extra, str) else extra or [])]
        job_self_hosted = any(label == "self-hosted" or label.startswith("group:") for label in labels)
        runners.extend(label for label in labels if label not in runners)
        if job_self_hosted:
            self_hosted.append(job_id)

        environment = job.get("environment")
        environment_name = environment.get("name") if isinstance(environment, Mapping) else environment
        if environment_name is not None:
            environment_name = str(environment_name)
            if environment_name not in environments:
                environments.append(environment_name)

        reusable = job.get("uses")
        if isinstance(reusable, str):
            actions.append({**parse_uses(reusable, own_org), "job": job_id, "reusable_workflow": True})
            if job.get("secrets") == "inherit":
                secrets_inherit.append(job_id)

        for where, key, value in _pairs({"container": job.get("container"), "services": job.get("services")}, job_id):
            if isinstance(value, str) and SECRET_KEYS.search(key) and value.strip() and "${{" not in value:
                credentials.append({"where": where, "kind": f"literal {key}"})

        checkout_persists = False
        steps: list[Any] = job["steps"] if isinstance(job.get("steps"), list) else []
        for index, step in enumerate(steps):
            if not isinstance(step, Mapping):
                continue
            label = f"{job_id}/{step.get('name') or step.get('id') or index + 1}"
            step_with: Mapping[str, Any] = step["with"] if isinstance(step.get("with"), Mapping) else {}
            uses = step.get("uses")
            name = _action_name(uses) if isinstance(uses, str) else ""
            if isinstance(uses, str):
                actions.append({**parse_uses(uses, own_org), "job": job_id, "reusable_workflow": False})
            if name == "actions/checkout":
                if str(step_with.get("persist-credentials", "true")).lower() != "false":
                    checkout_persists = True
                ref = str(step_with.get("ref") or "") + " " + str(step_with.get("repository") or "")
                if dangerous and UNTRUSTED_REF.search(ref):
                    untrusted_checkouts.append(label)
            if name == "actions/upload-artifact" and checkout_persists:
                artifact_exposures.append(label)
            if name in CACHE_ACTIONS or (name in SETUP_ACTIONS_WITH_CACHE and step_with.get("cache")):
                uses_cache = True
            if name in CLOUD_AUTH_ACTIONS:
                platform, key = CLOUD_AUTH_ACTIONS[name]
                target = step_with.get(key)
                cloud_auth.append({"job": job_id, "platform": platform,
                                   "target": str(target) if target is not None else None,
                                   "oidc": job_id_token})
            run = step.get("run")
            scripts = [run] if isinstance(run, str) else []
            if name == "actions/github-script" and isinstance(step_with.get("script"), str):
                scripts.append(step_with["script"])
            for script in scripts:
                for expression in EXPRESSION.findall(script):
                    match = ATTACKER_CONTEXTS.search(expression)
                    if match:
                        injections.append({"step": label, "context": match.group(0)})
                if dangerous and UNTRUSTED_FETCH.search(script):
                    untrusted_checkouts.append(label)
            for where, key, value in _pairs({"env": step.get("env"), "with": step_with}, label):
                if isinstance(value, str) and SECRET_KEYS.search(key) and _looks_literal_secret(value):
                    credentials.append({"where": where, "kind": f"literal {key}"})
        if checkout_persists:
            persisted.append(job_id)
        jobs.append({
            "id": job_id,
            "name": str(job.get("name") or job_id),
            "runs_on": labels,
            "self_hosted": job_self_hosted,
            "environment": environment_name,
            "permissions": permissions if "permissions" in job else None,
            "id_token_write": job_id_token,
            "uses": reusable if isinstance(reusable, str) else None,
            "secrets_inherit": job_id in secrets_inherit,
            "steps": len(steps),
            "needs": [str(n) for n in ([job.get("needs")] if isinstance(job.get("needs"), str) else job.get("needs") or [])],
        })

    for where, key, value in _pairs({"env": document.get("env")}, "workflow"):
        if isinstance(value, str) and SECRET_KEYS.search(key) and _looks_literal_secret(value):
            credentials.append({"where": where, "kind": f"literal {key}"})
    for kind, pattern in CREDENTIAL_PATTERNS:
        for where, _, value in _pairs(dict(document), "workflow"):
            if isinstance(value, str) and pattern.search(value):
                credentials.append({"where": where, "kind": kind})
    unique_credentials = [dict(t) for t in dict.fromkeys(tuple(sorted(c.items())) for c in credentials)]

    return {
        "name": str(document.get("name") or ""),
        "triggers": sorted(triggers),
        "dangerous_triggers": sorted(set(triggers) & DANGEROUS_TRIGGERS),
        "untrusted_triggers": untrusted,
        "trigger_branches": trigger_branches,
        "permissions": workflow_permissions,
        "job_permissions": job_permissions,
        "jobs_without_permissions": without_permissions,
        "write_all_permissions": write_all,
        "id_token_write_workflow": id_token_workflow,
        "id_token_jobs": id_token_jobs,
        "jobs": jobs,
        "actions": actions,
        "unpinned_actions": sorted({a["uses"] for a in actions if a["pinning"] not in ("sha", "local", "docker-digest")}),
        "unpinned_third_party_actions": sorted(
            {a["uses"] for a in actions if a["third_party"] and a["pinning"] not in ("sha", "docker-digest")}
        ),
        "runners": runners,
        "self_hosted_jobs": self_hosted,
        "environments": environments,
        "secrets_used": secrets_used,
        "secrets_inherit_jobs": secrets_inherit,
        "untrusted_checkouts": sorted(set(untrusted_checkouts)),
        "template_injections": injections,
        "persisted_credentials_jobs": persisted,
        "artifact_credential_exposures": artifact_exposures,
        "uses_cache": uses_cache,
        "is_release": is_release,
        "hardcoded_credentials": unique_credentials,
        "cloud_auth": cloud_auth,
    }


def _looks_literal_secret(value: str) -> bool:
    """A literal (not an expression, not empty, not an obvious placeholder) long enough to be real."""
    text = value.strip()
    if not text or "${{" in text or text.startswith("$") or len(text) < 8:
        return False
    return text.lower() not in {"changeme", "password", "placeholder", "xxxxxxxx"}


def oidc_subjects(workflow: Mapping[str, Any], default_branch: str | None) -> list[dict[str, Any]]:
    """For each job that can obtain an OIDC token, the ``sub`` claims its runs present.

    GitHub's default claim: ``repo:O/R:environment:E`` for a job with an environment, else
    ``repo:O/R:ref:refs/heads/B`` (push), ``repo:O/R:ref:refs/tags/T``, ``repo:O/R:pull_request``.
    Branch filters with globs stay globs (matched against the trust's patterns by the caller)."""
    repository = str(workflow.get("full_name"))
    jobs = workflow.get("jobs")
    if not isinstance(jobs, list):
        return []
    branches: Mapping[str, Any] = workflow["trigger_branches"] if isinstance(workflow.get("trigger_branches"), Mapping) else {}
    triggers: list[Any] = workflow["triggers"] if isinstance(workflow.get("triggers"), list) else []
    found = []
    for job in jobs:
        if not job.get("id_token_write"):
            continue
        subjects: list[str] = []
        if job.get("environment"):
            subjects.append(f"repo:{repository}:environment:{job['environment']}")
        else:
            for event in triggers:
                filters = branches.get(event) or {}
                if event == "pull_request":
                    subjects.append(f"repo:{repository}:pull_request")
                    continue
                if event == "push" and filters.get("tags"):
                    subjects += [f"repo:{repository}:ref:refs/tags/{t}" for t in filters["tags"]]
                if filters.get("branches"):
                    subjects += [f"repo:{repository}:ref:refs/heads/{b}" for b in filters["branches"]]
                elif not (event == "push" and filters.get("tags")):
                    # No branch filter: manual, scheduled and most events run on the default
                    # branch; push runs on whichever branch was pushed.
                    branch = "*" if event == "push" else (default_branch or "*")
                    subjects.append(f"repo:{repository}:ref:refs/heads/{branch}")
        found.append({"job": job["id"], "environment": job.get("environment"), "subjects": sorted(set(subjects))})
    return found


# -- from the collector's GraphQL block -------------------------------------------------------

WORKFLOW_SUFFIXES = (".yml", ".yaml")


@dataclass(frozen=True)
class PendingBlob:
    """A workflow file whose text the batch query did not carry whole (truncated or too large)."""

    repository: str
    path: str
    reason: str


def files_from_block(rest: Mapping[str, Any], block: Any, unknowns: Mapping[str, Unknown]
                     ) -> tuple[list[WorkflowFile], list[PendingBlob]] | Unknown:
    """The workflow files of one repository from its GraphQL block (``workflowFiles``): the files
    read whole, and those to read again. Unknown when the directory itself could not be read."""
    if isinstance(block, Unknown):
        return block
    if "workflowFiles" in unknowns:
        return unknowns["workflowFiles"]
    repository = str(rest.get("full_name"))
    tree = block.get("workflowFiles") if isinstance(block, Mapping) else None
    if tree is None or (isinstance(tree, Mapping) and tree.get("__typename") != "Tree"):
        return [], []  # no .github/workflows directory (or an empty repository): no workflows
    entries = tree.get("entries") if isinstance(tree, Mapping) else None
    if not isinstance(entries, list):
        return Unknown("could not be read: GitHub returned the workflow directory without its entries")
    files: list[WorkflowFile] = []
    pending: list[PendingBlob] = []
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("type") != "blob":
            continue
        name = str(entry.get("name") or "")
        if not name.endswith(WORKFLOW_SUFFIXES):
            continue
        path = f"{WORKFLOW_DIRECTORY}/{name}"
        blob: Mapping[str, Any] = entry["object"] if isinstance(entry.get("object"), Mapping) else {}
        if blob.get("isBinary"):
            continue
        text = blob.get("text")
        if not isinstance(text, str) or blob.get("isTruncated"):
            pending.append(PendingBlob(repository, path, f"{blob.get('byteSize')} bytes, truncated by GraphQL"))
            continue
        files.append(workflow_file(rest, path, text))
    return files, pending


def workflow_file(rest: Mapping[str, Any], path: str, text: str | None, unreadable: str | None = None) -> WorkflowFile:
    visibility = str(rest.get("visibility") or ("private" if rest.get("private") else "public"))
    return WorkflowFile(str(rest.get("full_name")), path, text, visibility=visibility,
                        archived=bool(rest.get("archived")), default_branch=rest.get("default_branch"),
                        unreadable=unreadable)


def contents_text(answer: Any) -> str | None:
    """The text of a REST contents answer (``encoding: base64``); None when it carries none
    (files over 1 MB come back with ``encoding: none``)."""
    import base64
    import binascii

    if not isinstance(answer, Mapping) or answer.get("type") != "file" or answer.get("encoding") != "base64":
        return None
    try:
        return base64.b64decode(str(answer.get("content") or "")).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
