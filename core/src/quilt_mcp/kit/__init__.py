"""The backend kit: what more than one backend needs, written once.

Part of the plugin contract (see ``quilt_mcp.contract``). Nothing here imports
boto3, botocore or quilt3 at module level.

- ``s3objects``: S3 object access through any boto3 client (list, head,
  ranged read, presign, botocore errors as domain errors).
- ``scan``: the bounded search scan over a registry's package names.
- ``diffs``: a ``PackageDiff`` from a backend's walk over two revisions.
- ``errors``: the conflict and not-found errors every backend raises alike.
- ``buckets``: the bucket list merged with the configured registries.
- ``timestamps``: a fast timestamp parser for boto3 clients.
- ``service_models``: botocore sessions sharing one copy of the service models.
"""
