"""Every human-facing string, in one catalogue: Chinese by default, English on request.

A text is a key with one template per language; templates take format fields
(`{max}`, `{snippet}`...). Errors (by `QuanziError.message_key`), notifications, subscribe
messages, badges and alerts each keep their keys in a module of this package."""

from __future__ import annotations

from typing import Any

from domain.texts.alerts import ALERT_TEXTS
from domain.texts.badges import BADGE_TEXTS
from domain.texts.errors import ERRORS
from domain.texts.loop_errors import LOOP_ERRORS
from domain.texts.notifications import NOTIFICATIONS, SUBSCRIBE_MESSAGES
from domain.texts.operations import OPERATIONS_ERRORS
from domain.texts.tasks import TASK_TEXTS

DEFAULT_LOCALE = "zh"
LOCALES = ("zh", "en")

TEXTS: dict[str, dict[str, str]] = {
    **ERRORS,
    **OPERATIONS_ERRORS,
    **LOOP_ERRORS,
    **NOTIFICATIONS,
    **SUBSCRIBE_MESSAGES,
    **BADGE_TEXTS,
    **ALERT_TEXTS,
    **TASK_TEXTS,
}


def render(key: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """The text for `key` in `locale` (Chinese for any other), its fields filled in. An
    unknown key reads as the generic bad-input message; a missing field leaves the template."""
    entry = TEXTS.get(key) or TEXTS["bad_input"]
    template = entry.get(locale) or entry[DEFAULT_LOCALE]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
