"""Finding plain AWS credentials (boto3's standard chain) and who they belong to.

Credential resolution is local except for the instance/container metadata
services, which botocore asks with a 1 s timeout and one attempt. The
identity comes from one STS ``GetCallerIdentity`` call with short timeouts
and no retries; if it fails, the access key or profile names the principal.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from quilt_mcp import redaction
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import InvalidInputError
from quilt_mcp.kit.s3timeouts import s3_client_options
from quilt_mcp.settings import Settings
from quilt_mcp.uris import parse_registry

BACKEND = "iam"
PRIORITY = 100
STS_CONNECT_TIMEOUT = 1.0
STS_READ_TIMEOUT = 2.0
S3_MAX_POOL = 32

METHODS = {
    "env": "environment variables",
    "shared-credentials-file": "the shared credentials file",
    "config-file": "the AWS config file",
    "iam-role": "the instance role",
    "container-role": "the container role",
    "assume-role": "an assumed role",
    "assume-role-with-web-identity": "a web identity role",
    "sso": "AWS SSO",
}
"""Readable names of botocore's credential methods."""

_CONFIG_VARS = {
    "profile": ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"),
    "config_file": ("AWS_CONFIG_FILE",),
    "credentials_file": ("AWS_SHARED_CREDENTIALS_FILE",),
    "region": ("AWS_REGION", "AWS_DEFAULT_REGION"),
    "metadata_service_timeout": ("AWS_METADATA_SERVICE_TIMEOUT",),
    "metadata_service_num_attempts": ("AWS_METADATA_SERVICE_NUM_ATTEMPTS",),
}


def _first(env: Mapping[str, str], *names: str) -> str | None:
    return next((env[n] for n in names if env.get(n)), None)


@dataclass(frozen=True)
class AwsSpec:
    """How to build boto3 sessions and clients from an environment; secrets never appear in ``repr``."""

    config: Mapping[str, str] = field(default_factory=dict)
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    endpoint_url: str | None = None
    sts_endpoint_url: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AwsSpec:
        config = {var: value for var, names in _CONFIG_VARS.items() if (value := _first(env, *names))}
        return cls(
            config=config,
            access_key=env.get("AWS_ACCESS_KEY_ID") or None,
            secret_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
            session_token=env.get("AWS_SESSION_TOKEN") or None,
            endpoint_url=_first(env, "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
            sts_endpoint_url=_first(env, "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL"),
        )

    def session(self) -> Any:
        """A boto3 session for this environment (``botocore.exceptions.ProfileNotFound`` for a bad profile)."""
        import boto3
        from quilt_mcp.kit import service_models, timestamps

        core = service_models.new_session(self.config)
        timestamps.install(core)
        if self.access_key and self.secret_key:
            return boto3.Session(
                aws_access_key_id=self.access_key,
                aws_secret_access_key=self.secret_key,
                aws_session_token=self.session_token,
                botocore_session=core,
            )
        return boto3.Session(botocore_session=core)

    def s3_client_factory(self, settings: Settings | None = None) -> Callable[[], Any]:
        """Makes the S3 client the backend uses: pooled for parallel reads, with the bounded timeouts
        and retries of ``settings`` (``quilt_mcp.kit.s3timeouts``)."""
        options = s3_client_options(settings or Settings())

        def make() -> Any:
            from botocore.config import Config

            session = self.session()
            return session.client(
                "s3",
                endpoint_url=self.endpoint_url,
                region_name=session.region_name or "us-east-1",
                config=Config(max_pool_connections=S3_MAX_POOL, **options),
            )

        return make


@dataclass(frozen=True)
class Principal:
    """Who the credentials act as, and where they came from."""

    identity: str
    method: str
    verified: bool


class CredentialProblem(Exception):
    """Credentials are configured but cannot be loaded (e.g. a profile that does not exist)."""


def find_principal(spec: AwsSpec) -> Principal | None:
    """The AWS principal of ``spec``'s credentials, or ``None`` when there are none.

    ``CredentialProblem`` when the configuration names credentials that cannot be loaded.
    """
    import botocore.exceptions
    from botocore.config import Config

    try:
        session = spec.session()
        credentials = session.get_credentials()
        if credentials is not None:
            frozen = credentials.get_frozen_credentials()
            redaction.remember(frozen.secret_key, frozen.token)
    except botocore.exceptions.BotoCoreError as err:
        raise CredentialProblem(str(err)) from err
    if credentials is None:
        return None
    method = "env" if spec.access_key and spec.secret_key else getattr(credentials, "method", "unknown")
    try:
        sts = session.client(
            "sts",
            endpoint_url=spec.sts_endpoint_url,
            region_name=session.region_name or "us-east-1",
            config=Config(
                connect_timeout=STS_CONNECT_TIMEOUT,
                read_timeout=STS_READ_TIMEOUT,
                retries={"total_max_attempts": 1},
            ),
        )
        return Principal(sts.get_caller_identity()["Arn"], method, True)
    except Exception:  # noqa: BLE001 - any failure: fall back to naming the key or profile
        frozen = credentials.get_frozen_credentials() if hasattr(credentials, "get_frozen_credentials") else None
        key = getattr(frozen, "access_key", None) or ""
        profile = spec.config.get("profile")
        who = f"AWS profile {profile}" if profile else f"AWS access key ...{key[-4:]}" if key else "AWS credentials"
        return Principal(who, method, False)


def local_registries(registries: tuple[str, ...]) -> list[str]:
    """The configured registries that are local directories (invalid entries are skipped)."""
    found = []
    for registry in registries:
        try:
            location = parse_registry(registry)
        except InvalidInputError:
            continue
        if location.is_local:
            found.append(location.uri)
    return found


def detect(context: AuthContext) -> Candidate:
    """The iam candidate for ``context``: usable with AWS credentials or a local registry, else why not."""
    settings = context.settings
    local = local_registries(settings.registries)
    spec = AwsSpec.from_env(context.env)
    problem = ""
    try:
        principal = find_principal(spec)
    except CredentialProblem as err:
        principal, problem = (
            None,
            f"the AWS configuration cannot be used ({err}): fix AWS_PROFILE or the AWS config files",
        )
    if problem and not local:
        return Candidate(backend=BACKEND, priority=PRIORITY, identity="", reason=problem, usable=False)
    if principal is not None:
        reason = f"AWS credentials from {METHODS.get(principal.method, principal.method)}"
        if not principal.verified:
            reason += "; STS did not confirm the identity within the timeout"
        if local:
            reason += f"; local registry {local[0]} needs none"
        return Candidate(
            backend=BACKEND,
            priority=PRIORITY,
            identity=principal.identity,
            reason=reason,
            registry=settings.default_registry,
            details={"credentials": principal.method},
            credential=spec,
        )
    if local:
        return Candidate(
            backend=BACKEND,
            priority=PRIORITY,
            identity="local user",
            reason=f"local registry {local[0]}, no credentials needed" + (f"; {problem}" if problem else ""),
            registry=settings.default_registry,
            details={"credentials": "none"},
            credential=spec,
        )
    return Candidate(
        backend=BACKEND,
        priority=PRIORITY,
        identity="",
        reason=(
            "no AWS credentials found (profile, environment or role) and no local registry configured: "
            "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or QUILT_MCP_REGISTRIES=/path/to/registry"
        ),
        usable=False,
    )
