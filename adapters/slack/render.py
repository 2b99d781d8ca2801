"""Messages and replies as Slack Block Kit, escaped and within Block Kit's limits.

Feed text is untrusted: Slack reads `&`, `<` and `>` as control characters in every text
object (`<!channel>`, `<@U123>`, `<https://x|label>`), so each piece of text is escaped before
it goes into a block; only markup we write ourselves survives. Lengths are cut on the raw
text, so an entity such as `&amp;` is never cut in half.
"""

from __future__ import annotations

from typing import Any

from bot.models import Field, Message, Reply, Visibility

# Block Kit's published limits.
MAX_BLOCKS = 50
HEADER_CHARS = 150
SECTION_CHARS = 3000
SECTION_FIELDS = 10
FIELD_CHARS = 2000
CONTEXT_ELEMENTS = 10
CONTEXT_CHARS = 2000
BUTTON_TEXT_CHARS = 75
BUTTON_URL_CHARS = 3000
ACTIONS_ELEMENTS = 5  # buttons we show; Slack allows 25
FALLBACK_CHARS = 3000  # the top-level `text`: what notifications and screen readers show
ELLIPSIS = "…"


def escape(text: str) -> str:
    """Slack's escaping: with &, < and > as entities, '<!channel>' and '<@U1>' are plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int) -> str:
    """`text` escaped, at most `limit` characters once escaped, cut with an ellipsis."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    kept: list[str] = []
    size = 0
    for char in text:
        piece = escape(char)
        if size + len(piece) > limit - len(ELLIPSIS):
            break
        kept.append(piece)
        size += len(piece)
    return "".join(kept).rstrip() + ELLIPSIS


def safe_url(url: str) -> str | None:
    """A feed's link as a button target: http(s) only, without characters Slack treats as markup."""
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > BUTTON_URL_CHARS:
        return None
    for char, encoded in (("<", "%3C"), (">", "%3E"), ("|", "%7C"), (" ", "%20"), ('"', "%22")):
        url = url.replace(char, encoded)
    return url if len(url) <= BUTTON_URL_CHARS else None


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _field_text(item: Field) -> str:
    return f"*{fit(item.name, 100)}:* {fit(item.value, FIELD_CHARS - 110)}"


def _line_sections(lines: tuple[str, ...], room: int) -> list[dict[str, Any]]:
    """Listing lines as bullet sections of up to SECTION_CHARS each, in at most `room` blocks;
    when they do not fit, the last section says how many lines were left out."""
    if room <= 0:
        return []
    chunks: list[list[str]] = [[]]
    for line in lines:
        text = "• " + fit(line, SECTION_CHARS - 2)
        if chunks[-1] and _size(chunks[-1]) + len(text) > SECTION_CHARS:
            chunks.append([])
        chunks[-1].append(text)
    if len(chunks) > room:
        left = sum(len(chunk) for chunk in chunks[room:])
        chunks = chunks[:room]
        last = chunks[-1]
        while last and _size(last) + len(f"… and {left} more") > SECTION_CHARS:
            last.pop()
            left += 1
        last.append(f"… and {left} more")
    return [_section("\n".join(chunk)) for chunk in chunks if chunk]


def _size(chunk: list[str]) -> int:
    return sum(len(text) + 1 for text in chunk)


def _buttons(message: Message) -> list[dict[str, Any]]:
    urls: list[str] = []
    for candidate in (message.url, *(message.story.sources if message.story else ())):
        url = safe_url(candidate)
        if url and url not in urls:
            urls.append(url)
    buttons = []
    for index, url in enumerate(urls[:ACTIONS_ELEMENTS]):
        label = "Read the story" if index == 0 else f"Source {index + 1}"
        buttons.append(
            {
                "type": "button",
                "action_id": f"filmbot_link_{index}",  # unique within the block, acked as a no-op
                "text": _plain(fit(label, BUTTON_TEXT_CHARS)),
                "url": url,
            }
        )
    return buttons


def message_blocks(message: Message, *, failed: bool = False) -> list[dict[str, Any]]:
    """A Message as Block Kit: header, summary, listing, facts, footer, link buttons."""
    blocks: list[dict[str, Any]] = []
    if message.title.strip():
        blocks.append({"type": "header", "text": _plain(fit(message.title, HEADER_CHARS))})
    body = message.body.strip()
    if body or failed:
        prefix = ":warning: " if failed else ""
        blocks.append(_section(prefix + fit(body, SECTION_CHARS - len(prefix))))
    context: list[str] = []
    if message.story is not None:
        # A story's facts (kind, film, release date) are small print under the summary.
        context.extend(_field_text(item) for item in message.fields)
    elif message.fields:
        blocks.append(
            {
                "type": "section",
                "fields": [_mrkdwn(_field_text(item)) for item in message.fields[:SECTION_FIELDS]],
            }
        )
    if message.footer.strip():
        context.append(fit(message.footer, CONTEXT_CHARS))
    buttons = _buttons(message)
    tail = (1 if context else 0) + (1 if buttons else 0)
    if message.lines:
        blocks.extend(_line_sections(message.lines, MAX_BLOCKS - len(blocks) - tail))
    if context:
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(c) for c in context[:CONTEXT_ELEMENTS]]}
        )
    if buttons:
        blocks.append({"type": "actions", "elements": buttons})
    if not blocks:
        blocks.append(_section(" "))
    return blocks[:MAX_BLOCKS]


def fallback_text(message: Message, *, failed: bool = False) -> str:
    """The plain `text` beside the blocks: what a notification or a screen reader shows."""
    first = next(
        (part for part in (message.title, message.body, *message.lines) if part.strip()), ""
    )
    if message.title.strip() and message.body.strip():
        first = f"{message.title}: {message.body}"
    return fit(("Error: " if failed else "") + first, FALLBACK_CHARS) or " "


def message_payload(message: Message) -> dict[str, Any]:
    """The `text` and `blocks` of chat.postMessage for an announcement or a DM."""
    return {"text": fallback_text(message), "blocks": message_blocks(message)}


def reply_payload(reply: Reply) -> dict[str, Any]:
    """A command's reply for its response_url: ephemeral unless meant for the whole channel."""
    failed = not reply.ok
    return {
        "response_type": "in_channel" if reply.visibility is Visibility.PUBLIC else "ephemeral",
        "text": fallback_text(reply.message, failed=failed),
        "blocks": message_blocks(reply.message, failed=failed),
    }
