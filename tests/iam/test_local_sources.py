"""Local entry sources: never empty, never special files, never a symlink out of the source directory or
the registry, and the file:// and plain-path forms of one file agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from quilt_mcp.errors import InvalidInputError, PermissionDeniedError
from quilt_mcp.models import EntrySource
from quilt_mcp_conformance.harness import Infrastructure
from quilt_mcp_iam.ops import IamOps

NAME = "local/pkg"


@pytest.fixture
def ops() -> IamOps:
    return IamOps(lambda: None)


def source(value: str, key: str = "data/") -> list[EntrySource]:
    return [EntrySource(logical_key=key, source=value)]


def test_an_empty_source_is_refused(ops: IamOps, local_registry: str) -> None:
    for empty in ("", "   "):
        with pytest.raises(InvalidInputError, match="empty 'source'"):
            ops.create_revision(local_registry, NAME, source(empty, "a.txt"))


@pytest.mark.parametrize("special", ["/proc/self/environ", "/dev/null", "/proc", "fifo"])
def test_special_files_are_refused_with_a_clear_message(
    ops: IamOps, local_registry: str, infra: Infrastructure, special: str
) -> None:
    if special == "fifo":
        fifo = infra.new_dir("fifo") / "pipe"
        os.mkfifo(fifo)
        special = str(fifo)
    with pytest.raises(InvalidInputError, match="special file"):
        ops.create_revision(local_registry, NAME, source(special, "a.txt"))


def test_a_symlink_out_of_a_source_directory_is_refused(ops: IamOps, local_registry: str, infra: Infrastructure) -> None:
    directory = infra.new_dir("src")
    (directory / "ok.txt").write_text("ok")
    (directory / "escape.txt").symlink_to("/etc/hostname")
    with pytest.raises(PermissionDeniedError, match="symlink leading outside"):
        ops.create_revision(local_registry, NAME, source(str(directory) + "/"))


def test_a_symlink_out_of_a_registry_is_not_followed(ops: IamOps, local_registry: str, infra: Infrastructure) -> None:
    pushed = ops.create_revision(local_registry, NAME, [EntrySource(logical_key="a.txt", text="inside")])
    root = Path(local_registry.removeprefix("file://"))
    secret = infra.new_dir("outside") / "secret.txt"
    secret.write_text("outside")
    data = next(p for p in root.rglob("a.txt") if ".quilt" not in p.parts)
    data.unlink()
    data.symlink_to(secret)
    with pytest.raises(PermissionDeniedError, match="outside"):
        IamOps(lambda: None).read_entry(local_registry, NAME, "a.txt", pushed.top_hash)


def test_file_uri_and_plain_path_forms_of_one_file_agree(ops: IamOps, local_registry: str, infra: Infrastructure) -> None:
    directory = infra.new_dir("forms")
    (directory / "real.txt").write_text("same")
    (directory / "link.txt").symlink_to(directory / "real.txt")
    hashes = {
        ops.create_revision(local_registry, f"forms/{i}", source(form, "f.txt")).top_hash
        for i, form in enumerate([str(directory / "link.txt"), (directory / "link.txt").as_uri()])
    }
    assert len(hashes) == 1
