"""The harness itself: discovery, parametrization, gating, failure reporting and ``--backend``.

Each test installs harness plugins into a pytester directory (a ``.dist-info``
with ``quilt_mcp.conformance`` entry points, found through ``PYTHONPATH``)
and runs pytest on it in a subprocess, so the real entry-point path is used
and the inner run's environment and moto server never touch this process.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
from pathlib import Path

import pytest

from quilt_mcp.ops import OPERATIONS, QuiltOps
from quilt_mcp_conformance import suite
from quilt_mcp_conformance.loading import matches

HERE = Path(__file__).resolve().parent
TOY = (HERE / "toy_backend.py").read_text()

TRIVIAL = """
def test_uses_a_harness(harness):
    assert harness.backend
"""


def install(pytester: pytest.Pytester, **plugins: str) -> None:
    """Register ``name = module`` entry points in ``quilt_mcp.conformance`` and add ``toy_harness``."""
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(toy_harness=TOY)
    dist = pytester.mkdir("toy_harnesses-0.0.dist-info")
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-harnesses\nVersion: 0.0\n")
    lines = "".join(f"{name} = {module}\n" for name, module in plugins.items())
    (dist / "entry_points.txt").write_text(f"[quilt_mcp.conformance]\n{lines}")


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def test_suite_runs_once_per_harness_and_skips_what_a_harness_lacks_or_a_gate_refuses(
    pytester: pytest.Pytester,
) -> None:
    """Skipped for a capability the harness narrowed away, or for a ``requires_harness`` predicate it fails."""
    install(pytester, toy="toy_harness")
    pytester.makepyfile(
        test_inline="""
        import pytest
        from quilt_mcp_conformance.gates import LOCAL_REGISTRIES, S3_REGISTRIES
        from quilt_mcp_conformance.suite import BucketsSuite, CapabilitiesSuite, DeleteSuite

        @pytest.mark.requires_harness(S3_REGISTRIES)
        def test_s3_only(harness):
            assert harness.registry_scheme == "s3"

        @pytest.mark.requires_harness(LOCAL_REGISTRIES)
        def test_local_only(harness):
            raise AssertionError("no toy harness has local registries")

        @pytest.mark.requires_harness(lambda harness: harness.id == "toy-b", reason="toy-b only")
        def test_b_only(harness):
            assert harness.id == "toy-b"

        class TestBuckets(BucketsSuite):
            pass

        class TestCapabilities(CapabilitiesSuite):
            pass

        class TestDelete(DeleteSuite):
            pass
        """
    )
    result = run(pytester, "--backend", "toy", "-v", "-rs")
    result.stdout.fnmatch_lines_random(
        [
            "*TestBuckets::test_reads_text_whole[[]toy-a[]] PASSED*",
            "*TestBuckets::test_configured_registries_follow_the_listed_buckets_without_duplicates[[]toy-a[]] PASSED*",
            "*TestBuckets::test_reads_text_whole[[]toy-b[]] SKIPPED*",
            "*TestCapabilities::test_operations_without_their_capability_are_not_supported[[]toy-a[]] PASSED*",
            "*TestCapabilities::test_operations_without_their_capability_are_not_supported[[]toy-b[]] PASSED*",
            "*TestDelete::*[[]toy-a[]] SKIPPED*",
            "SKIPPED [[]*[]] *: harness toy-b lacks capability 'buckets'",
            "SKIPPED [[]*[]] *: harness toy-a lacks capability 'delete', 'read', 'write'",
            "*test_s3_only[[]toy-a[]] PASSED*",
            "*test_s3_only[[]toy-b[]] PASSED*",
            "*test_b_only[[]toy-b[]] PASSED*",
            "SKIPPED [[]*[]] *: harness toy-a does not meet: toy-b only",
            "SKIPPED [[]*[]] *: harness toy-a does not meet: local registries only",
            "SKIPPED [[]*[]] *: harness toy-b does not meet: local registries only",
        ]
    )
    result.stdout.no_fnmatch_line("*Suite::*")
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes and "errors" not in outcomes, result.stdout.str()
    assert result.ret == 0


BROKEN = {
    "import_error": (
        "raise ImportError('boom: a dependency is missing')",
        "its harness module 'import_error' failed to import: ImportError: boom: a dependency is missing",
    ),
    "not_a_harness": (
        "from quilt_mcp_conformance.harness import hookimpl\n"
        "@hookimpl\ndef quilt_mcp_conformance_harnesses():\n    return ['not a harness']\n",
        "it supplied 'not a harness', which is not a BackendHarness.",
    ),
    "hook_raises": (
        "from quilt_mcp_conformance.harness import hookimpl\n"
        "@hookimpl\ndef quilt_mcp_conformance_harnesses():\n    raise RuntimeError('no credentials')\n",
        "its harness hook failed: RuntimeError: no credentials",
    ),
    "no_info": (
        "from quilt_mcp_conformance.harness import hookimpl\n"
        "from toy_harness import ToyHarness\n"
        "class NoInfo(ToyHarness):\n    info = None\n"
        "@hookimpl\ndef quilt_mcp_conformance_harnesses():\n    return [NoInfo('no_info')]\n",
        "harness 'no_info' has no BackendInfo: set its `info` to what the backend's quilt_mcp_backend_info returns.",
    ),
    "unmarked_hook": (
        "def quilt_mcp_conformance_harnesses():\n    return []\n",
        "its harness hook failed: LookupError: it does not implement quilt_mcp_conformance_harnesses*",
    ),
}


def test_each_broken_harness_plugin_is_a_failing_test_naming_it(pytester: pytest.Pytester) -> None:
    """The other plugins' tests still run; nothing is silently skipped."""
    install(pytester, toy="toy_harness", **{name: name for name in BROKEN})
    pytester.makepyfile(test_inline=TRIVIAL, **{name: source for name, (source, _) in BROKEN.items()})
    selection = [arg for name in ["toy", *BROKEN] for arg in ("--backend", name)]
    result = run(pytester, *selection, "-v")
    result.assert_outcomes(passed=2, failed=len(BROKEN))
    result.stdout.fnmatch_lines_random(
        [f"*quilt-packages-mcp-conformance::harness[[]{name}[]] FAILED*" for name in BROKEN]
        + [f"conformance harness plugin '{name}': {message}" for name, (_, message) in BROKEN.items()]
    )


