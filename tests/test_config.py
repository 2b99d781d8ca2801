"""bot.config against real YAML and .env files written into a temporary folder."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.config import (
    ConfigError,
    ConfigProblem,
    Defaults,
    load_settings,
    parse_duration,
    parse_size,
)

REPO_FEEDS = Path(__file__).parents[1] / "feeds.yaml"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # load_settings reads ./.env and ./feeds.yaml by default; keep the developer's own out of it.
    monkeypatch.chdir(tmp_path)


def write(folder: Path, text: str, name: str = "feeds.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, env: dict[str, str] | None = None) -> tuple[ConfigProblem, ...]:
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env=env or {})
    return caught.value.problems


# --- bad files: each names the file, the line, the key and the fix ------------------------

BAD_CASES = [
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            interval: fast
        """,
        4,
        "feeds[0].interval",
        "'fast' is not a duration",
        "Write seconds (90)",
        id="interval-not-a-duration",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            backfill: -1
        """,
        4,
        "feeds[0].backfill",
        "below 0",
        "whole number",
        id="backfill-negative",
    ),
    pytest.param(
        """
        defaults:
          backfill: many
        feeds: []
        """,
        2,
        "defaults.backfill",
        "'many' is not a whole number",
        "whole number",
        id="backfill-not-a-number",
    ),
    pytest.param(
        """
        allow_private_addresses: yes please
        feeds: []
        """,
        1,
        "allow_private_addresses",
        "not true or false",
        "Write true or false",
        id="flag-not-a-bool",
    ),
    pytest.param(
        """
        defaults:
          max_body_bytes: lots
        """,
        2,
        "defaults.max_body_bytes",
        "'lots' is not a size",
        "10MiB",
        id="size-not-a-size",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            intervall: 10m
        """,
        4,
        "feeds[0].intervall",
        "unknown key 'intervall'",
        "did you mean 'interval'?",
        id="unknown-feed-key",
    ),
    pytest.param(
        """
        defaults:
          timout: 10s
        """,
        2,
        "defaults.timout",
        "unknown key 'timout'",
        "did you mean 'timeout'?",
        id="unknown-defaults-key",
    ),
    pytest.param(
        """
        feeds: []
        anounce:
          - name: news
        """,
        2,
        "anounce",
        "unknown key 'anounce'",
        "did you mean 'announce'?",
        id="unknown-top-level-key",
    ),
    pytest.param(
        """
        db: data/other.db
        """,
        1,
        "db",
        "unknown key 'db'",
        "FILMBOT_DB",
        id="db-belongs-in-env",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
          - name: Variety
            interval: 10m
        """,
        4,
        "feeds[1]",
        "no url",
        "Add 'url:",
        id="missing-url",
    ),
    pytest.param(
        """
        feeds:
          - url: https://deadline.com/feed/
        """,
        2,
        "feeds[0]",
        "no name",
        "Add 'name:",
        id="missing-name",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: ftp://deadline.com/feed/
        """,
        3,
        "feeds[0].url",
        "'ftp'",
        "https://",
        id="url-bad-scheme",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https:///feed/
        """,
        3,
        "feeds[0].url",
        "no host",
        "https://deadline.com/feed/",
        id="url-no-host",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/my feed/
        """,
        3,
        "feeds[0].url",
        "contains spaces",
        "%20",
        id="url-spaces",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: deadline.com/feed/
        """,
        3,
        "feeds[0].url",
        "no file at",
        "https://deadline.com/feed/",
        id="url-without-scheme",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
          - name: Variety
            url: https://variety.com/feed/
          - name: deadline
            url: https://deadline.com/v/film/feed/
        """,
        6,
        "feeds[2].name",
        "already used by feeds[0] on line 2",
        "its own name",
        id="duplicate-name",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
           interval: 10m
        """,
        4,
        "",
        "not valid YAML",
        "Indent with spaces",
        id="yaml-syntax",
    ),
    pytest.param(
        """
        feeds:
          - name: "Deadline
            url: https://deadline.com/feed/
        """,
        2,
        "",
        "never closed",
        "quote values",
        id="yaml-unclosed-quote",
    ),
    pytest.param(
        """
        feeds: [
          {name: Deadline, url: "https://deadline.com/feed/"}
        """,
        1,
        "",
        "never closed",
        "quote values",
        id="yaml-unclosed-bracket",
    ),
    pytest.param(
        "feeds:\n\t- name: Deadline\n",
        2,
        "",
        "tabs cannot indent YAML",
        "Indent with spaces",
        id="yaml-tab",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            url: https://variety.com/feed/
        """,
        4,
        "feeds[0].url",
        "appears twice (lines 3 and 4)",
        "Keep one",
        id="duplicate-key",
    ),
    pytest.param(
        """
        feeds: []
        token: "abc.def.s3cr3t-value"
        """,
        2,
        "token",
        "secrets never live in feeds.yaml",
        "DISCORD_TOKEN",
        id="secret-top-level",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            bot_token: xoxb-s3cr3t-value
        """,
        4,
        "feeds[0].bot_token",
        "secrets never live in feeds.yaml",
        "SLACK_BOT_TOKEN",
        id="secret-in-feed",
    ),
    pytest.param(
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            interval: 0.5s
        """,
        4,
        "feeds[0].interval",
        "under 1 second",
        "Write 1s or more",
        id="interval-under-1s",
    ),
    pytest.param(
        """
        defaults:
          interval: 0
        """,
        2,
        "defaults.interval",
        "not more than 0 seconds",
        "Write seconds (90)",
        id="interval-zero",
    ),
    pytest.param(
        """
        feeds:
          name: Deadline
        """,
        1,
        "feeds",
        "not a list",
        "- name:",
        id="feeds-not-a-list",
    ),
    pytest.param(
        """
        feeds:
          - https://deadline.com/feed/
        """,
        2,
        "feeds[0]",
        "this feed is text, not a mapping",
        "- name:",
        id="feed-not-a-mapping",
    ),
    pytest.param(
        """
        - name: Deadline
          url: https://deadline.com/feed/
        """,
        1,
        "",
        "not a mapping of settings",
        "'feeds:'",
        id="top-level-not-a-mapping",
    ),
]


