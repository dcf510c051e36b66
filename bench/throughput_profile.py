"""Where ``quilt-mcp serve`` spends its CPU in the slow workloads of ``throughput.py``, sampled by py-spy.

    uv pip install py-spy   # a profiling tool, not a project dependency
    uv run python bench/throughput_profile.py {walk,create,list,load,load-local} [--entries 100000] [--top 30]

Writes the fixtures as ``throughput.py`` does, launches a primed server,
attaches ``py-spy record`` (every thread, idle ones left out, so the samples
are where CPU goes), runs one workload, and prints the functions ranked by
self samples and by cumulative samples (share of all samples whose stack
holds the function), as ``file:function``. The raw stacks stay in ``--out``.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import throughput_server as mcp  # noqa: E402
from on_moto import moto_s3  # noqa: E402
from throughput_fixtures import BIG, Fixtures, build  # noqa: E402

PY_SPY = Path(sys.executable).with_name("py-spy")


async def run(work: str, fx: Fixtures, root: Path, out: Path, args: argparse.Namespace) -> float:
    errlog = root / "server-stderr.log"
    registry = {"walk": fx.big, "create": fx.write, "list": fx.many, "load": fx.mid, "load-local": fx.mid_local}[work]
    server = await mcp.launch(fx, errlog, registry)
    if work.startswith("load"):  # profile the warm package only
        await server.call("package_browse", name="bench/mid", path=fx.mid_dir)
    spy = subprocess.Popen(
        [str(PY_SPY), "record", "-p", str(server.pid), "-f", "raw", "-o", str(out), "-r", str(args.rate),
         "--nolineno", "--nonblocking"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    start = time.perf_counter()
    cpu = server.cpu_seconds()
    if work == "walk":
        async for _ in mcp.pages(server, "package_browse", name=BIG, recursive=True, limit=mcp.PAGE):
            pass
    elif work == "create":
        entries = [{"logical_key": key, "source": uri} for key, uri in fx.sources]
        await server.call("package_create", name="bench/profiled", entries=entries)
    elif work == "list":
        async for _ in mcp.pages(server, "package_list", limit=mcp.PAGE):
            pass
    else:
        browse = ("package_browse", {"name": "bench/mid", "path": fx.mid_dir})
        read = ("entry_read", {"name": "bench/mid", "logical_key": "blob.bin"})
        await mcp.concurrently(server, [browse, read] * args.calls)
    elapsed = time.perf_counter() - start
    cpu = server.cpu_seconds() - cpu
    calls = 2 * args.calls if work.startswith("load") else 1
    print(f"{work}: {elapsed:.2f} s wall, server CPU {cpu:.2f} s ({1000 * cpu / calls:.2f} ms a call)", flush=True)
    spy.send_signal(signal.SIGINT)
    spy.wait(60)
    await server.close()
    return elapsed


def frame_name(frame: str) -> str:
    """``function (path)`` as py-spy writes it -> ``path:function`` with the path shortened."""
    function, _, path = frame.rpartition(" (")
    path = path.rstrip(")")
    for marker in ("site-packages/", "/src/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{function}"


def report(out: Path, top: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in out.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        frames = [frame_name(f) for f in stack.split(";") if " (" in f]
        if not frames:
            continue
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    lines = [f"{total} samples", "", "self %   function"]
    lines += [f"{100 * n / total:5.1f}   {name}" for name, n in own.most_common(top)]
    lines += ["", "cumulative %   function"]
    lines += [f"{100 * n / total:5.1f}   {name}" for name, n in inclusive.most_common(top * 2)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("work", choices=("walk", "create", "list", "load", "load-local"))
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--packages", type=int, default=5_000)
    parser.add_argument("--objects", type=int, default=1_000)
    parser.add_argument("--calls", type=int, default=500, help="browse+read pairs under load")
    parser.add_argument("--rate", type=int, default=200, help="samples a second")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--out", type=Path, default=Path("/tmp/quilt-mcp-profile.txt"))
    args = parser.parse_args()
    sizes = {
        "walk": (args.entries, 1000, 1, 1),
        "create": (1000, 1000, 1, args.objects),
        "list": (1000, 1000, args.packages, 1),
        "load": (1000, 10_000, 1, 1),
        "load-local": (1000, 10_000, 1, 1),
    }[args.work]
    with moto_s3() as (endpoint, root):
        fx = build(endpoint, root, entries=sizes[0], mid_entries=sizes[1], packages=sizes[2], objects=sizes[3])
        asyncio.run(run(args.work, fx, root, args.out, args))
    print(report(args.out, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
