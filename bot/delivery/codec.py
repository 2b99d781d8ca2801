"""Messages travel through the outbox as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot.models import Field, Message, StoryInfo


def dumps(message: Message) -> str:
    return json.dumps(
        {
            "title": message.title,
            "url": message.url,
            "body": message.body,
            "fields": [[f.name, f.value, f.inline] for f in message.fields],
            "footer": message.footer,
            "lines": list(message.lines),
            "story": asdict(message.story) if message.story else None,
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
        story=_story(data.get("story")),
    )


def _story(data: dict[str, Any] | None) -> StoryInfo | None:
    if not data:
        return None
    return StoryInfo(
        id=data["id"],
        kind=data["kind"],
        films=tuple(data.get("films", ())),
        release_date=data.get("release_date"),
        sources=tuple(data.get("sources", ())),
    )
