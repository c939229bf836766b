"""The console's own words, Chinese first and English when the browser prefers it. Error
messages are the API's (already in the viewer's language); these are the page's."""

from __future__ import annotations

from typing import Any

from console.texts_curation import CURATION
from console.texts_desk import DESK
from console.texts_loop import LOOP
from console.texts_numbers import NUMBERS

_T: dict[str, tuple[str, str]] = {
    # frame
    "console": ("圈子运营台", "Quanzi console"),
    "nav.home": ("今日", "Today"),
    "nav.review": ("审核工作台", "Review"),
    "nav.sanctions": ("举报与处罚", "Sanctions"),
    "nav.members": ("成员", "Members"),
    "nav.words": ("敏感词", "Words"),
    "nav.log": ("操作日志", "Log"),
    "nav.roles": ("角色", "Roles"),
    "nav.dashboard": ("数据看板", "Dashboard"),
    "nav.growth": ("增长与留存", "Growth"),
    "signout": ("退出", "Sign out"),
    "role.MEMBER": ("成员", "member"),
    "role.MODERATOR": ("版主", "moderator"),
    "role.OPERATOR": ("运营", "operator"),
    "role.ADMIN": ("管理员", "admin"),
    "save": ("保存", "Save"),
    "search": ("查询", "Search"),
    "reset": ("重置", "Reset"),
    "none": ("暂无", "Nothing here"),
    "more": ("下一页", "Next page"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "done": ("已完成", "Done"),
    "failed": ("失败", "Failed"),
    "total": ("共 {n} 条", "{n} in all"),
    "ago.s": ("{n} 秒", "{n}s"),
    "ago.m": ("{n} 分钟", "{n} min"),
    "ago.h": ("{n} 小时", "{n} h"),
    "ago.d": ("{n} 天", "{n} d"),
    # sign-in
    "login.title": ("登录运营台", "Sign in to the console"),
    "login.scan": (
        "用圈子小程序扫码，在手机上确认后自动登录",
        "Scan with the Quanzi mini-program and approve on your phone",
    ),
    "login.valid": ("二维码 2 分钟内有效，过期会自动刷新", "The code lasts 2 minutes, then renews"),
    "login.waiting": ("等待确认…", "Waiting for approval…"),
    "login.renewed": ("二维码已刷新", "A fresh code"),
    "login.link_hint": (
        "没有小程序？管理员可在服务器上运行 quanzi console-link --openid … 生成一次性登录链接",
        "No mini-program? An admin can run quanzi console-link --openid … for a one-time link",
    ),
    "login.link_ok": ("已登录，正在进入运营台…", "Signed in, opening the console…"),
    "login.link_bad": ("登录链接无效", "This sign-in link does not work"),
    "login.link_confirm": (
        "以「{name}」的身份登录运营台？此链接只能使用一次。",
        "Sign in to the console as “{name}”? This link works once.",
    ),
    "login.link_go": ("确认登录", "Sign in"),
    "login.again": ("返回登录页", "Back to sign-in"),
    "login.expired": ("登录已超时，请重新登录", "Your session timed out; sign in again"),
    "login.enter": ("进入运营台", "Open the console"),
    # refusals
    "forbidden.title": ("无权访问", "Not allowed"),
    "forbidden.member": (
        "运营台仅对版主、运营和管理员开放。你的账号是普通成员。",
        "The console is for moderators, operators and admins; your account is a member's.",
    ),
    "forbidden.role": ("你的角色不能打开此页。", "Your role cannot open this page."),
    "forbidden.csrf": (
        "页面已过期（安全校验失败），请刷新后重试。",
        "This page is stale (the security check failed); reload and try again.",
    ),
    "not_found": ("找不到该页面", "No such page"),
    # home
    "home.title": ("今日待办", "Today's work"),
    "home.stage": ("{stage}队列", "{stage} review"),
    "home.open": ("待处理", "open"),
    "home.overdue": ("超时", "overdue"),
    "home.oldest": ("最久等待", "oldest waiting"),
    "home.appeals": ("待处理申诉", "Open appeals"),
    "home.feedback": ("未处理反馈", "Open feedback"),
    "home.circle_members": ("待审批入圈申请", "Circle members waiting"),
    "home.all_clear": ("清空了", "All clear"),
    "stage.FIRST": ("初审", "First"),
    "stage.SECOND": ("复审", "Second"),
    "stage.FINAL": ("终审", "Final"),
    "stage.APPEAL": ("申诉", "Appeals"),
    "feedback.OPEN": ("待处理", "Open"),
    "feedback.IN_PROGRESS": ("处理中", "In progress"),
    "feedback.category": ("类别", "Category"),
    "feedback.content": ("内容", "Content"),
    # sanctions
    "sanctions.title": ("生效中的处罚", "Sanctions in force"),
    "sanctions.history": ("已结束的处罚", "Ended sanctions"),
    "sanctions.member": ("成员", "Member"),
    "sanctions.kind": ("类型", "Kind"),
    "sanctions.reason": ("原因", "Reason"),
    "sanctions.by": ("处理人", "By"),
    "sanctions.since": ("开始", "Since"),
    "sanctions.left": ("剩余", "Left"),
    "sanctions.lift": ("解除", "Lift"),
    "sanctions.lifted": ("已解除", "Lifted"),
    "sanctions.ended": ("已到期", "Expired"),
    "sanctions.find": ("按成员 ID 查看", "Open a member by ID"),
    "kind.MUTE": ("禁言", "Mute"),
    "kind.BAN": ("封禁", "Ban"),
    # member
    "member.title": ("成员档案", "Member record"),
    "member.joined": ("加入", "Joined"),
    "member.active": ("最近活跃", "Last active"),
    "member.posts": ("帖子", "Posts"),
    "member.comments": ("评论", "Comments"),
    "member.reports_against": ("被举报", "Reports against"),
    "member.reports_by": ("举报他人", "Reports filed"),
    "member.rejected": ("被驳回", "Rejected"),
    "member.level": ("等级", "Level"),
    "member.recent_posts": ("最近帖子", "Recent posts"),
    "member.sanctions": ("处罚记录", "Sanctions"),
    "member.log": ("相关操作日志", "Log entries"),
    "member.sanction": ("处罚该成员", "Sanction this member"),
    "member.hours": ("时长（小时）", "Hours"),
    "member.hide": ("隐藏其近期内容", "Hide their recent content"),
    "member.hide_since": ("隐藏此时间之后发布的内容", "Hide what they published since"),
    "member.hide_hint": (
        "每条被隐藏的内容都会生成审核任务，误伤可在工作台通过恢复",
        "Every hidden item gets a review task, so a mistake can be approved back",
    ),
    "member.hidden": ("已隐藏 {n} 条内容", "{n} items hidden"),
    "member.sanctioned": ("已处罚", "Sanctioned"),
    # words
    "words.title": ("敏感词", "Sensitive words"),
    "words.word": ("词", "Word"),
    "words.level": ("级别", "Level"),
    "words.hits": ("命中次数", "Hits"),
    "words.last_hit": ("最近命中", "Last hit"),
    "words.added": ("添加时间", "Added"),
    "words.remove": ("删除", "Remove"),
    "words.add": ("批量添加", "Add words"),
    "words.paste": ("每行一个词（也可用逗号分隔）", "One word a line (or comma-separated)"),
    "words.added_n": ("已添加 {n} 个词", "{n} words added"),
    "words.removed_n": ("已删除 {n} 个词", "{n} words removed"),
    "words.readonly": ("版主只能查看词表", "Moderators read the list only"),
    "words.check": ("检测文本", "Check a text"),
    "words.check_hint": (
        "粘贴一段文字，看过滤器会怎么处理（全半角、大小写、繁简、形近字已折叠）",
        "Paste a text to see what the filter does (width, case, script and look-alikes folded)",
    ),
    "words.verdict": ("结果", "Verdict"),
    "words.matches": ("命中词", "Listed word"),
    "words.in_text": ("文中片段", "In the text"),
    "words.filter_all": ("全部级别", "All levels"),
    "level.BLOCK": ("拦截", "Block"),
    "level.REVIEW": ("送审", "Review"),
    "verdict.PASS": ("通过", "Passes"),
    "verdict.REVIEW": ("送审", "Goes to review"),
    "verdict.BLOCK": ("拦截", "Blocked"),
    # log
    "log.title": ("操作日志", "Moderation log"),
    "log.actor": ("操作人 ID", "Actor ID"),
    "log.action": ("动作", "Action"),
    "log.target_type": ("对象类型", "Target type"),
    "log.target": ("对象", "Target"),
    "log.open_member": ("查看成员", "Open member"),
    "log.note": ("备注", "Note"),
    "log.time": ("时间", "Time"),
    "log.from": ("起始日期", "From"),
    "log.to": ("截止日期", "To"),
    "log.any": ("全部", "Any"),
    # roles
    "roles.title": ("角色管理", "Roles"),
    "roles.user": ("成员 ID", "Member ID"),
    "roles.role": ("角色", "Role"),
    "roles.set": ("设置角色", "Set role"),
    "roles.done": ("{name} 现在是 {role}", "{name} is now {role}"),
    "roles.hint": (
        "版主：初审、复审、禁言、查看词表；运营：加终审、申诉、封禁、词表与日志；管理员：加角色管理",
        "Moderator: first and second review, mutes, reading words; operator: adds final "
        "review, appeals, bans, words and the log; admin: adds roles",
    ),
    # review workbench
    "review.title": ("审核工作台", "Review desk"),
    "review.APPROVE": ("通过", "Approve"),
    "review.REJECT": ("驳回", "Reject"),
    "review.ESCALATE": ("升级", "Escalate"),
    "review.did.APPROVE": ("已通过", "Approved"),
    "review.did.REJECT": ("已驳回", "Rejected"),
    "review.did.ESCALATE": ("已升级", "Escalated"),
    "review.undo": ("撤销", "Undo"),
    "review.undone": ("已撤销，未提交", "Undone, nothing sent"),
    "review.overdue": ("超时", "overdue"),
    "review.left": ("剩", "left"),
    "review.pick": ("选择左侧一条任务查看详情（j / k 切换）", "Pick a task (j / k to move)"),
    "review.no_escalate": ("终审不能再升级", "Final review cannot escalate"),
    "review.keys": ("快捷键", "Shortcuts"),
    "review.key.j": ("下一条", "Next task"),
    "review.key.k": ("上一条", "Previous task"),
    "review.key.x": ("选中 / 取消选中", "Select / unselect"),
    "review.key.shift": ("按住 Shift 点击：连续选中", "Shift-click: select a range"),
    "review.key.s": ("同时处罚作者", "Sanction the author too"),
    "review.reason": ("违规类型", "Violation"),
    "review.violation": ("违规类型", "Violation type"),
    "review.min_reports": ("最少举报数", "Min reports"),
    "review.select": ("选中", "Select"),
    "review.reports": ("{n} 人举报", "{n} reports"),
    "review.claim_row": ("{name} 处理中", "{name} is on it"),
    "review.claim_until": ("{name} 已领取，至 {until}", "Claimed by {name} until {until}"),
    "review.claim": ("领取", "Claim"),
    "review.release": ("释放", "Release"),
    "review.claimed_by": (
        "{name} 正在处理这条任务，领取期内你不能决定",
        "{name} has claimed this task; you cannot decide it while the claim holds",
    ),
    "review.empty": ("这里没有待审任务", "Nothing waits here"),
    "review.history": ("处理记录", "Decisions so far"),
    "review.no_history": ("尚无处理记录", "No decision yet"),
    "review.note": ("备注（可选）", "Note (optional)"),
    "review.sanction_too": ("同时处罚作者", "Sanction the author too"),
    "review.sanction_default": ("审核违规", "Violation found in review"),
    "review.own_content": (
        "这是你自己的内容，不能由你审核",
        "This is your own content; you cannot review it",
    ),
    "review.second_rule": ("初审由 {name} 处理", "{name} took the first review"),
    "review.second_rule_you": (
        "初审由 {name} 处理，你不能复审",
        "{name} took the first review; you cannot take the second",
    ),
    "review.refused.CONFLICT": (
        "已被他人领取或已处理",
        "Claimed by someone else, or already decided",
    ),
    "review.refused.FORBIDDEN": (
        "你不能处理这一条（阶段、复审或本人内容规则）",
        "Not yours to decide (stage, second-reviewer or own-content rule)",
    ),
    "review.refused.NOT_FOUND": ("任务不存在或已结束", "No such open task"),
    "review.refused.BAD_USER_INPUT": ("决定无效", "Not a valid decision"),
    "review.refused.other": ("未能处理（{code}）", "Not done ({code})"),
    "target.POST": ("帖子", "Post"),
    "target.COMMENT": ("评论", "Comment"),
    "target.ANSWER": ("回答", "Answer"),
    "target.USER": ("成员", "Member"),
    "source.WORD": ("敏感词", "Word"),
    "source.WECHAT": ("微信检测", "WeChat check"),
    "source.REPORT": ("举报", "Reports"),
    "source.APPEAL": ("申诉", "Appeal"),
    "source.MANUAL": ("人工隐藏", "Hidden by staff"),
    "status.OPEN": ("待处理", "open"),
    "status.APPROVED": ("已通过", "approved"),
    "status.REJECTED": ("已驳回", "rejected"),
    "reason.SPAM": ("垃圾广告", "Spam"),
    "reason.ABUSE": ("辱骂攻击", "Abuse"),
    "reason.PORN": ("色情低俗", "Porn"),
    "reason.POLITICS": ("政治敏感", "Politics"),
    "reason.ILLEGAL": ("违法违规", "Illegal"),
    "reason.FRAUD": ("诈骗", "Fraud"),
    "reason.OTHER": ("其他", "Other"),
}


# The numbers pages' words (数据看板, 增长与留存), kept in a module of their own.
_T.update(NUMBERS)
# The operations desk's words (活动, 反馈工单, 风险监测, 推荐与任务), likewise.
_T.update(DESK)
# 内容日历 and 内容运营's words.
_T.update(CURATION)
# 积分商城 and 问卷's words.
_T.update(LOOP)


def text(key: str, locale: str, **params: Any) -> str:
    """The console's text `key` in `locale` (Chinese unless English), fields filled in; an
    unknown key shows itself, so a missing entry is visible on the page rather than blank."""
    entry = _T.get(key)
    if entry is None:
        return key
    template = entry[1] if locale == "en" else entry[0]
    return template.format(**params) if params else template


def keys() -> list[str]:
    return sorted(_T)
