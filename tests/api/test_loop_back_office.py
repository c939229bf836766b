"""What the console's 积分商城 and 问卷 pages read beyond the contract: switched-off items and
closed surveys (operators only), and each score's count in a survey's results."""

from __future__ import annotations

from api.ids import to_global_id
from domain import mall, surveys
from domain.models import MallItemKind, Role, SurveyQuestionKind
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import RULES, make_user, token_for

ITEMS = (
    "query($all: Boolean!) { mallItems(first: 10, includeInactive: $all) "
    "{ edges { node { title active } } } }"
)
SURVEYS = (
    "query($all: Boolean!) { surveys(first: 10, includeClosed: $all) { edges { node { title } } } }"
)
SCORES = (
    "query($id: ID!) { surveyResults(id: $id) { questions { nps scoreCounts { score count } } } }"
)


async def test_switched_off_items_and_closed_surveys_are_listed_for_operators_only(
    api: Api, runtime: Runtime
) -> None:
    operator = await make_user(role=Role.OPERATOR)
    staff, member = token_for(runtime, operator), token_for(runtime, await make_user())
    await mall.create_item(
        operator, mall.ItemDraft(title="在售", kind=MallItemKind.VIRTUAL, price_points=5)
    )
    await mall.create_item(
        operator,
        mall.ItemDraft(title="已下架", kind=MallItemKind.VIRTUAL, price_points=5, active=False),
    )
    draft = [surveys.QuestionDraft(SurveyQuestionKind.TEXT, "建议")]
    await surveys.create(operator, "进行中", None, None, 0, draft)
    closed = await surveys.create(operator, "已结束", None, None, 0, draft)
    await surveys.close(operator, closed.id)

    def titles(result: dict, root: str) -> list[str]:
        return [e["node"]["title"] for e in result["data"][root]["edges"]]

    assert titles(await api.execute(ITEMS, {"all": True}, token=staff), "mallItems") == [
        "已下架",
        "在售",
    ]
    assert titles(await api.execute(ITEMS, {"all": False}, token=member), "mallItems") == ["在售"]
    assert error_codes(await api.execute(ITEMS, {"all": True}, token=member)) == ["FORBIDDEN"]
    assert titles(await api.execute(SURVEYS, {"all": True}, token=staff), "surveys") == [
        "已结束",
        "进行中",
    ]
    assert titles(await api.execute(SURVEYS, {"all": False}, token=staff), "surveys") == ["进行中"]
    assert error_codes(await api.execute(SURVEYS, {"all": True}, token=member)) == ["FORBIDDEN"]


async def test_results_count_each_score_lowest_first(api: Api, runtime: Runtime) -> None:
    operator = await make_user(role=Role.OPERATOR)
    survey = await surveys.create(
        operator, "推荐度", None, None, 0, [surveys.QuestionDraft(SurveyQuestionKind.NPS, "推荐吗")]
    )
    [(question, _)] = await surveys.questions_of(survey.id)
    for score in (10, 3, 10, 7):
        await surveys.respond(
            await make_user(),
            survey.id,
            [surveys.Given(question.id, score=score)],
            screener=runtime.screener,
            rules=RULES,
        )
    result = await api.execute(
        SCORES, {"id": to_global_id("Survey", survey.id)}, token=token_for(runtime, operator)
    )

    [row] = result["data"]["surveyResults"]["questions"]
    assert row["scoreCounts"] == [
        {"score": 3, "count": 1},
        {"score": 7, "count": 1},
        {"score": 10, "count": 2},
    ]
    assert row["nps"] == 25.0
