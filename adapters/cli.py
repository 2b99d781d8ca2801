"""The `filmbot` command line: the one place that knows every adapter and builds the App.

It lives beside the adapters because the core (bot/) never imports them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.console import ConsoleAdapter, parse_command_line, render_reply
from adapters.discord import application_id_from_token, build_discord_adapter, invite_url
from adapters.progress import Progress
from adapters.slack import build_slack_adapter, slack_manifest
from adapters.webhook import WebhookAdapter
from bot import __version__
from bot.app import App
from bot.commands.builtin import build_registry
from bot.config import ConfigError, Settings, load_settings
from bot.delivery import Adapter
from bot.logs import configure_logging
from bot.news.evaluate import evaluate, load_cases
from bot.store import StoreError
from bot.store.backup import backup_database

_LOGGER = logging.getLogger("filmbot")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2


def _common_options(default: object) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        type=Path,
        default=default,
        help="feeds.yaml to read (default: $FILMBOT_CONFIG, else ./feeds.yaml)",
    )
    common.add_argument(
        "--db",
        type=Path,
        default=default,
        help="SQLite database file (default: $FILMBOT_DB, else ./data/filmbot.db)",
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    # The options are accepted before and after the subcommand; SUPPRESS keeps a
    # subcommand from resetting a value given before it.
    common = _common_options(argparse.SUPPRESS)
    parser = argparse.ArgumentParser(
        prog="filmbot",
        description="A film-news chatbot for Discord, Slack and the terminal.",
        parents=[_common_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"filmbot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = sub.add_parser(
        "run",
        parents=[common],
        help="run the bot (the console when no Discord/Slack credentials are set)",
    )
    run.add_argument(
        "--headless",
        action="store_true",
        help="no console: poll and deliver only (for service managers and containers)",
    )
    poll = sub.add_parser("poll", parents=[common], help="fetch the feeds")
    poll.add_argument(
        "--once", action="store_true", required=True, help="fetch every feed once and exit"
    )
    sub.add_parser("check-config", parents=[common], help="validate the configuration and exit")
    ask = sub.add_parser("ask", parents=[common], help='run one command, e.g. filmbot ask "/feeds"')
    ask.add_argument("line", help="the command line, as typed in chat")
    backup = sub.add_parser(
        "backup", parents=[common], help="copy the database safely, even while the bot runs"
    )
    backup.add_argument("destination", type=Path, help="the new file to write, e.g. backup.db")
    sub.add_parser(
        "discord-invite",
        parents=[common],
        help="print the URL that adds the bot to a Discord server, with the permissions it needs",
    )
    manifest = sub.add_parser(
        "slack-manifest",
        help="print a Slack app manifest (YAML) with every command and the scopes the bot needs",
    )
    manifest.add_argument(
        "--http-url",
        metavar="URL",
        help="HTTP mode: the public https://.../slack/events address Slack should call "
        "(default: Socket Mode, no public URL)",
    )
    evaluate = sub.add_parser(
        "eval", parents=[common], help="measure the news understanding on a JSONL file of cases"
    )
    evaluate.add_argument("file", type=Path, help="one JSON object a line (see README)")
    evaluate.add_argument(
        "--json", action="store_true", help="also print the figures as one JSON object, last line"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_CONFIG
    if args.command == "eval":  # needs no config or database
        return _evaluate(args.file, as_json=args.json)
    if args.command == "slack-manifest":  # nor does this
        return _slack_manifest(args.http_url)
    try:
        settings = load_settings(args.config, db_path=args.db)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    interactive_console = args.command == "run" and not args.headless and not _platforms(settings)
    _configure_logging(settings, quiet=interactive_console or args.command == "ask")
    for warning in settings.warnings:
        _LOGGER.warning("%s", warning)
    try:
        if args.command == "check-config":
            return _check_config(settings)
        if args.command == "backup":
            return _backup(settings, args.destination)
        if args.command == "discord-invite":
            return _discord_invite(settings)
        if args.command == "poll":
            return asyncio.run(_poll_once(settings))
        if args.command == "ask":
            return asyncio.run(_ask(settings, args.line))
        return asyncio.run(_run(settings, headless=args.headless))
    except StoreError as exc:
        print(f"filmbot: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return EXIT_OK


def _evaluate(path: Path, *, as_json: bool) -> int:
    try:
        cases = load_cases(path)
    except (OSError, ValueError) as exc:
        print(f"filmbot eval: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    progress = Progress("understanding cases", len(cases))
    report = evaluate(cases, on_case=lambda _case: progress.advance())
    progress.finish()
    print(report.render())
    if as_json:
        print(json.dumps(report.to_json(), sort_keys=True))
    return EXIT_OK


def _configure_logging(settings: Settings, *, quiet: bool) -> None:
    secrets = [
        settings.discord_token,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
        settings.openai_api_key,
        *(webhook.url for webhook in settings.announce),  # a webhook URL is its own credential
    ]
    # quiet keeps the console prompt readable: warnings and worse only.
    configure_logging(settings.log_level, settings.log_format, secrets, quiet=quiet)


@dataclass(frozen=True)
class PlatformPlan:
    """Whether a chat platform's adapter starts with these settings, and why (or why not)."""

    platform: str
    starts: bool
    why: str


