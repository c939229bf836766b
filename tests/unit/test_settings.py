"""Settings: production refuses to start half-configured; development keeps its own secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from quanzi.settings import ConfigError, load_settings

PRODUCTION_OK = {
    "env": "production",
    "jwt_secret": "p" * 48,
    "database_url": "postgres://db/quanzi",
    "redis_url": "redis://cache:6379/0",
    "wechat_appid": "wx1",
    "wechat_secret": "sec",
}


def test_production_names_every_missing_secret() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env="production", database_url=None, redis_url=None, jwt_secret=None)
    message = str(info.value)
    for name in ("QUANZI_JWT_SECRET", "DATABASE_URL", "REDIS_URL", "WECHAT_APPID"):
        assert name in message


def test_production_refuses_a_short_secret_and_dev_login() -> None:
    with pytest.raises(ConfigError, match="at least 32"):
        load_settings(**{**PRODUCTION_OK, "jwt_secret": "short"})
    with pytest.raises(ConfigError, match="QUANZI_DEV_LOGIN"):
        load_settings(**PRODUCTION_OK, dev_login=True)
    assert load_settings(**PRODUCTION_OK).is_production


def test_development_generates_a_secret_once_and_keeps_it(tmp_path: Path) -> None:
    first = load_settings(env="development", var_dir=tmp_path, jwt_secret=None)
    second = load_settings(env="development", var_dir=tmp_path, jwt_secret=None)
    assert first.jwt_secret and len(first.jwt_secret) >= 48
    assert first.jwt_secret == second.jwt_secret
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0


def test_environment_variables_configure_the_service(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://example/db")
    monkeypatch.setenv("WECHAT_API_BASE", "http://127.0.0.1:9/")
    monkeypatch.setenv("QUANZI_ACCESS_TOKEN_TTL", "600")
    monkeypatch.setenv("QUANZI_DEV_LOGIN", "1")
    settings = load_settings(jwt_secret="x" * 40)
    assert settings.database_url == "postgres://example/db"
    assert settings.wechat_api_base == "http://127.0.0.1:9/"
    assert settings.access_token_ttl == 600
    assert settings.dev_login_enabled


def test_a_nonsense_value_is_a_readable_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QUANZI_ACCESS_TOKEN_TTL", "soon")
    with pytest.raises(ConfigError, match="access_token_ttl"):
        load_settings(jwt_secret="x" * 40)
