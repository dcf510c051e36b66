"""quilt-mcp's platform backend: a Quilt catalog's GraphQL API with a catalog token; never imports quilt3.

Importing this package is cheap: httpx2, sgqlc and boto3 load with the modules that use them.
"""

BACKEND = "platform"
"""The backend's name: its entry point in ``quilt_mcp.backends`` and ``Candidate.backend``."""
PRIORITY = 200
"""Below a ``quilt3 login`` session (300), above plain AWS credentials (100)."""
DISTRIBUTION = "quilt-packages-mcp-platform"
"""The distribution that ships this package (for its version)."""
