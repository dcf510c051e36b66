"""Every package tool through the in-memory client: iam on a local directory and on moto S3,
in the legacy and the current protocol era."""

from __future__ import annotations

import urllib.request

from fastmcp import Client

from quilt_mcp.server import build_server

from .conftest import connect, iam_settings


def text_entries(**files: str) -> list[dict[str, str]]:
    return [{"logical_key": key.replace("__", "/"), "text": text} for key, text in files.items()]


async def push(call, name: str, message: str = "first", user_meta: dict | None = None, **files: str) -> dict:
    return await call("package_create", name=name, entries=text_entries(**files), message=message, user_meta=user_meta)


def texts(result) -> list[str]:
    return [block.text for block in result.content]


async def test_create_pushes_a_revision_that_info_describes(call, registry_uri):
    pushed = await push(call, "team/data", "first cut", {"owner": "ana"}, readme="hello", data__x="1,2\n")

    info = await call("package_info", name="team/data")

    assert pushed["previous_hash"] is None and pushed["entry_count"] == 2
    assert info["top_hash"] == pushed["top_hash"]
    assert info["registry"] == pushed["registry"]
    assert (info["message"], info["user_meta"], info["entry_count"]) == ("first cut", {"owner": "ana"}, 2)
    assert info["total_bytes"] == len("hello") + len("1,2\n")


async def test_package_list_pages_with_a_cursor_and_says_when_more_remain(client: Client, call):
    for name in ("team/a", "team/b", "zoo/c"):
        await push(call, name, x="1")

    first = await client.call_tool("package_list", {"limit": 2})
    second = await client.call_tool("package_list", {"limit": 2, "cursor": first.structured_content["next_cursor"]})
    filtered = await call("package_list", prefix="zoo/")

    assert [p["name"] for p in first.structured_content["items"]] == ["team/a", "team/b"]
    assert "MORE RESULTS" in texts(first)[-1] and "cursor=" in texts(first)[-1]
    assert [p["name"] for p in second.structured_content["items"]] == ["zoo/c"]
    assert second.structured_content["next_cursor"] is None and len(second.content) == 1
    assert [p["name"] for p in filtered["items"]] == ["zoo/c"]


async def test_revisions_are_newest_first_and_a_hash_prefix_resolves(call):
    first = await push(call, "team/data", x="1")
    second = await call("package_update", name="team/data", add=text_entries(y="2"), base_ref=first["top_hash"])

    revisions = await call("package_revisions", name="team/data")
    resolved = await call("package_resolve", name="team/data", ref=first["top_hash"][:8])
    latest = await call("package_resolve", name="team/data")

    assert [r["top_hash"] for r in revisions["items"]] == [second["top_hash"], first["top_hash"]]
    assert resolved["top_hash"] == first["top_hash"] and resolved["ref"] == first["top_hash"][:8]
    assert latest["top_hash"] == second["top_hash"]


async def test_browse_lists_one_level_or_everything_below_one_page_at_a_time(client: Client, call):
    await push(call, "team/data", a="1", data__x="22", data__y="333", data__sub__z="4444")

    root = await call("package_browse", name="team/data")
    data = await call("package_browse", name="team/data", path="data/")
    page1 = await client.call_tool("package_browse", {"name": "team/data", "recursive": True, "limit": 3})
    page2 = await call(
        "package_browse", name="team/data", recursive=True, limit=3, cursor=page1.structured_content["next_cursor"]
    )

    assert [(i["path"], i["kind"]) for i in root["items"]] == [("a", "file"), ("data/", "directory")]
    assert [i["path"] for i in data["items"]] == ["data/sub/", "data/x", "data/y"]
    assert [i["path"] for i in page1.structured_content["items"]] == ["a", "data/sub/z", "data/x"]
    assert "MORE RESULTS" in texts(page1)[-1]
    assert [i["path"] for i in page2["items"]] == ["data/y"] and page2["next_cursor"] is None


async def test_entry_info_and_a_url_that_fetches_the_bytes(call):
    await push(call, "team/data", data__x="1,2,3\n")

    entry = await call("entry_info", name="team/data", logical_key="data/x")
    url = await call("entry_url", name="team/data", logical_key="data/x", expires_in=600)

    assert (entry["logical_key"], entry["size"]) == ("data/x", 6)
    with urllib.request.urlopen(url["url"]) as response:
        assert response.read() == b"1,2,3\n"


async def test_entry_read_cuts_at_max_bytes_and_marks_the_cut(client: Client, call):
    await push(call, "team/data", big="0123456789" * 10)

    cut = await client.call_tool("entry_read", {"name": "team/data", "logical_key": "big", "max_bytes": 25})
    rest = await call("entry_read", name="team/data", logical_key="big", offset=25, max_bytes=1000)

    data = cut.structured_content
    assert data["content"] == "0123456789" * 2 + "01234"
    assert (data["length"], data["total_size"], data["truncated"]) == (25, 100, True)
    assert "TRUNCATED" in texts(cut)[-1] and "offset=25" in texts(cut)[-1]
    assert rest["content"] == ("0123456789" * 10)[25:] and rest["truncated"] is False