def platform_plans(settings: Settings) -> list[PlatformPlan]:
    return [_discord_plan(settings), _slack_plan(settings)]


def _discord_plan(settings: Settings) -> PlatformPlan:
    if not settings.discord_token:
        return PlatformPlan("discord", False, "DISCORD_TOKEN is not set")
    scope = (
        f"commands synced to guild {settings.discord_guild_id} only (DISCORD_GUILD_ID)"
        if settings.discord_guild_id
        else "commands synced globally (can take up to an hour to appear)"
    )
    shards = settings.discord_shards or "auto"
    return PlatformPlan("discord", True, f"gateway with {shards} shard(s), {scope}")


def _slack_plan(settings: Settings) -> PlatformPlan:
    bot, app, secret = (
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
    )
    if not bot:
        if app or secret:
            given = "SLACK_APP_TOKEN" if app else "SLACK_SIGNING_SECRET"
            return PlatformPlan(
                "slack", False, f"{given} is set but SLACK_BOT_TOKEN (xoxb-...) is missing"
            )
        return PlatformPlan("slack", False, "SLACK_BOT_TOKEN is not set")
    if app:
        note = " (SLACK_SIGNING_SECRET is not used in Socket Mode)" if secret else ""
        return PlatformPlan("slack", True, f"Socket Mode (SLACK_APP_TOKEN){note}")
    if secret:
        return PlatformPlan(
            "slack",
            True,
            f"HTTP mode on port {settings.slack_http_port} at /slack/events "
            "(SLACK_APP_TOKEN missing, Socket Mode off)",
        )
    return PlatformPlan(
        "slack",
        False,
        "SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor "
        "SLACK_SIGNING_SECRET (HTTP mode) is",
    )


def _platforms(settings: Settings) -> list[str]:
    """The chat platforms whose adapters start."""
    return [plan.platform for plan in platform_plans(settings) if plan.starts]


def _check_config(settings: Settings) -> int:
    where = settings.config_path or "(no file)"
    print(f"{where}: OK, {len(settings.feeds)} feed(s)")
    for feed in settings.feeds:
        print(f"  {feed.name}: {feed.url} every {feed.interval:g}s, backfill {feed.backfill}")
    for webhook in settings.announce:
        filters = ", ".join(webhook.kinds + webhook.films + webhook.keywords) or "every film story"
        print(f"  announce to {webhook.name}: {webhook.format} webhook ({filters})")
    print(f"database: {settings.db_path}")
    plans = platform_plans(settings)
    for plan in plans:
        state = "starts" if plan.starts else "off"
        print(f"{plan.platform.capitalize()}: {state}: {plan.why}")
    if any(plan.starts for plan in plans):
        print("Console: off while a chat platform runs (filmbot ask works at any time)")
    else:
        print("Console: starts with `filmbot run` (no chat platform configured)")
    if settings.health_port is not None:
        print(f"health: http://{settings.health_host}:{settings.health_port}/healthz and /metrics")
    else:
        print("health: off (HEALTH_PORT not set)")
    print(f"logs: {settings.log_level}, {settings.log_format} format")
    for warning in settings.warnings:
        print(f"warning: {warning}")
    return EXIT_OK


