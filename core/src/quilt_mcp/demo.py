"""``quilt-mcp demo``: the product end to end, offline, in under a minute.

It makes sure a registry (a local directory, default
``~/.quilt-mcp/demo-registry``, or ``s3://bucket``) holds the sample package
``demo/lake-monitoring`` built from the text files shipped in
``quilt_mcp/sample_data`` (sent as inline text, so they go into either kind); starts ``quilt-mcp serve`` on it as a
subprocess; and drives it through a real MCP client over stdio: list the
tools, browse the package, read an entry, push a new revision, and diff the
two. Each step prints what the server returned. Running it again reuses the
package and adds one more revision.
"""

from __future__ import annotations

import os
import sys
import textwrap
from datetime import datetime, timezone
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

from quilt_mcp.settings import Settings
from quilt_mcp.uris import parse_registry

DEFAULT_REGISTRY = Path("~/.quilt-mcp/demo-registry")
PACKAGE = "demo/lake-monitoring"
SAMPLE = "lake-monitoring"
WIDTH = 100


def run_demo(settings: Settings, *, out: Any = None) -> int:
    """Run the demo against ``settings.default_registry`` (or the default one); 0 on success.

    The server uses ``settings.backend`` if set, else the iam backend.
    ``InvalidInputError`` if the registry is neither ``s3://bucket`` nor a local directory.
    """
    import anyio

    out = out or sys.stdout
    registry = settings.default_registry or str(DEFAULT_REGISTRY.expanduser())
    location = parse_registry(registry)
    if location.is_local:
        location.path.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
    with as_file(files("quilt_mcp") / "sample_data" / SAMPLE) as sample:
        demo = Demo(registry, Path(sample), out)
        try:
            anyio.run(demo.run, server_env(registry, settings.backend))
        except DemoFailed as err:
            print(f"\nquilt-mcp demo failed: {err}", file=sys.stderr)
            return 1
        except Exception as err:  # noqa: BLE001 - the server could not be started or reached
            print(
                f"\nquilt-mcp demo could not talk to the server ({type(err).__name__}: {err}). "
                "Run 'quilt-mcp doctor' and 'quilt-mcp serve --log-level DEBUG' to see why.",
                file=sys.stderr,
            )
            return 1
    return 0


def server_env(registry: str, backend: str | None) -> dict[str, str]:
    """The environment of the ``quilt-mcp serve`` subprocess: this one, pointed at the demo registry.

    The iam backend is forced unless another is asked for: it works on a
    local registry with no AWS credentials, and never waits on the EC2
    metadata service when offline.
    """
    env = dict(os.environ)
    env.update(
        QUILT_MCP_REGISTRIES=registry,
        QUILT_MCP_BACKEND=backend or "iam",
        AWS_EC2_METADATA_DISABLED="true",
        QUILT_DISABLE_USAGE_METRICS="true",
    )
    env.pop("QUILT_MCP_READ_ONLY", None)
    return env


class DemoFailed(Exception):
    """A step's tool call failed; the message is the server's."""


