"""Who may see and who may do: the one home of every visibility and permission rule for
posts, questions, comments, answers, circles, events, feedback, moderation records and the
operator console.

Every function here is pure: it decides over objects the caller already loaded (usually
batched through the request's loaders), so no rule costs a query per item. Resolvers,
loaders, feeds, search, notifications and jobs all ask here; none writes its own copy."""

from __future__ import annotations

from collections.abc import Collection

from domain.models import Answer, Comment, Feedback, Post, PostStatus, Report, Role, User

Viewer = User
_Authored = Post | Comment | Answer
# Posts, comments and answers share their status words (CommentStatus.PUBLISHED == PUBLISHED).
PUBLISHED, DELETED = PostStatus.PUBLISHED, PostStatus.DELETED
SCHEDULED = PostStatus.SCHEDULED


def _author_id(item: _Authored | Feedback) -> int:
    return item.author_id  # type: ignore[union-attr]


# Roles ---------------------------------------------------------------------------------------


def has_role(viewer: Viewer | None, role: Role) -> bool:
    return viewer is not None and Role(viewer.role).at_least(role)


def is_staff(viewer: Viewer | None) -> bool:
    """Moderators and above: reviewers see what waits for review or was taken down."""
    return has_role(viewer, Role.MODERATOR)


def is_operator(viewer: Viewer | None) -> bool:
    return has_role(viewer, Role.OPERATOR)


def is_author(viewer: Viewer | None, item: _Authored | Feedback) -> bool:
    return viewer is not None and viewer.id == _author_id(item)


# Content ----------------------------------------------------------------------------------


def is_published(item: _Authored) -> bool:
    """Published: seen by everyone, listed, counted, open to interaction."""
    return item.status == PUBLISHED


def _can_see_own_or_review(item: _Authored, viewer: Viewer | None) -> bool:
    """Published items are public; the rest (in review, hidden, rejected) only for their
    author and for reviewers; deleted items for nobody."""
    if item.status == PUBLISHED:
        return True
    if item.status == DELETED:
        return False
    if item.status == SCHEDULED:
        return can_see_scheduled_post(item, viewer)  # type: ignore[arg-type]
    return is_author(viewer, item) or is_staff(viewer)


def can_see_scheduled_post(post: Post, viewer: Viewer | None) -> bool:
    """A post waiting for its publishAt: its author and staff only, until the job publishes
    it (every list shows only published posts, so it is in none of them before)."""
    return is_author(viewer, post) or is_staff(viewer)


def in_readable_circle(post: Post, closed_circles: Collection[int]) -> bool:
    """Outside every circle closed to the viewer (see can_read_circle; the set is loaded
    once per request or list, circles.closed_circles)."""
    circle_id: int | None = post.circle_id  # type: ignore[attr-defined]
    return circle_id is None or circle_id not in closed_circles


def can_see_post(post: Post, viewer: Viewer | None, closed_circles: Collection[int]) -> bool:
    """A post, question or poll: by its status, and only in a circle the viewer may read
    (its author always may)."""
    if not (in_readable_circle(post, closed_circles) or is_author(viewer, post)):
        return False
    return _can_see_own_or_review(post, viewer)


def can_see_question(
    question: Post, viewer: Viewer | None, closed_circles: Collection[int]
) -> bool:
    """A question is a post: the same rule."""
    return can_see_post(question, viewer, closed_circles)


def can_see_comment(
    comment: Comment, post: Post | None, viewer: Viewer | None, closed_circles: Collection[int]
) -> bool:
    """Only published comments are shown (to anyone, their author included), and only
    where their post can be seen: a deleted or unseeable post takes its comments along."""
    return is_published(comment) and post is not None and can_see_post(post, viewer, closed_circles)


def can_see_answer_comment(
    comment: Comment,
    answer: Answer | None,
    question: Post | None,
    viewer: Viewer | None,
    closed_circles: Collection[int],
) -> bool:
    """A comment on an answer follows its answer and the answer's question: only published,
    under a published answer the viewer may see."""
    return (
        is_published(comment)
        and answer is not None
        and can_see_answer(answer, question, viewer, closed_circles)
    )


def can_see_reply(reply: Comment) -> bool:
    """A comment shown beside one of the same post (a reply's target): the post was
    already checked, only the comment's own status remains."""
    return is_published(reply)


