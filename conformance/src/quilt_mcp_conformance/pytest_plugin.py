"""The pytest plugin (entry point ``pytest11``) that runs the shared suite against every backend.

Options:

- ``--backend NAME`` (repeatable): run the conformance tests only for this
  plugin (``iam``) or harness (``iam-s3``). Other harness modules are not
  even imported.

Markers:

- ``@pytest.mark.requires("write", "delete")``: skip the test, with a reason
  naming the harness and the capability, unless the harness claims every
  capability listed. On a class it applies to every test in it.
- ``@pytest.mark.requires_harness(predicate, reason=None)``: skip the test
  for harnesses ``predicate`` rejects, e.g. ``gates.S3_REGISTRIES`` (see
  ``quilt_mcp_conformance.gates``).

Fixtures (see each docstring for its contract):

- ``infra`` (session, i.e. per xdist worker): moto S3 server + isolated home.
- ``provisioner`` (session): the services harnesses started
  (``BackendHarness.provision``), each once per worker, all stopped at its end.
- ``harness`` (parametrized over every installed harness, provisioned),
  ``ops``, ``registry``, ``source_bucket``, ``s3``.
- ``sample`` (per harness and worker): a package the reading suites share,
  from ``quilt_mcp_conformance.suite.fixtures``.

Harness plugins are found in the ``quilt_mcp.conformance`` entry-point group
(see ``quilt_mcp_conformance.harness``). A plugin that fails to import or
supplies a broken harness becomes one failing test item named
``quilt-packages-mcp-conformance::harness[<plugin>]`` stating what is wrong.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from quilt_mcp import capabilities as cap
from quilt_mcp.ops import QuiltOps
from quilt_mcp_conformance.gates import MARKER, unmet_gate
from quilt_mcp_conformance.harness import BackendHarness, Infrastructure
from quilt_mcp_conformance.infra import MotoS3Server, isolate_environment, make_root
from quilt_mcp_conformance.loading import HarnessProblem, HarnessSet, load_harnesses
from quilt_mcp_conformance.provisioning import Provisioner

pytest.register_assert_rewrite("quilt_mcp_conformance.suite")
pytest_plugins = ["quilt_mcp_conformance.suite.fixtures"]

_ROOT = pytest.StashKey[Path]()
_HARNESSES = pytest.StashKey[HarnessSet]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("quilt-packages-mcp-conformance", "quilt-mcp conformance suite")
    group.addoption(
        "--backend",
        action="append",
        default=[],
        dest="quilt_mcp_backends",
        metavar="NAME",
        help="Run conformance tests only for this backend plugin (e.g. iam) or harness (e.g. iam-s3). Repeatable.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Isolate HOME/XDG/AWS before any test module (and so quilt3) is imported."""
    root = make_root()
    config.stash[_ROOT] = root
    isolate_environment(root)
    config.addinivalue_line(
        "markers",
        "requires(*capabilities): skip unless the conformance harness claims every capability "
        f"(known: {', '.join(sorted(cap.ALL))}).",
    )
    config.addinivalue_line(
        "markers",
        f"{MARKER}(predicate, reason=None): skip for harnesses the predicate (a quilt_mcp_conformance.gates.Gate "
        "or a callable taking the harness) rejects.",
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)


def harness_set(config: pytest.Config) -> HarnessSet:
    """The harnesses selected for this run, loaded on first use and kept for the session."""
    if _HARNESSES not in config.stash:
        config.stash[_HARNESSES] = load_harnesses(config.getoption("quilt_mcp_backends"))
    return config.stash[_HARNESSES]