@pytest.mark.parametrize(("text", "line", "key", "problem", "fix"), BAD_CASES)
def test_bad_file_names_file_line_key_and_fix(
    tmp_path: Path, text: str, line: int, key: str, problem: str, fix: str
) -> None:
    path = write(tmp_path, text)
    problems = problems_of(path)
    assert len(problems) == 1, [str(p) for p in problems]
    found = problems[0]
    assert found.where == f"{path}:{line}"
    assert found.key == key
    assert problem in found.problem
    assert fix.lower() in found.fix.lower()
    message = str(found)
    assert message.startswith(f"{path}:{line}: ")
    assert "feeds.yaml" in message
    assert "s3cr3t-value" not in message  # secret values are never echoed back


def test_message_reads_as_one_sentence_pair(tmp_path: Path) -> None:
    path = write(tmp_path, BAD_CASES[0].values[0])  # type: ignore[arg-type]
    (found,) = problems_of(path)
    assert str(found).endswith(
        "feeds.yaml:4: feeds[0].interval: 'fast' is not a duration. "
        "Write seconds (90) or a duration such as 15m, 1h30m."
    )


def test_missing_local_file_names_the_resolved_path(tmp_path: Path) -> None:
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    path = write(
        config_dir,
        """
        feeds:
          - name: Local
            url: feeds/missing.xml
        """,
    )
    (found,) = problems_of(path)
    assert found.where == f"{path}:3"
    assert str((config_dir / "feeds" / "missing.xml").resolve()) in found.problem
    assert "relative" in found.problem


