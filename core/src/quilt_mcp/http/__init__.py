"""Serving quilt-mcp to many users over streamable HTTP (``quilt-mcp serve --transport http``).

Modules: ``settings`` (every option, its variable and flag), ``app`` (the
ASGI app and the workers' factory), ``serve`` (uvicorn), ``jwt_auth`` and
``catalog_auth`` (the two token verifiers), ``wellknown`` (RFC 9728
metadata), ``tokens`` (the current caller, known by a token hash),
``session`` (one backend per caller, bounded cache), ``limits`` and
``scopes`` (refusals: 413, 429, 503, 403), ``health`` (``/healthz``,
``/readyz``), ``logs`` (stderr logging with ``quilt_mcp.redaction`` installed).
"""
