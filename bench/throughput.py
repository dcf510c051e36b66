"""Throughput of quilt-mcp over MCP stdio beside quilt3 in-process and the raw S3 floor (issue 13).

    uv run python bench/throughput.py [--repeat 3] [--calls 1000] [--total-calls 10000] [--json] [--quick]

Starts a moto S3 server on loopback, writes the fixtures
(``throughput_fixtures.py``), then measures each workload with quilt-mcp
(``throughput_server.py``: ``quilt-mcp serve`` over stdio, iam backend),
quilt3 in-process and, where one exists, the boto3 floor doing only the
unavoidable requests (``throughput_baselines.py``, a fresh process per run),
the variants interleaved round by round after one unrecorded warm-up each
(``rounds.interleaved``). Prints medians and the ratios quilt-mcp / baseline
(below 1 quilt-mcp is faster or leaner), with the issue's target beside each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import throughput_server as mcp  # noqa: E402
from on_moto import moto_s3  # noqa: E402
from rounds import interleaved  # noqa: E402
from server_startup import MINIMAL_SERVER, time_to_tools  # noqa: E402
from throughput_fixtures import BIG, MID, Fixtures, build  # noqa: E402

BASELINES = HERE / "throughput_baselines.py"
MIB = 1024 * 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=100_000, help="entries of the big package")
    parser.add_argument("--mid-entries", type=int, default=10_000, help="entries of the mid-size package")
    parser.add_argument("--packages", type=int, default=5_000, help="packages in the many-package registry")
    parser.add_argument("--objects", type=int, default=1_000, help="S3 objects put into a package by a push")
    parser.add_argument("--calls", type=int, default=1_000, help="calls per kind measured under load")
    parser.add_argument("--total-calls", type=int, default=10_000, help="calls before the last memory reading")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved rounds (medians are shown)")
    parser.add_argument("--quick", action="store_true", help="10,000/2,000 entries, 500 packages, 100 objects")
    parser.add_argument(
        "--only",
        type=lambda text: [w.strip() for w in text.split(",") if w.strip()],
        default=list(WORKLOADS),
        help=f"comma-separated workloads to run, of {','.join(WORKLOADS)} (default: all)",
    )
    parser.add_argument(
        "--no-warm-up", action="store_true", help="no unrecorded first run of each variant (for the slow pushes)"
    )
    parser.add_argument("--json", action="store_true", help="print every figure as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.entries, args.mid_entries, args.packages, args.objects = 10_000, 2_000, 500, 100
        args.calls, args.total_calls, args.repeat = 200, 1_000, 1
    unknown = sorted(set(args.only) - set(WORKLOADS))
    if unknown:
        parser.error(f"unknown workloads {unknown}; choose from {','.join(WORKLOADS)}")
    if min(args.entries, args.mid_entries) < 500 or min(args.packages, args.objects, args.calls, args.repeat) < 1:
        parser.error("--entries and --mid-entries at least 500; the other sizes at least 1")
    return args


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class Bench:
    """The fixtures and the ways to run one measurement of each kind."""

    def __init__(self, fx: Fixtures, endpoint: str, root: Path) -> None:
        self.fx, self.endpoint, self.root = fx, endpoint, root
        self.errlog = root / "server-stderr.log"
        self.pushes = 0

    def server(self, work: Callable[..., Any], *args: Any) -> Callable[[], dict[str, Any]]:
        return lambda: asyncio.run(work(self.fx, self.errlog, *args))

    def baseline(self, baseline: str, work: str, **spec: Any) -> Callable[[], dict[str, Any]]:
        """A run of ``throughput_baselines.py``; ``process_seconds`` is its whole process, launch to exit."""

        def run() -> dict[str, Any]:
            full = {"baseline": baseline, "work": work, "endpoint": self.endpoint, "prime": self.fx.prime, **spec}
            start = time.perf_counter()
            proc = subprocess.run([sys.executable, str(BASELINES), json.dumps(full)], capture_output=True, text=True)
            if proc.returncode != 0:
                raise RuntimeError(f"{baseline} {work} failed: {proc.stderr[-2000:]}")
            return {**json.loads(proc.stdout), "process_seconds": time.perf_counter() - start}

        return run

    def push_name(self, who: str) -> str:
        self.pushes += 1
        return f"bench/push-{who}-{self.pushes:03d}"


def measure(
    label: str, variants: dict[str, Callable[[], dict[str, Any]]], repeat: int, warm_up: bool = True
) -> dict[str, Any]:
    start = time.perf_counter()
    runs = interleaved(variants, lambda run: run(), repeat, warm_up=warm_up)
    log(f"  {label}: {time.perf_counter() - start:.0f} s")
    return runs


WORKLOADS = ("launch", "top_level", "walk_big", "walk_mid", "create", "create_prefix", "list", "load", "memory")


def workloads(bench: Bench, args: argparse.Namespace) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Every workload of ``args.only`` (all by default), each measured with its variants interleaved."""
    fx = bench.fx
    with (bench.root / "minimal_server.py").open("w") as script:
        script.write(MINIMAL_SERVER)
    env = mcp.server_env(fx.prime)
    launches = {
        "quilt-mcp": [*mcp.COMMAND],
        "fastmcp": [sys.executable, str(bench.root / "minimal_server.py")],
    }
    push_spec = {"registry": fx.write, "entries": fx.sources}
    checkpoints = sorted({min(args.calls, args.total_calls), args.total_calls // 2, args.total_calls})
    plans: dict[str, tuple[dict[str, Callable[[], dict[str, Any]]], int]] = {
        "launch": ({k: lambda c=c: {"seconds": time_to_tools(c, env)[0]} for k, c in launches.items()}, 2),
        "top_level": (
            {
                "quilt-mcp": bench.server(mcp.top_level),
                "quilt3": bench.baseline("quilt3", "root", registry=fx.big, name=BIG),
            },
            1,
        ),
        **{
            key: (
                {
                    "quilt-mcp": bench.server(mcp.walk, registry, name),
                    "quilt3": bench.baseline("quilt3", "walk", registry=registry, name=name),
                    "floor": bench.baseline("floor", "walk", registry=registry, name=name),
                },
                1,
            )
            for key, registry, name in (("walk_big", fx.big, BIG), ("walk_mid", fx.mid, MID))
        },
        "create": (
            {
                "quilt-mcp": lambda: asyncio.run(mcp.create(fx, bench.errlog, bench.push_name("mcp"))),
                "quilt3": lambda: bench.baseline("quilt3", "push", name=bench.push_name("q3"), **push_spec)(),
                "floor": lambda: bench.baseline("floor", "push", name=bench.push_name("floor"), **push_spec)(),
            },
            1,
        ),
        "create_prefix": (
            {
                "quilt-mcp": lambda: asyncio.run(mcp.create(fx, bench.errlog, bench.push_name("mcp"), prefix=True)),
                "quilt3": lambda: bench.baseline(
                    "quilt3", "push", name=bench.push_name("q3"), prefix=True, **push_spec
                )(),
            },
            1,
        ),
        "list": (
            {
                "quilt-mcp": bench.server(mcp.list_packages),
                "quilt3": bench.baseline("quilt3", "list", registry=fx.many),
                "floor": bench.baseline("floor", "list", registry=fx.many),
            },
            1,
        ),
        "load": (
            {
                "quilt-mcp": bench.server(mcp.under_load, fx.mid_local, args.calls),
                "quilt-mcp-s3": bench.server(mcp.under_load, fx.mid, args.calls),
                "fastmcp": lambda: asyncio.run(mcp.bare_under_load(launches["fastmcp"], bench.errlog, args.calls)),
            },
            1,
        ),
        "memory": ({"quilt-mcp": bench.server(mcp.memory_over_calls, fx.mid_local, checkpoints)}, 0),
    }
    results: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key in args.only:
        variants, rounds = plans[key]
        if rounds:
            results[key] = measure(key, variants, rounds * args.repeat, not args.no_warm_up)
        else:  # one long run, nothing to interleave
            start = time.perf_counter()
            results[key] = {label: [run()] for label, run in variants.items()}
            log(f"  {key}: {time.perf_counter() - start:.0f} s")
    return results


def med(runs: list[dict[str, Any]], field: str = "seconds") -> float:
    return statistics.median(run[field] for run in runs)


def row(work: str, runs: dict[str, list[dict[str, Any]]], field: str, target: str, unit: float = 1.0) -> str:
    ours = med(runs["quilt-mcp"], field) / unit
    cells = [f"{work:<44}", f"{ours:9.3f}"]
    for other in ("quilt3", "floor", "fastmcp"):
        if other in runs:
            theirs = med(runs[other], field) / unit
            cells.append(f"{other} {theirs:8.3f}  ratio {ours / theirs:5.2f}")
    return "  ".join(cells) + (f"   (target {target})" if target else "")


def same(runs: dict[str, list[dict[str, Any]]]) -> str:
    summaries = {json.dumps(run["summary"]) for variant in runs.values() for run in variant if "summary" in run}
    return "" if len(summaries) <= 1 else f"   RESULTS DIFFER: {sorted(summaries)}"


def render(results: dict[str, Any], args: argparse.Namespace) -> str:
    """The figures of the workloads that ran, one row each, with the issue's target beside it."""
    r = results["runs"]
    e, m = f"{args.entries:,}", f"{args.mid_entries:,}"
    lines = [
        f"{e}-entry and {m}-entry packages, {args.packages:,} packages, "
        f"{args.objects:,} objects pushed; medians of {args.repeat} interleaved rounds "
        f"(launch: {2 * args.repeat}). Ratios are quilt-mcp / baseline: below 1 quilt-mcp is faster or leaner.",
        "",
        "seconds" + " " * 41 + "quilt-mcp",
    ]
    rows = [
        ("launch", "launch -> first tools/list (vs bare fastmcp)", "seconds", "", 1.0),
        ("top_level", f"top level of {e}-entry package, cold", "seconds", "", 1.0),
        ("walk_big", f"every entry of {e} (pages of 1,000)", "seconds", "<= 1.0 x quilt3", 1.0),
        ("walk_mid", f"every entry of {m}", "seconds", "", 1.0),
        ("create", f"package_create of {args.objects:,} S3 objects, no copy", "seconds", "<= 0.6 x quilt3", 1.0),
        ("create_prefix", "  the same as one prefix source (quilt3 set_dir)", "seconds", "", 1.0),
        ("list", f"list {args.packages:,} packages, the calls", "seconds", "<= 1.1 x q3, 1.5 x floor", 1.0),
        ("list", f"list {args.packages:,} packages, whole process", "process_seconds", "", 1.0),
        ("walk_big", "", "", "", 0.0),
        ("walk_big", "CPU s (server / quilt3 or floor process)", "", "", 0.0),
        ("walk_big", f"CPU, every entry of {e}", "cpu", "", 1.0),
        ("create", f"CPU, package_create of {args.objects:,} objects", "cpu", "", 1.0),
        ("list", f"CPU, list {args.packages:,} packages (the calls)", "cpu", "", 1.0),
        ("walk_big", "", "", "", 0.0),
        ("walk_big", f"peak MiB, every entry of {e}", "peak", "<= 0.6 x quilt3", MIB),
        ("walk_big", "  MiB before the listing (primed)", "base", "", MIB),
        ("walk_big", "  MiB peak above that (the listing's own)", "growth", "", MIB),
    ]
    for runs in r.get("walk_big", {}).values():
        for run in runs:
            run["growth"] = run["peak"] - run["base"]
    for key, label, field, target, unit in rows:
        if key in r:
            lines.append(row(label, r[key], field, target, unit) + same(r[key]) if unit else label)
    if "walk_big" in r:
        walk = r["walk_big"]["quilt-mcp"]
        size = {form: statistics.median(run["bytes_per_entry"][form] for run in walk) for form in walk[0]["bytes_per_entry"]}
        cpu = statistics.median(run["cpu"] for run in walk)
        pages = -(-walk[0]["summary"][0] // mcp.PAGE)
        lines += [
            "(peak MiB: absolute peak resident memory of the server / the quilt3 or floor process)",
            "",
            f"server CPU listing every entry of {e}: {cpu:.2f} s, {1000 * cpu / pages:.0f} ms per page of 1,000",
            "bytes per entry of a 1,000-entry browse page (target <= 250 each form): "
            f"structured {size['structured']:.0f}, text {size['text']:.0f}, "
            f"whole JSON-RPC message {size['message']:.0f}",
        ]
    if "load" in r:
        load = r["load"]
        lines += [
            "",
            f"under {mcp.CLIENTS} concurrent clients on the warm {m}-entry package, server CPU time "
            f"(/proc) per call over {args.calls:,} calls of a kind; target <= 5 ms:",
        ]
        for label, variant, kind in (
            ("local registry: package_browse one level (100 items)", "quilt-mcp", "browse"),
            ("local registry: entry_read 64 KiB", "quilt-mcp", "read"),
            ("S3 registry (moto): package_browse one level", "quilt-mcp-s3", "browse"),
            ("S3 registry (moto): entry_read 64 KiB", "quilt-mcp-s3", "read"),
            ("bare fastmcp server, echo (baseline)", "fastmcp", "echo"),
        ):
            runs = load[variant]
            lines.append(
                f"  {label:<54} CPU {1000 * med(runs, kind + '_cpu'):6.2f} ms/call"
                f"   wall {1000 * med(runs, kind + '_wall'):6.2f} ms/call"
            )
    if "memory" in r:
        rss = r["memory"]["quilt-mcp"][0]["rss"]
        readings = ", ".join(f"{calls:,}: {value / MIB:.1f}" for calls, value in rss)
        lines += ["", f"server resident memory (MiB) after N browse+read calls under the same load: {readings}"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with moto_s3() as (endpoint, root):
        log("writing fixtures ...")
        fx = build(
            endpoint, root, entries=args.entries, mid_entries=args.mid_entries, packages=args.packages, objects=args.objects
        )
        log(f"  {time.perf_counter() - started:.0f} s")
        results = {"sizes": vars(args), "fixtures": {**asdict(fx), "sources": len(fx.sources)}}
        results["runs"] = workloads(Bench(fx, endpoint, root), args)
    results["total_seconds"] = time.perf_counter() - started
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print(render(results, args))
        print(f"\n(whole run {results['total_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
