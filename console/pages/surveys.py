"""问卷: the surveys (closed ones too), creating one with its questions, closing one, and its
results as charts (a bar per choice question, the spread of a rating, the NPS split into
promoters, passives and detractors), the latest free-text answers and a CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from console.desk import Desk
from console.gql import GraphQLProblem
from console.pages.common import after, csv_download, form_instant, form_number
from console.templating import parse_time

KINDS = ("SINGLE", "MULTIPLE", "TEXT", "RATING", "NPS")
CHOICES = ("SINGLE", "MULTIPLE")
# NPS bands: detractors 0–6, passives 7–8, promoters 9–10.
PROMOTER_FROM = 9
PASSIVE_FROM = 7
_DONE = {"created": "surveys.created", "closed": "surveys.closed_msg"}


def _questions(form: FormData) -> list[dict[str, Any]]:
    """The question blocks of the form, in order: parallel lists of kind, title, required
    and options (one per line); blocks without a title are left out."""
    kinds, titles = form.getlist("qKind"), form.getlist("qTitle")
    required, options = form.getlist("qRequired"), form.getlist("qOptions")
    questions = []
    for index, title in enumerate(titles):
        title = str(title).strip()
        if not title:
            continue
        kind = str(kinds[index]) if index < len(kinds) else "TEXT"
        question: dict[str, Any] = {
            "kind": kind if kind in KINDS else "TEXT",
            "title": title,
            "required": (str(required[index]) if index < len(required) else "1") == "1",
        }
        if question["kind"] in CHOICES:
            raw = str(options[index]) if index < len(options) else ""
            question["options"] = [line.strip() for line in raw.splitlines() if line.strip()]
        questions.append(question)
    return questions


def _open(survey: dict[str, Any]) -> bool:
    closes = parse_time(survey["closesAt"])
    return closes is None or closes > datetime.now(UTC)


async def show(desk: Desk, problems: list[GraphQLProblem] | None = None) -> Response:
    outcome = await desk.run("ConsoleSurveys", first=desk.console.page_max, after=after(desk))
    page = (outcome.data or {}).get("surveys")
    done = desk.request.query_params.get("done")
    rows = [{**e["node"], "open": _open(e["node"])} for e in (page or {}).get("edges", [])]
    return desk.render(
        "surveys.html",
        status=400 if problems else 200,
        page=page,
        rows=rows,
        kinds=KINDS,
        message=desk.t(_DONE[done]) if done in _DONE else None,
        problems=outcome.problems + (problems or []),
    )


async def create(desk: Desk) -> Response:
    form = await desk.request.form()
    draft: dict[str, Any] = {
        "title": str(form.get("title", "")).strip(),
        "description": str(form.get("description", "")).strip() or None,
        "questions": _questions(form),
    }
    if (closes := form_instant(desk, str(form.get("closesAt", "")))) is not None:
        draft["closesAt"] = closes
    if (reward := form_number(str(form.get("pointsReward", "")))) is not None:
        draft["pointsReward"] = reward
    outcome = await desk.run("ConsoleCreateSurvey", input=draft)
    made = (outcome.data or {}).get("createSurvey")
    if not made:
        return await show(desk, outcome.problems)
    return RedirectResponse("/console/surveys?done=created", status_code=303)


async def close(desk: Desk) -> Response:
    outcome = await desk.run("ConsoleCloseSurvey", id=desk.request.path_params["survey_id"])
    if not outcome.ok:
        return await show(desk, outcome.problems)
    return RedirectResponse("/console/surveys?done=closed", status_code=303)


def _nps_split(scores: list[dict[str, int]]) -> dict[str, int]:
    split = {"detractors": 0, "passives": 0, "promoters": 0}  # the chart's order, low to high
    for s in scores:
        band = (
            "promoters"
            if s["score"] >= PROMOTER_FROM
            else "passives"
            if s["score"] >= PASSIVE_FROM
            else "detractors"
        )
        split[band] += s["count"]
    return split


def _chart(desk: Desk, row: dict[str, Any]) -> str | None:
    """What the question's chart draws, as JSON for its data-chart attribute."""
    kind = row["question"]["kind"]
    if kind in CHOICES:
        data = {
            "kind": "choice",
            "labels": [o["option"]["text"] for o in row["options"]],
            "counts": [o["count"] for o in row["options"]],
            "percents": [o["percent"] for o in row["options"]],
        }
    elif kind == "RATING":
        by_score = {s["score"]: s["count"] for s in row["scoreCounts"]}
        data = {
            "kind": "rating",
            "labels": [str(s) for s in range(1, 6)],
            "counts": [by_score.get(s, 0) for s in range(1, 6)],
        }
    elif kind == "NPS":
        split = _nps_split(row["scoreCounts"])
        data = {
            "kind": "nps",
            "labels": [desk.t("surveys." + band) for band in split],
            "counts": list(split.values()),
        }
    else:
        return None
    data["answers"] = desk.t("surveys.answers")
    return json.dumps(data, ensure_ascii=False)


async def results(desk: Desk) -> Response:
    survey_id = desk.request.path_params["survey_id"]
    outcome = await desk.run("ConsoleSurveyResults", id=survey_id)
    found = outcome.data or {}
    survey, found_results = found.get("survey"), found.get("surveyResults")
    if survey is None or found_results is None:
        return desk.render(
            "survey_results.html", status=404, survey=None, problems=outcome.problems
        )
    rows = [
        {
            **row,
            "chart": _chart(desk, row),
            "split": _nps_split(row["scoreCounts"]) if row["question"]["kind"] == "NPS" else None,
        }
        for row in found_results["questions"]
    ]
    return desk.render(
        "survey_results.html",
        survey=survey,
        responses=found_results["responses"],
        rows=rows,
        problems=outcome.problems,
    )


async def export(desk: Desk) -> Response:
    """The API's results CSV, each cell passed through the console's CSV writer (UTF-8 with
    its byte order mark, formula-like cells kept as text)."""
    outcome = await desk.run("ConsoleSurveyResults", id=desk.request.path_params["survey_id"])
    found = (outcome.data or {}).get("surveyResults")
    if found is None:
        return Response(status_code=404)
    rows = list(csv.reader(io.StringIO(found["csv"])))
    header, body = (rows[0], rows[1:]) if rows else ([], [])
    for row in found["questions"]:
        if row["question"]["kind"] == "TEXT":
            body.extend([row["question"]["title"], "TEXT", text] for text in row["texts"])
    return csv_download("survey-results.csv", header, body)