async def test_diff_lists_added_removed_changed_and_marks_cut_lists(client: Client, call):
    first = await push(call, "team/data", a="1", b="2", c="3")
    second = await call(
        "package_update",
        name="team/data",
        add=text_entries(b="changed", d="4", e="5"),
        remove=["a"],
        user_meta={"stage": "two"},
        base_ref=first["top_hash"],
    )

    diff = await call("package_diff", name="team/data", before=first["top_hash"])
    cut = await client.call_tool("package_diff", {"name": "team/data", "before": first["top_hash"], "limit": 1})

    assert diff["after"] == second["top_hash"]
    assert (diff["added"], diff["removed"], [c["logical_key"] for c in diff["changed"]]) == (["d", "e"], ["a"], ["b"])
    assert diff["user_meta_after"] == {"stage": "two"}
    assert cut.structured_content["truncated"] and cut.structured_content["added_count"] == 2
    assert "TRUNCATED" in texts(cut)[-1]


async def test_search_finds_packages_by_name_and_metadata(call):
    await push(call, "lab/plankton", user_meta={"lake": "Mendota"}, x="1")
    await push(call, "lab/sediment", x="1")

    by_meta = await call("package_search", query="mendota")
    by_name = await call("package_search", query="sediment")

    assert [h["name"] for h in by_meta["items"]] == ["lab/plankton"]
    assert [h["name"] for h in by_name["items"]] == ["lab/sediment"]


async def test_update_merges_metadata_and_refuses_a_stale_base(client: Client, call):
    first = await push(call, "team/data", user_meta={"a": 1}, x="1")
    second = await call("package_update", name="team/data", user_meta={"b": 2}, message="more meta")

    result = await client.call_tool(
        "package_update", {"name": "team/data", "add": text_entries(y="2"), "base_ref": first["top_hash"]},
        raise_on_error=False,
    )

    assert (await call("package_info", name="team/data"))["user_meta"] == {"a": 1, "b": 2}
    assert second["previous_hash"] == first["top_hash"]
    assert result.is_error
    assert first["top_hash"][:10] in result.content[0].text and second["top_hash"][:10] in result.content[0].text


async def test_deleting_a_revision_then_the_package(call):
    first = await push(call, "team/data", x="1")
    second = await call("package_update", name="team/data", add=text_entries(y="2"))

    dropped = await call("revision_delete", name="team/data", ref=second["top_hash"])
    gone = await call("package_delete", name="team/data")

    assert dropped["latest"] == first["top_hash"]
    assert [r["top_hash"] for r in dropped["deleted_revisions"]] == [second["top_hash"]]
    assert gone["latest"] is None
    assert (await call("package_list"))["items"] == []


async def test_links_pin_the_revision_and_follow_latest(call, registry_uri, protocol):
    pushed = await push(call, "team/data", data__x="1")

    links = await call("package_links", name="team/data", path="data/x")

    assert links["top_hash"] == pushed["top_hash"]
    if registry_uri.startswith("s3://"):
        bucket = registry_uri[5:]
        assert links["quilt_uri"] == f"quilt+s3://{bucket}#package=team/data@{pushed['top_hash']}&path=data/x"
        assert links["latest_quilt_uri"] == f"quilt+s3://{bucket}#package=team/data&path=data/x"
        assert links["catalog_url"] is None and "QUILT_MCP_CATALOG_URL" in links["notes"][0]
        settings = iam_settings(registry_uri, catalog_url="https://catalog.example.com")
        async with connect(build_server(settings), protocol) as other:
            result = await other.call_tool("package_links", {"name": "team/data"})
        assert result.structured_content["catalog_url"] == (
            f"https://catalog.example.com/b/{bucket}/packages/team/data/tree/{pushed['top_hash']}/"
        )
        assert result.structured_content["quilt_uri"].endswith("&catalog=catalog.example.com")
    else:
        assert links["quilt_uri"] is None and "local directory" in links["notes"][0]


async def test_create_accepts_zero_entries_as_updates_can_produce_them(call):
    pushed = await call("package_create", name="team/empty", entries=[], message="nothing yet")

    info = await call("package_info", name="team/empty")

    assert (pushed["entry_count"], info["entry_count"], info["top_hash"]) == (0, 0, pushed["top_hash"])


async def test_every_result_names_the_registry_in_one_form(call, registry_uri):
    pushed = await push(call, "team/form", readme="x")
    results = [
        await call("package_info", name="team/form", registry=registry_uri),
        await call("package_resolve", name="team/form", registry=registry_uri),
        await call("package_links", name="team/form", registry=registry_uri),
        await call("package_update", name="team/form", message="again", registry=registry_uri),
    ]
    assert {result["registry"] for result in results} == {pushed["registry"]}
    assert pushed["registry"].startswith(("s3://", "file:///"))
