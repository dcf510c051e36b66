"""The iam backend against quilt3 at scale: browse, entry info, diff and listing, side by side.

    uv run python bench/iam_scale.py [--entries 100000] [--packages 5000] [--repeat 3] [--json] [--quick]

Starts a moto S3 server on loopback and writes the fixtures (a package of
``--entries`` entries whose second revision differs in a few hundred entries,
a package with ``--revisions`` revisions, a registry of ``--packages``
packages) to S3 and to local directories. Then, for each kind of registry,
runs every operation of ``scale_ops.OPERATIONS`` with quilt3 and with the iam
backend, ``--repeat`` times, alternating the two, each measurement in a fresh
process (``scale_worker.py``). Prints the median wall time, peak resident
memory and S3 requests of both, the quilt3/iam ratios, and the memory bound:
iam's peak while browsing and diffing beside the whole package held in memory.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from scale_fixtures import (  # noqa: E402
    BIG_NAME,
    HISTORY_NAME,
    BigPackage,
    DirStore,
    S3Store,
    Store,
    big_package,
    write_big_registry,
    write_many_registry,
    write_prime_registry,
)
from scale_ops import OPERATIONS, Target  # noqa: E402
from scale_report import emit  # noqa: E402

BACKENDS = ("quilt3", "iam")
PARTS = ("big", "many", "prime")
WORKER = HERE / "scale_worker.py"


@dataclass(frozen=True)
class Registries:
    """One kind of registry (``s3`` or ``local``): the big package's, the many packages', and
    one the backends make their S3 clients on before anything is measured."""

    kind: str
    big: str
    many: str
    prime: str


@dataclass(frozen=True)
class Job:
    """What one worker measures: every operation of one backend on one kind of registry."""

    backend: str
    target: Target
    prime: str


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="entries in the big package")
    parser.add_argument("--packages", type=int, default=5_000, help="packages in the many-package registry")
    parser.add_argument(
        "--revisions", type=int, default=10, help="revisions of the history package (quilt3 spends ~0.5 s on each)"
    )
    parser.add_argument("--changes", type=int, default=100, help="entries added, removed and changed each")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (medians are shown)")
    parser.add_argument("--quick", action="store_true", help="10,000 entries, 500 packages, one run")
    parser.add_argument("--only", choices=("s3", "local"), help="measure one kind of registry only")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.packages, args.revisions, args.repeat = 10_000, 500, 5, 1
    if args.entries < 100 or args.packages < 1 or args.revisions < 1 or args.repeat < 1 or args.changes < 1:
        parser.error("--entries must be at least 100; --packages, --revisions, --changes and --repeat at least 1")
    if 5 * args.changes > args.entries:
        parser.error("--changes must be at most a fifth of --entries")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def build(kind: str, root: Path, endpoint: str, big: BigPackage, args: argparse.Namespace) -> Registries:
    """Write every fixture to one kind of registry."""
    if kind == "s3":
        stores: dict[str, Store] = {part: S3Store(endpoint, f"bench-{part}") for part in PARTS}
    else:
        stores = {part: DirStore(root / "local" / part) for part in PARTS}
    start = time.perf_counter()
    count = write_big_registry(stores["big"], big, args.revisions)
    count += write_many_registry(stores["many"], args.packages)
    count += write_prime_registry(stores["prime"])
    log(f"  {kind}: {count} objects in {time.perf_counter() - start:.1f} s")
    return Registries(kind, *(stores[part].registry for part in PARTS))


def target(reg: Registries, big: BigPackage) -> Target:
    """The fixtures of one kind of registry as the operations see them."""
    return Target(
        registry=reg.big,
        many_registry=reg.many,
        name=BIG_NAME,
        history=HISTORY_NAME,
        before=big.before,
        after=big.after,
        nested_dir=big.nested_dir,
        lookup_key=big.lookup_key,
    )


def run_worker(job: Job, endpoint: str | None, *, verify: bool = False) -> dict[str, Any]:
    """Run a worker (``scale_worker.py``) for ``job`` and return its output."""
    spec = {
        "backend": job.backend,
        "target": asdict(job.target),
        "prime_registry": job.prime,
        "endpoint": endpoint,
        "verify": verify,
    }
    proc = subprocess.run(
        [sys.executable, str(WORKER), json.dumps(spec)], capture_output=True, text=True, timeout=1800, cwd=HERE
    )
    if proc.returncode != 0:
        return {"error": f"worker exited {proc.returncode}: {proc.stderr.strip()[-2000:]}"}
    return json.loads(proc.stdout)


def per_op(output: dict[str, Any], phase: str) -> dict[str, dict[str, Any]]:
    """What each operation cost in one run's phase: its steps summed (time, requests) or maxed (peak)."""
    steps = output["phases"][phase]
    costs: dict[str, dict[str, Any]] = {}
    for op in dict.fromkeys(op for step in steps for op in step["ops"]):
        mine = [step for step in steps if op in step["ops"]]
        requests: Counter[str] = Counter()
        for step in mine:
            requests.update(step["requests"] or {})
        costs[op] = {
            "seconds": sum(step["seconds"] for step in mine),
            "peak_bytes": max(step["peak_bytes"] for step in mine),
            "retained_bytes": mine[-1]["retained_bytes"],
            "requests": dict(sorted(requests.items())) if mine[0]["requests"] is not None else None,
            "summary": next(step["summary"] for step in mine if step["name"] == op),
        }
    return costs


