"""Measure the operations of one backend, each session in a fresh process (run by ``iam_scale.py``).

Usage: ``python bench/scale_worker.py '<json spec>'``; prints one JSON object.

This process isolates HOME/XDG in a new scratch directory before anything
can import quilt3 and loads the backend (imports, plugin discovery), touching
no registry. Each session (see ``scale_ops.Session``) then runs in a child
forked from it: the child prepares (a fresh backend whose S3 clients are made
on a separate, unmeasured registry), reads its resident memory (the
baseline), and runs the session's steps once per phase: ``cold`` (nothing of
the package cached) and ``warm`` (the same calls again in the same process).
A process per session keeps caches (in memory, and quilt3's on disk) from
leaking between measurements and gives every cold measurement a clean heap;
the moto server runs in the parent of this process, outside every figure.

Each step reports:

- ``seconds``: wall time of the call;
- ``peak_bytes``: the process's peak resident memory (``VmHWM``, reset with
  ``/proc/self/clear_refs`` at the start of each phase) above the baseline;
- ``retained_bytes``: resident memory after the call, with its result still
  alive, above the baseline (for iam, the manifest cache shows here);
- ``requests``: S3 requests the moto server received during the call, by kind,
  from moto's request recorder (``/moto-api/recorder/*``).

Resident memory rather than tracemalloc: tracemalloc slows quilt3's parse of
a 100,000-entry manifest about sevenfold, and RSS is what the machine must
actually provide. Warm figures are the process's footprint while it does the
warm call (what the cold call left behind, caches included).
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

STATUS = Path("/proc/self/status")
CLEAR_REFS = Path("/proc/self/clear_refs")


def _status_bytes(field: str) -> int:
    for line in STATUS.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} missing from {STATUS}")


def rss() -> int:
    """Resident memory of this process now."""
    return _status_bytes("VmRSS")


def peak_rss() -> int:
    """Peak resident memory since the last ``reset_peak``."""
    return _status_bytes("VmHWM")


def reset_peak() -> None:
    """Restart peak tracking at the current resident size (Linux ``clear_refs`` 5)."""
    CLEAR_REFS.write_text("5")


class Recorder:
    """Counts the S3 requests moto receives, through moto's request recorder."""

    def __init__(self, endpoint: str | None) -> None:
        self.endpoint = endpoint

    def _call(self, action: str) -> str:
        request = urllib.request.Request(f"{self.endpoint}/moto-api/recorder/{action}", method="POST", data=b"")
        with urllib.request.urlopen(request) as response:
            return response.read().decode()

    def start(self) -> None:
        if self.endpoint:
            self._call("reset-recording")
            self._call("start-recording")

    def stop(self) -> dict[str, int] | None:
        if not self.endpoint:
            return None
        self._call("stop-recording")
        return count_requests(self._call("download-recording"))


def request_kind(method: str, url: str) -> str:
    """``LIST``, ``GET``, ``HEAD``, ``PUT``... for one recorded (path-style) S3 request."""
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    if method == "GET" and ("list-type" in query or "versions" in query or "/" not in parts.path.strip("/")):
        return "LIST"
    return method


def count_requests(recording: str) -> dict[str, int]:
    """Requests in a moto recording, by kind."""
    kinds: Counter[str] = Counter()
    for line in recording.splitlines():
        if line.strip():
            entry = json.loads(line)
            kinds[request_kind(entry["method"], entry["url"])] += 1
    return dict(sorted(kinds.items()))


def run_phase(steps: list[Any], recorder: Recorder, baseline: int) -> list[dict[str, Any]]:
    """Run ``steps`` in order; what they hold is released when this returns."""
    gc.collect()
    reset_peak()
    results = []
    for step in steps:
        recorder.start()
        start = time.perf_counter()
        summary, held = step.run()
        seconds = time.perf_counter() - start
        requests = recorder.stop()
        results.append(
            {
                "name": step.name,
                "ops": list(step.ops),
                "seconds": seconds,
                "peak_bytes": peak_rss() - baseline,
                "retained_bytes": rss() - baseline,
                "requests": requests,
                "summary": summary,
            }
        )
        del held
    return results


def run_session(session: Any, recorder: Recorder) -> dict[str, list[dict[str, Any]]]:
    """Prepare ``session``, read the baseline, and run its steps once per phase."""
    session.prepare()
    gc.collect()
    baseline = rss()
    return {phase: run_phase(session.steps(), recorder, baseline) for phase in session.phases}


def in_child(work: Callable[[], Any]) -> Any:
    """``work()`` in a forked child process; its JSON result (or error) comes back through a pipe.

    The child starts from this process's state (libraries imported, backend
    plugin loaded, no registry touched) with a heap of its own, and exits
    with everything it cached.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            output: Any = work()
        except Exception as exc:  # noqa: BLE001 - reported to the parent
            output = {"error": f"{type(exc).__name__}: {exc}"}
        with os.fdopen(write_end, "w") as pipe:
            json.dump(output, pipe)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not data:
        return {"error": f"measurement process died (wait status {status})"}
    return json.loads(data)


def measure(spec: dict[str, Any]) -> dict[str, Any]:
    """Load the backend, then measure each of its sessions in a forked child of its own."""
    from scale_ops import BACKENDS, Target

    backend = BACKENDS[spec["backend"]](spec["prime_registry"])
    target = Target(**spec["target"])
    if spec.get("verify"):
        return {"verify": backend.verify(target)}
    recorder = Recorder(spec["endpoint"] if target.registry.startswith("s3://") else None)
    phases: dict[str, list[dict[str, Any]]] = {}
    for session in backend.sessions(target):
        output = in_child(lambda session=session: run_session(session, recorder))
        if "error" in output:
            return output
        for phase, steps in output.items():
            phases.setdefault(phase, []).extend(steps)
    return {"phases": phases}


def main() -> None:
    spec = json.loads(sys.argv[1])
    from quilt_mcp_conformance.infra import isolate_environment, make_root

    root = make_root()
    try:
        isolate_environment(root)
        os.environ["QUILT_MINIMIZE_STDOUT"] = "true"
        if spec.get("endpoint"):
            os.environ["AWS_ENDPOINT_URL"] = spec["endpoint"]
        try:
            output = measure(spec)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which prints it
            output = {"error": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main()