class Demo:
    """The demo's steps, printing as they go."""

    def __init__(self, registry: str, sample: Path, out: Any) -> None:
        self.registry = registry
        self.sample = sample
        self.out = out

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def step(self, number: int, title: str, call: str) -> None:
        self.say()
        self.say(f"── {number}. {title} " + "─" * max(3, WIDTH - len(title) - 8))
        self.say(f"   > {call}")

    async def call(self, client: Any, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        result = await client.call_tool(tool, arguments or {}, raise_on_error=False)
        if result.is_error:
            raise DemoFailed(f"{tool}: {result.content[0].text if result.content else 'no message'}")
        return result.structured_content or {}

    async def run(self, env: dict[str, str]) -> None:
        from fastmcp import Client
        from fastmcp.client.transports import StdioTransport

        command = [sys.executable, "-m", "quilt_mcp.cli", "serve"]
        self.say(f"Registry: {self.registry}")
        backend = env["QUILT_MCP_BACKEND"]
        self.say(f"Starting 'quilt-mcp serve' as a subprocess (backend {backend}), talking MCP over stdio")
        transport = StdioTransport(command[0], command[1:], env=env, keep_alive=False)
        async with Client(transport, mode="legacy") as client:  # the handshake desktop clients use today
            await self.list_tools(client)
            await self.auth(client)
            first = await self.ensure_package(client)
            await self.browse(client, first)
            await self.read(client)
            second = await self.new_revision(client, first)
            await self.diff(client, first, second)
        self.say()
        self.say("Done. The server stopped with the client. Use it from Claude Desktop or Claude Code:")
        self.say(f"  claude mcp add quilt -e QUILT_MCP_REGISTRIES={self.registry} -- {_serve_command()}")
        self.say("(more in README.md, 'Using it with Claude Desktop / Claude Code').")

    async def list_tools(self, client: Any) -> None:
        self.step(1, "List the tools", "tools/list")
        tools = await client.list_tools()
        self.say(f"   {len(tools)} tools:")
        for tool in tools:
            writes = "" if tool.annotations and tool.annotations.read_only_hint else "  (writes)"
            first_line = (tool.description or "").splitlines()[0]
            self.say(f"   {tool.name:<18} {_clip(first_line, WIDTH - 24)}{writes}")

    async def auth(self, client: Any) -> None:
        self.step(2, "Which backend answers?", "auth_status")
        status = await self.call(client, "auth_status")
        if not status.get("ok"):
            raise DemoFailed(f"no backend can act: {status.get('problem')} {status.get('advice') or ''}")
        self.say(f"   backend {status['backend']}, acting as {status['identity']}")
        self.say(f"   why: {_clip(status['reason'], WIDTH - 8)}")
        self.say(f"   capabilities: {', '.join(status['capabilities'])}")

    async def ensure_package(self, client: Any) -> str:
        self.step(3, f"Find or create the sample package {PACKAGE}", f"package_list(prefix='{PACKAGE}')")
        listed = await self.call(client, "package_list", {"prefix": PACKAGE})
        if any(item["name"] == PACKAGE for item in listed["items"]):
            info = await self.call(client, "package_info", {"name": PACKAGE})
            self.say(f"   found it: latest revision {info['top_hash'][:12]}… ({info['message']!r})")
            return info["top_hash"]
        entries = [
            {"logical_key": path.relative_to(self.sample).as_posix(), "text": path.read_text(encoding="utf-8")}
            for path in sorted(self.sample.rglob("*"))
            if path.is_file()
        ]
        self.say(f"   not there yet; > package_create(name='{PACKAGE}', entries=[{len(entries)} sample files])")
        pushed = await self.call(
            client,
            "package_create",
            {
                "name": PACKAGE,
                "entries": entries,
                "message": "Sample data shipped with quilt-mcp",
                "user_meta": {"source": "quilt-mcp sample data", "lake": "Mendota", "month": "2024-06"},
            },
        )
        self.say(
            f"   created revision {pushed['top_hash'][:12]}…: {pushed['entry_count']} entries, "
            f"{pushed['total_bytes']} bytes"
        )
        return pushed["top_hash"]

    async def browse(self, client: Any, top_hash: str) -> None:
        self.step(4, "Browse it", f"package_browse(name='{PACKAGE}', recursive=True)")
        page = await self.call(client, "package_browse", {"name": PACKAGE, "ref": top_hash, "recursive": True})
        for item in page["items"]:
            self.say(f"   {item['path']:<40} {item['size']:>8} bytes")

    async def read(self, client: Any) -> None:
        self.step(5, "Read an entry", f"entry_read(name='{PACKAGE}', logical_key='README.md', max_bytes=600)")
        read = await self.call(client, "entry_read", {"name": PACKAGE, "logical_key": "README.md", "max_bytes": 600})
        for line in read["content"].splitlines():
            self.say(f"   │ {line}")
        if read["truncated"]:
            self.say(f"   … {read['total_size'] - read['offset'] - read['length']} more bytes (truncated at max_bytes)")

    async def new_revision(self, client: Any, base: str) -> str:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.step(
            6,
            "Push a new revision",
            f"package_update(name='{PACKAGE}', add=[notes/demo-run.md], user_meta={{'last_demo_run': ...}})",
        )
        pushed = await self.call(
            client,
            "package_update",
            {
                "name": PACKAGE,
                "base_ref": base,
                "add": [{"logical_key": "notes/demo-run.md", "text": f"# Demo run\n\nRun at {now}.\n"}],
                "user_meta": {"last_demo_run": now},
                "message": f"quilt-mcp demo run at {now}",
            },
        )
        self.say(f"   revision {pushed['top_hash'][:12]}… on top of {str(pushed['previous_hash'])[:12]}…")
        return pushed["top_hash"]

    async def diff(self, client: Any, before: str, after: str) -> None:
        self.step(7, "Diff the two revisions", f"package_diff(before='{before[:12]}…', after='{after[:12]}…')")
        diff = await self.call(client, "package_diff", {"name": PACKAGE, "before": before, "after": after})
        for label, keys in (("added", diff["added"]), ("removed", diff["removed"])):
            self.say(f"   {label:<8} {', '.join(keys) or '-'}")
        self.say(f"   {'changed':<8} {', '.join(c['logical_key'] for c in diff['changed']) or '-'}")
        for key in sorted(set(diff["user_meta_before"]) | set(diff["user_meta_after"])):
            old, new = diff["user_meta_before"].get(key), diff["user_meta_after"].get(key)
            if old != new:
                self.say(f"   metadata {key}: {old!r} → {new!r}")


def _serve_command() -> str:
    """How to start this quilt-mcp's server: from this clone with uv, else from the package index with uvx."""
    root = Path(__file__).resolve().parents[3]
    if (root / "pyproject.toml").is_file() and (root / "core").is_dir():
        return f"uv run --directory {root} quilt-mcp serve"
    return "uvx --from 'quilt-packages-mcp[iam]' quilt-mcp serve"


def _clip(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder="…") if len(text) > width else text
