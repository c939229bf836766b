from __future__ import annotations

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model

from domain.models.users import User


class MemberActivity(Model):
    """A member was active on a day (the community's calendar): the base of DAU, WAU, MAU
    and retention. Written from Redis by a job; by the importer for imported history."""

    id = fields.BigIntField(primary_key=True)
    user: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="activity", on_delete=fields.CASCADE
    )
    day = fields.DateField()

    class Meta:
        table = "member_activity"
        unique_together = (("user", "day"),)
        indexes = (Index(fields=("day", "user_id"), name="member_activity_day_idx"),)


class DailyMetric(Model):
    day = fields.DateField(primary_key=True)
    dau = fields.IntField(default=0)
    new_users = fields.IntField(default=0)
    posts = fields.IntField(default=0)
    comments = fields.IntField(default=0)
    likes = fields.IntField(default=0)
    shares = fields.IntField(default=0)
    reports = fields.IntField(default=0)
    computed_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "daily_metrics"


class ImportedRecord(Model):
    """What an import created, keyed by the source's id: importing again changes nothing."""

    id = fields.BigIntField(primary_key=True)
    source = fields.CharField(max_length=64)
    kind = fields.CharField(max_length=16)
    external_id = fields.CharField(max_length=64)
    local_id = fields.BigIntField()

    class Meta:
        table = "imported_records"
        unique_together = (("source", "kind", "external_id"),)


class JobRun(Model):
    """The last run of a scheduled job, written by the worker as each run ends: one row per
    job, what the console's job list reads."""

    name = fields.CharField(max_length=64, primary_key=True)
    last_run_at = fields.DatetimeField()  # when the run started
    duration_seconds = fields.FloatField()
    outcome = fields.CharField(max_length=8)  # OK or ERROR
    error = fields.CharField(max_length=500, default="")
    run_count = fields.IntField(default=0)

    class Meta:
        table = "job_runs"