def test_backend_option_selects_single_harnesses_and_imports_nothing_else(pytester: pytest.Pytester) -> None:
    install(pytester, toy="toy_harness", unselected="unselected_harness")
    pytester.makepyfile(unselected_harness="raise ImportError('must not be imported')", test_inline=TRIVIAL)
    result = run(pytester, "--backend", "toy-b", "--backend", "nosuch", "-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_uses_a_harness[[]toy-b[]] PASSED*",
            "*--backend nosuch matches no installed harness; installed harness plugins: *toy*unselected*",
        ]
    )
    result.stdout.no_fnmatch_line("*must not be imported*")


def test_unknown_capability_in_requires_is_a_usage_error(pytester: pytest.Pytester) -> None:
    install(pytester, toy="toy_harness")
    pytester.makepyfile(
        test_inline="""
        import pytest

        @pytest.mark.requires("teleport")
        def test_needs_teleport(harness):
            pass
        """
    )
    result = run(pytester, "--backend", "toy")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*requires names unknown capabilities*'teleport'*"])


SERVICED = """
import os
from contextlib import contextmanager
from pathlib import Path

from quilt_mcp_conformance.harness import hookimpl
from toy_harness import ToyHarness

LOG = Path.cwd() / "provision.log"


def note(event: str) -> None:
    with LOG.open("a") as log:
        log.write(f"{event} {os.getpid()}\\n")


class ServicedHarness(ToyHarness):
    def __init__(self, harness_id, fail=False):
        super().__init__(harness_id)
        self.fail = fail
        self.running = False

    @contextmanager
    def provision(self, infra):
        note(f"start {self.id}")
        if self.fail:
            raise RuntimeError("the catalog did not start")
        self.running = True
        try:
            yield
        finally:
            self.running = False
            note(f"stop {self.id}")


@hookimpl
def quilt_mcp_conformance_harnesses():
    return [ServicedHarness("toy-a"), ServicedHarness("toy-b"), ServicedHarness("toy-broken", fail=True)]
"""