def test_several_problems_are_reported_together(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        defaults:
          timeout: soon
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
            backfil: 3
          - name: Variety
        password: hunter2
        """,
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={"LOG_LEVEL": "chatty"})
    error = caught.value
    assert [(p.where.rsplit(":", 1)[-1], p.key) for p in error.problems] == [
        ("environment", "LOG_LEVEL"),
        ("2", "defaults.timeout"),
        ("6", "feeds[0].backfil"),
        ("7", "feeds[1]"),
        ("8", "password"),
    ]
    lines = str(error).splitlines()
    assert lines[0] == "Configuration is not valid (5 problems):"
    assert len(lines) == 6
    assert "did you mean 'backfill'?" in lines[3].lower()
    assert "hunter2" not in str(error)


def test_single_problem_has_no_heading(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds: 3\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(path, env={})
    assert "\n" not in str(caught.value)
    assert not str(caught.value).startswith("Configuration is not valid")


def test_missing_config_file_says_where_it_looked(tmp_path: Path) -> None:
    (found,) = problems_of(tmp_path / "nope.yaml")
    assert str(tmp_path / "nope.yaml") in found.problem
    assert "--config" in found.fix and "FILMBOT_CONFIG" in found.fix


def test_missing_default_config_file_mentions_the_default(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env={})
    (found,) = caught.value.problems
    assert str(tmp_path / "feeds.yaml") in found.problem
    assert "default" in found.problem


def test_missing_file_from_env_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(None, env={"FILMBOT_CONFIG": str(tmp_path / "elsewhere.yaml")})
    (found,) = caught.value.problems
    assert found.key == "FILMBOT_CONFIG"
    assert "elsewhere.yaml" in found.problem


# --- warnings ---------------------------------------------------------------------------


def test_fast_interval_warns_for_remote_feed_only(tmp_path: Path) -> None:
    (tmp_path / "local.xml").write_text("<rss/>", encoding="utf-8")
    path = write(
        tmp_path,
        """
        feeds:
          - name: Remote
            url: https://deadline.com/feed/
            interval: 30s
          - name: Local
            url: local.xml
            interval: 30s
        """,
    )
    settings = load_settings(path, env={})
    assert [feed.interval for feed in settings.feeds] == [30.0, 30.0]
    (warning,) = settings.warnings
    assert warning.startswith(f"{path}:4: feeds[0].interval: ")
    assert "under a minute" in warning and "5m" in warning


def test_fast_default_interval_warns_once_naming_the_feeds(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        defaults:
          interval: 30
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
          - name: Variety
            url: https://variety.com/feed/
        """,
    )
    (warning,) = load_settings(path, env={}).warnings
    assert warning.startswith(f"{path}:2: defaults.interval: ")
    assert "Deadline, Variety" in warning


def test_duplicate_url_is_a_warning(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        feeds:
          - name: Deadline
            url: https://deadline.com/feed/
          - name: Deadline again
            url: https://deadline.com/feed/
        """,
    )
    settings = load_settings(path, env={})
    assert len(settings.feeds) == 2
    (warning,) = settings.warnings
    assert warning.startswith(f"{path}:5: feeds[1].url: feeds[0] on line 3")


@pytest.mark.parametrize("text", ["feeds: []\n", "feeds:\n", ""])
def test_no_feeds_is_allowed_with_a_warning(tmp_path: Path, text: str) -> None:
    settings = load_settings(write(tmp_path, text), env={})
    assert settings.feeds == ()
    assert settings.defaults == Defaults()
    assert len(settings.warnings) == 1 and "no feeds" in settings.warnings[0]


# --- good files -------------------------------------------------------------------------


def test_repo_feeds_yaml_loads(tmp_path: Path) -> None:
    settings = load_settings(REPO_FEEDS, env={})
    assert len(settings.feeds) > 5
    assert settings.warnings == ()
    assert settings.config_path == REPO_FEEDS.resolve()
    assert settings.defaults.interval == 900.0
    assert settings.defaults.backfill == 0
    assert settings.allow_private_addresses is False
    names = [feed.name.casefold() for feed in settings.feeds]
    assert len(set(names)) == len(names)
    for feed in settings.feeds:
        assert feed.url.startswith("https://") and not feed.is_local
        assert feed.interval == 900.0 and feed.fetch_articles is False


def test_full_file_with_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        defaults:
          interval: 1h
          timeout: 30s
          max_body_bytes: 5MiB
          max_redirects: 3
          backfill: 2
          user_agent: "filmbot-test/1.0"
        allow_private_addresses: true
        feeds:
          - name: Deadline
            url: https://deadline.com/v/film/feed/
          - name: Variety
            url: http://variety.com/v/film/feed/
            interval: 10m
            timeout: 5
            max_body_bytes: 512KiB
            backfill: 0
            fetch_articles: true
        """,
    )
    settings = load_settings(path, env={})
    assert settings.defaults == Defaults(3600.0, 30.0, 5 * 2**20, 3, 2, "filmbot-test/1.0")
    assert settings.allow_private_addresses is True
    deadline, variety = settings.feeds
    assert (deadline.interval, deadline.timeout, deadline.max_body_bytes, deadline.backfill) == (
        3600.0,
        30.0,
        5 * 2**20,
        2,
    )
    assert (variety.interval, variety.timeout, variety.max_body_bytes, variety.backfill) == (
        600.0,
        5.0,
        512 * 1024,
        0,
    )
    assert variety.fetch_articles is True and deadline.fetch_articles is False


