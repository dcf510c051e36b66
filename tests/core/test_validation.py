"""Names, logical keys, refs, limits and URIs are validated the same way for every backend."""

from __future__ import annotations

import pytest

from quilt_mcp.arguments import sources
from quilt_mcp.errors import InvalidInputError
from quilt_mcp.models import EntrySource
from quilt_mcp.names import validate_limit, validate_logical_key, validate_package_name, validate_ref
from quilt_mcp.uris import as_directory, parse_registry, parse_s3_uri


@pytest.mark.parametrize("name", ["team/data", "a_b/c-d", "Team1/Ünïcode"])
def test_valid_package_names_pass(name):
    assert validate_package_name(name) == name


@pytest.mark.parametrize("name", ["team", "team/", "/data", "a/b/c", "a b/c", "a/b.c", "", "../x", "a/b\n", "a/b\r\n"])
def test_invalid_package_names_say_the_expected_form(name):
    with pytest.raises(InvalidInputError, match="namespace/name"):
        validate_package_name(name)


@pytest.mark.parametrize("key", ["a.csv", "dir/sub/ファイル.txt", "a/.hidden", "x..y", "back\\slash.txt"])
def test_valid_logical_keys_pass(key):
    assert validate_logical_key(key) == key


@pytest.mark.parametrize("key", ["", "/abs", "a//b", "a/./b", "a/../b", "..", "a/", "a\x00b", "k\ud800"])
def test_invalid_logical_keys_are_rejected(key):
    with pytest.raises(InvalidInputError, match="no empty, '.' or '..' segment"):
        validate_logical_key(key)


def test_one_logical_key_length_bound_in_utf8_bytes():
    assert validate_logical_key("é" * 512) == "é" * 512
    with pytest.raises(InvalidInputError, match="longer than 1024 bytes"):
        validate_logical_key("é" * 513)


@pytest.mark.parametrize("registry", ["/tmp/a\x00b", "/tmp/k\ud800", "/tmp/" + "a" * 300 + "/x"])
def test_unusable_registry_paths_are_input_errors(registry):
    with pytest.raises(InvalidInputError, match="[Rr]egistry"):
        parse_registry(registry)


def test_a_file_given_as_registry_is_refused(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(InvalidInputError, match="is a file, not a directory"):
        parse_registry(str(tmp_path / "f"))


def test_directory_keys_may_be_root_or_end_in_slash():
    assert validate_logical_key("", directory=True) == ""
    assert validate_logical_key("dir/sub/", directory=True) == "dir/sub/"
    with pytest.raises(InvalidInputError):
        validate_logical_key("dir/../", directory=True)


@pytest.mark.parametrize("ref,expected", [("latest", "latest"), ("ABCDEF", "abcdef"), ("0" * 64, "0" * 64)])
def test_refs_are_normalised(ref, expected):
    assert validate_ref(ref) == expected


@pytest.mark.parametrize("ref", ["abc12", "xyz123", "0" * 65, "", "head"])
def test_bad_refs_explain_the_accepted_forms(ref):
    with pytest.raises(InvalidInputError, match="at least 6 hex"):
        validate_ref(ref)


def test_limits_outside_bounds_are_rejected():
    assert validate_limit(5, 10) == 5
    for bad in (0, 11, -1):
        with pytest.raises(InvalidInputError, match="between 1 and 10"):
            validate_limit(bad, 10)


def test_registries_parse_s3_file_uris_and_plain_paths(tmp_path):
    assert parse_registry("s3://my-bucket/").uri == "s3://my-bucket"
    assert parse_registry(tmp_path.as_uri()).path == tmp_path.resolve()
    assert parse_registry(str(tmp_path)).is_local
    for bad in ("s3://Bad_Bucket", "s3://bucket/key", "gs://bucket", "  "):
        with pytest.raises(InvalidInputError):
            parse_registry(bad)


def test_s3_uris_decode_keys_and_versions_like_quilt3():
    uri = parse_s3_uri("s3://bucket/dir/a%20b.csv?versionId=v%2B1")

    assert (uri.bucket, uri.key, uri.version_id) == ("bucket", "dir/a b.csv", "v+1")
    assert uri.uri == "s3://bucket/dir/a%20b.csv?versionId=v%2B1"
    with pytest.raises(InvalidInputError):
        parse_s3_uri("s3://bucket", allow_empty_key=False)


@pytest.mark.parametrize("key,expected", [("", ""), ("dir", "dir/"), ("dir/", "dir/"), ("a/b", "a/b/")])
def test_object_prefixes_are_read_as_directories(key, expected):
    assert as_directory(key) == expected


@pytest.mark.parametrize("uri", ["s3://bucket/k?x=1", "s3://bucket/k?versionId=a&x=1"])
def test_an_s3_query_other_than_a_version_is_refused_as_quilt3_does(uri):
    with pytest.raises(InvalidInputError, match="only \\?versionId= may follow"):
        parse_s3_uri(uri)


@pytest.mark.parametrize("uri", ["s3://bucket/a#b", "s3://bucket/a#"])
def test_a_raw_hash_sign_in_an_s3_uri_gets_the_hint_to_write_percent_23(uri):
    with pytest.raises(InvalidInputError, match="%23"):
        parse_s3_uri(uri)
    assert parse_s3_uri(uri.replace("#", "%23")).key.endswith("#" if uri.endswith("#") else "#b")


def test_an_s3_source_for_a_directory_key_is_read_as_a_prefix():
    checked = sources([EntrySource(logical_key="raw/", source="s3://bucket/raw")], parse_registry("s3://bucket"))
    assert checked[0].source == "s3://bucket/raw/"
