"""Structured logs: one event a line in both formats, the context ids from the real poll and
delivery code, library loggers through the same handler, and no secret in any line."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.cli import _configure_logging
from bot.app import App
from bot.config import load_settings
from bot.delivery import TransientFailure
from bot.logs import REDACTED, StructuredFormatter, configure_logging
from tests.feedserver import FeedServer
from tests.harness import local_feed_settings, rss
from tests.recording import RECORDING_CHANNEL, RecordingAdapter

# Settings secrets in no token shape: only the configured values can redact them.
DISCORD = "plain-discord-credential-4711"
SLACK_BOT = "slack-bot-credential-0815"
SLACK_APP = "slack-app-credential-2342"
SIGNING = "8f742231b10e8888abcd99ee85a5"
WEBHOOK = "https://hooks.example.test/incoming/T0/B0/webhook-credential-9001"
SECRETS = (DISCORD, SLACK_BOT, SLACK_APP, SIGNING, WEBHOOK)

_LOGFMT = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|\S*)')

RSS = rss(
    (
        "a",
        "Heat 2 sets a release date",
        "Heat 2 will open in cinemas on August 6, 2027.",
        "Mon, 10 Nov 2025 10:00:00 GMT",
    ),
)


def logfmt(line: str) -> dict[str, str]:
    """A text line back into its fields (quoted values unescaped)."""
    fields = {}
    for key, raw in _LOGFMT.findall(line):
        if raw.startswith('"'):
            raw = re.sub(r"\\(.)", lambda m: {"n": "\n", "r": "\r"}.get(m[1], m[1]), raw[1:-1])
        fields[key] = raw
    return fields


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """configure_logging changes process-wide state: put it back for the other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    names = ("discord", "slack_bolt", "slack_sdk", "aiohttp", "apscheduler", "aiosqlite")
    libraries = {name: logging.getLogger(name).level for name in names}
    yield
    for handler in root.handlers:
        if handler not in handlers:
            handler.close()
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in libraries.items():
        logging.getLogger(name).setLevel(old)


def capture(
    fmt: str, secrets: tuple[str, ...] = (), *, level: str = "INFO", quiet: bool = False
) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(level, fmt, secrets, stream=stream, quiet=quiet)
    return stream


def test_text_lines_are_key_value_with_context_ids_and_one_event_per_line() -> None:
    out = capture("text")
    log = logging.getLogger("bot.poll")
    log.info(
        'feed %s: "%d" new',
        "Variety",
        3,
        extra={"feed": "Variety", "story": 12, "target": "slack:T1:#C1"},
    )
    try:
        raise ValueError("bad\nthing")
    except ValueError:
        log.exception("poll of feed %s failed", "Screen Daily", extra={"feed": "Screen Daily"})

    first, second = out.getvalue().splitlines()  # two events, two lines
    assert re.fullmatch(
        r"ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info logger=bot\.poll "
        r'msg="feed Variety: \\"3\\" new" feed=Variety story=12 target=slack:T1:#C1',
        first,
    ), first
    fields = logfmt(second)
    assert list(fields) == ["ts", "level", "logger", "msg", "feed", "exc"]
    assert fields["level"] == "error" and fields["feed"] == "Screen Daily"
    assert fields["exc"].startswith("Traceback (most recent call last):\n")
    assert fields["exc"].endswith("ValueError: bad\nthing")


def test_json_lines_carry_the_same_fields() -> None:
    out = capture("json")
    log = logging.getLogger("bot.delivery.deliver")
    log.warning("delivery %d failed", 7, extra={"target": "slack:T1:#C1", "story": 12})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("sweep failed")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert list(first) == ["ts", "level", "logger", "msg", "target", "story"]
    assert first["level"] == "warning" and first["logger"] == "bot.delivery.deliver"
    assert first["msg"] == "delivery 7 failed"
    assert (first["target"], first["story"]) == ("slack:T1:#C1", 12)  # a number stays one
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["ts"])
    assert second["exc"].endswith("RuntimeError: boom")


def secret_events() -> None:
    """A secret in a message, in an exception (chained, with traceback), in extra fields,
    and in a library's log of its request headers."""
    log = logging.getLogger("bot.app")
    log.info("connecting with %s and %s", DISCORD, SLACK_APP)
    try:
        try:
            raise ConnectionError(f"handshake refused for {SLACK_BOT}")
        except ConnectionError as inner:
            raise RuntimeError(f"signature {SIGNING} did not match") from inner
    except RuntimeError:
        log.exception("adapter failed")
    log.warning(
        "posting",
        extra={"target": f"webhook {WEBHOOK}", "headers": {"X-Slack-Signature": SIGNING}},
    )
    logging.getLogger("slack_sdk.web.base_client").warning(
        "Sending a request - headers: %s", {"Authorization": f"Bearer {SLACK_BOT}"}
    )
    logging.getLogger("discord.http").error('payload "%s"', DISCORD)


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_no_setting_secret_reaches_the_log_in_either_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    config = tmp_path / "feeds.yaml"
    config.write_text(
        "feeds:\n  - name: Local\n    url: https://news.example/rss\n"
        f"announce:\n  - name: team\n    webhook: {WEBHOOK}\n    format: json\n"
    )
    env = {
        "DISCORD_TOKEN": DISCORD,
        "SLACK_BOT_TOKEN": SLACK_BOT,
        "SLACK_APP_TOKEN": SLACK_APP,
        "SLACK_SIGNING_SECRET": SIGNING,
        "LOG_FORMAT": fmt,
    }
    settings = load_settings(config, db_path=tmp_path / "bot.db", env=env)
    _configure_logging(settings, quiet=False)  # the CLI's own set-up, onto stderr

    secret_events()

    output = capsys.readouterr().err
    lines = output.splitlines()
    assert len(lines) == 5  # every event logged, one line each
    if fmt == "json":
        assert all(isinstance(json.loads(line), dict) for line in lines)
    for secret in SECRETS:
        assert secret not in output
    assert "handshake refused for" in output and "did not match" in output
    assert "Traceback" in output and "Authorization" in output
    assert output.count(REDACTED) >= 8


