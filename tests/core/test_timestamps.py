"""The kit's fast timestamp parser gives what botocore's parser gives, and clients use it."""

import pytest
from botocore.utils import parse_timestamp as botocore_parse
from quilt_mcp.kit import timestamps


@pytest.mark.parametrize(
    "value",
    [
        "2026-12-02T13:02:55.000Z",
        "2026-12-02T13:02:55Z",
        "2026-12-02T13:02:55.123456+02:00",
        "Wed, 02 Dec 2026 13:02:55 GMT",
        "1700000000",
        1700000000,
    ],
)
def test_parses_as_botocore_does(value):
    ours, theirs = timestamps.parse_timestamp(value), botocore_parse(value)
    assert ours == theirs and ours.utcoffset() == theirs.utcoffset()


def test_installed_parser_reaches_new_clients():
    import botocore.session

    session = botocore.session.Session()
    timestamps.install(session)
    client = session.create_client("s3", region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
    parser = client._endpoint._response_parser_factory.create_parser("rest-xml")  # what parses every response
    assert parser._timestamp_parser is timestamps.parse_timestamp
