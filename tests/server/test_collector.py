"""The servers settle the garbage collector once start-up is done: start-up's objects frozen, the young threshold raised.

Each case runs in a fresh interpreter, so no test process's collector is changed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from quilt_mcp.server.collector import YOUNG_THRESHOLD

REPORT = """
import gc, json
def report(where):
    print(json.dumps({"where": where, "frozen": gc.get_freeze_count(), "threshold": gc.get_threshold()}), flush=True)
"""


def run(script: str, tmp_path: Path, **env: str) -> list[dict]:
    """The JSON lines ``script`` prints, run after ``REPORT`` in a fresh interpreter."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("QUILT_MCP_")}
    environment.update(HOME=str(tmp_path), QUILT_MCP_BACKEND="iam", QUILT_MCP_REGISTRIES=tmp_path.as_uri(), **env)
    done = subprocess.run(
        [sys.executable, "-c", REPORT + script], capture_output=True, text=True, env=environment, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_settle_freezes_what_is_alive_and_raises_the_young_threshold_yet_later_cycles_are_collected(
    tmp_path: Path,
) -> None:
    script = """
import weakref
from quilt_mcp.server.collector import settle
class Node: pass
report("before")
settle()
report("after")
cycle = Node(); cycle.me = cycle
alive = weakref.ref(cycle)
del cycle
gc.collect()
print(json.dumps({"cycle collected": alive() is None}))
"""
    before, after, later = run(script, tmp_path)
    assert before["frozen"] == 0
    assert after["frozen"] > 10_000
    assert after["threshold"] == [YOUNG_THRESHOLD, *before["threshold"][1:]]
    assert later == {"cycle collected": True}


def test_a_young_threshold_already_higher_is_kept(tmp_path: Path) -> None:
    script = """
from quilt_mcp.server.collector import settle
gc.set_threshold(50_000, 10, 10)
settle()
report("after")
"""
    (after,) = run(script, tmp_path)
    assert after["threshold"] == [50_000, 10, 10]


def test_stdio_serving_begins_settled(tmp_path: Path) -> None:
    script = """
import anyio
from quilt_mcp.server.app import serve
from quilt_mcp.settings import Settings
anyio.run = lambda *args, **kwargs: report("serving")
serve(Settings.from_env())
"""
    (serving,) = run(script, tmp_path)
    assert serving["frozen"] > 10_000
    assert serving["threshold"][0] == YOUNG_THRESHOLD


def test_each_http_worker_begins_settled(tmp_path: Path) -> None:
    script = """
from quilt_mcp.http.app import app_from_env
app_from_env()
report("serving")
"""
    (serving,) = run(
        script, tmp_path, QUILT_MCP_AUTH="jwt", QUILT_MCP_JWT_ISSUER="https://issuer.test", QUILT_MCP_JWT_SECRET="s" * 40
    )
    assert serving["frozen"] > 10_000
    assert serving["threshold"][0] == YOUNG_THRESHOLD