def can_see_answer(
    answer: Answer, question: Post | None, viewer: Viewer | None, closed_circles: Collection[int]
) -> bool:
    """Only published answers, and only under a question the viewer may see."""
    return (
        is_published(answer)
        and question is not None
        and can_see_question(question, viewer, closed_circles)
    )


def can_interact_with_post(
    post: Post, viewer: Viewer | None, closed_circles: Collection[int]
) -> bool:
    """Like, comment, share, answer, vote, pin, feature: published posts only, and only
    those the viewer may read (posts.get_published_post)."""
    return is_published(post) and can_see_post(post, viewer, closed_circles)


def can_vote_answer(
    answer: Answer, question: Post | None, closed_circles: Collection[int] = ()
) -> bool:
    """Voting, accepting or commenting needs a published answer under a published question,
    in a circle the member may read."""
    return (
        is_published(answer)
        and question is not None
        and is_published(question)
        and in_readable_circle(question, closed_circles)
    )


def can_see_own_drafts(viewer: Viewer | None, author_id: int) -> bool:
    """A member's own list shows what is still in review or was rejected."""
    return viewer is not None and viewer.id == author_id


def can_sanction(actor: Viewer | None, target: User, *, ban: bool) -> bool:
    """Moderators mute, operators also ban, and only members ranked below them; nobody
    sanctions themselves. Lifting follows the same rule as imposing, against the target's
    role today: a muted moderator does not unmute themselves, nor a moderator an admin."""
    if actor is None or actor.id == target.id:
        return False
    actor_role = Role(actor.role)
    if not actor_role.at_least(Role.OPERATOR if ban else Role.MODERATOR):
        return False
    return Role(target.role).rank < actor_role.rank


def can_review(viewer: Viewer | None, *, final_stage: bool) -> bool:
    """Moderators decide the first two review stages, operators the final one."""
    return is_operator(viewer) if final_stage else is_staff(viewer)


def can_decide_review(
    viewer: Viewer | None, *, final_stage: bool, about_user_id: int | None
) -> bool:
    """A reviewer never decides a task about their own content (or a report about
    themselves): it waits for another reviewer of the stage, an admin's for another
    operator or admin at the final one."""
    if viewer is None or viewer.id == about_user_id:
        return False
    return can_review(viewer, final_stage=final_stage)


# The operator console ---------------------------------------------------------------------


def can_use_console(viewer: Viewer | None) -> bool:
    """The console's work (sign-in approval, the day's overview, the review workbench and
    claims, sanctions, member records, hiding a member's content, the word list and its
    check): moderators and above."""
    return is_staff(viewer)


def can_read_review_metrics(viewer: Viewer | None) -> bool:
    """How fast and how the reviewers decide: operators, who lead them."""
    return is_operator(viewer)


def can_watch_alerts(viewer: Viewer | None) -> bool:
    """Alerts, their rules and running the detectors: operators, who act on them."""
    return is_operator(viewer)


def can_release_review_claim(viewer: Viewer | None, holder_id: int) -> bool:
    """A claim is released by its holder, or by an operator for a reviewer who went away."""
    return viewer is not None and (viewer.id == holder_id or is_operator(viewer))


def can_hide_member_content(actor: Viewer | None, target: User) -> bool:
    """Hiding a member's recent content (a spam wave) follows the rule of muting them."""
    return can_sanction(actor, target, ban=False)


# Operations: scheduling, curation, the community's numbers ---------------------------------


def can_schedule_posts(viewer: Viewer | None) -> bool:
    """Operators write posts to appear later, and move or cancel any scheduled post (the
    content calendar is shared)."""
    return is_operator(viewer)


def can_plan_content(viewer: Viewer | None) -> bool:
    """The content calendar and the list of pins in force: operators."""
    return is_operator(viewer)


def can_curate(viewer: Viewer | None) -> bool:
    """Featuring and the collections (专题): create, fill, edit, reorder, delete."""
    return is_operator(viewer)


def can_appoint_circle_admins(viewer: Viewer | None) -> bool:
    """Who runs a circle is the operators' decision (they open circles)."""
    return is_operator(viewer)


def can_read_operations(viewer: Viewer | None) -> bool:
    """The community's numbers and machinery (metrics, segments, the recommender's models,
    the scheduled jobs' runs) and starting those jobs: operators."""
    return is_operator(viewer)


