"""Quilt+ URIs and catalog URLs for a package, a revision or an entry.

A Quilt+ URI is ``quilt+s3://<bucket>#package=<ns/name>[@<top_hash>]
[&path=<logical path>][&catalog=<host>]``; without ``@hash`` (or with
``:latest``) it follows ``latest``. ``parse_quilt_uri`` reads back every URI
``quilt_uri`` writes. A catalog page is ``https://<catalog>/b/<bucket>/packages/
<ns/name>/tree/<top_hash or latest>/<path>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from quilt_mcp.errors import InvalidInputError
from quilt_mcp.server.results import PackageLinks
from quilt_mcp.uris import parse_registry

_PATH_SAFE = "/-_.~"
_HOST = re.compile(r"^[A-Za-z0-9.-]+(:[0-9]{1,5})?$")


def quilt_uri(
    bucket: str, name: str, *, top_hash: str | None = None, path: str = "", catalog: str | None = None
) -> str:
    """The Quilt+ URI of a package (pinned to ``top_hash`` when given), or of ``path`` inside it."""
    fragment = f"package={name}@{top_hash}" if top_hash else f"package={name}"
    if path:
        fragment += f"&path={quote(path, safe=_PATH_SAFE)}"
    if catalog:
        fragment += f"&catalog={catalog_host(catalog)}"
    return f"quilt+s3://{bucket}#{fragment}"


@dataclass(frozen=True)
class QuiltUri:
    """The parts of a Quilt+ URI, percent-decoded; ``ref`` is ``latest`` when the URI names no revision."""

    bucket: str
    name: str
    ref: str = "latest"
    path: str = ""
    catalog: str | None = None


_FIELDS = ("package", "path", "catalog")


def parse_quilt_uri(uri: str) -> QuiltUri | None:
    """The parts of ``quilt+s3://<bucket>#package=<name>[@<ref>|:latest][&path=..][&catalog=..]``.

    ``None`` if ``uri`` is not of that form (no package, an unknown or
    repeated field). Names, refs and paths are not validated here: the
    operation that reads them does that, with its own messages.
    """
    head, hashmark, fragment = uri.partition("#")
    if not (head.startswith("quilt+s3://") and hashmark):
        return None
    bucket = head[len("quilt+s3://") :]
    fields: dict[str, str] = {}
    for part in fragment.split("&"):
        key, equals, value = part.partition("=")
        if not equals or key not in _FIELDS or key in fields:
            return None
        fields[key] = unquote(value)
    package = fields.get("package")
    if not bucket or not package:
        return None
    name, at, ref = package.partition("@")
    if not at:
        name, colon, tag = package.partition(":")
        ref = tag if colon else "latest"
    return QuiltUri(bucket, name, ref, fields.get("path", ""), fields.get("catalog"))


def catalog_url(catalog: str, bucket: str, name: str, *, top_hash: str | None = None, path: str = "") -> str:
    """The catalog page of a package revision (``latest`` without ``top_hash``), or of ``path`` in it."""
    return (
        f"{catalog_base(catalog)}/b/{bucket}/packages/{name}/tree/{top_hash or 'latest'}/"
        f"{quote(path, safe=_PATH_SAFE)}"
    )


def catalog_base(catalog: str) -> str:
    """``https://host[:port]`` from a catalog URL or bare host; ``InvalidInputError`` if it is neither."""
    text = catalog.strip()
    parts = urlsplit(text if "://" in text else f"https://{text}")
    if parts.scheme not in ("http", "https") or not _HOST.match(parts.netloc) or parts.path not in ("", "/"):
        raise InvalidInputError(
            f"Invalid catalog URL {catalog!r}.",
            "Set --catalog-url / QUILT_MCP_CATALOG_URL to the catalog's address, e.g. https://catalog.example.com.",
        )
    return f"{parts.scheme}://{parts.netloc}"


def catalog_host(catalog: str) -> str:
    """The host (and port) of a catalog, as the ``catalog=`` part of a Quilt+ URI names it."""
    return urlsplit(catalog_base(catalog)).netloc


def package_links(registry: str, name: str, top_hash: str, path: str, catalog: str | None) -> PackageLinks:
    """The Quilt+ URIs and catalog URLs of ``name@top_hash`` (or ``path`` in it), pinned and following latest."""
    links = PackageLinks(registry=registry, name=name, top_hash=top_hash, path=path)
    location = parse_registry(registry)
    if location.is_local:
        note = "Quilt+ URIs and catalog pages address S3 registries; this registry is a local directory."
        return links.model_copy(update={"notes": [note]})
    bucket = location.bucket
    update: dict[str, Any] = {
        "quilt_uri": quilt_uri(bucket, name, top_hash=top_hash, path=path, catalog=catalog),
        "latest_quilt_uri": quilt_uri(bucket, name, path=path, catalog=catalog),
    }
    if catalog:
        update["catalog_url"] = catalog_url(catalog, bucket, name, top_hash=top_hash, path=path)
        update["latest_catalog_url"] = catalog_url(catalog, bucket, name, path=path)
    else:
        update["notes"] = ["No catalog is known: start the server with --catalog-url / QUILT_MCP_CATALOG_URL."]
    return links.model_copy(update=update)
