"""A fast timestamp parser for boto3 clients.

botocore parses every timestamp of a response (each ``LastModified`` of a
listing) with dateutil, most of a large listing's CPU. S3 sends ISO 8601 in
bodies and RFC 1123 dates in headers; both are parsed here with the standard
library, anything else falls back to botocore's own parser.
"""

from __future__ import annotations

from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any


def parse_timestamp(value: Any) -> datetime:
    """``value`` as an aware ``datetime`` (UTC where it names no zone), as botocore's parser returns."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value) if value[:1].isdigit() else parsedate_to_datetime(value)
        except (ValueError, TypeError, IndexError):
            parsed = None
        if parsed is not None:
            return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)
    from botocore.utils import parse_timestamp as slow

    return slow(value)


def install(botocore_session: Any) -> None:
    """Make clients created from ``botocore_session`` afterwards parse timestamps with ``parse_timestamp``."""
    botocore_session.get_component("response_parser_factory").set_parser_defaults(timestamp_parser=parse_timestamp)