def summarize(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``{op: {phase: medians over the runs}}``, or ``{op: {"error": ...}}`` if a run failed."""
    failed = next((run["error"] for run in runs if "error" in run), None)
    if failed:
        return {op: {"error": failed} for op in OPERATIONS}
    result: dict[str, dict[str, Any]] = {op: {} for op in OPERATIONS}
    for phase in runs[0]["phases"]:
        costs = [per_op(run, phase) for run in runs]
        for op in costs[0]:
            mine = [cost[op] for cost in costs]
            result[op][phase] = {
                "seconds": statistics.median(c["seconds"] for c in mine),
                "all_seconds": [c["seconds"] for c in mine],
                "peak_bytes": statistics.median(c["peak_bytes"] for c in mine),
                "retained_bytes": statistics.median(c["retained_bytes"] for c in mine),
                "requests": mine[0]["requests"],
                "summary": mine[0]["summary"],
                "consistent": all(c["summary"] == mine[0]["summary"] for c in mine),
            }
    return result


def verify(reg: Registries, big: BigPackage, backend: str, endpoint: str | None) -> str | None:
    """``None`` if ``backend`` reads the fixture's latest top hash and entry count, else what it read."""
    expected = [big.after, big.entries - big.removed + big.added]
    out = run_worker(Job(backend, target(reg, big), reg.prime), endpoint, verify=True)
    got = out.get("error") or out["verify"]
    return None if got == expected else f"{backend} on {reg.kind}: expected {expected}, got {got}"


def measure(reg: Registries, big: BigPackage, backends: list[str], repeat: int, endpoint: str) -> dict[str, Any]:
    """``{op: {backend: {phase: ...}}}`` on one kind of registry, the backends alternating run by run."""
    endpoint_or_none = endpoint if reg.kind == "s3" else None
    runs: dict[str, list[dict[str, Any]]] = {backend: [] for backend in backends}
    for n in range(repeat):
        for backend in backends:
            start = time.perf_counter()
            runs[backend].append(run_worker(Job(backend, target(reg, big), reg.prime), endpoint_or_none))
            log(f"  {reg.kind}, run {n + 1}, {backend}: {time.perf_counter() - start:.0f} s")
    ops: dict[str, dict[str, Any]] = {op: {} for op in OPERATIONS}
    for backend in backends:
        for op, measured in summarize(runs[backend]).items():
            ops[op][backend] = measured
    return ops


def iam_available() -> str | None:
    """``None`` if the iam backend can be opened, else why not."""
    try:
        from scale_ops import ServerOps

        ServerOps("")
    except Exception as exc:  # noqa: BLE001 - reported, and the iam columns stay empty
        return f"{type(exc).__name__}: {exc}"
    return None


def run(args: argparse.Namespace, root: Path, endpoint: str) -> dict[str, Any]:
    """Build the fixtures, check both backends read them, measure, and return the results."""
    log(f"building a {args.entries:,}-entry package and its second revision ...")
    big = big_package(args.entries, args.changes)
    registries = [build(kind, root, endpoint, big, args) for kind in ([args.only] if args.only else ["s3", "local"])]
    iam_problem = iam_available()
    backends = list(BACKENDS) if iam_problem is None else ["quilt3"]
    if iam_problem:
        log(f"iam backend not measured: {iam_problem}")
    checks = [(reg, backend) for reg in registries for backend in backends if backend != "quilt3"]
    checks.append((registries[-1], "quilt3"))  # quilt3 takes seconds to load the package: check it once
    problems = [p for p in (verify(reg, big, b, endpoint if reg.kind == "s3" else None) for reg, b in checks) if p]
    for problem in problems:
        log(f"fixture check failed: {problem}")
    results: dict[str, Any] = {
        "sizes": {
            "entries": args.entries,
            "packages": args.packages,
            "revisions": args.revisions,
            "changes": args.changes,
            "repeat": args.repeat,
            "manifest_bytes": len(big.after_manifest),
        },
        "iam_problem": iam_problem,
        "problems": problems,
        "registries": {reg.kind: measure(reg, big, backends, args.repeat, endpoint) for reg in registries},
    }
    manifest = root / "manifest.jsonl"
    manifest.write_bytes(big.after_manifest)
    tree = run_worker(Job("tree", Target(registry="", manifest_path=str(manifest)), ""), None)
    results["full_tree"] = tree.get("error") or per_op(tree, "cold")["full_tree"]
    return results


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from quilt_mcp_conformance.infra import MotoS3Server, isolate_environment, make_root

    root = make_root()
    isolate_environment(root)
    os.environ["MOTO_RECORDER_FILEPATH"] = str(root / "moto-recording.jsonl")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    started = time.perf_counter()
    server = MotoS3Server()
    os.environ["AWS_ENDPOINT_URL"] = server.endpoint
    try:
        results = run(args, root, server.endpoint)
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
    results["total_seconds"] = time.perf_counter() - started
    return emit(results, args.json)


if __name__ == "__main__":
    sys.exit(main())
