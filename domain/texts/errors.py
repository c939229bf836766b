"""Error messages, by the key an error carries (`QuanziError.message_key`)."""

from __future__ import annotations

ERRORS: dict[str, dict[str, str]] = {
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
    "conflict": {"zh": "操作冲突，请刷新后重试", "en": "This conflicts with the current state."},
    "rate_limited": {
        "zh": "操作太频繁，请 {retry_after} 秒后再试",
        "en": "Too many requests; try again in {retry_after} seconds.",
    },
    "query_too_complex": {"zh": "查询过于复杂", "en": "The query is too complex."},
    "nul_character": {
        "zh": "文本中不能包含空字符（\\u0000）",
        "en": "Text may not contain the NUL character (\\u0000).",
    },
    "body_too_large": {
        "zh": "请求内容过大（上限 {max_kb} KB）",
        "en": "The request body is too large (at most {max_kb} KB).",
    },
    "service_unavailable": {
        "zh": "服务暂时不可用，请稍后重试",
        "en": "The service is temporarily unavailable; try again later.",
    },
    "try_again": {
        "zh": "操作与其他操作冲突，未生效，请重试",
        "en": "This clashed with another change and was not applied; try again.",
    },
    "internal": {"zh": "服务器开小差了，请稍后重试", "en": "Unexpected error; try again later."},
    # pagination
    "first_out_of_range": {
        "zh": "first 不能为负数（每页最多 {max} 条）",
        "en": "first must not be negative (a page holds at most {max}).",
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
    # posts, topics, images
    "title_length": {
        "zh": "标题最多 {max} 个字符",
        "en": "The title must be at most {max} characters.",
    },
    "body_length": {
        "zh": "正文需为 1 到 {max} 个字符",
        "en": "The text must be 1 to {max} characters.",
    },
    "too_many_images": {"zh": "最多上传 {max} 张图片", "en": "At most {max} images."},
    "foreign_image": {
        "zh": "图片必须先上传到本站",
        "en": "Images must be uploaded to this service first.",
    },
    "too_many_topics": {"zh": "最多 {max} 个话题", "en": "At most {max} topics."},
    "too_many_items": {"zh": "最多 {max} 项", "en": "At most {max} items."},
    "too_many_values": {
        "zh": "一次请求最多 {max} 个值",
        "en": "At most {max} values in one request.",
    },
    "topic_name": {
        "zh": "话题名需为 1 到 {max} 个字符，且不能包含 #",
        "en": "A topic name is 1 to {max} characters without #.",
    },
    "post_not_found": {"zh": "帖子不存在或已删除", "en": "The post does not exist or was deleted."},
    "comment_not_found": {
        "zh": "评论不存在或已删除",
        "en": "The comment does not exist or was deleted.",
    },
    "user_not_found": {"zh": "用户不存在", "en": "The member does not exist."},
    "topic_not_found": {"zh": "话题不存在", "en": "The topic does not exist."},
    "not_author": {"zh": "只有作者本人可以这样做", "en": "Only the author can do this."},
    "kind_not_supported": {
        "zh": "只有投票帖可以带投票选项",
        "en": "Only a poll post takes poll options.",
    },
    "follow_self": {"zh": "不能关注自己", "en": "You cannot follow yourself."},
    "too_many_events": {"zh": "一次最多上报 {max} 条事件", "en": "At most {max} events per call."},
    "event_invalid": {"zh": "事件数据不正确", "en": "The event is not valid."},
    "image_type": {
        "zh": "只支持 JPEG、PNG、GIF、WebP 图片",
        "en": "Only JPEG, PNG, GIF and WebP images are accepted.",
    },
    "image_too_large": {
        "zh": "图片太大（最大 {max_mb} MB）",
        "en": "The image is too large (at most {max_mb} MB).",
    },
    "image_too_many_pixels": {"zh": "图片尺寸太大", "en": "The image has too many pixels."},
    "image_missing": {
        "zh": "请用 file 字段上传一张图片",
        "en": "Upload one image in the 'file' field.",
    },
    # circles, questions, polls, search
    "circle_name": {
        "zh": "圈子名称需为 1 到 {max} 个字符",
        "en": "A circle name is 1 to {max} characters.",
    },
    "circle_exists": {"zh": "已有同名圈子", "en": "A circle with this name exists."},
    "circle_not_found": {"zh": "圈子不存在", "en": "The circle does not exist."},
    "not_circle_member": {"zh": "加入圈子后才能在圈内发帖", "en": "Join the circle to post in it."},
    "not_circle_admin": {
        "zh": "只有圈主或运营可以这样做",
        "en": "Only the circle's admins or operators can do this.",
    },
    "no_pending_request": {
        "zh": "该用户没有待审核的加入申请",
        "en": "This member has no pending request to join.",
    },
    "question_title": {"zh": "提问需要填写标题", "en": "A question needs a title."},
    "not_a_question": {"zh": "这不是一个问题", "en": "This post is not a question."},
    "already_answered": {
        "zh": "你已经回答过这个问题了，可以编辑原回答",
        "en": "You already answered this question.",
    },
    "answer_not_found": {
        "zh": "回答不存在或已删除",
        "en": "The answer does not exist or was deleted.",
    },
    "vote_own_answer": {"zh": "不能给自己的回答投票", "en": "You cannot vote on your own answer."},
    "not_question_author": {
        "zh": "只有提问者可以采纳回答",
        "en": "Only the asker can accept an answer.",
    },
    "answer_already_accepted": {
        "zh": "这个问题已经采纳了其他回答",
        "en": "Another answer is already accepted.",
    },
    "poll_required": {"zh": "投票帖需要投票选项", "en": "A poll post needs its options."},
    "poll_options": {
        "zh": "投票需要 2 到 10 个不重复的选项，每项 1 到 50 个字符",
        "en": "A poll needs 2 to 10 distinct options of 1 to 50 characters.",
    },
    "poll_closes_at": {"zh": "截止时间必须在未来", "en": "The closing time must be in the future."},
    "poll_not_found": {"zh": "投票不存在", "en": "The poll does not exist."},
    "poll_closed": {"zh": "投票已截止", "en": "The poll is closed."},
    "poll_already_voted": {"zh": "你已经投过票了", "en": "You already voted in this poll."},
    "poll_choice": {
        "zh": "单选投票只能选一项，多选投票至少选一项且不能重复",
        "en": "Choose exactly one option (single choice) or distinct options (multiple).",
    },
    "poll_option_unknown": {
        "zh": "选项不属于这个投票",
        "en": "The option does not belong to this poll.",
    },
    "search_query": {
        "zh": "搜索词需为 1 到 {max} 个字符",
        "en": "The search query must be 1 to {max} characters.",
    },
    # moderation
    "content_rejected": {
        "zh": "内容包含违规信息，无法发布",
        "en": "The content breaks the community rules and cannot be published.",
    },
    "muted": {"zh": "你已被禁言，{until} 后恢复", "en": "You are muted until {until}."},
    "task_closed": {"zh": "该审核任务已处理", "en": "This review task is already closed."},
    "task_not_found": {"zh": "审核任务不存在", "en": "The review task does not exist."},
    "same_reviewer": {
        "zh": "复审需由另一位审核员完成",
        "en": "The second review must be done by another moderator.",
    },
    "final_no_escalate": {
        "zh": "终审只能通过或驳回",
        "en": "The final review can only approve or reject.",
    },
    "not_rejected": {
        "zh": "只有被驳回的内容可以申诉",
        "en": "Only rejected content can be appealed.",
    },
    "already_appealed": {"zh": "每条内容只能申诉一次", "en": "Content can be appealed once."},
    "already_reported": {"zh": "你已经举报过了", "en": "You already reported this."},
    "report_own": {"zh": "不能举报自己的内容", "en": "You cannot report your own content."},
    "sanction_hours": {
        "zh": "时长需为 1 到 {max} 小时",
        "en": "The duration must be 1 to {max} hours.",
    },
    "sanction_rank": {
        "zh": "不能处罚同级或更高角色的用户",
        "en": "You cannot sanction someone of your role or above.",
    },
    "sanction_not_found": {"zh": "处罚记录不存在", "en": "The sanction does not exist."},
    "last_admin": {"zh": "不能撤销最后一位管理员", "en": "The last admin cannot step down."},
    "pin_until": {"zh": "置顶截止时间必须在未来", "en": "The pin must end in the future."},
    "pin_no_circle": {"zh": "这条帖子不属于任何圈子", "en": "The post is in no circle."},
    "collection_not_found": {"zh": "专题不存在", "en": "The collection does not exist."},
    "collection_title": {
        "zh": "专题标题需为 1 到 {max} 个字符",
        "en": "A collection title is 1 to {max} characters.",
    },
    # points
    "bounty_range": {
        "zh": "悬赏只能用于提问，且为 1 到 {max} 积分",
        "en": "A bounty is for questions only, 1 to {max} points.",
    },
    "bounty_points": {
        "zh": "积分不足，无法设置这么多悬赏",
        "en": "You do not have enough points for this bounty.",
    },
    "already_checked_in": {"zh": "今天已经签到过了", "en": "You already checked in today."},
    # events and feedback
    "event_title": {
        "zh": "活动标题需为 1 到 60 个字符",
        "en": "An event title is 1 to 60 characters.",
    },
    "event_times": {
        "zh": "活动时间不正确：报名截止不晚于结束，开始早于结束，结束在未来",
        "en": "The times are inconsistent: deadline by the end, start before end, end ahead.",
    },
    "event_capacity": {"zh": "人数上限需为 1 到 100000", "en": "Capacity is 1 to 100000."},
    "event_reward": {"zh": "积分奖励需为 0 到 {max}", "en": "The reward is 0 to {max} points."},
    "event_not_found": {"zh": "活动不存在", "en": "The event does not exist."},
    "event_full": {"zh": "活动名额已满", "en": "The event is full."},
    "signup_closed": {"zh": "报名已截止", "en": "Sign-up is closed."},
    "not_signed_up": {"zh": "你还没有报名这个活动", "en": "You have not signed up for this event."},
    "already_checked_in_event": {"zh": "你已经签到过了", "en": "You already checked in."},
    "checkin_window": {
        "zh": "不在活动签到时间内",
        "en": "Check-in is open only around the event's time.",
    },
    "checkin_code": {
        "zh": "签到码不正确或已过期，请扫描现场最新的签到码",
        "en": "The check-in code is wrong or expired; use the one shown now.",
    },
    "cancel_after_checkin": {
        "zh": "已签到的报名不能取消",
        "en": "A sign-up that checked in cannot be cancelled.",
    },
    "feedback_content": {
        "zh": "反馈内容需为 1 到 {max} 个字符",
        "en": "Feedback is 1 to {max} characters.",
    },
    "feedback_not_found": {"zh": "反馈不存在", "en": "The feedback does not exist."},
    "rating_range": {"zh": "评分需为 1 到 5", "en": "The rating is 1 to 5."},
    "rate_unresolved": {
        "zh": "反馈解决后才能评分",
        "en": "Feedback can be rated once it is resolved.",
    },
    "already_rated": {"zh": "你已经评过分了", "en": "You already rated this."},
    "nickname_bidi": {
        "zh": "昵称不能包含文字方向控制字符",
        "en": "The nickname cannot contain text direction controls.",
    },
    "nickname_blank": {
        "zh": "昵称不能只有空白或不可见字符",
        "en": "The nickname cannot be blank or invisible.",
    },
    "nickname_stacked_marks": {
        "zh": "昵称中叠加的附加符号太多",
        "en": "The nickname stacks too many combining marks.",
    },
    "nickname_staff": {
        "zh": "这个昵称与管理人员的昵称相同或过于相似",
        "en": "This nickname is, or looks like, a staff member's.",
    },
    "too_many_subscriptions": {
        "zh": "同时进行的订阅太多（最多 {max} 个）",
        "en": "Too many subscriptions at once (at most {max}).",
    },
    "session_revoked": {
        "zh": "该登录已失效，请重新登录",
        "en": "This sign-in has ended; please sign in again.",
    },
    "surrogate_character": {
        "zh": "文本中不能包含不成对的代理字符（\\ud800–\\udfff）",
        "en": "Text may not contain an unpaired surrogate (\\ud800–\\udfff).",
    },
    "image_too_many_frames": {
        "zh": "动图的帧数或尺寸太大（最多 {max} 帧，所有帧合计不超过单张图片的像素上限）",
        "en": "The animation has too many frames for its size (at most {max}, and all frames"
        " together within one image's pixel limit).",
    },
    "review_own": {
        "zh": "不能审核自己的内容，需由其他审核员处理",
        "en": "Your own content is reviewed by someone else.",
    },
    "event_members_only": {
        "zh": "加入圈子后才能报名圈内活动",
        "en": "Join the circle to sign up for its events.",
    },
    "get_persisted_only": {
        "zh": "GET 请求只能执行已登记的查询（extensions.persistedQuery 或 documentId，"
        "不带查询文本）；其他请求请用 POST",
        "en": "GET runs only persisted queries (extensions.persistedQuery or documentId, no query"
        " text); send anything else by POST.",
    },
    "get_queries_only": {
        "zh": "GET 请求只能执行查询，变更和订阅请用 POST",
        "en": "Only queries run over GET; send mutations and subscriptions by POST.",
    },
    "query_string_too_long": {
        "zh": "请求地址的参数过长（最多 {max_kb} KB），请改用 POST",
        "en": "The request's query string is too long (at most {max_kb} KB); send it by POST.",
    },
    "datetime_format": {
        "zh": "时间格式不正确，应为 RFC 3339 格式，如 2026-12-01T20:00:00+08:00"
        "（不带时区时按社区所在时区理解），年份在 {earliest} 到 {latest} 之间；收到：{value}",
        "en": "The date and time must be in RFC 3339 format, such as 2026-12-01T20:00:00+08:00"
        " (without an offset it is read in the community's time zone), in the years {earliest}"
        " to {latest}; found: {value}.",
    },
    "date_format": {
        "zh": "日期格式不正确，应为 YYYY-MM-DD，如 2026-12-01；收到：{value}",
        "en": "The date must be written YYYY-MM-DD, such as 2026-12-01; found: {value}.",
    },
    "content_length_required": {
        "zh": "上传需要 Content-Length 请求头（不接受分块传输）",
        "en": "An upload needs a Content-Length header (chunked uploads are not accepted).",
    },
    "token_missing": {
        "zh": "请先登录：连接时请携带访问令牌",
        "en": "Please sign in first: send an access token when connecting.",
    },
    "subscription_needs_websocket": {
        "zh": "订阅请通过 WebSocket（graphql-transport-ws 协议）连接 /graphql",
        "en": "Subscriptions need a WebSocket: connect to /graphql with graphql-transport-ws.",
    },
    "task_claimed": {
        "zh": "该审核任务已由 {holder} 领取处理中，请稍后再试",
        "en": "{holder} has claimed this review task; try again later.",
    },
    "claim_not_yours": {
        "zh": "只能释放自己领取的审核任务",
        "en": "You can release only your own claim on a review task.",
    },
    "approve_with_violation": {
        "zh": "通过时不能填写违规类型",
        "en": "An approval has no violation type.",
    },
    "console_login_not_found": {
        "zh": "登录二维码已过期或已使用，请在电脑上刷新后重新扫码",
        "en": "This sign-in code expired or was used; refresh it in the browser and scan again.",
    },
    "console_login_taken": {
        "zh": "该登录请求已由其他管理人员确认",
        "en": "Another staff member already approved this sign-in.",
    },
    "console_link_not_found": {
        "zh": "登录链接已过期或已使用，请重新生成",
        "en": "This sign-in link expired or was used; make a new one.",
    },
    "alert_not_found": {"zh": "告警不存在", "en": "No such alert."},
    "alert_resolved": {
        "zh": "该告警已解除，无需确认",
        "en": "This alert is resolved already; there is nothing to acknowledge.",
    },
    "alert_threshold_range": {
        "zh": "该规则的阈值须大于 {min} 且不超过 {max}",
        "en": "This rule's threshold must be above {min} and at most {max}.",
    },
    "alert_threshold_range_inclusive": {
        "zh": "该规则的阈值须在 {min} 到 {max} 之间",
        "en": "This rule's threshold must be from {min} to {max}.",
    },
    "alert_no_threshold": {
        "zh": "该规则没有阈值，只能设置最小数量",
        "en": "This rule has no threshold; set its minimum only.",
    },
    "alert_minimum_range": {
        "zh": "最小数量须在 1 到 {max} 之间",
        "en": "The minimum must be from 1 to {max}.",
    },
}
