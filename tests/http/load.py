"""Many MCP clients at once over real HTTP, each with its own token, every answer checked for its own caller.

``drive(url, clients, calls_each, plan)`` runs every client concurrently
(one SDK session each, alternating protocol eras) for ``calls_each`` calls;
``plan(client, i)`` names the i-th call and the check its answer must pass
for that client. Any transport error (a 5xx, a refused token) propagates,
so a run that returns made every call and saw no 5xx.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.http.support import mcp_client

PROTOCOLS = ("legacy", "2026-07-28")


@dataclass(frozen=True)
class LoadClient:
    """One client: the user it acts for and the token it sends (``repr`` hides the token)."""

    user: str
    token: str = field(repr=False)


Check = Callable[[bool, dict[str, Any] | None, str], str | None]
"""``check(is_error, structured, text)``: None when the answer is right for the caller, else why not."""

Plan = Callable[[LoadClient, int], tuple[str, dict[str, Any], Check]]


@dataclass
class Tally:
    """What a run saw: calls made per tool, and every wrong answer (client user, tool, why)."""

    calls: dict[str, int] = field(default_factory=dict)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.calls.values())


async def drive(url: str, clients: list[LoadClient], calls_each: int, plan: Plan, ramp: float = 0.0) -> Tally:
    """Run ``clients`` at once against ``url``, ``calls_each`` calls apiece; the tally of every answer.

    Client n connects ``n * ramp`` seconds after the first (arrivals spread as a team's are, so the
    catalog confirms new tokens a few at a time rather than all in one instant).
    """
    tally = Tally()

    async def run(index: int, client: LoadClient) -> None:
        await asyncio.sleep(index * ramp)
        async with mcp_client(url, client.token, PROTOCOLS[index % 2]) as session:
            for i in range(calls_each):
                tool, arguments, check = plan(client, i)
                result = await session.call_tool(tool, arguments)
                text = "".join(getattr(c, "text", "") for c in result.content)
                structured = result.structured_content
                tally.calls[tool] = tally.calls.get(tool, 0) + 1
                problem = check(bool(result.is_error), structured, text + json.dumps(structured or {}))
                if problem is not None:
                    tally.wrong.append((client.user, tool, problem))

    await asyncio.gather(*(run(index, client) for index, client in enumerate(clients)))
    return tally
