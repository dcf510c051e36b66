"""Prompts for the jobs users bring to a Quilt server most often.

Each prompt is a recipe naming the tools to call, in order, with the
arguments filled in. ``package_s3_prefix`` writes, so read-only mode hides it.
(No ``from __future__ import annotations``: fastmcp validates prompt
arguments against these types, so they must be real objects.)
"""

from typing import Annotated

from fastmcp import FastMCP
from pydantic import Field

from quilt_mcp.settings import Settings

NameArg = Annotated[str, Field(description="Package name 'namespace/name'.")]
RegistryArg = Annotated[str, Field(description="Registry (s3://bucket or a local directory); empty for the default.")]
RefArg = Annotated[str, Field(description="Revision: 'latest', a top hash or a hash prefix.")]


def _where(registry: str) -> str:
    return f"registry {registry} (pass registry={registry!r} to every tool)" if registry else "the default registry"


def summarize_package(name: NameArg, registry: RegistryArg = "", ref: RefArg = "latest") -> str:
    """Summarise what a package holds: purpose, layout, key files, metadata and history."""
    return f"""Summarise the Quilt package {name} (revision {ref}) in {_where(registry)}.

1. Call package_info (name={name!r}, ref={ref!r}) for its message, metadata, entry count and size.
2. Call package_browse at the root, then on the main directories, to learn the layout. Use
   recursive=true only for small packages; follow next_cursor when a page says more remain.
3. If there is a README (README.md, README.txt, ...) read it with entry_read. Read the first few KB
   (max_bytes=4096) of one or two representative data files to see their format and columns.
4. Call package_revisions to see how often it changes, and package_diff against the previous
   revision if there is one.

Then write the summary: what the data is and where it comes from; a short table of the main files
or directories with sizes; the package metadata; the revision history; anything surprising or
missing. Name the logical keys you cite. Read only what you need: do not dump whole files."""


def package_s3_prefix(
    source: Annotated[str, Field(description="The S3 prefix to package, e.g. s3://bucket/raw/2024/.")],
    name: NameArg,
    registry: RegistryArg = "",
    message: Annotated[str, Field(description="Commit message; empty to propose one.")] = "",
) -> str:
    """Turn the objects under an S3 prefix into a new Quilt package revision, after confirmation."""
    commit = f"the message {message!r}" if message else "a commit message you propose"
    return f"""Package the S3 prefix {source} as the Quilt package {name} in {_where(registry)}.

1. Call object_list on {source} (one level first, then recursive=true, following next_cursor) to see
   what is there: how many objects, which formats, how they are organised, the total size.
2. Read small samples (object_read with max_bytes=4096) of any README and of representative files.
3. Propose to the user, and wait for confirmation before writing anything:
   - the logical layout (the whole prefix under one directory such as 'data/', or several entries);
   - package-level user_meta: a description, the source prefix, and what you learned (formats, dates);
   - {commit}.
4. Call package_info for {name}: if the package already exists, pass its top_hash as base_hash.
5. Call package_create with name={name!r} and entries such as
   [{{"logical_key": "data/", "source": "{source}"}}] (a source ending in '/' packages everything
   below it), plus user_meta and message.
6. Report the new top hash, and the package_links of the new revision."""


def compare_revisions(name: NameArg, before: RefArg, after: RefArg = "latest", registry: RegistryArg = "") -> str:
    """Explain what changed between two revisions of a package."""
    return f"""Explain what changed in the Quilt package {name} from revision {before} to {after}, in {_where(registry)}.

1. Call package_diff (name={name!r}, before={before!r}, after={after!r}). If it says the lists were
   cut, call again with a larger limit.
2. Call package_info on both revisions for their messages and metadata.
3. For a few changed text entries, read both versions (entry_read with ref set to each revision,
   max_bytes=4096) and describe the difference.

Then report: added, removed and changed entries (grouped by directory when there are many), metadata
changes, and what the revision messages say about why."""


def register_prompts(mcp: FastMCP, settings: Settings) -> None:
    """Add the prompts to ``mcp``; the one that writes only when not read-only."""
    mcp.prompt(summarize_package)
    mcp.prompt(compare_revisions)
    if not settings.read_only:
        mcp.prompt(package_s3_prefix)
