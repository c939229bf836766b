from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from domain.models.events import EventKind, FeedbackCategory, FeedbackStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0005_points_economy")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Event",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("title", fields.CharField(max_length=60)),
                ("description", fields.TextField(default="", unique=False)),
                (
                    "kind",
                    fields.CharEnumField(
                        description="ONLINE: ONLINE\nOFFLINE: OFFLINE",
                        enum_type=EventKind,
                        max_length=8,
                    ),
                ),
                ("location", fields.CharField(default="", max_length=200)),
                ("starts_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("ends_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("signup_deadline", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("capacity", fields.IntField(null=True)),
                ("signup_count", fields.IntField(default=0)),
                ("checkin_count", fields.IntField(default=0)),
                ("points_reward", fields.IntField(default=0)),
                (
                    "circle",
                    fields.ForeignKeyField(
                        "models.Circle",
                        source_field="circle_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="events",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "created_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="created_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="events_created",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("checkin_secret", fields.CharField(max_length=64)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "events",
                "app": "models",
                "indexes": [
                    Index(fields=["starts_at", "id"], name="events_starts_idx"),
                    Index(fields=["ends_at", "id"], name="events_ends_idx"),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="EventSignup",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "event",
                    fields.ForeignKeyField(
                        "models.Event",
                        source_field="event_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="signups",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="event_signups",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "checked_in_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "event_signups",
                "app": "models",
                "unique_together": (("event", "user"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="Feedback",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "author",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="author_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="feedback",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "category",
                    fields.CharEnumField(
                        description="BUG: BUG\nSUGGESTION: SUGGESTION\nCOMPLAINT: COMPLAINT\nCONTENT: CONTENT\nOTHER: OTHER",
                        enum_type=FeedbackCategory,
                        max_length=16,
                    ),
                ),
                ("content", fields.TextField(unique=False)),
                ("contact", fields.CharField(default="", max_length=100)),
                (
                    "images",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=FeedbackStatus.OPEN,
                        description="OPEN: OPEN\nIN_PROGRESS: IN_PROGRESS\nRESOLVED: RESOLVED\nCLOSED: CLOSED",
                        enum_type=FeedbackStatus,
                        max_length=16,
                    ),
                ),
                ("reply", fields.TextField(null=True, unique=False)),
                (
                    "replied_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="replied_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="feedback_replies",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                ("replied_at", fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ("rating", fields.SmallIntField(null=True)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "feedback",
                "app": "models",
                "indexes": [
                    Index(fields=["author_id", "created_at", "id"], name="feedback_author_idx"),
                    Index(fields=["status", "created_at", "id"], name="feedback_desk_idx"),
                ],
                "pk_attr": "id",
                "table_description": "A member's feedback or complaint, answered by operators at the feedback desk.",
            },
            bases=["Model"],
        ),
    ]
