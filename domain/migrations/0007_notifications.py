from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from domain.models.notifications import NotificationKind
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0006_events_feedback")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Notification",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "recipient",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="recipient_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="COMMENT: COMMENT\nREPLY: REPLY\nLIKE: LIKE\nFOLLOW: FOLLOW\nANSWER: ANSWER\nANSWER_ACCEPTED: ANSWER_ACCEPTED\nREVIEW_APPROVED: REVIEW_APPROVED\nREVIEW_REJECTED: REVIEW_REJECTED\nFEATURED: FEATURED\nBADGE: BADGE\nEVENT_REMINDER: EVENT_REMINDER\nFEEDBACK_REPLY: FEEDBACK_REPLY",
                        enum_type=NotificationKind,
                        max_length=16,
                    ),
                ),
                (
                    "actor",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="actor_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="notifications_caused",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "actor_ids",
                    fields.JSONField(
                        default=list,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("post_id", fields.BigIntField(null=True)),
                ("comment_id", fields.BigIntField(null=True)),
                ("subject_id", fields.BigIntField(null=True)),
                ("snippet", fields.CharField(default="", max_length=120)),
                ("group_key", fields.CharField(null=True, unique=True, max_length=96)),
                ("read", fields.BooleanField(default=False)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "notifications",
                "app": "models",
                "indexes": [
                    Index(
                        fields=["recipient_id", "updated_at", "id"], name="notifications_inbox_idx"
                    ),
                    Index(fields=["recipient_id", "read"], name="notifications_unread_idx"),
                ],
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="SubscribeGrant",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "user",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="user_id",
                        db_constraint=True,
                        to_field="id",
                        related_name="subscribe_grants",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("template_id", fields.CharField(max_length=64)),
                ("remaining", fields.IntField(default=0)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "subscribe_grants",
                "app": "models",
                "unique_together": (("user", "template_id"),),
                "pk_attr": "id",
                "table_description": "A WeChat one-time subscribe-message grant: one message per grant and template.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="User",
            name="unread_notification_count",
            field=fields.IntField(default=0),
        ),
    ]