def cross_pairs(harnesses: Sequence[BackendHarness]) -> list[tuple[BackendHarness, BackendHarness]]:
    """Every ordered (writer, reader) pair of distinct backends, one S3 harness that reads and writes per backend."""
    chosen: dict[str, BackendHarness] = {}
    for h in harnesses:
        if h.registry_scheme == "s3" and {"read", "write"} <= h.capabilities:
            chosen.setdefault(h.backend, h)
    return [(w, r) for w in chosen.values() for r in chosen.values() if w.backend != r.backend]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run every test that uses ``harness`` once per selected harness (``cross_pair``: once per pair of backends)."""
    if "cross_pair" in metafunc.fixturenames:
        pairs = cross_pairs(harness_set(metafunc.config).harnesses)
        params = [pytest.param(p, id=f"{p[0].backend}->{p[1].backend}") for p in pairs] or [
            pytest.param(None, id="no-pair", marks=pytest.mark.skip(reason="fewer than two backends installed"))
        ]
        metafunc.parametrize("cross_pair", params, indirect=True)
    if "harness" not in metafunc.fixturenames:
        return
    found = harness_set(metafunc.config)
    if found.harnesses:
        params = [pytest.param(h, id=h.id) for h in found.harnesses]
    else:
        reason = "no conformance harness is installed" + (
            f" (selected: {', '.join(metafunc.config.getoption('quilt_mcp_backends'))})"
            if metafunc.config.getoption("quilt_mcp_backends")
            else ""
        )
        params = [pytest.param(None, id="no-harness", marks=pytest.mark.skip(reason=reason))]
    metafunc.parametrize("harness", params, indirect=True, scope="session")


def required_capabilities(item: pytest.Item) -> set[str]:
    """Every capability named by ``requires`` markers on the item, its class and module."""
    return {name for mark in item.iter_markers("requires") for name in mark.args}


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests whose harness lacks a required capability; add one failing item per harness problem."""
    for item in items:
        needed = required_capabilities(item)
        unknown = needed - cap.ALL
        if unknown:
            raise pytest.UsageError(
                f"{item.nodeid}: @pytest.mark.requires names unknown capabilities {sorted(unknown)}; "
                f"known: {sorted(cap.ALL)}."
            )
        callspec = getattr(item, "callspec", None)
        harness = callspec.params.get("harness") if callspec else None
        if isinstance(harness, BackendHarness):
            missing = sorted(needed - harness.capabilities)
            if missing:
                item.add_marker(
                    pytest.mark.skip(
                        reason=f"harness {harness.id} lacks capability {', '.join(repr(m) for m in missing)}"
                    )
                )
            else:
                unmet = unmet_gate(item, harness)
                if unmet:
                    item.add_marker(pytest.mark.skip(reason=unmet))
    if _HARNESSES in config.stash:
        for problem in config.stash[_HARNESSES].problems:
            items.append(
                HarnessProblemItem.from_parent(
                    session,
                    name=f"harness[{problem.plugin}]",
                    nodeid=f"quilt-packages-mcp-conformance::harness[{problem.plugin}]",
                    problem=problem,
                )
            )


class HarnessProblemError(Exception):
    """A harness plugin could not be loaded or used."""


class HarnessProblemItem(pytest.Item):
    """A test that fails stating why a harness plugin cannot be tested."""

    def __init__(self, *, problem: HarnessProblem, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problem = problem

    def runtest(self) -> None:
        raise HarnessProblemError(f"conformance harness plugin {self.problem.plugin!r}: {self.problem.error}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> Any:
        if excinfo.errisinstance(HarnessProblemError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"conformance harness plugin {self.problem.plugin!r}"


# Fixtures -------------------------------------------------------------------


@pytest.fixture(scope="session")
def infra(pytestconfig: pytest.Config) -> Iterator[Infrastructure]:
    """This worker's moto S3 server (loopback, free port) and scratch space.

    ``AWS_ENDPOINT_URL`` is set in ``os.environ`` for the whole worker, so
    boto3 and quilt3 reach the server without further configuration. The
    server is stopped when the session ends.
    """
    root = pytestconfig.stash[_ROOT]
    server = MotoS3Server()
    try:
        env = isolate_environment(root)
        env["AWS_ENDPOINT_URL"] = server.endpoint
        os.environ["AWS_ENDPOINT_URL"] = server.endpoint
        scratch = root / "scratch"
        scratch.mkdir(exist_ok=True)
        yield Infrastructure(s3_endpoint=server.endpoint, env=env, tmp=scratch)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def provisioner(infra: Infrastructure) -> Iterator[Provisioner]:
    """The services the harnesses of this worker started; all stopped when the session ends, whatever failed."""
    with Provisioner(infra) as provisioned:
        yield provisioned


@pytest.fixture(scope="session")
def harness(request: pytest.FixtureRequest, provisioner: Provisioner) -> BackendHarness:
    """The ``BackendHarness`` under test, its own services started (``provision``, once per worker).

    Every test using it (directly or through ``ops``/``registry``) runs once
    per installed harness, ids like ``iam-s3``; restrict with ``--backend``.
    """
    provisioner.ensure(request.param)
    return request.param


@pytest.fixture
def cross_pair(request: pytest.FixtureRequest, provisioner: Provisioner) -> tuple[BackendHarness, BackendHarness]:
    """A (writer, reader) pair of harnesses of two different backends, both provisioned."""
    writer, reader = request.param
    provisioner.ensure(writer)
    provisioner.ensure(reader)
    return writer, reader


@pytest.fixture
def ops(harness: BackendHarness, infra: Infrastructure) -> QuiltOps:
    """The backend under test, opened by its harness for this test."""
    return harness.open(infra)


@pytest.fixture
def registry(harness: BackendHarness, infra: Infrastructure) -> str:
    """A fresh, empty registry the backend under test can read and write."""
    return harness.new_registry(infra)


@pytest.fixture
def source_bucket(harness: BackendHarness, infra: Infrastructure) -> str:
    """A fresh S3 bucket (versioned) for source objects that packages reference."""
    return harness.new_source_bucket(infra)


@pytest.fixture
def s3(infra: Infrastructure) -> Any:
    """A boto3 S3 client for the worker's moto server, to arrange and inspect objects directly."""
    return infra.s3_client()
