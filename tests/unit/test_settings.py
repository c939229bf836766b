"""Settings: production refuses to start half-configured; development keeps its own secret."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from quanzi.settings import ConfigError, load_settings, local_media_url

PRODUCTION_OK = {
    "env": "production",
    "jwt_secret": "p" * 48,
    "database_url": "postgres://db/quanzi",
    "redis_url": "redis://cache:6379/0",
    "wechat_appid": "wx1",
    "wechat_secret": "sec",
    "media_base_url": "https://cdn.example.com/media",
}


def test_production_names_every_missing_secret() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(env="production", database_url=None, redis_url=None, jwt_secret=None)
    message = str(info.value)
    for name in (
        "QUANZI_JWT_SECRET",
        "DATABASE_URL",
        "REDIS_URL",
        "WECHAT_APPID",
        "QUANZI_MEDIA_BASE_URL",
    ):
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


def test_s3_storage_needs_all_four_settings_together(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(var_dir=tmp_path, s3_endpoint="http://127.0.0.1:9000", s3_bucket="b")
    for name in ("QUANZI_S3_ENDPOINT", "QUANZI_S3_BUCKET", "QUANZI_S3_ACCESS_KEY"):
        assert name in str(info.value)


def test_s3_storage_needs_to_say_where_its_objects_are_public(tmp_path: Path) -> None:
    s3 = {
        "s3_endpoint": "http://127.0.0.1:9000",
        "s3_bucket": "media",
        "s3_access_key": "key",
        "s3_secret_key": "secret",
    }
    with pytest.raises(ConfigError, match="QUANZI_MEDIA_BASE_URL"):
        load_settings(var_dir=tmp_path, **s3)
    configured = load_settings(var_dir=tmp_path, media_base_url="https://cdn.example/", **s3)
    assert configured.s3_bucket == "media"


def test_uploads_live_under_the_var_directory_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QUANZI_MEDIA_DIR", raising=False)
    assert load_settings(var_dir=tmp_path).media_root == tmp_path / "media"
    elsewhere = tmp_path / "uploads"
    assert load_settings(var_dir=tmp_path, media_dir=elsewhere).media_root == elsewhere


def test_dev_login_is_on_only_when_asked_for(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("QUANZI_DEV_LOGIN", raising=False)
    assert not load_settings(var_dir=tmp_path).dev_login_enabled
    assert load_settings(var_dir=tmp_path, dev_login=True).dev_login_enabled


def test_limits_below_their_floor_are_refused_by_name(tmp_path: Path) -> None:
    for name, value in (("access_token_ttl", 10), ("page_max", 0), ("query_max_depth", 1)):
        with pytest.raises(ConfigError, match=name):
            load_settings(var_dir=tmp_path, **{name: value})


def test_rate_limits_and_templates_are_read_as_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("QUANZI_RATE_LIMITS", '{"liking": [3, 60]}')
    monkeypatch.setenv("WECHAT_TEMPLATES", '{"COMMENT": "tpl-1"}')
    settings = load_settings(var_dir=tmp_path)
    assert settings.rate_limits == {"liking": (3, 60)}
    assert settings.wechat_templates == {"COMMENT": "tpl-1"}


def test_settings_cannot_change_once_read(tmp_path: Path) -> None:
    settings = load_settings(var_dir=tmp_path)
    with pytest.raises(ValidationError):
        settings.page_max = 5  # type: ignore[misc]
    assert settings.model_copy(update={"page_max": 5}).page_max == 5


def test_image_urls_come_from_configuration_required_in_production(tmp_path: Path) -> None:
    without = {k: v for k, v in PRODUCTION_OK.items() if k != "media_base_url"}
    with pytest.raises(ConfigError, match="QUANZI_MEDIA_BASE_URL"):
        load_settings(**without)
    configured = load_settings(**{**PRODUCTION_OK, "media_base_url": "https://cdn.example/m/"})
    assert configured.public_media_url == "https://cdn.example/m"
    for wrong in (
        "cdn.example.com/media",
        "ftp://cdn.example.com/media",
        "https://user:pw@cdn.example.com/media",
        "https://cdn.example.com/media?x=1",
        "https://cdn.example.com/media#top",
    ):
        with pytest.raises(ConfigError, match="QUANZI_MEDIA_BASE_URL must be an absolute"):
            load_settings(var_dir=tmp_path, media_base_url=wrong)
    # Outside production: the API's own /media where `quanzi serve` listens by default.
    assert load_settings(var_dir=tmp_path).public_media_url == "http://127.0.0.1:8000/media"
    assert local_media_url("0.0.0.0", 8080) == "http://127.0.0.1:8080/media"
    assert local_media_url("::1", 8000) == "http://[::1]:8000/media"


def test_the_alert_webhook_and_the_feedback_sla_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"
    monkeypatch.setenv("QUANZI_ALERT_WEBHOOK", url)
    monkeypatch.setenv("QUANZI_FEEDBACK_SLA_HOURS", "8")
    settings = load_settings(var_dir=tmp_path)
    assert (settings.alert_webhook, settings.feedback_sla_hours) == (url, 8)
    assert load_settings(var_dir=tmp_path, alert_webhook=" ").alert_webhook is None
    with pytest.raises(ConfigError, match="QUANZI_ALERT_WEBHOOK must be an absolute"):
        load_settings(var_dir=tmp_path, alert_webhook="qyapi.weixin.qq.com/webhook")
    with pytest.raises(ConfigError, match="feedback_sla_hours"):
        load_settings(var_dir=tmp_path, feedback_sla_hours=0)
