"""What an alert says: its title, its message (fields from the detector's figures), its
severity's name, and the WeCom group-robot message a new alert is announced with."""

from __future__ import annotations

ALERT_TEXTS: dict[str, dict[str, str]] = {
    "alert.title.REPORT_SPIKE": {"zh": "举报激增", "en": "Report spike"},
    "alert.title.DAU_DROP": {"zh": "日活下降", "en": "DAU drop"},
    "alert.title.SIGNUP_SPIKE": {"zh": "注册异常激增", "en": "Sign-up spike"},
    "alert.title.REVIEW_BACKLOG": {"zh": "审核积压", "en": "Review backlog"},
    "alert.title.FEEDBACK_BACKLOG": {"zh": "反馈超时未回复", "en": "Feedback backlog"},
    "alert.title.NEGATIVE_FEEDBACK_SPIKE": {"zh": "投诉激增", "en": "Complaint spike"},
    "alert.REPORT_SPIKE": {
        "zh": "最近 {minutes} 分钟收到 {value} 条举报，过去 14 天同一时段平均 {baseline} 条"
        "（泊松检验 p = {p}）",
        "en": "{value} reports in the last {minutes} minutes; the same hour averaged {baseline} "
        "over the last 14 days (Poisson p = {p}).",
    },
    "alert.DAU_DROP": {
        "zh": "{day} 日活 {value}，仅为过去 4 周同一星期几平均值 {baseline} 的 {percent}",
        "en": "DAU on {day} was {value}, {percent} of the {baseline} average of the same "
        "weekday over the last 4 weeks.",
    },
    "alert.SIGNUP_SPIKE": {
        "zh": "今日新注册 {value} 人，近 14 天每日中位数 {baseline} 人；其中当天发帖的占 "
        "{rate}，低于平时的 {usual}，疑似批量注册",
        "en": "{value} sign-ups today against a 14-day median of {baseline}; {rate} of them "
        "posted, below the usual {usual}: possibly mass registration.",
    },
    "alert.REVIEW_BACKLOG": {
        "zh": "{value} 条审核任务超过处理时限，最久的已在 {stage} 阶段等待 {hours} 小时",
        "en": "{value} review tasks are past their SLA; the oldest has waited {hours} hours "
        "at {stage}.",
    },
    "alert.FEEDBACK_BACKLOG": {
        "zh": "{value} 条反馈超过 {sla} 小时未回复，最久的已等待 {hours} 小时",
        "en": "{value} feedback tickets have had no reply for over {sla} hours; the oldest "
        "has waited {hours} hours.",
    },
    "alert.NEGATIVE_FEEDBACK_SPIKE": {
        "zh": "今日收到 {value} 条投诉，近 14 天每日中位数 {baseline} 条",
        "en": "{value} complaints today against a 14-day median of {baseline}.",
    },
    "alert.severity.INFO": {"zh": "提示", "en": "Info"},
    "alert.severity.WARNING": {"zh": "警告", "en": "Warning"},
    "alert.severity.CRITICAL": {"zh": "严重", "en": "Critical"},
    "alert.unknown": {"zh": "无", "en": "n/a"},
    "alert.stage.FIRST": {"zh": "初审", "en": "FIRST"},
    "alert.stage.SECOND": {"zh": "复审", "en": "SECOND"},
    "alert.stage.FINAL": {"zh": "终审", "en": "FINAL"},
    # WeCom markdown: <font color="info|comment|warning"> is all the colour it takes.
    "alert.webhook": {
        "zh": "**【圈子风险监测】{title}**\n"
        '> 级别：<font color="{color}">{severity}</font>\n'
        "> {message}\n"
        "> 时间：{time}\n"
        "请到运营后台「风险监测」处理。",
        "en": "**[Quanzi alerts] {title}**\n"
        '> Severity: <font color="{color}">{severity}</font>\n'
        "> {message}\n"
        "> Time: {time}\n"
        "See Alerts in the operator console.",
    },
}
