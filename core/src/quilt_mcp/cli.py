"""The ``quilt-mcp`` command line: ``serve`` (default), ``doctor`` and ``demo``.

Every setting can be given as a flag or as the environment variable named in
its help; flags win.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from quilt_mcp import __version__, redaction
from quilt_mcp.settings import Settings, seconds


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every subcommand: plugin loading and backend choice."""
    parser.add_argument("--backend", help="Force this backend by name (env QUILT_MCP_BACKEND).")
    parser.add_argument(
        "--disable-plugins",
        metavar="A,B",
        help="Comma-separated plugins not to load (env QUILT_MCP_DISABLE_PLUGINS).",
    )
    parser.add_argument(
        "--strict-plugins",
        action="store_true",
        default=None,
        help="Fail when a plugin cannot be loaded (env QUILT_MCP_STRICT_PLUGINS=1).",
    )
    parser.add_argument(
        "--registry",
        action="append",
        metavar="URI",
        help="A registry (s3://bucket or a local directory); repeatable, first is the default "
        "(env QUILT_MCP_REGISTRIES, comma-separated).",
    )
    parser.add_argument("--log-level", help="Log level on stderr (env QUILT_MCP_LOG_LEVEL, default WARNING).")
    parser.add_argument(
        "--s3-connect-timeout",
        type=seconds,
        metavar="SECONDS",
        help="Seconds to wait for a connection to S3 (env QUILT_MCP_S3_CONNECT_TIMEOUT, default 5).",
    )
    parser.add_argument(
        "--s3-read-timeout",
        type=seconds,
        metavar="SECONDS",
        help="Seconds to wait for S3 to answer a request, retried once "
        "(env QUILT_MCP_S3_READ_TIMEOUT, default 20).",
    )


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Settings from the environment, overridden by any flags given."""
    disabled = args.disable_plugins
    return Settings.from_env().with_overrides(
        backend=args.backend,
        disabled_plugins=frozenset(p.strip() for p in disabled.split(",") if p.strip()) if disabled else None,
        strict_plugins=args.strict_plugins,
        registries=tuple(args.registry) if args.registry else None,
        read_only=getattr(args, "read_only", None),
        catalog_url=getattr(args, "catalog_url", None),
        transport=getattr(args, "transport", None),
        log_level=args.log_level.upper() if args.log_level else None,
        s3_connect_timeout=args.s3_connect_timeout,
        s3_read_timeout=args.s3_read_timeout,
        local_source_roots=tuple(args.local_source_root) if getattr(args, "local_source_root", None) else None,
    )


def cmd_doctor(args: argparse.Namespace, settings: Settings) -> int:
    """Print the doctor report; exit 1 when no backend is usable."""
    from quilt_mcp.auth import AuthContext
    from quilt_mcp.doctor import diagnose
    from quilt_mcp.errors import QuiltMCPError
    from quilt_mcp.plugins import PluginHost

    try:
        host = PluginHost.discover(settings)
    except QuiltMCPError as err:
        print(f"quilt-mcp doctor: {err}", file=sys.stderr)
        return 2
    report = diagnose(host, AuthContext.from_environment(settings=settings))
    print(report.to_json() if args.json else report.to_text())
    return 0 if report.ok else 1


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve MCP on stdio until the client disconnects, or over HTTP until SIGTERM."""
    from quilt_mcp.errors import QuiltMCPError

    try:
        if settings.transport == "http":
            serve_over_http(args, settings)
        elif settings.transport == "stdio":
            from quilt_mcp.server import serve

            serve(settings)
        else:
            print(f"quilt-mcp serve: unknown transport {settings.transport!r}; use stdio or http.", file=sys.stderr)
            return 2
    except QuiltMCPError as err:
        print(f"quilt-mcp serve: {err}", file=sys.stderr)
        return 2
    return 0


def serve_over_http(args: argparse.Namespace, settings: Settings) -> None:
    """Export settings and HTTP flags to the environment (worker processes read it there), then serve."""
    import os

    from quilt_mcp.http.serve import serve_http
    from quilt_mcp.http.settings import OPTIONS, HttpSettings, export

    for key, value in settings.to_env().items():
        if value:
            os.environ[key] = value
        else:
            os.environ.pop(key, None)
    export({name: getattr(args, name, None) for name in OPTIONS})
    serve_http(settings, HttpSettings.from_env())


