"""Human messages for error keys: Chinese by default, English on request."""

from __future__ import annotations

from typing import Any

DEFAULT_LOCALE = "zh"

MESSAGES: dict[str, dict[str, str]] = {
    # generic
    "unauthenticated": {"zh": "请先登录", "en": "Please sign in first."},
    "token_invalid": {
        "zh": "登录状态无效，请重新登录",
        "en": "Your sign-in is not valid; please sign in again.",
    },
    "token_expired": {
        "zh": "登录已过期，请刷新或重新登录",
        "en": "Your sign-in has expired; refresh it or sign in again.",
    },
    "refresh_invalid": {
        "zh": "刷新凭证无效或已被使用，请重新登录",
        "en": "The refresh token is invalid or was already used; please sign in again.",
    },
    "forbidden": {"zh": "没有权限执行此操作", "en": "You are not allowed to do this."},
    "not_found": {"zh": "内容不存在或已删除", "en": "Not found, or it was deleted."},
    "bad_input": {"zh": "输入不正确", "en": "The input is not valid."},
    "bad_id": {"zh": "ID 格式不正确", "en": "The ID is not valid."},
    "content_rejected": {
        "zh": "内容包含违规信息，无法发布",
        "en": "The content breaks the community rules and cannot be published.",
    },
    "conflict": {"zh": "操作冲突，请刷新后重试", "en": "This conflicts with the current state."},
    "rate_limited": {"zh": "操作太频繁，请稍后再试", "en": "Too many requests; try again later."},
    "muted": {"zh": "你已被禁言", "en": "You are muted."},
    "query_too_complex": {"zh": "查询过于复杂", "en": "The query is too complex."},
    "service_unavailable": {
        "zh": "服务暂时不可用，请稍后重试",
        "en": "The service is temporarily unavailable; try again later.",
    },
    "internal": {"zh": "服务器开小差了，请稍后重试", "en": "Unexpected error; try again later."},
    # pagination
    "first_out_of_range": {
        "zh": "first 必须在 0 到 {max} 之间",
        "en": "first must be between 0 and {max}.",
    },
    "bad_cursor": {"zh": "分页游标不正确", "en": "The cursor is not valid."},
    # sign-in
    "wechat_code_invalid": {
        "zh": "微信登录凭证无效或已过期，请重新登录",
        "en": "The WeChat login code is invalid or expired; sign in again.",
    },
    "wechat_code_used": {
        "zh": "微信登录凭证已被使用，请重新登录",
        "en": "The WeChat login code was already used; sign in again.",
    },
    "wechat_rate_limited": {
        "zh": "微信登录太频繁，请稍后再试",
        "en": "Too many WeChat sign-ins; try again later.",
    },
    "wechat_user_blocked": {
        "zh": "该微信账号存在风险，暂时无法登录",
        "en": "WeChat flagged this account as risky; it cannot sign in now.",
    },
    "wechat_unavailable": {
        "zh": "微信服务暂时不可用，请稍后重试",
        "en": "WeChat is temporarily unavailable; try again later.",
    },
    "account_banned": {"zh": "账号已被封禁", "en": "This account is banned."},
    # profile
    "nickname_length": {
        "zh": "昵称需为 1 到 {max} 个字符",
        "en": "The nickname must be 1 to {max} characters.",
    },
    "bio_length": {
        "zh": "简介最多 {max} 个字符",
        "en": "The bio must be at most {max} characters.",
    },
    "avatar_url": {
        "zh": "头像必须是 https 链接",
        "en": "The avatar must be an https URL.",
    },
    "role_unknown": {"zh": "角色不存在", "en": "Unknown role."},
}


def render(key: str, locale: str = DEFAULT_LOCALE, **params: Any) -> str:
    """The message for `key` in `locale` (falling back to Chinese), with params filled in."""
    entry = MESSAGES.get(key) or MESSAGES["bad_input"]
    template = entry.get(locale) or entry[DEFAULT_LOCALE]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return template
