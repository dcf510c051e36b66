"""Reference facts from quilt3 that the suite and the tests check against, carried inside this package.

``top_hash_test_manifest.jsonl`` is a verbatim copy of quilt3's
``api/python/tests/integration/data/top_hash_test_manifest.jsonl`` (quiltdata/quilt,
commit f7c8bc372b2ffd8e98fe84c55fe1c621e151a145); quilt3's ``test_top_hash_stable``
expects it to hash to ``TOP_HASH_VECTOR_TOP_HASH``. Carrying it here lets the tests
run on a fresh clone with nothing beside it.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

TOP_HASH_VECTOR_NAME = "top_hash_test_manifest.jsonl"
TOP_HASH_VECTOR_TOP_HASH = "3426a3f721e41a1d83174c691432a39ff13720426267fc799dccf3583153e850"


def top_hash_vector() -> bytes:
    """The bytes of quilt3's top-hash test manifest (unsorted entries, an obsolete ``top_hash`` header field)."""
    return resources.files(__package__).joinpath("reference_data", TOP_HASH_VECTOR_NAME).read_bytes()


def shared_reference_dir(repo_root: Path) -> Path | None:
    """``../shared/quilt-reference`` beside the clone at ``repo_root``, where the project's reference copy lives."""
    found = repo_root.resolve().parent / "shared" / "quilt-reference"
    return found if found.is_dir() else None
