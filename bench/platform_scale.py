"""The platform backend (reference catalog) beside the iam backend on the same moto registry.

    uv run python bench/platform_scale.py [--entries 10000] [--packages 1000] [--repeat 5] [--json]

Starts a moto S3 server on loopback (``on_moto.py``), writes the fixtures of
``scale_fixtures.py`` to it (a package of ``--entries`` entries and its
second revision; a registry of ``--packages`` packages), and starts the
reference catalog (``quilt_mcp_conformance.catalog``, real quilt3 underneath)
on the current schema over that S3, with one user whose role grants both
registries. Both backends are opened as the server opens them (``scale_ops.ServerOps``):
iam with the moto credentials, platform with the catalog's registry URL and a
``qk_`` API key. After a check that both read the same latest top hash and entry
count, every round measures, for each backend in turn (``rounds.interleaved``,
after one unrecorded warm-up round), each operation on a new backend instance:

- ``browse_root``, ``browse_nested``, ``browse_recursive``: the first page (100)
  of the latest revision of the big package at its root, in one of its
  ``data/part-NNN/`` directories, and recursively; **cold** (the instance's
  first call) and **warm** (the same call again on that instance);
- ``list_packages``: every page (``MAX_PAGE`` each) of the registry of many
  packages, cold.

Prints the median wall time of each, the platform/iam ratio (above 1x the
platform backend is slower), and whether both returned the same result.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from on_moto import moto_s3  # noqa: E402
from rounds import interleaved  # noqa: E402
from scale_fixtures import (  # noqa: E402
    BIG_NAME,
    S3Store,
    big_package,
    write_big_registry,
    write_many_registry,
    write_prime_registry,
)
from scale_ops import ServerOps, Target  # noqa: E402
from scale_report import emit  # noqa: E402

BACKENDS = ("iam", "platform")
BROWSES = ("browse_root", "browse_nested", "browse_recursive")
OPERATIONS = (*BROWSES, "list_packages")
USER = ROLE = "bench"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000, help="entries in the big package")
    parser.add_argument("--packages", type=int, default=1_000, help="packages in the many-package registry")
    parser.add_argument("--repeat", type=int, default=5, help="recorded rounds (medians are shown)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    args = parser.parse_args(argv)
    if args.entries < 100 or args.packages < 1 or args.repeat < 1:
        parser.error("--entries must be at least 100; --packages and --repeat at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def measure_round(bench: ServerOps, target: Target) -> dict[str, dict[str, Any]]:
    """``{op: {"cold": s, "warm": s, "summary": ...}}`` for one round of ``bench``, a new instance per operation."""
    measured: dict[str, dict[str, Any]] = {}
    began = time.perf_counter()
    for op in OPERATIONS:
        bench.fresh()
        operation = getattr(bench, op)
        start = time.perf_counter()
        summary = operation(target)[0]
        cold = time.perf_counter() - start
        result: dict[str, Any] = {"cold": cold, "summary": summary}
        if op in BROWSES:
            start = time.perf_counter()
            again = operation(target)[0]
            result["warm"] = time.perf_counter() - start
            result["consistent"] = again == summary
        measured[op] = result
    log(f"  a round of {bench.backend}: {time.perf_counter() - began:.0f} s")
    return measured


def summarize(rounds: dict[str, list[dict[str, dict[str, Any]]]]) -> dict[str, dict[str, Any]]:
    """``{op: {backend: {phase: median, "all": {phase: [...]}, "summary": ...}}}``."""
    out: dict[str, dict[str, Any]] = {op: {} for op in OPERATIONS}
    for backend, runs in rounds.items():
        for op in OPERATIONS:
            mine = [run[op] for run in runs]
            phases = [p for p in ("cold", "warm") if p in mine[0]]
            out[op][backend] = {
                **{p: statistics.median(m[p] for m in mine) for p in phases},
                "all": {p: [m[p] for m in mine] for p in phases},
                "summary": mine[0]["summary"],
                "consistent": all(m["summary"] == mine[0]["summary"] and m.get("consistent", True) for m in mine),
            }
    return out


def render(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    lines = [
        f"{sizes['entries']:,}-entry package (latest revision), {sizes['packages']:,}-package registry, "
        f"moto S3 on loopback; reference catalog (current schema) for platform.",
        f"s = wall time, median of {sizes['repeat']} interleaved rounds, a new backend instance per operation; "
        "ratio = platform/iam (above 1x platform is slower).",
        "",
        f"{'operation':<17}{'phase':<7}{'iam s':>9}{'platform s':>12}{'plat/iam':>10}  same result",
        "-" * 66,
    ]
    for op in OPERATIONS:
        iam, plat = results["operations"][op]["iam"], results["operations"][op]["platform"]
        same = "yes" if iam["summary"] == plat["summary"] and iam["consistent"] and plat["consistent"] else "NO"
        for n, phase in enumerate(p for p in ("cold", "warm") if p in iam):
            ratio = plat[phase] / iam[phase] if iam[phase] else float("inf")
            name = op if n == 0 else ""
            lines.append(f"{name:<17}{phase:<7}{iam[phase]:>9.3f}{plat[phase]:>12.3f}{ratio:>9.1f}x  {same}")
    lines.append("")
    lines.append(f"fixtures {results['fixture_seconds']:.0f} s, catalog start {results['catalog_seconds']:.1f} s, "
                 f"whole run {results['total_seconds']:.0f} s")
    return "\n".join(lines)


def run(args: argparse.Namespace, endpoint: str) -> dict[str, Any]:
    from quilt_mcp_conformance.catalog import ReferenceCatalog

    start = time.perf_counter()
    big = big_package(args.entries, min(100, (args.entries - 2) // 5))
    stores = {part: S3Store(endpoint, f"bench-{part}") for part in ("big", "many", "prime")}
    count = write_big_registry(stores["big"], big, 2)
    count += write_many_registry(stores["many"], args.packages)
    count += write_prime_registry(stores["prime"])
    fixture_seconds = time.perf_counter() - start
    log(f"{count} fixture objects written in {fixture_seconds:.1f} s")

    start = time.perf_counter()
    buckets = [store.bucket for store in stores.values()]
    catalog = ReferenceCatalog.start(endpoint, {}, "current", roles={ROLE: buckets}, users={USER: ROLE})
    catalog_seconds = time.perf_counter() - start
    try:
        os.environ["QUILT_MCP_REGISTRY_URL"] = catalog.url
        os.environ["QUILT_API_KEY"] = catalog.api_key_for(USER)
        target = Target(
            registry=stores["big"].registry,
            many_registry=stores["many"].registry,
            name=BIG_NAME,
            nested_dir=big.nested_dir,
        )
        benches = {backend: ServerOps(stores["prime"].registry, backend) for backend in BACKENDS}
        expected = [big.after, big.entries - big.removed + big.added]
        problems = [
            f"{backend}: expected {expected}, read {got}"
            for backend, bench in benches.items()
            if (got := bench.verify(target)) != expected
        ]
        for problem in problems:
            log(f"fixture check failed: {problem}")
        log(f"measuring {args.repeat} rounds (after a warm-up round) ...")
        rounds = interleaved(benches, lambda bench: measure_round(bench, target), args.repeat)
    finally:
        catalog.stop()
    return {
        "sizes": {"entries": args.entries, "packages": args.packages, "repeat": args.repeat},
        "problems": problems,
        "operations": summarize(rounds),
        "fixture_seconds": fixture_seconds,
        "catalog_seconds": catalog_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with moto_s3() as (endpoint, _root):
        results = run(args, endpoint)
    results["total_seconds"] = time.perf_counter() - started
    return emit(results, args.json, render)


if __name__ == "__main__":
    sys.exit(main())
