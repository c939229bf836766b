"""Surveys through the wave's operations: created by an operator, answered once with
validation, and results whose NPS equals a hand computation."""

from __future__ import annotations

from api.ids import to_global_id
from domain.models import Role, User
from quanzi.bootstrap import Runtime
from tests.conftest import Api, error_codes
from tests.factories import make_user, token_for

QUESTIONS = [
    {"kind": "SINGLE", "title": "你从哪里知道我们？", "options": ["朋友", "公众号", "其他"]},
    {"kind": "MULTIPLE", "title": "你喜欢哪些活动？", "options": ["徒步", "读书", "摄影"]},
    {"kind": "RATING", "title": "活动体验打几分？"},
    {"kind": "NPS", "title": "你愿意把社区推荐给朋友吗？"},
    {"kind": "TEXT", "title": "还有什么建议？", "required": False},
]


async def _survey(api: Api, operator: str, title: str = "满意度调查") -> dict:
    created = await api.op(
        "CreateSurvey",
        {"input": {"title": title, "pointsReward": 5, "questions": QUESTIONS}},
        token=operator,
    )
    assert "errors" not in created, created
    return created["data"]["createSurvey"]["survey"]


def _answers(
    survey: dict, single: int, multiple: list[int], rating: int, nps: int, text: str | None
):
    q = survey["questions"]
    answers = [
        {"questionId": q[0]["id"], "optionIds": [q[0]["options"][single]["id"]]},
        {"questionId": q[1]["id"], "optionIds": [q[1]["options"][i]["id"] for i in multiple]},
        {"questionId": q[2]["id"], "score": rating},
        {"questionId": q[3]["id"], "score": nps},
    ]
    if text is not None:
        answers.append({"questionId": q[4]["id"], "text": text})
    return answers


async def test_a_survey_answered_once_and_its_results_match_a_hand_count(
    api: Api, runtime: Runtime
) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    survey = await _survey(api, operator)
    member = token_for(runtime, await make_user())
    listed = await api.op("Surveys", {"first": 10}, token=member)
    [edge] = listed["data"]["surveys"]["edges"]
    assert (edge["node"]["questionCount"], edge["node"]["viewerResponded"]) == (5, False)

    nps_scores = [10, 9, 8, 7, 6, 0, 10]
    ratings = [5, 4, 4, 3, 5, 2, 1]
    for i, (nps, rating) in enumerate(zip(nps_scores, ratings, strict=True)):
        user = await make_user()
        token = token_for(runtime, user)
        text = f"建议{i}" if i % 2 == 0 else None
        result = await api.op(
            "SubmitSurveyResponse",
            {
                "surveyId": survey["id"],
                "answers": _answers(survey, i % 2, [0, 2] if i < 3 else [1], rating, nps, text),
            },
            token=token,
        )
        assert result["data"]["submitSurveyResponse"] == {"ok": True, "pointsAwarded": 5}
        assert (await User.get(id=user.id)).points == 5
    twice = await api.op(
        "SubmitSurveyResponse",
        {"surveyId": survey["id"], "answers": _answers(survey, 0, [0], 5, 10, None)},
        token=token,
    )
    assert error_codes(twice) == ["CONFLICT"]
    assert (await User.get(id=user.id)).points == 5

    assert error_codes(await api.op("SurveyResults", {"id": survey["id"]}, token=member)) == [
        "FORBIDDEN"
    ]
    results = (await api.op("SurveyResults", {"id": survey["id"]}, token=operator))["data"][
        "surveyResults"
    ]
    assert results["responses"] == 7
    single, multiple, rating, nps, text = results["questions"]
    assert [(o["count"], o["percent"]) for o in single["options"]] == [
        (4, 57.1),
        (3, 42.9),
        (0, 0.0),
    ]
    assert [o["count"] for o in multiple["options"]] == [3, 4, 3]  # shares past 100 in all
    assert rating["averageScore"] == round(sum(ratings) / 7, 2)
    promoters = sum(s >= 9 for s in nps_scores)
    detractors = sum(s <= 6 for s in nps_scores)
    assert nps["nps"] == round(100 * (promoters - detractors) / len(nps_scores), 1) == 14.3
    assert nps["averageScore"] == round(sum(nps_scores) / 7, 2)
    assert text["answered"] == 4 and text["texts"] == ["建议6", "建议4", "建议2", "建议0"]


async def test_answers_are_validated_against_their_questions(api: Api, runtime: Runtime) -> None:
    operator = token_for(runtime, await make_user(role=Role.OPERATOR))
    survey = await _survey(api, operator)
    other = await _survey(api, operator, "另一份调查")
    token = token_for(runtime, await make_user())

    async def codes(answers: list[dict]) -> tuple[list[str], str | None]:
        result = await api.op(
            "SubmitSurveyResponse", {"surveyId": survey["id"], "answers": answers}, token=token
        )
        errors = result.get("errors") or [{}]
        return error_codes(result), errors[0].get("extensions", {}).get("field")

    good = _answers(survey, 0, [0], 3, 7, None)
    missing = good[:3]
    assert await codes(missing) == (["BAD_USER_INPUT"], "answers")
    wrong_option = [
        *good[:1],
        {**good[1], "optionIds": [other["questions"][1]["options"][0]["id"]]},
        *good[2:],
    ]
    assert (await codes(wrong_option))[0] == ["BAD_USER_INPUT"]
    two_for_single = [
        {**good[0], "optionIds": [o["id"] for o in survey["questions"][0]["options"][:2]]},
        *good[1:],
    ]
    assert (await codes(two_for_single))[0] == ["BAD_USER_INPUT"]
    out_of_range = [*good[:2], {**good[2], "score": 6}, good[3]]
    assert await codes(out_of_range) == (["BAD_USER_INPUT"], "answers.score")
    nps_range = [*good[:3], {**good[3], "score": 11}]
    assert (await codes(nps_range))[0] == ["BAD_USER_INPUT"]
    assert await codes(good) == ([], None)
    member = token_for(runtime, await make_user())
    refused = await api.op(
        "CreateSurvey", {"input": {"title": "x", "questions": QUESTIONS}}, token=member
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    closed = await api.op("CloseSurvey", {"id": other["id"]}, token=operator)
    assert closed["data"]["closeSurvey"]["survey"]["closesAt"] is not None
    late = await api.op(
        "SubmitSurveyResponse",
        {"surveyId": other["id"], "answers": _answers(other, 0, [0], 3, 7, None)},
        token=token,
    )
    assert error_codes(late) == ["CONFLICT"]
    listed = await api.op("Surveys", {"first": 10}, token=token)
    assert [e["node"]["id"] for e in listed["data"]["surveys"]["edges"]] == [survey["id"]]
    detail = await api.op("SurveyDetail", {"id": survey["id"]}, token=token)
    assert detail["data"]["survey"]["viewerResponded"] is True
    assert to_global_id("Survey", 0) != survey["id"]
