"""Surveys: the open ones, answering once; operators create, close and read the results."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.types import Info

from api.context import Context
from api.ids import pk_of, to_global_id
from api.relay import Connection, Node, OkPayload, connection_from_page
from domain import models, surveys
from domain.errors import BadInput, NotFound

SurveyQuestionKind = strawberry.enum(models.SurveyQuestionKind, name="SurveyQuestionKind")


@strawberry.type
class SurveyOption(Node):
    id: strawberry.ID
    text: str

    @classmethod
    def from_model(cls, o: models.SurveyOption) -> SurveyOption:
        return cls(id=strawberry.ID(to_global_id("SurveyOption", o.id)), text=o.text)


@strawberry.type
class SurveyQuestion(Node):
    id: strawberry.ID
    kind: SurveyQuestionKind  # type: ignore[valid-type]
    title: str
    required: bool
    options: list[SurveyOption]

    @classmethod
    def from_model(
        cls, q: models.SurveyQuestion, opts: list[models.SurveyOption]
    ) -> SurveyQuestion:
        return cls(
            id=strawberry.ID(to_global_id("SurveyQuestion", q.id)),
            kind=q.kind,
            title=q.title,
            required=q.required,
            options=[SurveyOption.from_model(o) for o in opts],
        )


@strawberry.type(description="A survey (问卷).")
class Survey(Node):
    id: strawberry.ID
    title: str
    description: str
    closes_at: datetime | None
    points_reward: int
    question_count: int
    pk: strawberry.Private[int]

    @strawberry.field
    async def viewer_responded(self, info: Info[Context, None]) -> bool:
        viewer = await info.context.viewer()
        if viewer is None:
            return False
        return await info.context.loaders.responded(viewer.id).load(self.pk)

    @strawberry.field(description="In order.")
    async def questions(self) -> list[SurveyQuestion]:
        return [SurveyQuestion.from_model(q, o) for q, o in await surveys.questions_of(self.pk)]

    @classmethod
    def from_model(cls, s: models.Survey) -> Survey:
        return cls(
            id=strawberry.ID(to_global_id("Survey", s.id)),
            title=s.title,
            description=s.description,
            closes_at=s.closes_at,
            points_reward=s.points_reward,
            question_count=s.question_count,
            pk=s.id,
        )


@strawberry.type
class OptionResult:
    option: SurveyOption
    count: int
    percent: float = strawberry.field(description="0-100 of those who answered the question.")


@strawberry.type
class ScoreCount:
    score: int
    count: int


@strawberry.type
class QuestionResult:
    question: SurveyQuestion
    answered: int
    average_score: float | None
    nps: float | None = strawberry.field(description="% promoters (9-10) − % detractors (0-6).")
    options: list[OptionResult]
    score_counts: list[ScoreCount] = strawberry.field(
        description="RATING and NPS: how many gave each score, lowest first."
    )
    pk: strawberry.Private[int]

    @strawberry.field(description="The latest free-text answers, newest first (at most 50).")
    async def texts(self, info: Info[Context, None], first: int = 20) -> list[str]:
        if not 0 <= first <= surveys.TEXTS_MAX:
            raise BadInput(field="first")
        return await info.context.loaders.survey_texts(first).load(self.pk)


@strawberry.type
class SurveyResults:
    responses: int
    questions: list[QuestionResult]
    csv: str = strawberry.field(description="The results as CSV (one line per option).")


@strawberry.input
class SurveyQuestionInput:
    kind: SurveyQuestionKind  # type: ignore[valid-type]
    title: str
    required: bool | None = None
    options: list[str] | None = None


@strawberry.input
class CreateSurveyInput:
    title: str
    description: str | None = None
    closes_at: datetime | None = None
    points_reward: int | None = None
    questions: list[SurveyQuestionInput]


@strawberry.input
class SurveyAnswerInput:
    question_id: strawberry.ID
    option_ids: list[strawberry.ID] | None = None
    text: str | None = None
    score: int | None = None


@strawberry.type
class SubmitSurveyPayload(OkPayload):
    points_awarded: int


@strawberry.type
class SurveyPayload:
    survey: Survey


def _result(r: surveys.QuestionResult) -> QuestionResult:
    question = SurveyQuestion.from_model(r.question, [o for o, _, _ in r.options])
    return QuestionResult(
        question=question,
        answered=r.answered,
        average_score=r.average_score,
        nps=r.nps,
        options=[
            OptionResult(option=SurveyOption.from_model(o), count=c, percent=p)
            for o, c, p in r.options
        ],
        score_counts=[ScoreCount(score=s, count=c) for s, c in r.scores.items()],
        pk=r.question.id,
    )


@strawberry.type
class SurveysQuery:
    @strawberry.field(
        description="The surveys still taking answers, newest first; includeClosed "
        "(operators): all."
    )
    async def surveys(
        self,
        info: Info[Context, None],
        first: int | None = None,
        after: str | None = None,
        include_closed: bool = False,
    ) -> Connection[Survey]:
        actor = await info.context.require_viewer() if include_closed else None
        page = await surveys.open_surveys(
            first=first, after=after, cap=info.context.page_cap, actor=actor
        )
        return connection_from_page(page, Survey.from_model)  # type: ignore[arg-type]

    @strawberry.field
    async def survey(self, info: Info[Context, None], id: strawberry.ID) -> Survey | None:
        found = await models.Survey.filter(id=pk_of(id, "Survey")).first()
        return Survey.from_model(found) if found else None

    @strawberry.field(description="Operators: a survey's results.")
    async def survey_results(self, info: Info[Context, None], id: strawberry.ID) -> SurveyResults:
        viewer = await info.context.require_viewer()
        responses, rows = await surveys.results(viewer, pk_of(id, "Survey"))
        return SurveyResults(
            responses=responses,
            questions=[_result(r) for r in rows],
            csv=surveys.as_csv(responses, rows),
        )


@strawberry.type
class SurveysMutation:
    @strawberry.mutation(description="Once per member; required questions must be answered.")
    async def submit_survey_response(
        self, info: Info[Context, None], survey_id: strawberry.ID, answers: list[SurveyAnswerInput]
    ) -> SubmitSurveyPayload:
        viewer = await info.context.require_viewer()
        if len(answers) > surveys.QUESTIONS_MAX:
            raise BadInput("survey_answer", field="answers")
        given = [
            surveys.Given(
                question_id=pk_of(a.question_id, "SurveyQuestion", field="answers.questionId"),
                option_ids=[
                    pk_of(o, "SurveyOption", field="answers.optionIds")
                    for o in a.option_ids[: surveys.OPTIONS_MAX + 1]
                ]
                if a.option_ids is not None
                else None,
                text=a.text,
                score=a.score,
            )
            for a in answers
        ]
        paid = await surveys.respond(
            viewer,
            pk_of(survey_id, "Survey", field="surveyId"),
            given,
            screener=info.context.runtime.screener,
            rules=info.context.runtime.rules,
        )
        return SubmitSurveyPayload(ok=True, points_awarded=paid)

    @strawberry.mutation
    async def create_survey(
        self, info: Info[Context, None], input: CreateSurveyInput
    ) -> SurveyPayload:
        viewer = await info.context.require_viewer()
        if len(input.questions) > surveys.QUESTIONS_MAX:
            raise BadInput("survey_shape", field="questions", max=surveys.QUESTIONS_MAX)
        drafts = [
            surveys.QuestionDraft(
                kind=models.SurveyQuestionKind(q.kind),
                title=q.title,
                required=q.required if q.required is not None else True,
                options=list(q.options or [])[: surveys.OPTIONS_MAX + 1],
            )
            for q in input.questions
        ]
        survey = await surveys.create(
            viewer, input.title, input.description, input.closes_at, input.points_reward, drafts
        )
        return SurveyPayload(survey=Survey.from_model(survey))

    @strawberry.mutation
    async def close_survey(self, info: Info[Context, None], id: strawberry.ID) -> SurveyPayload:
        viewer = await info.context.require_viewer()
        survey = await surveys.close(viewer, pk_of(id, "Survey"))
        if survey is None:
            raise NotFound(field="id")
        return SurveyPayload(survey=Survey.from_model(survey))
