"""Running understand() over a hand-labelled evaluation set and scoring it.

One JSON object a line: {"id", "title", "summary", "published", "film", "kind",
"release_date"}; other keys are ignored. An item without "published" (or null) is
understood as published at DEFAULT_PUBLISHED (2026-01-01T00:00Z), so relative dates
("next summer") resolve the same on every run.

Scoring: kind exact; film by normal form (normalise_title) of the first film found, an
expected null being right when no film is found; release_date as the first release mention
for the expected film, written per its precision (day YYYY-MM-DD, month or season YYYY-MM,
year YYYY), an expected null being right when there is no release mention for the expected
film (for any film, when no film is expected).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.films.normalise import normalise_title
from bot.models import FeedItem, Precision, ReleaseMention, StoryKind, Understanding
from bot.news.understand import understand

__all__ = ["DEFAULT_PUBLISHED", "EvalCase", "EvalFailure", "EvalReport", "evaluate", "load_cases"]

DEFAULT_PUBLISHED = datetime(2026, 1, 1, tzinfo=UTC)
_KINDS = frozenset(kind.value for kind in StoryKind)
_REQUIRED = ("id", "title", "kind")


@dataclass(frozen=True, slots=True)
class EvalCase:
    id: str
    title: str
    summary: str
    published: datetime | None
    film: str | None
    kind: str
    release_date: str | None  # "YYYY-MM-DD" | "YYYY-MM" | "YYYY" | None


@dataclass(frozen=True, slots=True)
class EvalFailure:
    id: str
    field: str  # "kind", "film" or "release_date"
    expected: str | None
    predicted: str | None


@dataclass(frozen=True, slots=True)
class EvalReport:
    n: int
    kind_acc: float
    film_acc: float
    date_acc: float
    confusion: dict[str, dict[str, int]]  # expected kind -> predicted kind -> count
    failures: list[EvalFailure] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "kind_acc": round(self.kind_acc, 4),
            "film_acc": round(self.film_acc, 4),
            "date_acc": round(self.date_acc, 4),
            "confusion": self.confusion,
        }

    def render(self) -> str:
        lines = [
            f"items: {self.n}",
            f"kind accuracy:         {self.kind_acc:6.1%}",
            f"film accuracy:         {self.film_acc:6.1%}",
            f"release date accuracy: {self.date_acc:6.1%}",
            "",
            "kinds (rows expected, columns predicted):",
        ]
        kinds = [kind.value for kind in StoryKind]
        short = {
            kind: kind.replace("_announced", "").replace("release_", "rel_")[:8] for kind in kinds
        }
        lines.append(" " * 17 + " ".join(f"{short[kind]:>8}" for kind in kinds))
        for expected in kinds:
            row = self.confusion.get(expected, {})
            cells = " ".join(f"{row.get(predicted, 0) or '.':>8}" for predicted in kinds)
            lines.append(f"{expected:>16} {cells}")
        if self.failures:
            lines += ["", "failures:"]
            lines += [
                f"  {f.id}: {f.field} expected {f.expected!r}, got {f.predicted!r}"
                for f in self.failures
            ]
        return "\n".join(lines)


def _bad(path: Path, number: int, what: str) -> ValueError:
    return ValueError(f"{path}:{number}: {what}")


def _optional_text(record: dict[str, Any], key: str, path: Path, number: int) -> str | None:
    value = record.get(key)
    if value is not None and not isinstance(value, str):
        raise _bad(path, number, f'"{key}" must be a string or null, not {type(value).__name__}')
    return value


def _case(record: Any, path: Path, number: int) -> EvalCase:
    if not isinstance(record, dict):
        raise _bad(path, number, "each line must be a JSON object")
    for key in _REQUIRED:
        if not isinstance(record.get(key), str) or not record[key]:
            raise _bad(path, number, f'"{key}" is missing or not a non-empty string')
    if record["kind"] not in _KINDS:
        raise _bad(
            path, number, f"unknown kind {record['kind']!r}; one of {', '.join(sorted(_KINDS))}"
        )
    published_text = _optional_text(record, "published", path, number)
    published = None
    if published_text:
        try:
            published = datetime.fromisoformat(published_text.replace("Z", "+00:00"))
        except ValueError:
            raise _bad(
                path, number, f'"published" is not an ISO date-time: {published_text!r}'
            ) from None
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
    release = _optional_text(record, "release_date", path, number)
    if release is not None and not _valid_date_text(release):
        raise _bad(
            path, number, f'"release_date" must be YYYY-MM-DD, YYYY-MM or YYYY, not {release!r}'
        )
    return EvalCase(
        id=record["id"],
        title=record["title"],
        summary=_optional_text(record, "summary", path, number) or "",
        published=published,
        film=_optional_text(record, "film", path, number),
        kind=record["kind"],
        release_date=release,
    )


def _valid_date_text(text: str) -> bool:
    for pattern in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            datetime.strptime(text, pattern)  # noqa: DTZ007 - a calendar date, no time of day
        except ValueError:
            continue
        return len(text) in (4, 7, 10)
    return False


def load_cases(path: Path) -> list[EvalCase]:
    """Cases from a JSON-lines file; a bad line raises ValueError naming file:line and the fault."""
    cases = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise _bad(
                    path, number, f"not valid JSON ({error.msg} at column {error.colno})"
                ) from None
            case = _case(record, path, number)
            if case.id in seen:
                raise _bad(path, number, f"duplicate id {case.id!r}")
            seen.add(case.id)
            cases.append(case)
    return cases


def format_release(mention: ReleaseMention) -> str | None:
    if mention.date is None:
        return None
    if mention.precision is Precision.DAY:
        return mention.date.isoformat()
    if mention.precision in (Precision.MONTH, Precision.SEASON):
        return mention.date.strftime("%Y-%m")
    if mention.precision is Precision.YEAR:
        return str(mention.date.year)
    return None


def _predicted_release(case: EvalCase, result: Understanding) -> str | None:
    if not result.releases:
        return None
    if case.film is not None:
        wanted = normalise_title(case.film)
        for mention in result.releases:
            if normalise_title(mention.film) == wanted:
                return format_release(mention)
        return None
    return format_release(result.releases[0])


def understand_case(case: EvalCase) -> Understanding:
    item = FeedItem(
        feed="eval",
        key=case.id,
        url="",
        title=case.title,
        summary=case.summary,
        published=case.published or DEFAULT_PUBLISHED,
    )
    return understand(item)


def evaluate(
    cases: Sequence[EvalCase], on_case: Callable[[EvalCase], None] | None = None
) -> EvalReport:
    """on_case is called after each case (the CLI's progress bar)."""
    confusion: dict[str, dict[str, int]] = {}
    failures: list[EvalFailure] = []
    right = {"kind": 0, "film": 0, "release_date": 0}
    for case in cases:
        result = understand_case(case)
        kind = result.kind.value
        row = confusion.setdefault(case.kind, {})
        row[kind] = row.get(kind, 0) + 1
        film = result.films[0] if result.films else None
        film_ok = (
            film is None
            if case.film is None
            else film is not None and normalise_title(film) == normalise_title(case.film)
        )
        release = _predicted_release(case, result)
        # The release the item gives for the expected film (or for any film when none is
        # expected) must be the expected one; a date for some other film named in passing is
        # neither right nor wrong here.
        release_ok = release == case.release_date
        for name, ok, expected, predicted in (
            ("kind", kind == case.kind, case.kind, kind),
            ("film", film_ok, case.film, film),
            ("release_date", release_ok, case.release_date, release),
        ):
            if ok:
                right[name] += 1
            else:
                failures.append(EvalFailure(case.id, name, expected, predicted))
        if on_case is not None:
            on_case(case)
    total = len(cases) or 1
    return EvalReport(
        n=len(cases),
        kind_acc=right["kind"] / total,
        film_acc=right["film"] / total,
        date_acc=right["release_date"] / total,
        confusion=confusion,
        failures=failures,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """python -m bot.news.evaluate [tests/data/eval.jsonl] [--json]"""
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in args
    paths = [arg for arg in args if arg != "--json"]
    report = evaluate(load_cases(Path(paths[0] if paths else "tests/data/eval.jsonl")))
    print(json.dumps(report.to_json(), indent=2) if as_json else report.render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
