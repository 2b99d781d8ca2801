"""The summariser settings: SUMMARIZER, OPENAI_* and SUMMARIZER_TIMEOUT from the environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, Settings, load_settings

OLLAMA = "http://localhost:11434/v1"


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no developer .env or feeds.yaml


@pytest.fixture
def feeds(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: []\n", encoding="utf-8")
    return path


def load(feeds: Path, **env: str) -> Settings:
    return load_settings(feeds, env=env)


def problems(feeds: Path, **env: str) -> tuple[ConfigProblem, ...]:
    with pytest.raises(ConfigError) as caught:
        load_settings(feeds, env=env)
    return caught.value.problems


def test_defaults_are_local(feeds: Path) -> None:
    settings = load(feeds)
    assert settings.summarizer == "local"
    assert settings.openai_base_url is None
    assert settings.openai_model is None
    assert settings.openai_api_key is None
    assert settings.summarizer_timeout == 15.0


def test_openai_with_ollama_and_no_key(feeds: Path) -> None:
    settings = load(
        feeds,
        SUMMARIZER="OpenAI",
        OPENAI_BASE_URL=OLLAMA,
        OPENAI_MODEL="llama3.2",
        OPENAI_API_KEY="",
    )
    assert settings.summarizer == "openai"
    assert settings.openai_base_url == OLLAMA
    assert settings.openai_model == "llama3.2"
    assert settings.openai_api_key is None  # empty counts as unset


def test_openai_with_every_setting(feeds: Path) -> None:
    settings = load(
        feeds,
        SUMMARIZER="openai",
        OPENAI_BASE_URL="https://api.openai.com/v1",
        OPENAI_MODEL="gpt-4o-mini",
        OPENAI_API_KEY=" sk-secret ",
        SUMMARIZER_TIMEOUT="30s",
    )
    assert settings.openai_api_key == "sk-secret"
    assert settings.summarizer_timeout == 30.0
    assert "sk-secret" not in repr(settings)
    assert not any("SUMMARIZER" in warning for warning in settings.warnings)


def test_unknown_summariser_names_the_choices(feeds: Path) -> None:
    (problem,) = problems(feeds, SUMMARIZER="gpt")
    assert (problem.where, problem.key) == ("environment", "SUMMARIZER")
    assert "'gpt'" in problem.problem
    assert "local" in problem.fix and "openai" in problem.fix


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        pytest.param({"OPENAI_MODEL": "llama3.2"}, ["OPENAI_BASE_URL"], id="no-url"),
        pytest.param({"OPENAI_BASE_URL": OLLAMA}, ["OPENAI_MODEL"], id="no-model"),
        pytest.param({}, ["OPENAI_BASE_URL", "OPENAI_MODEL"], id="neither"),
    ],
)
def test_openai_needs_url_and_model(feeds: Path, env: dict[str, str], missing: list[str]) -> None:
    found = problems(feeds, SUMMARIZER="openai", **env)
    assert [problem.key for problem in found] == missing
    if "OPENAI_BASE_URL" in missing:
        assert "OPENAI_BASE_URL=http://localhost:11434/v1" in found[0].fix
        assert "Ollama" in found[0].fix


@pytest.mark.parametrize(
    "url",
    ["localhost:11434/v1", "ftp://example.com/v1", "http://", "http://host:port/v1", "http://a b/"],
)
def test_base_url_must_be_http(feeds: Path, url: str) -> None:
    (problem,) = problems(feeds, SUMMARIZER="openai", OPENAI_BASE_URL=url, OPENAI_MODEL="m")
    assert problem.key == "OPENAI_BASE_URL"
    assert "http(s) URL" in problem.problem
    assert "http://localhost:11434/v1" in problem.fix


@pytest.mark.parametrize("value", ["soon", "0", "-5", "nan"])
def test_timeout_must_be_a_duration(feeds: Path, value: str) -> None:
    (problem,) = problems(feeds, SUMMARIZER_TIMEOUT=value)
    assert problem.key == "SUMMARIZER_TIMEOUT"
    assert "Write seconds" in problem.fix


def test_problems_are_gathered_with_the_others(feeds: Path) -> None:
    found = problems(feeds, SUMMARIZER="openai", SUMMARIZER_TIMEOUT="x", LOG_LEVEL="LOUD")
    assert {problem.key for problem in found} == {
        "LOG_LEVEL",
        "SUMMARIZER_TIMEOUT",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
    }


def test_openai_settings_unused_by_local_warn(feeds: Path) -> None:
    settings = load(feeds, OPENAI_BASE_URL=OLLAMA, OPENAI_MODEL="llama3.2")
    assert settings.summarizer == "local"
    assert any("SUMMARIZER=openai" in warning for warning in settings.warnings)


def test_dotenv_is_read(feeds: Path, tmp_path: Path) -> None:
    dotenv = tmp_path / "custom.env"
    dotenv.write_text(
        f"SUMMARIZER=openai\nOPENAI_BASE_URL={OLLAMA}\nOPENAI_MODEL=qwen2.5\nSUMMARIZER_TIMEOUT=1m\n",
        encoding="utf-8",
    )
    settings = load_settings(feeds, env={}, dotenv_path=dotenv)
    assert (settings.summarizer, settings.openai_model, settings.summarizer_timeout) == (
        "openai",
        "qwen2.5",
        60.0,
    )


def test_env_example_documents_the_summariser_and_loads_as_is(feeds: Path, tmp_path: Path) -> None:
    example = (Path(__file__).parents[1] / ".env.example").read_text(encoding="utf-8")
    names = {line.split("=", 1)[0] for line in example.splitlines() if line and line[0] != "#"}
    summariser = {
        "SUMMARIZER",
        "OPENAI_BASE_URL",
        "OPENAI_MODEL",
        "OPENAI_API_KEY",
        "SUMMARIZER_TIMEOUT",
    }
    assert summariser <= names
    (tmp_path / ".env").write_text(example, encoding="utf-8")
    settings = load_settings(feeds, env={})
    assert (settings.summarizer, settings.summarizer_timeout) == ("local", 15.0)
