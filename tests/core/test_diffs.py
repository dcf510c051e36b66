"""The kit's diff builder: every change counted, each kind's list cut at the limit, only kept entries converted."""

from __future__ import annotations

from dataclasses import dataclass

from quilt_mcp.kit.diffs import DiffSide, package_diff
from quilt_mcp.models import Entry, EntryHash

BEFORE = DiffSide("a" * 64, "first", {"stage": "raw"})
AFTER = DiffSide("b" * 64, "second", {"stage": "reviewed"})


def _entry(key: str, size: int = 1) -> Entry:
    return Entry(logical_key=key, physical_key=f"s3://b/{key}", size=size, hash=EntryHash(type="SHA256", value="0" * 64))


@dataclass(frozen=True)
class Line:
    """A backend's own entry type, converted only when kept."""

    logical_key: str
    converted: list[str]

    def model(self) -> Entry:
        self.converted.append(self.logical_key)
        return _entry(self.logical_key)


def test_lists_are_cut_at_the_limit_while_the_counts_stay_complete() -> None:
    changes = [("added", None, _entry(f"new{i}")) for i in range(3)]
    changes += [("removed", _entry("gone"), None), ("changed", _entry("c", 1), _entry("c", 2))]
    diff = package_diff("team/data", BEFORE, AFTER, changes, limit=2)
    assert (diff.added, diff.removed, [c.logical_key for c in diff.changed]) == (["new0", "new1"], ["gone"], ["c"])
    assert (diff.added_count, diff.removed_count, diff.changed_count, diff.truncated) == (3, 1, 1, True)
    assert (diff.before, diff.after, diff.message_before, diff.message_after) == ("a" * 64, "b" * 64, "first", "second")
    assert diff.metadata_changed and diff.changed[0].after.size == 2


def test_only_the_changed_entries_kept_are_converted() -> None:
    converted: list[str] = []
    changes = [("changed", Line(k, converted), Line(k, converted)) for k in ("x", "y", "z")]
    diff = package_diff("team/data", BEFORE, AFTER, changes, limit=1, as_entry=Line.model)
    assert converted == ["x", "x"] and diff.changed_count == 3 and diff.truncated


def test_no_changes_is_an_empty_untruncated_diff() -> None:
    diff = package_diff("team/data", BEFORE, BEFORE, [], limit=10)
    assert (diff.added, diff.removed, diff.changed, diff.truncated, diff.metadata_changed) == ([], [], [], False, False)
