"""Revision listings that agree with ``latest`` after a write or deletion stopped midway.

Writers move ``latest`` first and write the timestamp pointer after it; a
revision deletion moves ``latest`` and then removes the old pointers. A crash
between the two steps leaves ``latest`` naming a revision no pointer lists, or
pointers newer than ``latest``'s own. Listings show the registry as the
finished step would have left it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime


def agree_with_latest(
    newest: list[tuple[datetime, str]], latest: str | None, pushed_at: Callable[[str], datetime | None]
) -> list[tuple[datetime, str]]:
    """``newest`` (the first ``(time, top hash)`` revisions listed, newest first) made to agree with
    ``latest``: revisions listed above ``latest``'s own are left out; a ``latest`` no pointer lists is
    listed first, at ``pushed_at(latest)`` (its manifest's time; ``None``: leave the listing as it is)."""
    if latest is None or (newest and newest[0][1] == latest):
        return newest
    for index, (_, top_hash) in enumerate(newest):
        if top_hash == latest:
            return newest[index:]
    when = pushed_at(latest)
    return newest if when is None else [(when, latest), *newest]
