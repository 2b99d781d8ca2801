"""The evaluation set: accuracy floors, the seed article, and load_cases' error messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.models import FeedItem, Person, StoryKind
from bot.news.evaluate import DEFAULT_PUBLISHED, EvalCase, evaluate, load_cases
from bot.news.understand import understand

DATA = Path(__file__).parent / "data"
SEED_TITLE = "Michael Mann says his Heat 2 novel is \u201ctotally planned to be a movie\u201d"


@pytest.fixture(scope="module")
def cases() -> list[EvalCase]:
    return load_cases(DATA / "eval.jsonl")


def test_eval_set_is_broad(cases: list[EvalCase]) -> None:
    assert len(cases) >= 70
    for kind in StoryKind:
        assert sum(case.kind == kind.value for case in cases) >= 5, kind


def test_eval_floors(cases: list[EvalCase]) -> None:
    report = evaluate(cases)
    print(report.render())
    assert report.n == len(cases)
    assert report.kind_acc >= 0.95
    assert report.film_acc >= 0.92
    # Release dates come from bot.news.dates; the misses are listed in report.failures.
    assert report.date_acc >= 0.85
    assert set(report.to_json()) == {"n", "kind_acc", "film_acc", "date_acc", "confusion"}


def _load_seed() -> str:
    for case in load_cases(DATA / "eval.jsonl"):
        if case.id == "seed-heat2":
            return case.summary
    raise AssertionError("the seed article is missing from the eval set")


@pytest.mark.parametrize("use_lede_as_title", [False, True])
def test_seed_article(use_lede_as_title: bool) -> None:
    article = _load_seed()
    title = SEED_TITLE
    summary = article
    if use_lede_as_title:
        title, _, summary = article.partition("\n")
    item = FeedItem(
        feed="empire",
        key="heat2",
        url="",
        title=title,
        summary=summary.strip(),
        published=datetime(2022, 3, 9, tzinfo=UTC),
    )
    result = understand(item)
    assert result.kind is StoryKind.SEQUEL_ANNOUNCED
    assert result.films[0] == "Heat 2"
    assert Person("Michael Mann", "director") in result.people
    assert result.releases == ()  # the novel's August date and the 4K release are not the film's
    assert result.summary.startswith("Heat 2:")
    assert len(result.summary) <= 280
    assert "planned" in result.status


def test_default_published_is_fixed() -> None:
    assert DEFAULT_PUBLISHED == datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{not json", "not valid JSON"),
        ('["a list"]', "must be a JSON object"),
        ('{"id": "x", "title": "T"}', '"kind" is missing'),
        ('{"id": "x", "title": "T", "kind": "gossip"}', "unknown kind 'gossip'"),
        (
            '{"id": "x", "title": "T", "kind": "other", "release_date": "18/12/2026"}',
            '"release_date"',
        ),
        ('{"id": "x", "title": "T", "kind": "other", "published": "yesterday"}', '"published"'),
        ('{"id": "x", "title": "T", "kind": "other", "film": 3}', '"film" must be a string'),
    ],
)
def test_load_cases_names_file_line_and_fault(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "cases.jsonl"
    good = '{"id": "ok", "title": "A title", "kind": "other", "extra": "ignored"}'
    path.write_text(f"{good}\n\n{line}\n", encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_cases(path)
    assert str(error.value).startswith(f"{path}:3: ")
    assert message in str(error.value)


def test_load_cases_ignores_extra_keys_and_defaults(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(
        '{"id": "a", "title": "T", "kind": "review", "outlet": "Empire"}\n', encoding="utf-8"
    )
    [case] = load_cases(path)
    assert case == EvalCase("a", "T", "", None, None, "review", None)


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    line = '{"id": "a", "title": "T", "kind": "review"}\n'
    path.write_text(line + line, encoding="utf-8")
    with pytest.raises(ValueError, match=r":2: duplicate id 'a'"):
        load_cases(path)
