"""Detection of a real ``quilt3 login`` session, with the real quilt3 reading real login files."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest
from quilt_mcp.auth import AuthContext, Candidate
from quilt_mcp.errors import AuthRequiredError
from quilt_mcp.plugins import PluginHost
from quilt_mcp.selection import select_backend
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_quilt3 import plugin, testing
from quilt_mcp_quilt3.detection import DISABLE_ENV

CATALOG = "https://catalog.example.test"

pytestmark = pytest.mark.usefixtures("quilt3_home")


def context(**extra: str) -> AuthContext:
    return AuthContext.from_environment(env={**os.environ, **extra})


def both_backends(**settings: object) -> PluginHost:
    """quilt3 beside the iam plugin; tests that rank against iam skip where iam is not installed (tox env quilt3)."""
    iam_plugin = pytest.importorskip("quilt_mcp_iam.plugin", reason="ranking against iam needs the iam plugin")
    return PluginHost.from_plugins({"quilt3": plugin, "iam": iam_plugin}, **settings)


def test_a_logged_in_session_is_detected_with_catalog_registry_and_aws_principal(infra: Infrastructure) -> None:
    testing.log_in(catalog_url=CATALOG, default_registry="s3://team-bucket")
    import boto3

    expected_arn = boto3.client("sts", endpoint_url=infra.s3_endpoint).get_caller_identity()["Arn"]

    candidate = plugin.quilt_mcp_detect(context())

    assert candidate.usable, candidate.reason
    assert (candidate.backend, candidate.priority) == ("quilt3", 300)
    assert candidate.identity == expected_arn
    assert candidate.registry == "s3://team-bucket"
    assert dict(candidate.details) == {
        "catalog_url": CATALOG,
        "registry_url": testing.UNREACHABLE_REGISTRY,
        "aws_principal": expected_arn,
    }
    assert CATALOG in candidate.reason


def test_a_logged_in_session_ranks_above_iam(infra: Infrastructure) -> None:
    testing.log_in(catalog_url=CATALOG)

    selection = select_backend(both_backends(), context())

    assert selection.chosen.backend == "quilt3"
    assert "over iam" in selection.reason
    iam = next(d.candidate for d in selection.detections if d.plugin == "iam")
    assert iam is not None and iam.usable  # iam could act too: quilt3 wins on priority


def test_a_logged_out_machine_is_not_detected_names_nobody_and_iam_is_chosen(infra: Infrastructure) -> None:
    candidate = plugin.quilt_mcp_detect(context())

    assert not candidate.usable
    assert "quilt3 login" in candidate.reason
    assert candidate.identity == "", "an unusable candidate names nobody, so doctor shows no identity"
    assert select_backend(both_backends(), context()).chosen.backend == "iam"


def test_quilt3_logout_leaves_no_detectable_session(infra: Infrastructure) -> None:
    """``quilt3 logout`` empties auth.json and credentials.json rather than deleting them."""
    testing.log_in(catalog_url=CATALOG)
    import quilt3

    quilt3.logout()

    candidate = plugin.quilt_mcp_detect(context())
    assert not candidate.usable
    assert "quilt3 login" in candidate.reason


@pytest.mark.parametrize("value", ["1", "true"])
def test_the_disable_switch_turns_detection_off(infra: Infrastructure, value: str) -> None:
    testing.log_in(catalog_url=CATALOG)

    candidate = plugin.quilt_mcp_detect(context(**{DISABLE_ENV: value}))

    assert not candidate.usable
    assert DISABLE_ENV in candidate.reason
    assert select_backend(both_backends(), context(**{DISABLE_ENV: value})).chosen.backend == "iam"


def test_expired_credentials_that_cannot_be_renewed_are_a_clear_reason(infra: Infrastructure, refusing_catalog: str) -> None:
    testing.log_in(catalog_url=CATALOG, registry_url=refusing_catalog, expires_in=-3600)

    candidate = plugin.quilt_mcp_detect(context())

    assert not candidate.usable
    assert "expired" in candidate.reason
    assert "401" in candidate.reason  # what the catalog said
    assert "Run `quilt3 login` again" in candidate.reason


def test_opening_with_expired_credentials_raises_auth_required(infra: Infrastructure, refusing_catalog: str) -> None:
    testing.log_in(catalog_url=CATALOG, registry_url=refusing_catalog, expires_in=-3600)
    candidate = Candidate("quilt3", 300, "someone", "forced")

    with pytest.raises(AuthRequiredError, match="expired.*Run `quilt3 login` again"):
        plugin.quilt_mcp_open(candidate, context())


def test_forcing_quilt3_with_expired_credentials_is_an_auth_error_naming_the_fix(
    infra: Infrastructure, refusing_catalog: str
) -> None:
    testing.log_in(catalog_url=CATALOG, registry_url=refusing_catalog, expires_in=-3600)
    forced = context(QUILT_MCP_BACKEND="quilt3")

    with pytest.raises(AuthRequiredError, match="quilt3 login"):
        select_backend(both_backends(settings=forced.settings), forced)


def test_doctor_reports_expired_credentials_without_a_traceback(infra: Infrastructure, refusing_catalog: str) -> None:
    testing.log_in(catalog_url=CATALOG, registry_url=refusing_catalog, expires_in=-3600)

    done = subprocess.run(
        [sys.executable, "-m", "quilt_mcp.cli", "doctor", "--json"], capture_output=True, text=True, timeout=120
    )

    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    quilt3 = next(p for p in report["plugins"] if p["name"] == "quilt3")
    assert quilt3["detected"].startswith("not usable")
    assert "expired" in quilt3["detected"] and "quilt3 login" in quilt3["detected"]
    iam_installed = importlib.util.find_spec("quilt_mcp_iam") is not None
    assert (report["chosen"] or {}).get("backend") == ("iam" if iam_installed else None)


def test_a_login_for_another_catalog_is_not_a_session_for_this_one(infra: Infrastructure) -> None:
    """quilt3 keys auth.json by registry URL: a session for a catalog no longer configured does not count."""
    testing.log_in(catalog_url=CATALOG)
    import quilt3

    quilt3.util.set_config_value("registryUrl", "https://registry.other.test")

    candidate = plugin.quilt_mcp_detect(context())
    assert not candidate.usable
    assert "not logged in" in candidate.reason


def test_capabilities_are_declared_once_in_backend_info() -> None:
    """Quilt3Ops and the harness take them from BackendInfo, which leaves out local registries."""
    from quilt_mcp_quilt3.conformance import Quilt3S3Harness
    from quilt_mcp_quilt3.ops import Quilt3Ops

    info = plugin.quilt_mcp_backend_info()

    assert Quilt3Ops.capabilities == info.capabilities == Quilt3S3Harness().capabilities
    assert "local_registry" not in info.capabilities
    assert "quilt3 login" in info.setup_hint