def test_each_worker_has_its_own_moto_server_and_provisions_each_harness_once_stopping_it_though_tests_fail(
    pytester: pytest.Pytester,
) -> None:
    """Harness services start before the harness's first test in each worker, never restart, stop at its end.

    A harness whose services fail to start errors its own tests (once started, never retried); the
    other harnesses run.
    """
    install(pytester, toy="serviced_harness")
    pytester.makepyfile(
        serviced_harness=SERVICED,
        test_inline="""
        def test_endpoint_of_this_worker(infra, worker_id, pytestconfig, harness):
            infra.s3_client().list_buckets()
            (pytestconfig.rootpath / f"endpoint-{worker_id}").write_text(infra.s3_endpoint)

        def test_sees_its_services_running(harness):
            assert harness.running

        def test_that_fails(harness):
            assert False, "a failing test must not keep the services running"
        """,
    )
    result = run(pytester, "--backend", "toy", "-n", "2", "--dist", "each")
    result.assert_outcomes(passed=8, failed=4, errors=6)
    endpoints = {path.name: path.read_text() for path in pytester.path.glob("endpoint-*")}
    assert set(endpoints) == {"endpoint-gw0", "endpoint-gw1"}
    assert endpoints["endpoint-gw0"] != endpoints["endpoint-gw1"]
    result.stdout.fnmatch_lines(["*ProvisioningError: harness toy-broken could not start its services: *did not start*"])
    events = (pytester.path / "provision.log").read_text().splitlines()
    workers = {line.split()[-1] for line in events}
    assert len(workers) == 2
    for worker in workers:
        mine = sorted(" ".join(line.split()[:-1]) for line in events if line.endswith(f" {worker}"))
        assert mine == ["start toy-a", "start toy-b", "start toy-broken", "stop toy-a", "stop toy-b"], events


@pytest.mark.parametrize(
    ("selection", "plugin", "harness_id", "expected"),
    [
        ("iam", "iam", None, True),
        ("iam-s3", "iam", None, True),
        ("iam-s3", "iam", "iam-s3", True),
        ("iam-s3", "iam", "iam-local", False),
        ("iam", "iam", "iam-local", True),
        ("ia", "iam", None, False),
        ("quilt3", "iam", None, False),
    ],
)
def test_backend_values_name_a_plugin_or_one_of_its_harnesses(
    selection: str, plugin: str, harness_id: str | None, expected: bool
) -> None:
    assert matches(selection, plugin=plugin, harness_id=harness_id) is expected


def test_every_operation_has_conformance_tests() -> None:
    """Each QuiltOps operation is in OPERATIONS and is called somewhere in the shared suite."""
    public = {name for name, member in vars(QuiltOps).items() if callable(member) and not name.startswith("_")}
    assert public == set(OPERATIONS)
    source = "".join(path.read_text() for path in Path(suite.__file__).parent.glob("*.py"))
    untested = sorted(op for op in OPERATIONS if f".{op}(" not in source)
    assert not untested, f"operations without a conformance test: {untested}"


def test_every_suite_runs_in_this_repository() -> None:
    """Every ``...Suite`` class of the package is in ``ALL_SUITES`` and subclassed by ``test_suite.py``."""
    defined = set()
    for info in pkgutil.iter_modules(suite.__path__):
        module = importlib.import_module(f"{suite.__name__}.{info.name}")
        defined |= {
            obj
            for name, obj in inspect.getmembers(module, inspect.isclass)
            if name.endswith("Suite") and obj.__module__ == module.__name__
        }
    assert defined == set(suite.ALL_SUITES)
    spec = importlib.util.spec_from_file_location("conformance_test_suite", HERE / "test_suite.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    subclassed = {base for _, cls in inspect.getmembers(module, inspect.isclass) for base in cls.__mro__[1:]}
    assert set(suite.ALL_SUITES) <= subclassed
