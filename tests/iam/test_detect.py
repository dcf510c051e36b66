"""Detection: the AWS principal from boto3's chain, a local registry without credentials, or what to configure."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from quilt_mcp.auth import AuthContext
from quilt_mcp.kit import service_models
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import select_backend
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam import plugin
from quilt_mcp_iam.detect import AwsSpec


def context(tmp_path: Path, **env: str) -> AuthContext:
    """A context with no AWS configuration but what ``env`` gives."""
    base = {
        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return AuthContext.from_environment({**base, **env})


@pytest.fixture
def no_process_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore also reads the process environment: take the worker's test keys out of it."""
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(key, raising=False)


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_backend_info_names_iam_with_priority_100_and_every_capability() -> None:
    info = plugin.quilt_mcp_backend_info()
    assert (info.name, info.priority) == ("iam", 100)
    assert {"read", "write", "delete", "search", "presign", "buckets", "local_registry"} <= info.capabilities


def test_environment_keys_are_identified_through_sts(infra: Infrastructure, tmp_path: Path) -> None:
    # moto loads its STS backend on the first request, which can outlast detection's 2 s read timeout on a
    # busy machine; a real STS endpoint is already up, so warm moto's first.
    import boto3

    boto3.client("sts", endpoint_url=infra.s3_endpoint, region_name=infra.env["AWS_DEFAULT_REGION"]).get_caller_identity()
    candidate = plugin.quilt_mcp_detect(context(tmp_path, **infra.env))
    assert candidate.usable and candidate.backend == "iam" and candidate.priority == 100
    assert candidate.identity.startswith("arn:aws:")
    assert "environment variables" in candidate.reason
    assert infra.env["AWS_SECRET_ACCESS_KEY"] not in repr(candidate)


def test_a_profile_is_found_and_named_when_sts_cannot_be_reached(tmp_path: Path, no_process_credentials: None) -> None:
    (tmp_path / "credentials").write_text("[analyst]\naws_access_key_id = AKIAEXAMPLE1234\naws_secret_access_key = s\n")
    ctx = context(
        tmp_path,
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "credentials"),
        AWS_PROFILE="analyst",
        AWS_ENDPOINT_URL=closed_port(),
    )
    candidate = plugin.quilt_mcp_detect(ctx)
    assert candidate.usable
    assert candidate.identity == "AWS profile analyst"
    assert "did not confirm" in candidate.reason
    assert "AKIAEXAMPLE1234" not in repr(candidate)


def test_the_first_session_of_a_process_reads_the_aws_files_its_environment_names(
    tmp_path: Path, no_process_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service_models, "_loader", [])  # as in a new process: the shared loader not made yet
    (tmp_path / "credentials").write_text("[analyst]\naws_access_key_id = AKIAEXAMPLE1234\naws_secret_access_key = s\n")
    env = {"AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"), "AWS_PROFILE": "analyst"}

    candidate = plugin.quilt_mcp_detect(context(tmp_path, **env, AWS_ENDPOINT_URL=closed_port()))

    assert candidate.usable and candidate.identity == "AWS profile analyst", candidate.reason


def test_a_local_registry_needs_no_credentials(tmp_path: Path, no_process_credentials: None) -> None:
    candidate = plugin.quilt_mcp_detect(context(tmp_path, QUILT_MCP_REGISTRIES=str(tmp_path / "reg")))
    assert candidate.usable and candidate.identity == "local user"
    assert "no credentials needed" in candidate.reason
    assert candidate.registry == str(tmp_path / "reg")


def test_nothing_to_use_says_what_to_configure(tmp_path: Path, no_process_credentials: None) -> None:
    candidate = plugin.quilt_mcp_detect(context(tmp_path, QUILT_MCP_REGISTRIES="s3://some-bucket"))
    assert not candidate.usable
    assert "AWS_PROFILE" in candidate.reason and "QUILT_MCP_REGISTRIES" in candidate.reason


def test_open_builds_ops_only_for_its_own_candidates(infra: Infrastructure, tmp_path: Path) -> None:
    ctx = context(tmp_path, **infra.env)
    candidate = plugin.quilt_mcp_detect(ctx)
    ops = plugin.quilt_mcp_open(candidate, ctx)
    assert ops is not None and ops.backend_name == "iam"
    bucket = infra.new_bucket()
    assert f"s3://{bucket}" in {b.uri for b in ops.list_buckets()}
    other = type(candidate)(backend="quilt3", priority=300, identity="x", reason="y")
    assert plugin.quilt_mcp_open(other, ctx) is None


def test_the_core_selects_and_opens_iam_for_a_local_registry(tmp_path: Path, no_process_credentials: None) -> None:
    (tmp_path / "reg").mkdir()
    host = PluginHost.from_plugins({"iam": plugin})
    ctx = context(tmp_path, QUILT_MCP_REGISTRIES=str(tmp_path / "reg"))
    selection = select_backend(host, ctx)
    assert selection.chosen.backend == "iam"
    ops = host.open(selection.chosen, ctx)
    assert ops.list_packages(str(tmp_path / "reg")).items == []
    assert [b.uri for b in ops.list_buckets()] == [(tmp_path / "reg").resolve().as_uri()]


def test_spec_repr_hides_secrets() -> None:
    spec = AwsSpec.from_env({"AWS_ACCESS_KEY_ID": "AKIAHIDDEN", "AWS_SECRET_ACCESS_KEY": "topsecret"})
    assert "AKIAHIDDEN" not in repr(spec) and "topsecret" not in repr(spec)


def test_a_missing_profile_is_reported_as_such(tmp_path: Path, no_process_credentials: None) -> None:
    candidate = plugin.quilt_mcp_detect(context(tmp_path, AWS_PROFILE="nobody"))
    assert not candidate.usable
    assert "nobody" in candidate.reason and "AWS_PROFILE" in candidate.reason


def test_capabilities_are_declared_once_in_backend_info_and_narrowed_only_by_the_s3_harness() -> None:
    """IamOps and the harnesses take them from BackendInfo; iam-s3 leaves local registries to iam-local."""
    from quilt_mcp_iam.conformance import IamLocalHarness, IamS3Harness
    from quilt_mcp_iam.ops import IamOps

    info = plugin.quilt_mcp_backend_info()

    assert IamOps.capabilities == info.capabilities
    assert IamLocalHarness().capabilities == info.capabilities
    assert IamS3Harness().capabilities == info.capabilities - {"local_registry"}
    assert IamLocalHarness().registry_scheme == "file" and IamS3Harness().registry_scheme == "s3"
    assert "AWS_PROFILE" in info.setup_hint


def test_sessions_of_several_callers_share_one_copy_of_the_service_models() -> None:
    specs = [AwsSpec.from_env({"AWS_ACCESS_KEY_ID": f"AKIA{n}", "AWS_SECRET_ACCESS_KEY": "s" * 20}) for n in range(3)]
    loaders = {id(spec.session()._session.get_component("data_loader")) for spec in specs}

    assert len(loaders) == 1, "each caller's session loads (and keeps) its own copy of the service models"