def test_local_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    config_dir = tmp_path / "conf"
    (config_dir / "feeds").mkdir(parents=True)
    local = config_dir / "feeds" / "local feed.xml"
    local.write_text("<rss/>", encoding="utf-8")
    path = write(
        config_dir,
        f"""
        feeds:
          - name: Plain
            url: feeds/local feed.xml
          - name: Relative file URL
            url: file:feeds/local%20feed.xml
          - name: Absolute file URL
            url: {local.resolve().as_uri()}
          - name: Absolute path
            url: {local.resolve()}
        """,
    )
    settings = load_settings(path, env={})
    expected = local.resolve().as_uri()
    assert expected.startswith("file:///")
    assert [feed.url for feed in settings.feeds] == [expected] * 4
    assert all(feed.is_local for feed in settings.feeds)


DURATIONS = [
    (90, 90.0),
    (90.5, 90.5),
    ("90", 90.0),
    ("90s", 90.0),
    ("15m", 900.0),
    ("1h30m", 5400.0),
    ("1h 30m", 5400.0),
    ("1.5h", 5400.0),
    ("2d", 172800.0),
    ("1d2h3m4s", 93784.0),
    ("1s", 1.0),
]


@pytest.mark.parametrize(("value", "seconds"), DURATIONS)
def test_parse_duration(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    "value", ["fast", "", "m", "-5", "5x", "30m1h", True, None, 0, -1, "0s", [5]]
)
def test_parse_duration_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="duration such as 15m"):
        parse_duration(value)


SIZES = [
    (1048576, 1048576),
    ("512", 512),
    ("512B", 512),
    ("512KiB", 512 * 1024),
    ("10MiB", 10 * 2**20),
    ("10 MiB", 10 * 2**20),
    ("1MB", 2**20),
    ("1mb", 2**20),
    ("1.5MiB", 3 * 2**19),
    ("1GiB", 2**30),
    ("2K", 2048),
]


@pytest.mark.parametrize(("value", "size"), SIZES)
def test_parse_size(value: object, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["lots", "", "10TB", "-1", 0, -5, 1.5, True, None, "0.1B"])
def test_parse_size_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="10MiB"):
        parse_size(value)


# --- environment and .env ---------------------------------------------------------------


def test_dotenv_fills_in_and_the_real_environment_wins(tmp_path: Path) -> None:
    config = write(tmp_path, "feeds: []\n")
    dotenv = write(
        tmp_path,
        """
        DISCORD_TOKEN=from-dotenv
        SLACK_BOT_TOKEN=xoxb-from-dotenv
        SLACK_APP_TOKEN=xapp-from-dotenv
        SLACK_SIGNING_SECRET=
        LOG_LEVEL=debug
        """,
        name="custom.env",
    )
    env = {"DISCORD_TOKEN": "from-env", "DISCORD_GUILD_ID": "1234567890", "SLACK_APP_TOKEN": ""}
    settings = load_settings(config, env=env, dotenv_path=dotenv)
    assert settings.discord_token == "from-env"
    assert settings.discord_guild_id == "1234567890"
    assert settings.slack_bot_token == "xoxb-from-dotenv"
    assert settings.slack_app_token == "xapp-from-dotenv"  # an empty variable counts as unset
    assert settings.slack_signing_secret is None
    assert settings.log_level == "DEBUG"


