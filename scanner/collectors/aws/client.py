"""boto3 sessions and clients for the AWS collector: credentials, AssumeRole, retries, call counting.

The collector receives an ``AwsSessionFactory`` (tests may inject one); nothing here runs at
import time. Endpoints are boto3's own business: ``AWS_ENDPOINT_URL`` and
``AWS_ENDPOINT_URL_<SERVICE>`` are honoured by botocore and never overridden here.
"""

from __future__ import annotations

import ipaddress
import re
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound

from scanner.collectors.base import CallCounter, redact
from scanner.errors import ApiError, AuthError, ConfigError, PermissionDenied

# IAM action prefixes of the services we call, so call counts read like IAM actions
# (and line up with the least-privilege policy in deploy/aws/).
ACTION_PREFIX = {"sso-admin": "sso", "accessanalyzer": "access-analyzer", "s3control": "s3"}

# Operations whose IAM action name differs from the API operation name.
ACTION_NAMES = {
    ("s3control", "GetPublicAccessBlock"): "GetAccountPublicAccessBlock",
    ("s3", "GetPublicAccessBlock"): "GetBucketPublicAccessBlock",
    ("s3", "ListBuckets"): "ListAllMyBuckets",
    ("s3", "GetBucketEncryption"): "GetEncryptionConfiguration",
}

# Services whose answer only enriches an attribute: fewer retries, an Unknown is fine.
_OPTIONAL_SERVICES = frozenset({"accessanalyzer", "account", "sso-admin"})

ACCESS_DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "AuthorizationError",
        "AuthorizationErrorException",
    }
)
AUTH_ERROR_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "SignatureDoesNotMatch",
        "InvalidAccessKeyId",
    }
)


def error_code(exc: BaseException) -> str:
    """The AWS error code of a ClientError (HTTP status when the body had none)."""
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = error.get("Code")
        if code:
            return str(code)
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return str(status or "ClientError")
    return type(exc).__name__


def strip_account_host_prefix(request: Any, **_: Any) -> None:
    """S3 Control prefixes the host with the account id; on an IP-literal endpoint (a local
    test double such as moto) that host cannot resolve, so send it to the IP itself."""
    parts = urlsplit(request.url)
    match = re.match(r"^\d{12}\.(.+)$", parts.netloc)
    if not match:
        return
    host = match.group(1).rsplit(":", 1)[0].strip("[]")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    request.url = urlunsplit(parts._replace(netloc=match.group(1)))


class AccountClients:
    """The boto3 clients of one account (one session), all counting into one ``CallCounter``."""

    def __init__(
        self,
        session: boto3.Session,
        region: str,
        counter: CallCounter,
        *,
        max_pool_connections: int = 10,
        max_attempts: int = 6,
    ) -> None:
        self.session = session
        self.region = region
        self.counter = counter
        self._max_pool = max_pool_connections
        self._max_attempts = max_attempts
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, region: str | None = None) -> Any:
        """A cached client for ``service`` in ``region`` (default: the home region)."""
        key = (service, region or self.region)
        with self._lock:
            if key not in self._clients:
                self._clients[key] = self._make(service, key[1])
            return self._clients[key]

    def _make(self, service: str, region: str) -> Any:
        attempts = 2 if service in _OPTIONAL_SERVICES else self._max_attempts
        config = Config(
            retries={"mode": "adaptive", "max_attempts": attempts},
            max_pool_connections=self._max_pool,
            connect_timeout=10,
            read_timeout=60,
            user_agent_extra="posture-audit",
        )
        client = self.session.client(service, region_name=region, config=config)
        prefix = ACTION_PREFIX.get(service, service)
        counter = self.counter

        def count(model: Any, **_: Any) -> None:
            counter.add(f"{prefix}:{ACTION_NAMES.get((service, model.name), model.name)}")

        client.meta.events.register("before-call", count)
        if service == "s3control":
            client.meta.events.register("before-send", strip_account_host_prefix)
        return client

    def secrets(self) -> list[str | None]:
        """Secret parts of this session's credentials, for ``redact``."""
        credentials = self.session.get_credentials()
        if credentials is None:
            return []
        frozen = credentials.get_frozen_credentials()
        return [frozen.secret_key, frozen.token]


class AwsSessionFactory:
    """Makes the base session (default chain or a named profile) and assumed-role sessions."""

    def __init__(
        self,
        profile: str | None = None,
        *,
        session_maker: Callable[..., boto3.Session] = boto3.Session,
    ) -> None:
        self.profile = profile
        self._session_maker = session_maker

    def base(self) -> boto3.Session:
        """The caller's own session. A missing profile is a configuration error."""
        try:
            return self._session_maker(profile_name=self.profile) if self.profile else self._session_maker()
        except ProfileNotFound as exc:
            raise ConfigError(
                f"aws.profile: no AWS profile named {self.profile!r} in ~/.aws/config or ~/.aws/credentials"
            ) from exc

    def assume_role(
        self,
        clients: AccountClients,
        role_arn: str,
        *,
        external_id: str | None,
        session_name: str = "posture-audit",
    ) -> boto3.Session:
        """A session in another account through sts:AssumeRole (read-only use only)."""
        params: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name, "DurationSeconds": 3600}
        if external_id:
            params["ExternalId"] = external_id
        try:
            response = clients.client("sts").assume_role(**params)
        except ClientError as exc:
            code = error_code(exc)
            message = redact(str(exc.response.get("Error", {}).get("Message", "")), [external_id, *clients.secrets()])
            if code in ACCESS_DENIED_CODES or code in AUTH_ERROR_CODES:
                raise PermissionDenied(
                    f"cannot assume {role_arn} ({code}: {message}); check that the role exists and "
                    "trusts the scanning account (and the external id, if one is set)"
                ) from exc
            raise ApiError(f"sts:AssumeRole into {role_arn} failed ({code}: {message})") from exc
        except NoCredentialsError as exc:
            raise AuthError("no AWS credentials found; configure a profile or the default chain") from exc
        except BotoCoreError as exc:
            raise ApiError(f"sts:AssumeRole into {role_arn} failed ({type(exc).__name__})") from exc
        credentials = response["Credentials"]
        return self._session_maker(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=clients.region,
        )
