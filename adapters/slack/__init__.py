"""Slack: slash commands, Block Kit announcements and DMs, Socket Mode or HTTP (slack-bolt)."""

from adapters.slack.adapter import SlackAdapter, SlackSetupError, build_slack_adapter
from adapters.slack.manifest import slack_manifest
from adapters.slack.render import message_payload, reply_payload

__all__ = [
    "SlackAdapter",
    "SlackSetupError",
    "build_slack_adapter",
    "message_payload",
    "reply_payload",
    "slack_manifest",
]