def _slack_manifest(http_url: str | None) -> int:
    if http_url is not None and not http_url.startswith("https://"):
        print(
            f"filmbot slack-manifest: --http-url must be the public https:// address Slack "
            f"calls, such as https://filmbot.example.org/slack/events (not {http_url!r})",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    print(
        slack_manifest(build_registry(), socket_mode=http_url is None, request_url=http_url),
        end="",
    )
    return EXIT_OK


def _discord_invite(settings: Settings) -> int:
    application_id = settings.discord_application_id or application_id_from_token(
        settings.discord_token or ""
    )
    if application_id is None:
        print(
            "filmbot discord-invite needs the application id: set DISCORD_APPLICATION_ID "
            "(Developer Portal, General Information, Application ID) or DISCORD_TOKEN",
            file=sys.stderr,
        )
        return EXIT_CONFIG
    print(invite_url(application_id, guild_id=settings.discord_guild_id))
    return EXIT_OK


def _backup(settings: Settings, destination: Path) -> int:
    result = backup_database(settings.db_path, destination.expanduser().absolute())
    print(
        f"backed up {settings.db_path} to {result.path}: {result.size_bytes:,} bytes, "
        f"schema {result.schema_version}, {result.films:,} films, {result.stories:,} stories"
    )
    return EXIT_OK


async def _poll_once(settings: Settings) -> int:
    app = App(settings)
    await app.open()
    reports = []
    try:
        feeds = await app.store.feeds.active()
        progress = Progress("polling feeds", len(feeds))
        for done in asyncio.as_completed([app.poll(feed) for feed in feeds]):
            report = await done
            reports.append(report)
            progress.advance(report.feed)
        progress.finish()
    finally:
        await app.close()
    reports.sort(key=lambda report: report.feed.casefold())
    if not reports:
        print("no feeds to poll: add some to feeds.yaml")
    width = max((len(r.feed) for r in reports), default=0)
    for report in reports:
        print(f"{report.feed.ljust(width)}  {report.describe()}")
    failed = sum(1 for r in reports if r.outcome in ("error", "disabled"))
    return EXIT_FAILED if reports and failed == len(reports) else EXIT_OK


async def _ask(settings: Settings, line: str) -> int:
    invocation = parse_command_line(line)
    if invocation is None:
        print('filmbot ask needs a command, for example: filmbot ask "/feeds"', file=sys.stderr)
        return EXIT_CONFIG
    app = App(settings)
    await app.open()
    try:
        reply = await app.commands.dispatch(invocation)
    finally:
        await app.close()
    print(render_reply(reply))
    return EXIT_OK if reply.ok else EXIT_FAILED


def build_adapters(
    settings: Settings, *, headless: bool, on_console_close: Callable[[], None]
) -> list[Adapter]:
    """The chat platforms whose settings are complete; the console when there is none."""
    adapters: list[Adapter] = []
    for plan in platform_plans(settings):
        if not plan.starts:
            continue
        _LOGGER.info("starting %s: %s", plan.platform, plan.why)
        if plan.platform == "discord":
            adapters.append(build_discord_adapter(settings))
        elif plan.platform == "slack":
            adapters.append(build_slack_adapter(settings))
    if not adapters and not headless:
        adapters.append(ConsoleAdapter(on_close=on_console_close))
    return adapters


async def _run(settings: Settings, *, headless: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    adapters = build_adapters(settings, headless=headless, on_console_close=stop.set)
    # Always present, so a target removed from feeds.yaml stops being planned for.
    adapters.append(
        WebhookAdapter(settings.announce, allow_private=settings.allow_private_addresses)
    )
    app = App(settings, adapters)
    try:
        await app.start()
    except Exception as exc:
        _LOGGER.debug("start failed", exc_info=True)
        await app.stop()
        print(f"filmbot could not start: {exc}", file=sys.stderr)
        return EXIT_FAILED
    try:
        await stop.wait()
    finally:
        await app.stop()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
