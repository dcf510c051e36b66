"""Secret-bearing fields and known secret values are scrubbed from log text."""

from __future__ import annotations

import logging
from collections import OrderedDict

import pytest

from quilt_mcp import redaction


@pytest.mark.parametrize(
    "line",
    [
        "Sending http request: {'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=SECRET'}",
        "{'X-Amz-Security-Token': b'SECRET', 'User-Agent': b'boto'}",
        "CanonicalRequest:\nGET\n/\n\nx-amz-security-token:SECRET\n",
        "https://b.s3.amazonaws.com/k?X-Amz-Credential=SECRET&X-Amz-Security-Token=SECRET&X-Amz-Signature=SECRET",
        'auth.json {"access_token": "SECRET", "refresh_token": "SECRET"}',
        "header Authorization: Bearer SECRET",
        "key qk_SECRETSECRETSECRET in a message",
    ],
)
def test_secret_fields_are_redacted(line: str) -> None:
    assert "SECRET" not in redaction.redact(line)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch):
    """Redaction installed for one test; the process's record factory restored after it."""
    monkeypatch.setattr(redaction, "_installed", False)
    monkeypatch.setattr(redaction, "_pinned", set())
    monkeypatch.setattr(redaction, "_known", OrderedDict())
    monkeypatch.setattr(redaction, "_known_pattern", None)
    saved = logging.getLogRecordFactory()
    yield
    logging.setLogRecordFactory(saved)


@pytest.mark.usefixtures("installed")
def test_remembered_values_are_redacted_from_records_of_any_logger(caplog: pytest.LogCaptureFixture) -> None:
    redaction.install(env={"SOME_SERVICE_TOKEN": "tok-1234567890"})
    redaction.remember("remembered-secret-value")
    with caplog.at_level(logging.DEBUG, logger="some.library"):
        logging.getLogger("some.library").debug("using %s and %s", "tok-1234567890", "remembered-secret-value")
        try:
            raise ValueError("remembered-secret-value")
        except ValueError:
            logging.getLogger("some.library").exception("failed")

    assert "1234567890" not in caplog.text and "remembered-secret-value" not in caplog.text
    assert "using [REDACTED] and [REDACTED]" in caplog.text and "ValueError: [REDACTED]" in caplog.text


@pytest.mark.usefixtures("installed")
def test_short_values_are_not_treated_as_secrets() -> None:
    redaction.remember("1", "abc")
    assert redaction.redact("version 1 abc") == "version 1 abc"


@pytest.mark.usefixtures("installed")
def test_a_server_handed_endless_secrets_keeps_a_bounded_number_most_recent_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redaction, "MAX_KNOWN_SECRETS", 3)
    redaction.remember("secret-one-1", "secret-two-2", "secret-three-3")
    redaction.remember("secret-one-1")  # in use again: now the most recent
    redaction.remember("secret-four-4")

    assert redaction.redact("secret-one-1 secret-three-3 secret-four-4") == "[REDACTED] [REDACTED] [REDACTED]"
    assert redaction.redact("secret-two-2") == "secret-two-2", "the least recently remembered secret was kept"


@pytest.mark.usefixtures("installed")
def test_an_environment_secret_is_redacted_however_many_secrets_are_handed_over_later() -> None:
    redaction.install(env={"AWS_SESSION_TOKEN": "environment-token"})
    redaction.remember("environment-token")  # handed over again: still pinned, not counted in the bound
    redaction.remember(*(f"handed-over-{n:04}" for n in range(redaction.MAX_KNOWN_SECRETS + 2)))

    assert redaction.redact("environment-token") == redaction.REDACTED
    assert redaction.redact("handed-over-0002 handed-over-0000") == f"{redaction.REDACTED} handed-over-0000", (
        "the bound still applies to the secrets handed over"
    )
