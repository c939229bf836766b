"""What the inbox says about a notification, and the line a WeChat subscribe message carries.

Inbox fields: {actor} the latest actor's nickname, {actors} who (one or "X and N others"),
{snippet} the text it is about, {what} post or comment."""

from __future__ import annotations

NOTIFICATIONS: dict[str, dict[str, str]] = {
    "notification.COMMENT": {
        "zh": "{actor} 评论了你的帖子：{snippet}",
        "en": "{actor} commented on your post: {snippet}",
    },
    "notification.REPLY": {
        "zh": "{actor} 回复了你的评论：{snippet}",
        "en": "{actor} replied to your comment: {snippet}",
    },
    "notification.LIKE": {"zh": "{actors}赞了你的{what}", "en": "{actors}liked your {what}"},
    "notification.FOLLOW": {"zh": "{actor} 关注了你", "en": "{actor} followed you"},
    "notification.ANSWER": {
        "zh": "{actor} 回答了你的问题：{snippet}",
        "en": "{actor} answered your question: {snippet}",
    },
    "notification.ANSWER_ACCEPTED": {"zh": "你的回答被采纳了", "en": "Your answer was accepted"},
    "notification.REVIEW_APPROVED": {
        "zh": "你的内容已通过审核：{snippet}",
        "en": "Your content passed review: {snippet}",
    },
    "notification.REVIEW_REJECTED": {
        "zh": "你的内容未通过审核：{snippet}",
        "en": "Your content did not pass review: {snippet}",
    },
    "notification.FEATURED": {"zh": "你的帖子被选为精选", "en": "Your post was featured"},
    "notification.BADGE": {
        "zh": "你获得了新徽章：{snippet}",
        "en": "You earned a badge: {snippet}",
    },
    "notification.EVENT_REMINDER": {
        "zh": "你报名的活动即将开始：{snippet}",
        "en": "Your event starts soon: {snippet}",
    },
    "notification.FEEDBACK_REPLY": {
        "zh": "你的反馈有了回复：{snippet}",
        "en": "Your feedback has a reply: {snippet}",
    },
    "notification.EVENT_CANCELLED": {
        "zh": "你报名的活动「{snippet}」已取消",
        "en": "The event you signed up for was cancelled: {snippet}",
    },
    "notification.ANSWER_COMMENT": {
        "zh": "{actor} 评论了你的回答：{snippet}",
        "en": "{actor} commented on your answer: {snippet}",
    },
    "notification.EVENT_CHANGED": {
        "zh": "你报名的活动「{snippet}」时间或地点有变，请查看最新安排",
        "en": "The event you signed up for changed its time or place: {snippet}",
    },
    "notification.TASK_DONE": {
        "zh": "你完成了新手任务「{snippet}」，快去任务中心领取奖励",
        "en": "You completed the task “{snippet}”: claim its reward in the task centre",
    },
    # {actors}: one member, or several
    "notification.actors_one": {"zh": "{nickname} ", "en": "{nickname} "},
    "notification.actors_many": {
        "zh": "{nickname} 等 {count} 人",
        "en": "{nickname} and {others} others ",
    },
    "notification.what_post": {"zh": "帖子", "en": "post"},
    "notification.what_comment": {"zh": "评论", "en": "comment"},
}

# The `thing1` line of a subscribe message (at most 20 characters in Chinese).
SUBSCRIBE_MESSAGES: dict[str, dict[str, str]] = {
    "subscribe.COMMENT": {"zh": "有人评论了你的帖子", "en": "New comment on your post"},
    "subscribe.REPLY": {"zh": "有人回复了你的评论", "en": "New reply to your comment"},
    "subscribe.LIKE": {"zh": "有人赞了你的内容", "en": "Someone liked your content"},
    "subscribe.FOLLOW": {"zh": "有新朋友关注了你", "en": "You have a new follower"},
    "subscribe.ANSWER": {"zh": "你的问题有了新回答", "en": "New answer to your question"},
    "subscribe.ANSWER_ACCEPTED": {"zh": "你的回答被采纳了", "en": "Your answer was accepted"},
    "subscribe.REVIEW_APPROVED": {"zh": "你的内容已通过审核", "en": "Your content passed review"},
    "subscribe.REVIEW_REJECTED": {"zh": "你的内容未通过审核", "en": "Your content was rejected"},
    "subscribe.FEATURED": {"zh": "你的帖子被选为精选", "en": "Your post was featured"},
    "subscribe.BADGE": {"zh": "你获得了新徽章", "en": "You earned a badge"},
    "subscribe.EVENT_REMINDER": {"zh": "你报名的活动即将开始", "en": "Your event starts soon"},
    "subscribe.FEEDBACK_REPLY": {"zh": "你的反馈有了回复", "en": "Your feedback has a reply"},
    "subscribe.EVENT_CANCELLED": {"zh": "你报名的活动已取消", "en": "Your event was cancelled"},
    "subscribe.ANSWER_COMMENT": {"zh": "有人评论了你的回答", "en": "New comment on your answer"},
    "subscribe.TASK_DONE": {"zh": "你完成了一个新手任务", "en": "You completed a task"},
    "subscribe.EVENT_CHANGED": {"zh": "你报名的活动有变动", "en": "Your event changed"},
    "subscribe.other": {"zh": "你有一条新消息", "en": "You have a new message"},
}
