"""The task centre's records: a task's completion announced and its reward claimed, once per
member, task and period (the calendar day for daily tasks, empty for onboarding)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from domain.models.users import User


class MemberTask(Model):
    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tasks", on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=24)
    period = fields.CharField(max_length=10, default="")  # "" or the day, YYYY-MM-DD
    notified_at = fields.DatetimeField(null=True)
    claimed_at = fields.DatetimeField(null=True)
    points = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "member_tasks"
        unique_together = (("user", "code", "period"),)
