"""Importing a Stack Exchange dump (users, questions with their tags as topics, answers with
their scores and accepted answers, comments on questions and on answers) with the original
timestamps.

Idempotent: every row created is recorded against the dump's id, and a second import of the
same dump creates nothing. Imported content earns no points and notifies no one; members are
marked active on the days they wrote something (kept or not), and every member is scored
for retention at the end (segments, churn risk). A comment on an answer that was not kept (a
member's second answer to a question) is left out."""

from __future__ import annotations

import asyncio
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from adapters import sql
from adapters.stackexchange_dump import parse_time, read_dump, tags_of, text_of
from domain.calendar import Calendar
from domain.counters import recount_all
from domain.models import PostKind, PostStatus, Role
from domain.publishing import NO_SCREENING
from domain.retention import score_members
from domain.search import search_document
from domain.topics import TOPIC_NAME_MAX, ensure_topics

# Imported texts were written and moderated elsewhere: they go in as rows, published, past the
# publishing pipeline. The bypass is stated the one greppable way.
SCREENING = NO_SCREENING
PUBLISHED = PostStatus.PUBLISHED.value  # answers and comments say it the same way


@dataclass
class ImportReport:
    users: int = 0
    questions: int = 0
    answers: int = 0
    comments: int = 0  # on questions and on answers
    answer_comments: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    segments: dict[str, int] = field(default_factory=dict)  # members scored, by segment

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1

    def summary(self) -> str:
        skipped = ", ".join(f"{k}: {v}" for k, v in self.skipped.items()) or "nothing"
        segments = ", ".join(f"{k} {v}" for k, v in self.segments.items())
        return (
            f"imported {self.users} members, {self.questions} questions, {self.answers} "
            f"answers, {self.comments} comments ({self.answer_comments} on answers; skipped "
            f"{skipped}); segments: {segments}"
        )


async def _known(source: str, kind: str, conn: BaseDBAsyncClient) -> dict[str, int]:
    found = await sql.fetch(
        "SELECT external_id, local_id FROM imported_records WHERE source = $1 AND kind = $2",
        source,
        kind,
        conn=conn,
    )
    return {r["external_id"]: r["local_id"] for r in found}


async def _remember(
    source: str, kind: str, pairs: list[tuple[str, int]], conn: BaseDBAsyncClient
) -> None:
    if pairs:
        await sql.fetch(
            "INSERT INTO imported_records (source, kind, external_id, local_id) "
            "SELECT $1, $2, unnest($3::text[]), unnest($4::bigint[]) RETURNING id",
            source,
            kind,
            [p[0] for p in pairs],
            [p[1] for p in pairs],
            conn=conn,
        )


