"""Surveys (问卷): operators ask, members answer once (validated against the questions, free
text screened), operators read the results (shares, averages, NPS, the latest texts, CSV)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from adapters import sql
from domain import access, points, resubmits
from domain.errors import BadInput, Conflict, Forbidden, NotFound
from domain.models import (
    PointsReason,
    Survey,
    SurveyAnswer,
    SurveyOption,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
    User,
)
from domain.pagination import Page, keyset_page
from domain.publishing import Screening, check_can_publish, check_length, screen_texts
from domain.rules import CommunityRules
from domain.screening import Scene

K = SurveyQuestionKind
QUESTIONS_MAX, OPTIONS_MAX, REWARD_MAX, TEXT_MAX, TEXTS_MAX = 50, 20, 1000, 1000, 50
SCORES = {K.RATING: range(1, 6), K.NPS: range(0, 11)}


@dataclass
class QuestionDraft:
    kind: SurveyQuestionKind
    title: str
    required: bool = True
    options: list[str] = field(default_factory=list)


@dataclass
class Given:
    """One answer as sent: the question, and its options, text or score."""

    question_id: int
    option_ids: list[int] | None = None
    text: str | None = None
    score: int | None = None


async def create(
    actor: User,
    title: str,
    description: str | None,
    closes_at: datetime | None,
    points_reward: int | None,
    questions: list[QuestionDraft],
) -> Survey:
    if not access.can_run_surveys(actor):
        raise Forbidden()
    title = check_length(title, "title", max=60)
    description = check_length(description or "", "description", max=500, min=0)
    reward = points_reward or 0
    if not 0 <= reward <= REWARD_MAX:
        raise BadInput("mall_number", field="pointsReward", max=REWARD_MAX)
    if closes_at is not None and closes_at <= datetime.now(UTC):
        raise BadInput(field="closesAt")
    if not 1 <= len(questions) <= QUESTIONS_MAX:
        raise BadInput("survey_shape", field="questions", max=QUESTIONS_MAX)
    for q in questions:
        q.title = check_length(q.title, "questions.title", max=200)
        q.options = [check_length(o, "questions.options", max=100) for o in q.options]
        choice = q.kind in (K.SINGLE, K.MULTIPLE)
        if (choice and not 2 <= len(q.options) <= OPTIONS_MAX) or (not choice and q.options):
            raise BadInput("survey_shape", field="questions.options", max=QUESTIONS_MAX)
    async with in_transaction() as conn:
        await resubmits.hold(actor.id, conn)
        sent = await resubmits.created(
            "surveys", conn, created_by_id=actor.id, title=title, question_count=len(questions)
        )
        if sent is not None:  # clicked twice: the first is the answer (and pays once)
            return await Survey.get(id=sent, using_db=conn)
        survey = await Survey.create(
            title=title,
            description=description,
            closes_at=closes_at,
            points_reward=reward,
            question_count=len(questions),
            created_by_id=actor.id,
            using_db=conn,
        )
        for position, q in enumerate(questions):
            row = await SurveyQuestion.create(
                survey_id=survey.id,
                position=position,
                kind=q.kind,
                title=q.title,
                required=q.required,
                using_db=conn,
            )
            for index, text in enumerate(q.options):
                await SurveyOption.create(
                    question_id=row.id, position=index, text=text, using_db=conn
                )
    return survey


async def close(actor: User, survey_id: int) -> Survey:
    if not access.can_run_surveys(actor):
        raise Forbidden()
    survey = await Survey.filter(id=survey_id).first()
    if survey is None:
        raise NotFound(field="id")
    now = datetime.now(UTC)
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
        await survey.save(update_fields=["closes_at"])
    return survey


def is_open(survey: Survey) -> bool:
    return survey.closes_at is None or survey.closes_at > datetime.now(UTC)


async def open_surveys(
    *, first: int | None, after: str | None, cap: int, actor: User | None = None
) -> Page[Survey]:
    """The surveys still taking answers, newest first; with an operator as `actor`, closed
    ones too."""
    from tortoise.expressions import Q

    if actor is not None and not access.can_run_surveys(actor):
        raise Forbidden()
    query = (
        Survey.all()
        if actor is not None
        else Survey.filter(Q(closes_at=None) | Q(closes_at__gt=datetime.now(UTC)))
    )
    return await keyset_page(query, first=first, after=after, order=("-created_at", "-id"), cap=cap)


async def questions_of(survey_id: int) -> list[tuple[SurveyQuestion, list[SurveyOption]]]:
    questions = await SurveyQuestion.filter(survey_id=survey_id).order_by("position")
    options = await SurveyOption.filter(question_id__in=[q.id for q in questions]).order_by(
        "position"
    )
    by_question: dict[int, list[SurveyOption]] = {}
    for o in options:
        by_question.setdefault(o.question_id, []).append(o)  # type: ignore[attr-defined]
    return [(q, by_question.get(q.id, [])) for q in questions]


def _check(
    given: list[Given], questions: list[tuple[SurveyQuestion, list[SurveyOption]]]
) -> list[Given]:
    known = {q.id: (q, {o.id for o in opts}) for q, opts in questions}
    if len(given) > len(known) or len({g.question_id for g in given}) != len(given):
        raise BadInput("survey_answer", field="answers")
    kept = []
    for g in given:
        if g.question_id not in known:
            raise BadInput("survey_answer", field="answers.questionId")
        q, option_ids = known[g.question_id]
        chosen = list(dict.fromkeys(g.option_ids or []))
        if q.kind in (K.SINGLE, K.MULTIPLE):
            wrong = not chosen or not set(chosen) <= option_ids
            if wrong or (q.kind is K.SINGLE and len(chosen) != 1) or g.text or g.score is not None:
                raise BadInput("survey_answer", field="answers.optionIds")
            g.option_ids = chosen
        elif q.kind is K.TEXT:
            if chosen or g.score is not None or g.text is None:
                raise BadInput("survey_answer", field="answers.text")
            g.text = check_length(g.text, "answers.text", max=TEXT_MAX)
        else:
            if chosen or g.text or g.score not in SCORES[q.kind]:
                raise BadInput("survey_answer", field="answers.score")
        kept.append(g)
    answered = {g.question_id for g in kept}
    if any(q.required and q.id not in answered for q, _ in questions):
        raise BadInput("survey_required", field="answers")
    return kept


async def respond(
    user: User,
    survey_id: int,
    given: list[Given],
    *,
    screener: Screening,
    rules: CommunityRules,
) -> int:
    """Answer a survey once; return the points it paid."""
    check_can_publish(user)
    survey = await Survey.filter(id=survey_id).first()
    if survey is None:
        raise NotFound(field="surveyId")
    if not is_open(survey):
        raise Conflict("survey_closed", field="surveyId")
    if len(given) > QUESTIONS_MAX:
        raise BadInput("survey_answer", field="answers")
    answers = _check(given, await questions_of(survey_id))
    texts = [("answers.text", g.text) for g in answers if g.text]
    verdict = await screen_texts(screener, user, texts, Scene.COMMENT) if texts else None
    try:
        async with in_transaction() as conn:
            response = await SurveyResponse.create(
                survey_id=survey_id, user_id=user.id, using_db=conn
            )
            for g in answers:
                await SurveyAnswer.create(
                    response_id=response.id,
                    question_id=g.question_id,
                    option_ids=g.option_ids or [],
                    text=g.text,
                    text_held=bool(g.text and verdict and verdict.needs_review),
                    score=g.score,
                    using_db=conn,
                )
            await sql.bump("surveys", "response_count", survey_id, 1, conn=conn)
            paid = await points.award(
                user.id,
                survey.points_reward,
                PointsReason.SURVEY_REWARD,
                f"survey:{survey_id}:{user.id}",
                conn,
                rules=rules,
                target=("SURVEY", survey_id),
            )
    except IntegrityError:
        raise Conflict("survey_answered", field="surveyId") from None
    return paid.amount if paid else 0


@dataclass
class QuestionResult:
    question: SurveyQuestion
    options: list[tuple[SurveyOption, int, float]]  # option, count, percent
    answered: int = 0
    average_score: float | None = None
    nps: float | None = None
    scores: dict[int, int] = field(default_factory=dict)  # score → answers (RATING, NPS)


def _one_decimal(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


async def results(actor: User, survey_id: int) -> tuple[int, list[QuestionResult]]:
    """(respondents, per question results): each a fixed number of queries."""
    if not access.can_run_surveys(actor):
        raise Forbidden()
    survey = await Survey.filter(id=survey_id).first()
    if survey is None:
        raise NotFound(field="id")
    questions = await questions_of(survey_id)
    ids = [q.id for q, _ in questions]
    answered = {
        r["question_id"]: r["n"]
        for r in await sql.fetch(
            "SELECT question_id, count(*) AS n FROM survey_answers "
            "WHERE question_id = ANY($1::bigint[]) GROUP BY question_id",
            ids,
        )
    }
    chosen = {
        (r["question_id"], int(r["option_id"])): r["n"]
        for r in await sql.fetch(
            "SELECT question_id, o AS option_id, count(*) AS n FROM survey_answers, "
            "jsonb_array_elements_text(option_ids) o WHERE question_id = ANY($1::bigint[]) "
            "GROUP BY question_id, o",
            ids,
        )
    }
    scores: dict[int, dict[int, int]] = {}
    for r in await sql.fetch(
        "SELECT question_id, score, count(*) AS n FROM survey_answers "
        "WHERE question_id = ANY($1::bigint[]) AND score IS NOT NULL GROUP BY question_id, score",
        ids,
    ):
        scores.setdefault(r["question_id"], {})[r["score"]] = r["n"]
    out = []
    for q, opts in questions:
        n = answered.get(q.id, 0)
        shares = [
            (
                o,
                chosen.get((q.id, o.id), 0),
                _one_decimal(100 * chosen.get((q.id, o.id), 0) / n) if n else 0.0,
            )
            for o in opts
        ]
        counts = scores.get(q.id, {})
        result = QuestionResult(q, shares, n, scores=dict(sorted(counts.items())))
        total = sum(counts.values())
        if q.kind in SCORES and total:
            result.average_score = round(sum(s * c for s, c in counts.items()) / total, 2)
        if q.kind is K.NPS and total:
            promoters = sum(c for s, c in counts.items() if s >= 9)
            detractors = sum(c for s, c in counts.items() if s <= 6)
            result.nps = _one_decimal(100 * (promoters - detractors) / total)
        out.append(result)
    return survey.response_count, out


async def latest_texts(question_ids: list[int], first: int) -> list[list[str]]:
    """The latest `first` free-text answers of each question (held ones left out), one query."""
    first = max(0, min(first, TEXTS_MAX))
    rows = await sql.fetch(
        "SELECT question_id, text FROM (SELECT question_id, text, row_number() OVER ("
        "PARTITION BY question_id ORDER BY created_at DESC, id DESC) AS n FROM survey_answers "
        "WHERE question_id = ANY($1::bigint[]) AND text IS NOT NULL AND NOT text_held) t "
        "WHERE n <= $2 ORDER BY question_id, n",
        question_ids,
        first,
    )
    found: dict[int, list[str]] = {}
    for r in rows:
        found.setdefault(r["question_id"], []).append(r["text"])
    return [found.get(i, []) for i in question_ids]


def as_csv(responses: int, rows: list[QuestionResult]) -> str:
    """The results as CSV: one line per option (choice questions) or per question."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["question", "kind", "option", "count", "percent", "answered", "average", "nps"]
    )
    for r in rows:
        q = r.question
        common = [
            r.answered,
            r.average_score if r.average_score is not None else "",
            r.nps if r.nps is not None else "",
        ]
        if r.options:
            for option, count, percent in r.options:
                writer.writerow([q.title, q.kind.value, option.text, count, percent, *common])
        else:
            writer.writerow([q.title, q.kind.value, "", "", "", *common])
    writer.writerow(["responses", "", "", responses, "", "", "", ""])
    return buffer.getvalue()
