"""Domain models: reads cut at byte limits, and the shapes clients receive."""

from __future__ import annotations

import pytest

from quilt_mcp.errors import InvalidInputError, NotSupportedError, QuiltMCPError
from quilt_mcp.models import Entry, EntryHash, Page, PackageSummary, ReadResult
from quilt_mcp.settings import Settings


def test_text_read_cut_inside_a_character_drops_the_partial_character():
    data = "añb".encode()  # 'ñ' is two bytes
    result = ReadResult.from_bytes("k", data[:2], offset=0, total_size=len(data))

    assert result.content == "a"
    assert result.length == 1
    assert result.truncated is True
    assert result.encoding == "utf-8"


@pytest.mark.parametrize("mode", ["text", "auto"])
def test_text_read_from_inside_a_character_starts_at_the_next_one(mode):
    data = "a€b".encode()  # € is 3 bytes: offsets 2 and 3 are inside it
    for offset in (2, 3):
        result = ReadResult.from_bytes("k", data[offset:], offset=offset, total_size=len(data), mode=mode)
        assert (result.encoding, result.content, result.offset, result.length) == ("utf-8", "b", 4, 1)


def test_binary_read_in_auto_mode_is_base64():
    result = ReadResult.from_bytes("k", b"\xff\xfe\x00", offset=0, total_size=3)

    assert result.encoding == "base64"
    assert result.data() == b"\xff\xfe\x00"
    assert result.truncated is False


def test_binary_read_in_text_mode_says_to_use_bytes():
    with pytest.raises(InvalidInputError, match="mode='bytes'"):
        ReadResult.from_bytes("k", b"\xff\xfe", offset=0, total_size=2, mode="text")


def test_complete_read_with_invalid_tail_is_not_text():
    result = ReadResult.from_bytes("k", b"ab\xc3", offset=0, total_size=3)

    assert result.encoding == "base64"


def test_empty_read_is_empty_text():
    result = ReadResult.from_bytes("k", b"", offset=0, total_size=0)

    assert (result.content, result.truncated, result.encoding) == ("", False, "utf-8")


def test_entry_exposes_user_meta_from_the_manifest_meta():
    entry = Entry(
        logical_key="a", physical_key="s3://b/a", size=1, hash=EntryHash(type="SHA256", value="00"),
        meta={"user_meta": {"x": 1}, "other": True},
    )

    assert entry.user_meta == {"x": 1}


def test_pages_are_generic_and_serialise_with_their_cursor():
    page = Page[PackageSummary](items=[PackageSummary(name="a/b", registry="s3://r")], next_cursor="c1")

    assert page.model_dump() == {"items": [{"name": "a/b", "registry": "s3://r"}], "next_cursor": "c1"}


def test_errors_join_message_and_hint():
    err = NotSupportedError("No search here.", "Use the iam backend.", capability="search")

    assert str(err) == "No search here. Use the iam backend."
    assert isinstance(err, QuiltMCPError) and err.capability == "search" and err.code == "not_supported"


def test_settings_read_every_variable():
    settings = Settings.from_env(
        {
            "QUILT_MCP_BACKEND": "iam",
            "QUILT_MCP_DISABLE_PLUGINS": "a, b,",
            "QUILT_MCP_STRICT_PLUGINS": "1",
            "QUILT_MCP_REGISTRIES": "s3://one, /tmp/two",
            "QUILT_MCP_READ_ONLY": "true",
            "QUILT_MCP_LOG_LEVEL": "debug",
        }
    )

    assert settings.backend == "iam"
    assert settings.disabled_plugins == {"a", "b"}
    assert settings.strict_plugins and settings.read_only
    assert settings.registries == ("s3://one", "/tmp/two") and settings.default_registry == "s3://one"
    assert settings.log_level == "DEBUG"