@pytest.mark.parametrize(
    "leak",
    [
        "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx",
        "xoxp-1234567890-0987654321-abcdef",
        "xapp-1-A0123456789-1234567890123-abcdef0123456789",
        "MTA4NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456",
    ],
)
def test_token_shapes_are_redacted_even_when_not_configured(leak: str) -> None:
    out = capture("text")
    log = logging.getLogger("bot.feeds.fetch")
    log.warning("request with %s", leak)
    log.warning("Authorization: Bot %s", leak[::-1])  # any value after the header name
    log.warning("header", extra={"sent": {"authorization": f"Bearer {leak[:20]}zzzz"}})
    text = out.getvalue()
    assert leak not in text and leak[::-1] not in text and leak[:20] not in text
    assert text.count(REDACTED) == 3


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_a_secret_that_quoting_would_escape_is_still_redacted(fmt: str) -> None:
    secret = 'pa"ss\\word-123'
    out = capture(fmt, (secret,))
    logging.getLogger("bot.app").warning("login %s failed", secret, extra={"feed": secret})
    text = out.getvalue()
    escaped = secret.replace("\\", "\\\\").replace('"', '\\"')  # as JSON and key=value write it
    assert secret not in text and escaped not in text
    assert text.count(REDACTED) == 2


def test_library_loggers_share_the_handler_with_their_chatter_held_back() -> None:
    out = capture("text", level="INFO")
    logging.getLogger("discord.gateway").info("shard connected")
    logging.getLogger("slack_bolt.App").info("listening")
    logging.getLogger("aiohttp.client").warning("slow")
    logging.getLogger("apscheduler.executors.default").info("Running job")  # every poll: held
    logging.getLogger("apscheduler.scheduler").warning("job missed")
    logging.getLogger("bot.poll").debug("details")  # below INFO
    loggers = [logfmt(line)["logger"] for line in out.getvalue().splitlines()]
    assert loggers == [
        "discord.gateway",
        "slack_bolt.App",
        "aiohttp.client",
        "apscheduler.scheduler",
    ]


def test_quiet_keeps_warnings_only_and_a_second_call_replaces_the_handler() -> None:
    first = capture("text")
    second = capture("json", quiet=True)
    logging.getLogger("bot.app").info("started")
    logging.getLogger("bot.app").warning("careful")
    assert first.getvalue() == ""
    (line,) = second.getvalue().splitlines()
    assert json.loads(line)["msg"] == "careful"
    assert (
        sum(isinstance(h.formatter, StructuredFormatter) for h in logging.getLogger().handlers) == 1
    )


async def test_poll_and_delivery_lines_carry_feed_story_and_target(
    tmp_path: Path, server: FeedServer
) -> None:
    out = capture("json")
    server.reply("/feed", body=RSS, headers={"Content-Type": "application/rss+xml"})
    settings = local_feed_settings(
        tmp_path, server.url("/feed"), extra="defaults:\n  backfill: 1\n"
    )
    adapter = RecordingAdapter()
    adapter.failures = [TransientFailure("HTTP 503")]
    app = App(settings, [adapter])
    await app.open()
    try:
        await adapter.start(app.commands)
        await app.store.subscriptions.subscribe_channel(RECORDING_CHANNEL, "test", app.clock())
        feed = await app.store.feeds.get("Local")
        assert feed is not None
        report = await app.poll(feed)
        await app.deliver_once()
        stories = await app.store.knowledge.stories()
        server.reply("/feed", status=503)
        feed = await app.store.feeds.get("Local")
        assert feed is not None
        await app.poll(feed)
    finally:
        await app.close()
    assert report.announced == 1
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    (ingested,) = [e for e in events if e["msg"].startswith("feed Local: 1 items")]
    assert ingested["logger"] == "bot.poll" and ingested["feed"] == "Local"
    (failed,) = [e for e in events if e["msg"].startswith("feed Local: HTTP 503")]
    assert (failed["feed"], failed["kind"], failed["level"]) == ("Local", "http_5xx", "warning")
    (retry,) = [e for e in events if e["logger"] == "bot.delivery.deliver"]
    assert retry["target"] == RECORDING_CHANNEL.key
    (story,) = stories
    assert retry["story"] == story.id and isinstance(retry["delivery"], int)
