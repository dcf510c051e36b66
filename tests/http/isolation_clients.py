"""The isolation test's clients, run in a process of their own: ``run_clients(url, clients, team)``.

The moto S3 server the catalog and the server read runs as a thread of the
pytest process; 20 busy clients in that process would starve it of the GIL
(it stopped accepting connections), so the clients run here instead, the
tokens passed on stdin, the tally returned on stdout as JSON.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.http.load import Check, LoadClient, Tally, drive
from tests.http.team import PACKAGE, USERS, Team

CALLS_EACH = 100  # 2,000 calls from 20 clients
RAMP = 0.25
ROOT = Path(__file__).resolve().parents[2]


def others(user: str) -> list[str]:
    return [other for other in USERS if other != user]


def own_data_only(team: Team, user: str, expect: Check) -> Check:
    """``expect``, and no trace of another user's name or bucket in the answer."""

    def check(is_error: bool, structured: dict[str, Any] | None, text: str) -> str | None:
        for other in others(user):
            if Team.owner_text(other) in text or f"{other}/notes.md" in text or team.buckets[other] in text:
                return f"answer shows {other}'s data"
        return expect(is_error, structured, text)

    return check


def plan_for(team: Team):
    def plan(client: LoadClient, i: int) -> tuple[str, dict[str, Any], Check]:
        user = client.user
        registry = f"s3://{team.buckets[user]}"
        if i % 10 == 9:  # another user's bucket: must be refused, never answered
            victim = others(user)[i % 3]

            def refused(is_error: bool, structured: Any, text: str) -> str | None:
                return None if is_error else f"read {victim}'s package"

            args = {"name": PACKAGE, "logical_key": "owner.txt", "registry": f"s3://{team.buckets[victim]}"}
            return "entry_read", args, refused
        if i % 2:

            def own_text(is_error: bool, structured: Any, text: str) -> str | None:
                if is_error or structured["content"] != Team.owner_text(user):
                    return f"entry_read gave {text[:200]!r}"
                return None

            args = {"name": PACKAGE, "logical_key": "owner.txt", "registry": registry}
            return "entry_read", args, own_data_only(team, user, own_text)

        def own_listing(is_error: bool, structured: Any, text: str) -> str | None:
            if is_error:
                return f"package_browse failed: {text[:200]!r}"
            paths = sorted(item["path"] for item in structured["items"])
            if paths != sorted(["owner.txt", f"{user}/notes.md"]) or structured["top_hash"] != team.top_hashes[user]:
                return f"package_browse listed {paths} at {structured['top_hash']}"
            return None

        args = {"name": PACKAGE, "registry": registry, "recursive": True}
        return "package_browse", args, own_data_only(team, user, own_listing)

    return plan


def run_clients(url: str, clients: list[LoadClient], team: Team) -> Tally:
    """Drive ``clients`` against ``url`` from a child process; its tally (``RuntimeError`` if it failed)."""
    spec = {
        "url": url,
        "clients": [[c.user, c.token] for c in clients],
        "buckets": team.buckets,
        "top_hashes": team.top_hashes,
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.http.isolation_clients"],
        input=json.dumps(spec), capture_output=True, text=True, cwd=ROOT, timeout=900,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"the clients failed:\n{done.stderr[-3000:]}")
    return Tally(**json.loads(done.stdout))


def main() -> None:
    spec: dict[str, Any] = json.load(sys.stdin)
    team = Team(None, spec["buckets"], spec["top_hashes"])  # type: ignore[arg-type]  # no catalog handle needed
    clients = [LoadClient(user, token) for user, token in spec["clients"]]
    tally = asyncio.run(drive(spec["url"], clients, CALLS_EACH, plan_for(team), ramp=RAMP))
    json.dump({"calls": tally.calls, "wrong": tally.wrong}, sys.stdout)


if __name__ == "__main__":
    main()