def add_http_options(parser: argparse.ArgumentParser) -> None:
    """``--transport`` and every HTTP setting's flag (see ``quilt_mcp.http.settings.OPTIONS``)."""
    from quilt_mcp.http.settings import OPTIONS

    parser.add_argument(
        "--transport",
        choices=("stdio", "http"),
        help="stdio (default): one user, JSON-RPC on stdin/stdout. http: streamable HTTP at /mcp for many "
        "users, each request acting for its bearer token (env QUILT_MCP_TRANSPORT).",
    )
    group = parser.add_argument_group("HTTP serving (with --transport http)")
    for name, option in OPTIONS.items():
        group.add_argument(option.flag, dest=name, type=option.kind, help=f"{option.help} (env {option.env})")


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the demo: a sample package in a local registry, driven over MCP stdio."""
    from quilt_mcp.demo import run_demo
    from quilt_mcp.errors import QuiltMCPError

    try:
        return run_demo(settings)
    except QuiltMCPError as err:
        print(f"quilt-mcp demo: {err}", file=sys.stderr)
        return 2


SUBCOMMANDS = ("serve", "doctor", "demo")
ENVIRONMENT_ONLY = """\
settings read from the environment only:
  QUILT_DISABLE_QUILT3_SESSION=1     the quilt3 backend ignores any 'quilt3 login' session
  QUILT_API_KEY=qk_...               the platform backend's catalog API key (stdio)
  QUILT_MCP_CATALOG_TOKEN=...        the platform backend's registry token, if no API key (stdio)
  QUILT_MCP_REGISTRY_URL=URL         the catalog's registry (API) URL, if its config.json is not used
  QUILT_MANIFEST_MAX_RECORD_SIZE=N   longest manifest line read or written, in bytes (quilt3's
                                     setting, default 1000000)
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="quilt-mcp",
        description="An MCP server for Quilt data packages. Without a subcommand, runs 'serve'.",
    )
    parser.add_argument("--version", action="version", version=f"quilt-mcp {__version__}")
    sub = parser.add_subparsers(dest="command")
    doctor = sub.add_parser(
        "doctor",
        help="Show installed plugins, what each detected, and the backend chosen.",
        epilog=ENVIRONMENT_ONLY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(doctor)
    doctor.add_argument("--json", action="store_true", help="Print the report as JSON.")
    doctor.set_defaults(handler=cmd_doctor)
    serve = sub.add_parser(
        "serve",
        help="Serve MCP on stdio (the default) or, with --transport http, to many users over HTTP.",
        description="Serve MCP on stdio: JSON-RPC on stdin/stdout, logs on stderr only. The backend is "
        "chosen on the first tool call that needs it (see 'quilt-mcp doctor'). With --transport http: "
        "streamable HTTP at /mcp, every request verified (--auth jwt|catalog) and acting for its caller.",
        epilog=ENVIRONMENT_ONLY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(serve)
    serve.add_argument(
        "--read-only",
        action="store_true",
        default=None,
        help="Hide every tool that writes (env QUILT_MCP_READ_ONLY=1).",
    )
    serve.add_argument(
        "--local-source-root",
        action="append",
        metavar="DIR",
        help="A directory local entry sources may come from; repeatable (env QUILT_MCP_LOCAL_SOURCE_ROOTS, "
        "comma-separated). Without one, local sources are allowed anywhere on stdio and refused over HTTP.",
    )
    serve.add_argument(
        "--catalog-url",
        metavar="URL",
        help="Quilt catalog to build links to, e.g. https://catalog.example.com (env QUILT_MCP_CATALOG_URL).",
    )
    add_http_options(serve)
    serve.set_defaults(handler=cmd_serve)
    demo = sub.add_parser(
        "demo",
        help="Create a sample package in a local registry and drive 'quilt-mcp serve' through an MCP client.",
        description="Make sure a registry holds a sample package built from data shipped with quilt-mcp, "
        "start 'quilt-mcp serve' on it as a subprocess, and drive it over MCP stdio: list tools, browse, "
        "read an entry, create a new revision and diff the two. The registry defaults to the local "
        "directory ~/.quilt-mcp/demo-registry (created if absent; works offline, with no AWS credentials); "
        "--registry s3://bucket runs it on S3 with your AWS credentials.",
        epilog=ENVIRONMENT_ONLY,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common_options(demo)
    demo.set_defaults(handler=cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``quilt-mcp`` command."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["serve", *argv]
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        settings = settings_from_args(args)
    except ValueError as err:  # an invalid setting in the environment
        parser.error(f"{err} Fix or unset the variable.")
    redaction.install()
    logging.basicConfig(stream=sys.stderr, level=settings.log_level, format="%(levelname)s %(name)s: %(message)s")
    return int(args.handler(args, settings) or 0)


if __name__ == "__main__":
    sys.exit(main())
