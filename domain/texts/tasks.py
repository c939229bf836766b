"""The task centre's titles and descriptions (keys task.<CODE>.title / .description)."""

from __future__ import annotations

_TASKS: dict[str, tuple[str, str, str, str]] = {
    # code: (zh title, zh description, en title, en description)
    "COMPLETE_PROFILE": (
        "完善资料",
        "修改默认昵称，并填写简介或上传头像",
        "Complete your profile",
        "Change the default nickname and add a bio or an avatar",
    ),
    "FOLLOW_TOPICS": (
        "关注 3 个话题",
        "关注你感兴趣的 3 个话题",
        "Follow 3 topics",
        "Follow three topics you care about",
    ),
    "JOIN_CIRCLE": ("加入一个圈子", "找到志同道合的圈友", "Join a circle", "Find people like you"),
    "FIRST_POST": ("发布第一条帖子", "和大家打个招呼吧", "Write your first post", "Say hello"),
    "FIRST_COMMENT": (
        "发表第一条评论",
        "参与一次讨论",
        "Write your first comment",
        "Join a conversation",
    ),
    "FIRST_CHECK_IN": (
        "完成第一次签到",
        "每天签到可得积分",
        "Check in for the first time",
        "Checking in earns points every day",
    ),
    "DAILY_CHECK_IN": ("每日签到", "今天签到一次", "Daily check-in", "Check in today"),
    "DAILY_LIKE": ("点赞 3 次", "今天为 3 条内容点赞", "Like 3 times", "Like three things today"),
    "DAILY_COMMENT": ("评论 1 次", "今天发表一条评论", "Comment once", "Write a comment today"),
    "DAILY_SHARE": ("分享 1 次", "今天分享一条帖子", "Share once", "Share a post today"),
}

TASK_TEXTS: dict[str, dict[str, str]] = {}
for _code, (_zt, _zd, _et, _ed) in _TASKS.items():
    TASK_TEXTS[f"task.{_code}.title"] = {"zh": _zt, "en": _et}
    TASK_TEXTS[f"task.{_code}.description"] = {"zh": _zd, "en": _ed}
