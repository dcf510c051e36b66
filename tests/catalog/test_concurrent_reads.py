"""Many requests reading a revision at once all get its contents (quilt3's manifest cache raced under threads)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from quilt_mcp_conformance.catalog import ReferenceCatalog
from quilt_mcp_conformance.harness import Infrastructure
from tests.catalog.support import gql

READERS = 8
PACKAGES = 3
CONTENTS = """
query($bucket: String!, $name: String!) {
  package(bucket: $bucket, name: $name) { revision(hashOrTag: "latest") { hash contentsFlatMap(max: 10) } }
}"""


@pytest.fixture(scope="module")
def reading(infra: Infrastructure) -> Iterator[tuple[ReferenceCatalog, str]]:
    """A catalog of its own (no other test reads its manifests first), user ``reader`` on one bucket."""
    bucket = infra.new_bucket()
    with ReferenceCatalog.start(infra.s3_endpoint, infra.env, roles={"r": [bucket]}, users={"reader": "r"}) as catalog:
        yield catalog, bucket


def _push(infra: Infrastructure, bucket: str, name: str) -> str:
    import quilt3

    infra.s3_client().put_object(Bucket=bucket, Key=f"files/{name}/a.txt", Body=name.encode())
    pkg = quilt3.Package()
    pkg.set("a.txt", f"s3://{bucket}/files/{name}/a.txt")
    return pkg.push(name, registry=f"s3://{bucket}", selector_fn=lambda *_: False, force=True).top_hash


def test_simultaneous_first_reads_of_a_revision_all_answer_its_contents(infra: Infrastructure, reading) -> None:
    catalog, bucket = reading
    token = catalog.token_for("reader")
    for n in range(PACKAGES):
        name = f"race/pkg{n}"
        top_hash = _push(infra, bucket, name)
        start = threading.Barrier(READERS)
        answers: list[tuple[int, object]] = []

        def read() -> None:
            start.wait()
            answers.append(gql(catalog, token, CONTENTS, bucket=bucket, name=name))

        readers = [threading.Thread(target=read) for _ in range(READERS)]
        for reader in readers:
            reader.start()
        for reader in readers:
            reader.join(60)
        wrong = [body for status, body in answers if status != 200 or not _is_revision(body, top_hash)]
        assert len(answers) == READERS and wrong == [], wrong[:2]


def _is_revision(body: dict, top_hash: str) -> bool:
    """Whether ``body`` answers revision ``top_hash`` holding just ``a.txt``, without errors."""
    revision = ((body.get("data") or {}).get("package") or {}).get("revision") or {}
    return "errors" not in body and revision.get("hash") == top_hash and list(revision.get("contentsFlatMap") or {}) == ["a.txt"]
