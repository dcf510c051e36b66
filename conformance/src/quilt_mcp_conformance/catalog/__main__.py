"""``python -m quilt_mcp_conformance.catalog --port N --schema current|previous``.

Alone (no ``--config``): isolates HOME/XDG/AWS in a temp dir, starts a moto
S3 server unless ``--s3-endpoint`` is given, creates bucket ``quilt-demo``,
and serves role ``demo`` (that bucket) with user ``demo``, printing the URL
and a token for ``demo``. With ``--config -``: reads the JSON configuration
from stdin (how ``ReferenceCatalog`` starts it; its environment is set already).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import sys

from quilt_mcp_conformance.catalog.server import SCHEMES, serve

DEMO_BUCKET = "quilt-demo"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m quilt_mcp_conformance.catalog", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one, printed)")
    parser.add_argument("--schema", choices=SCHEMES, default="current", help="catalog schema version to serve")
    parser.add_argument("--s3-endpoint", help="S3 (moto) endpoint; alone, a moto server is started when absent")
    parser.add_argument("--config", help="'-' to read the JSON configuration from stdin")
    args = parser.parse_args(argv)

    moto = None
    if args.config == "-":
        config = json.load(sys.stdin)
        endpoint = args.s3_endpoint or os.environ.get("AWS_ENDPOINT_URL")
    else:
        from quilt_mcp_conformance.infra import MotoS3Server, isolate_environment, make_root

        isolate_environment(make_root())
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        if args.s3_endpoint:
            endpoint = args.s3_endpoint
        else:
            moto = MotoS3Server()
            endpoint = moto.endpoint
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        import boto3

        s3 = boto3.client("s3")
        if DEMO_BUCKET not in {b["Name"] for b in s3.list_buckets().get("Buckets", [])}:
            s3.create_bucket(Bucket=DEMO_BUCKET)
            s3.put_bucket_versioning(Bucket=DEMO_BUCKET, VersioningConfiguration={"Status": "Enabled"})
        config = {
            "secret": secrets.token_urlsafe(32),
            "admin_secret": secrets.token_urlsafe(32),
            "roles": {"demo": [DEMO_BUCKET]},
            "users": {"demo": "demo"},
            "print_token": "demo",
        }
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        serve(config, schema=args.schema, port=args.port, s3_endpoint=endpoint)
    finally:
        if moto is not None:
            moto.stop()


if __name__ == "__main__":
    main()