# Circles and events -----------------------------------------------------------------------


def can_moderate_circle(viewer: Viewer | None, is_circle_admin: bool) -> bool:
    """Operators administer every circle; an active circle admin their own."""
    return is_operator(viewer) or (viewer is not None and is_circle_admin)


def can_read_circle(viewer: Viewer | None, *, by_approval: bool, is_member: bool) -> bool:
    """ "By approval" promises members-only reading: the posts of an APPROVAL circle are
    read by its approved members and staff only; an OPEN circle's by everyone."""
    return not by_approval or is_member or is_staff(viewer)


def can_sign_up_for_event(viewer: Viewer | None, circle_id: int | None, is_member: bool) -> bool:
    """Site events are open to every member; a circle's event to its members only."""
    return viewer is not None and (circle_id is None or is_member)


def can_pin(
    viewer: Viewer | None, *, global_scope: bool, is_circle_admin: bool, operator_pin: bool
) -> bool:
    """Operators pin, re-pin and unpin anywhere; a circle admin only inside their circle,
    and never over a pin an operator set (a GLOBAL one, or a circle pin of theirs): a
    circle admin neither moves an operator's pin into the circle nor removes it."""
    if is_operator(viewer):
        return True
    return not global_scope and not operator_pin and can_moderate_circle(viewer, is_circle_admin)


def can_create_circle(viewer: Viewer | None) -> bool:
    return is_operator(viewer)


def can_run_event(viewer: Viewer | None, circle_id: int | None, is_circle_admin: bool) -> bool:
    """Site events are run by operators; a circle's events also by its admins."""
    if circle_id is None:
        return is_operator(viewer)
    return can_moderate_circle(viewer, is_circle_admin)


# Feedback ---------------------------------------------------------------------------------


def can_work_feedback_desk(viewer: Viewer | None) -> bool:
    """Operators read and answer every ticket at the feedback desk."""
    return is_operator(viewer)


def can_see_feedback(ticket: Feedback, viewer: Viewer | None) -> bool:
    return is_author(viewer, ticket) or can_work_feedback_desk(viewer)


# Records ----------------------------------------------------------------------------------


def can_see_own_record(owner_id: int, viewer: Viewer | None) -> bool:
    """A member's notifications and points ledger: theirs alone."""
    return viewer is not None and viewer.id == owner_id


def can_see_report(report: Report, viewer: Viewer | None) -> bool:
    """A report: the member who filed it, and the staff who review reports."""
    reporter_id: int = report.reporter_id  # type: ignore[attr-defined]
    return can_see_own_record(reporter_id, viewer) or is_staff(viewer)


def can_see_review_work(viewer: Viewer | None) -> bool:
    """Review tasks and sanctions (with their reasons): the staff who work on them."""
    return is_staff(viewer)


def can_read_moderation_log(viewer: Viewer | None) -> bool:
    """The moderation log: operators and admins."""
    return is_operator(viewer)


def can_run_mall(viewer: Viewer | None) -> bool:
    """The points mall's back office (items, coupon codes, the redemption queue) and surveys
    are the operators' (and admins')."""
    return is_operator(viewer)


def can_see_mall_item(active: bool, viewer: Viewer | None) -> bool:
    """Items on offer are shown to everyone; those switched off to the back office only."""
    return active or can_run_mall(viewer)


def can_see_redemption(owner_id: int, viewer: Viewer | None) -> bool:
    """A redemption is its member's, and the operators' who handle it."""
    return can_see_own_record(owner_id, viewer) or can_run_mall(viewer)


def can_redeem(
    viewer_points: int,
    viewer_level: int,
    item_active: bool,
    min_level: int | None,
    price: int,
    left: int | None,
    redeemed: int,
    limit: int | None,
) -> bool:
    """A member may redeem an item that is on the shelf and not sold out, within their level,
    points and the item's per-member limit."""
    return (
        item_active
        and (left is None or left > 0)
        and (min_level is None or viewer_level >= min_level)
        and viewer_points >= price
        and (limit is None or redeemed < limit)
    )


def can_run_surveys(viewer: Viewer | None) -> bool:
    """Creating and closing surveys and reading their results: operators (and admins)."""
    return is_operator(viewer)
