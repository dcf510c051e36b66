"""Isolation under load: four catalog users with disjoint buckets, 20 clients, 2,000+ calls, two workers.

``quilt-mcp serve --workers 2 --auth catalog`` on the reference catalog,
logging at DEBUG. Every client acts for one user with its own token (registry
tokens and ``qk_`` keys mixed) and reads its own package, and now and then
tries another user's bucket. Every answer must be its caller's own: its own
files, its own text, and a refusal for the other bucket - never another
user's data. No call may meet a 5xx (the SDK client raises on one), and no
token may appear in any log line the server wrote.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.http.isolation_clients import run_clients
from tests.http.load import LoadClient
from tests.http.support import serve_command
from tests.http.team import USERS, Team
from tests.http.test_serve_command import wait_ready

CLIENTS = 20


def test_twenty_clients_of_four_users_on_two_workers_see_only_their_own_data(team: Team, tmp_path: Path):
    clients = [
        LoadClient(user, team.catalog.token_for(user) if n % 2 else team.catalog.api_key_for(user))
        for n in range(CLIENTS)
        for user in [USERS[n % len(USERS)]]
    ]
    log = tmp_path / "server.log"
    args = ["--workers", "2", "--auth", "catalog", "--registry-url", team.catalog.url, "--log-level", "DEBUG"]
    with serve_command(args, log) as (url, _process):
        wait_ready(url)
        started = time.monotonic()
        tally = run_clients(url, clients, team)
        elapsed = time.monotonic() - started

    text = log.read_text()
    assert tally.total >= 2000 and tally.wrong == [], tally.wrong[:5]
    assert "DEBUG" in text, "the server logged nothing at DEBUG: the grep below would prove nothing"
    for client in clients:
        assert client.token not in text and client.token[-24:] not in text, "a token appears in the server's log"
    print(f"{tally.total} calls in {elapsed:.1f}s: {tally.calls}")
