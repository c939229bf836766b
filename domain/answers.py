"""Answers to questions: one per member, voted up or down, one accepted by the asker."""

from __future__ import annotations

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, circles, resubmits, rewards
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import Answer, AnswerStatus, Post, PostKind, PostStatus, TargetType, User
from domain.posts import BODY_MAX
from domain.publishing import (
    Screening,
    check_can_publish,
    check_length,
    screen_texts,
    settle,
    status_for,
)
from domain.rules import CommunityRules
from domain.screening import Scene


async def answer_question(
    author: User, question_id: int, body: str, screener: Screening, *, rules: CommunityRules
) -> tuple[Answer, Post]:
    """Answer a published question through the publishing pipeline; a member answers a
    question once (CONFLICT after, but the same answer sent again is the first)."""
    check_can_publish(author)
    body = check_length(body, "body", max=BODY_MAX)
    verdict = await screen_texts(screener, author, [("body", body)], Scene.FORUM)
    status = AnswerStatus(status_for(verdict))
    closed = await circles.closed_circles(author)
    try:
        async with in_transaction() as conn:
            question = (
                await Post.filter(id=question_id, status=PostStatus.PUBLISHED)
                .using_db(conn)
                .select_for_update(no_key=True)
                .first()
            )
            if question is None or not access.in_readable_circle(question, closed):
                raise NotFound("post_not_found", field="questionId")
            if question.kind != PostKind.QUESTION:
                raise BadInput("not_a_question", field="questionId")
            sent = await resubmits.created(
                "answers",
                conn,
                screener=screener,
                deletable=True,
                author_id=author.id,
                question_id=question_id,
                body=body,
            )
            if sent is not None:  # a double tap, a retry: the first is the answer
                return await Answer.get(id=sent, using_db=conn), question
            answer = await Answer.create(
                question_id=question_id,
                author_id=author.id,
                body=body,
                status=status,
                using_db=conn,
            )
            await settle(TargetType.ANSWER, answer.id, verdict, conn, rules=rules)
    except IntegrityError:
        raise Conflict("already_answered", field="questionId") from None
    return answer, await Post.get(id=question_id)


async def published_answer(
    answer_id: int, conn: object, *, lock: bool = False, closed: frozenset[int] = frozenset()
) -> Answer:
    """An answer one may vote on, accept or comment on: published, under a published question
    in a circle the member may read (`closed`: circles.closed_circles of the member)."""
    query = Answer.filter(id=answer_id, status=AnswerStatus.PUBLISHED).using_db(conn)  # type: ignore[arg-type]
    answer = await (query.select_for_update(no_key=True) if lock else query).first()
    if answer is not None:
        question = await Post.filter(id=answer.question_id).using_db(conn).first()  # type: ignore[arg-type,attr-defined]
        if access.can_vote_answer(answer, question, closed):
            return answer
    raise NotFound("answer_not_found", field="answerId")


async def vote_answer(user: User, answer_id: int, value: int) -> Answer:
    """Vote +1, -1, or 0 to take the vote back; voting the same again changes nothing."""
    if value not in (-1, 0, 1):
        raise BadInput(field="value")
    closed = await circles.closed_circles(user)
    async with in_transaction() as conn:
        # The answer row lock puts one member's votes (and the counter) in a line.
        answer = await published_answer(answer_id, conn, lock=True, closed=closed)
        if answer.author_id == user.id:  # type: ignore[attr-defined]
            raise Forbidden("vote_own_answer")
        rows = await sql.fetch(
            "SELECT value FROM answer_votes WHERE answer_id = $1 AND user_id = $2",
            answer_id,
            user.id,
            conn=conn,
        )
        old = rows[0]["value"] if rows else 0
        if value == old:
            return answer
        if value == 0:
            await sql.delete_where(
                "answer_votes", {"answer_id": answer_id, "user_id": user.id}, conn=conn
            )
        elif rows:
            await sql.execute(
                "UPDATE answer_votes SET value = $3 WHERE answer_id = $1 AND user_id = $2",
                answer_id,
                user.id,
                value,
                conn=conn,
            )
        else:
            await sql.insert_unique(
                "answer_votes",
                {"answer_id": answer_id, "user_id": user.id, "value": value},
                conn=conn,
            )
        await sql.bump("answers", "vote_count", answer_id, value - old, conn=conn)
    return await Answer.get(id=answer_id)


async def accept_answer(
    user: User, answer_id: int, *, rules: CommunityRules
) -> tuple[Answer, Post]:
    """The asker accepts one answer; accepting it again changes nothing, another is CONFLICT.
    The asker may accept their own answer, which earns nothing and pays no bounty: otherwise
    answering and accepting oneself would print points and take a bounty back."""
    async with in_transaction() as conn:
        # The question, then the answer (content_status's lock order), read once both are
        # held: hiding the answer meanwhile leaves nothing to accept.
        asked = await sql.fetch(
            "SELECT question_id FROM answers WHERE id = $1", answer_id, conn=conn
        )
        if not asked:
            raise NotFound("answer_not_found", field="answerId")
        question = (
            await Post.filter(id=asked[0]["question_id"])
            .using_db(conn)
            .select_for_update(no_key=True)
            .first()
        )
        answer = await published_answer(answer_id, conn, lock=True)
        if question is None or question.status == PostStatus.DELETED:
            raise NotFound("post_not_found", field="answerId")
        if question.author_id != user.id:  # type: ignore[attr-defined]
            raise Forbidden("not_question_author")
        if question.accepted_answer_id not in (None, answer.id):
            raise Conflict("answer_already_accepted", field="answerId")
        if question.accepted_answer_id is None:
            await sql.execute(
                "UPDATE posts SET accepted_answer_id = $2 WHERE id = $1",
                question.id,
                answer.id,
                conn=conn,
            )
            await sql.execute(
                "UPDATE answers SET is_accepted = true WHERE id = $1", answer.id, conn=conn
            )
            # Accepting one's own answer marks the question solved for readers and pays
            # nothing (Stack Exchange's rule): no award, and the bounty stays spent.
            if answer.author_id != user.id:  # type: ignore[attr-defined]
                await rewards.answer_accepted(
                    answer.id,
                    answer.author_id,  # type: ignore[attr-defined]
                    question.id,
                    question.bounty,
                    conn,
                    rules=rules,
                )
    return await Answer.get(id=answer_id), await Post.get(id=question.id)