def test_dotenv_in_the_current_folder_is_read_by_default(tmp_path: Path) -> None:
    write(tmp_path, "feeds: []\n")
    write(tmp_path, "FILMBOT_DB=from-dotenv.db\nDISCORD_TOKEN=abc\n", name=".env")
    settings = load_settings(None, env={})
    assert settings.config_path == (tmp_path / "feeds.yaml").resolve()
    assert settings.db_path == tmp_path / "from-dotenv.db"
    assert settings.discord_token == "abc"


def test_filmbot_config_points_at_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "feeds: []\n", name="other.yaml")
    settings = load_settings(None, env={"FILMBOT_CONFIG": str(path)})
    assert settings.config_path == path.resolve()


def test_db_argument_beats_env_beats_default(tmp_path: Path) -> None:
    config = write(tmp_path, "feeds: []\n")
    env = {"FILMBOT_DB": str(tmp_path / "env.db")}
    assert load_settings(config, env={}).db_path == tmp_path / "data" / "filmbot.db"
    assert load_settings(config, env=env).db_path == tmp_path / "env.db"
    assert (
        load_settings(config, env=env, db_path=tmp_path / "arg.db").db_path == tmp_path / "arg.db"
    )


@pytest.mark.parametrize(
    ("value", "level"), [("warn", "WARNING"), ("ERROR", "ERROR"), ("", "INFO")]
)
def test_log_level_names(tmp_path: Path, value: str, level: str) -> None:
    config = write(tmp_path, "feeds: []\n")
    assert load_settings(config, env={"LOG_LEVEL": value}).log_level == level


@pytest.mark.parametrize(
    ("key", "value", "fix"),
    [
        ("LOG_LEVEL", "loud", "WARNING"),
        ("LOG_LEVEL", "10", "DEBUG"),
        ("DISCORD_GUILD_ID", "my-server", "Copy Server ID"),
    ],
)
def test_bad_environment_names_the_variable(tmp_path: Path, key: str, value: str, fix: str) -> None:
    config = write(tmp_path, "feeds: []\n")
    (found,) = problems_of(config, env={key: value})
    assert (found.where, found.key) == ("environment", key)
    assert fix in found.fix
    assert str(found).startswith(f"environment: {key}: ")


def test_swapped_slack_tokens_warn(tmp_path: Path) -> None:
    config = write(tmp_path, "feeds: []\n")
    settings = load_settings(config, env={"SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "xoxb-1"})
    assert sum("does not start with" in warning for warning in settings.warnings) == 2
    assert all("xapp-1" not in warning and "xoxb-1" not in warning for warning in settings.warnings)


def test_env_example_lists_every_variable_and_loads_as_is(tmp_path: Path) -> None:
    example = (Path(__file__).parents[1] / ".env.example").read_text(encoding="utf-8")
    names = {
        line.split("=", 1)[0] for line in example.splitlines() if line and not line.startswith("#")
    }
    # every variable the code reads, found in its source rather than listed again here
    source = (Path(__file__).parents[1] / "bot" / "config.py").read_text(encoding="utf-8")
    read = set(re.findall(r'(?:environ|env)(?:\.get\(|\[)"([A-Z_]+)"', source))
    read |= set(re.findall(r'_(?:port|http_url|choice)\(\s*environ,\s*"([A-Z_]+)"', source))
    read |= set(re.findall(r'"([A-Z][A-Z_]+)" (?:not )?in environ', source))
    assert {"SLACK_API_URL", "HEALTH_PORT", "SLACK_HTTP_PORT", "FILMBOT_CONFIG"} <= read
    assert names == read
    reference = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text("utf-8")
    documented = set(re.findall(r"^\| `([A-Z_]+)` \|", reference, flags=re.MULTILINE))
    assert documented == read
    write(tmp_path, "feeds: []\n")
    write(tmp_path, example, name=".env")
    settings = load_settings(None, env={})
    assert (settings.discord_token, settings.slack_bot_token, settings.log_level) == (
        None,
        None,
        "INFO",
    )


def test_named_dotenv_that_is_missing_is_a_warning(tmp_path: Path) -> None:
    config = write(tmp_path, "feeds:\n  - {name: Deadline, url: https://deadline.com/feed/}\n")
    settings = load_settings(config, env={}, dotenv_path=tmp_path / "missing.env")
    (warning,) = settings.warnings
    assert "missing.env" in warning and ".env.example" in warning