async def import_stackexchange(
    directory: Path, calendar: Calendar, source: str | None = None
) -> ImportReport:
    """Import the dump in `directory` (Users.xml, Posts.xml, Comments.xml); members are
    active on the community `calendar`'s days of their posts."""
    dump = await asyncio.to_thread(read_dump, directory)
    name, users_xml, posts_xml, comments_xml = dump.name, dump.users, dump.posts, dump.comments
    source = source or f"stackexchange:{name}"
    report = ImportReport()
    async with in_transaction() as conn:
        users = await _known(source, "user", conn)
        new_users = [u for u in users_xml if u["Id"] not in users]
        for u in new_users:
            created = await sql.fetch(
                "INSERT INTO users (openid, nickname, avatar_url, bio, role, invite_code, points, "
                "follower_count, following_count, post_count, invited_count, likes_received, "
                "unread_notification_count, checkin_streak, created_at, updated_at) "
                "VALUES ($1, $2, '', $3, $6, $4, 0, 0, 0, 0, 0, 0, 0, 0, $5, $5) "
                "ON CONFLICT (openid) DO UPDATE SET nickname = EXCLUDED.nickname RETURNING id",
                f"se:{source}:{u['Id']}"[:64],
                (u.get("DisplayName") or f"用户{u['Id']}")[:20],
                text_of(u.get("AboutMe", ""))[:200],
                f"SE{u['Id'].replace('-', 'N')}X{zlib.crc32(source.encode()) % 1000:03d}"[:16],
                parse_time(u["CreationDate"]),
                Role.MEMBER.value,
                conn=conn,
            )
            users[u["Id"]] = created[0]["id"]
        await _remember(source, "user", [(u["Id"], users[u["Id"]]) for u in new_users], conn)
        report.users = len(new_users)
        fallback = users.get("-1")

        def author(row: dict[str, str]) -> int | None:
            return users.get(row.get("OwnerUserId") or row.get("UserId") or "", fallback)

        questions = await _known(source, "question", conn)
        active: set[tuple[int, object]] = set()
        new_questions = []
        for q in (p for p in posts_xml if p.get("PostTypeId") == "1"):
            if q["Id"] in questions:
                continue
            owner = author(q)
            if owner is None:
                report.skip("question without author")
                continue
            title = text_of(q.get("Title", ""))[:60] or "（无标题）"
            body = text_of(q.get("Body", ""))[:5000] or title
            created_at = parse_time(q["CreationDate"])
            post = await sql.fetch(
                "INSERT INTO posts (author_id, kind, status, title, body, images, like_count, "
                "comment_count, share_count, view_count, answer_count, bounty, search_tokens, "
                "feature_reason, created_at, updated_at) VALUES ($1, $7, $8, "
                "$2, $3, '[]', 0, 0, 0, $4, 0, 0, $5, '', $6, $6) RETURNING id",
                owner,
                title,
                body,
                int(q.get("ViewCount") or 0),
                search_document(title, body),
                created_at,
                PostKind.QUESTION.value,
                PUBLISHED,
                conn=conn,
            )
            post_id = post[0]["id"]
            questions[q["Id"]] = post_id
            new_questions.append((q["Id"], post_id))
            active.add((owner, calendar.day_of(created_at)))
            topic_ids = await ensure_topics(
                tags_of(q.get("Tags", ""), max_length=TOPIC_NAME_MAX), conn
            )
            for position, topic_id in enumerate(topic_ids):
                await sql.fetch(
                    "INSERT INTO post_topics (post_id, topic_id, position, post_created_at) "
                    "VALUES ($1, $2, $3, $4) RETURNING id",
                    post_id,
                    topic_id,
                    position,
                    created_at,
                    conn=conn,
                )
        await _remember(source, "question", new_questions, conn)
        report.questions = len(new_questions)

        answers = await _known(source, "answer", conn)
        new_answers = []
        for a in sorted(
            (p for p in posts_xml if p.get("PostTypeId") == "2"), key=lambda p: p["CreationDate"]
        ):
            if a["Id"] in answers:
                continue
            question_id, owner = questions.get(a.get("ParentId", "")), author(a)
            if question_id is None or owner is None:
                report.skip("answer without question or author")
                continue
            created_at = parse_time(a["CreationDate"])
            inserted = await sql.fetch(
                "INSERT INTO answers (question_id, author_id, body, status, vote_count, "
                "is_accepted, created_at) VALUES ($1, $2, $3, $6, $4, false, $5) "
                "ON CONFLICT (question_id, author_id) DO NOTHING RETURNING id",
                question_id,
                owner,
                text_of(a.get("Body", ""))[:5000] or "…",
                int(a.get("Score") or 0),
                created_at,
                PUBLISHED,
                conn=conn,
            )
            active.add((owner, calendar.day_of(created_at)))  # active even if not kept
            if not inserted:
                report.skip("second answer by the same member")
                continue
            answers[a["Id"]] = inserted[0]["id"]
            new_answers.append((a["Id"], inserted[0]["id"]))
        await _remember(source, "answer", new_answers, conn)
        report.answers = len(new_answers)
        for q in (p for p in posts_xml if p.get("PostTypeId") == "1" and p.get("AcceptedAnswerId")):
            answer_id, question_id = answers.get(q["AcceptedAnswerId"]), questions.get(q["Id"])
            if answer_id and question_id:
                await sql.execute(
                    "UPDATE posts SET accepted_answer_id = $2 WHERE id = $1",
                    question_id,
                    answer_id,
                    conn=conn,
                )
                await sql.execute(
                    "UPDATE answers SET is_accepted = true WHERE id = $1", answer_id, conn=conn
                )

        comments = await _known(source, "comment", conn)
        answer_of_question = {
            r["id"]: r["question_id"]
            for r in await sql.fetch(
                "SELECT id, question_id FROM answers WHERE id = ANY($1::bigint[])",
                list(answers.values()),
                conn=conn,
            )
        }
        new_comments = []
        for c in comments_xml:
            if c["Id"] in comments:
                continue
            on = c.get("PostId", "")
            post_id, answer_id, owner = questions.get(on), answers.get(on), author(c)
            if owner is None:
                report.skip("comment without author")
                continue
            created_at = parse_time(c["CreationDate"])
            active.add((owner, calendar.day_of(created_at)))  # active even if not kept
            if not c.get("UserId"):  # written by no one (the dump's day stays counted)
                report.skip("comment without author")
                continue
            if answer_id is not None:
                post_id = answer_of_question[answer_id]
            elif post_id is None:
                report.skip("comment on an answer or question not kept")
                continue
            inserted = await sql.fetch(
                "INSERT INTO comments (post_id, answer_id, author_id, body, status, like_count, "
                "reply_count, created_at) VALUES ($1, $6, $2, $3, $5, 0, 0, $4) RETURNING id",
                post_id,
                owner,
                text_of(c.get("Text", ""))[:1000] or "…",
                created_at,
                PUBLISHED,
                answer_id,
                conn=conn,
            )
            if answer_id is not None:
                report.answer_comments += 1
            comments[c["Id"]] = inserted[0]["id"]
            new_comments.append((c["Id"], inserted[0]["id"]))
        await _remember(source, "comment", new_comments, conn)
        report.comments = len(new_comments)
        if active:
            await sql.fetch(
                "INSERT INTO member_activity (user_id, day) "
                "SELECT unnest($1::bigint[]), unnest($2::date[]) ON CONFLICT DO NOTHING "
                "RETURNING id",
                [a[0] for a in active],
                [a[1] for a in active],
                conn=conn,
            )
    await recount_all()
    # The members' segments and risks, now rather than at the nightly scoring: the console's
    # retention pages show the imported community at once.
    report.segments = await score_members(calendar)
    return report
