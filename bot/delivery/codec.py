"""Messages travel through the outbox as JSON."""

from __future__ import annotations

import json

from bot.models import Field, Message


def dumps(message: Message) -> str:
    return json.dumps(
        {
            "title": message.title,
            "url": message.url,
            "body": message.body,
            "fields": [[f.name, f.value, f.inline] for f in message.fields],
            "footer": message.footer,
            "lines": list(message.lines),
        },
        ensure_ascii=False,
    )


def loads(text: str) -> Message:
    data = json.loads(text)
    return Message(
        title=data.get("title", ""),
        url=data.get("url", ""),
        body=data.get("body", ""),
        fields=tuple(Field(name, value, inline) for name, value, inline in data.get("fields", [])),
        footer=data.get("footer", ""),
        lines=tuple(data.get("lines", [])),
    )
