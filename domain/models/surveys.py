"""Surveys (问卷): operators' questions, members' one response each, and its answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class SurveyQuestionKind(StrEnum):
    SINGLE = "SINGLE"
    MULTIPLE = "MULTIPLE"
    TEXT = "TEXT"
    RATING = "RATING"  # 1-5
    NPS = "NPS"  # 0-10


class Survey(Model):
    id = fields.BigIntField(primary_key=True)
    title = fields.CharField(max_length=60)
    description = fields.CharField(max_length=500, default="")
    closes_at = fields.DatetimeField(null=True)
    points_reward = fields.IntField(default=0)
    question_count = fields.IntField(default=0)
    response_count = fields.IntField(default=0)
    created_by: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="surveys", null=True, on_delete=fields.SET_NULL
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "surveys"
        indexes = (Index(fields=("created_at", "id"), name="surveys_list_idx"),)


class SurveyQuestion(Model):
    id = fields.BigIntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="questions", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    kind = fields.CharEnumField(SurveyQuestionKind, max_length=8)
    title = fields.CharField(max_length=200)
    required = fields.BooleanField(default=True)

    class Meta:
        table = "survey_questions"
        indexes = (Index(fields=("survey_id", "position"), name="survey_questions_order_idx"),)


class SurveyOption(Model):
    id = fields.BigIntField(primary_key=True)
    question: fields.ForeignKeyRelation[SurveyQuestion] = fields.ForeignKeyField(
        "models.SurveyQuestion", related_name="options", on_delete=fields.CASCADE
    )
    position = fields.IntField()
    text = fields.CharField(max_length=100)

    class Meta:
        table = "survey_options"
        indexes = (Index(fields=("question_id", "position"), name="survey_options_order_idx"),)


class SurveyResponse(Model):
    id = fields.BigIntField(primary_key=True)
    survey: fields.ForeignKeyRelation[Survey] = fields.ForeignKeyField(
        "models.Survey", related_name="responses", on_delete=fields.CASCADE
    )
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="survey_responses", on_delete=fields.CASCADE
    )
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_responses"
        unique_together = (("survey", "user"),)
        indexes = (Index(fields=("user_id", "survey_id"), name="survey_responses_member_idx"),)


class SurveyAnswer(Model):
    id = fields.BigIntField(primary_key=True)
    response: fields.ForeignKeyRelation[SurveyResponse] = fields.ForeignKeyField(
        "models.SurveyResponse", related_name="answers", on_delete=fields.CASCADE
    )
    question: fields.ForeignKeyRelation[SurveyQuestion] = fields.ForeignKeyField(
        "models.SurveyQuestion", related_name="answers", on_delete=fields.CASCADE
    )
    option_ids: fields.JSONField[list[Any]] = fields.JSONField(default=list)
    text = fields.CharField(max_length=1000, null=True)
    text_held = fields.BooleanField(default=False)  # screening wants a look: not shown
    score = fields.SmallIntField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "survey_answers"
        indexes = (
            Index(fields=("question_id", "created_at", "id"), name="survey_answers_question_idx"),
        )
