from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.points import PointsReason
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0004_moderation_featured")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Checkin",
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
                        related_name="checkins",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
                ("streak", fields.IntField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "checkins",
                "app": "models",
                "unique_together": (("user", "day"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="PointsEntry",
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
                        related_name="points_entries",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("amount", fields.IntField()),
                (
                    "reason",
                    fields.CharEnumField(
                        description="POST: POST\nCOMMENT: COMMENT\nANSWER: ANSWER\nLIKE_RECEIVED: LIKE_RECEIVED\nLIKE_WITHDRAWN: LIKE_WITHDRAWN\nACCEPTED_ANSWER: ACCEPTED_ANSWER\nFEATURED: FEATURED\nCHECKIN: CHECKIN\nCHECKIN_STREAK: CHECKIN_STREAK\nEVENT_CHECKIN: EVENT_CHECKIN\nINVITE: INVITE\nBOUNTY_ESCROW: BOUNTY_ESCROW\nBOUNTY_PAID: BOUNTY_PAID\nBOUNTY_REFUND: BOUNTY_REFUND",
                        enum_type=PointsReason,
                        max_length=16,
                    ),
                ),
                ("balance_after", fields.IntField()),
                ("target_type", fields.CharField(null=True, max_length=16)),
                ("target_id", fields.BigIntField(null=True)),
                ("idempotency_key", fields.CharField(unique=True, max_length=128)),
                ("day", fields.DateField()),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "points_entries",
                "app": "models",
                "indexes": [
                    Index(fields=["user_id", "created_at", "id"], name="points_user_idx"),
                    Index(fields=["user_id", "day", "reason"], name="points_caps_idx"),
                    Index(fields=["day", "user_id"], name="points_day_idx"),
                ],
                "pk_attr": "id",
                "table_description": "The append-only points ledger. A member's points equal the sum of their entries;",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="UserBadge",
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
                        related_name="badges",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("code", fields.CharField(max_length=32)),
                ("created_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={
                "table": "user_badges",
                "app": "models",
                "unique_together": (("user", "code"),),
                "pk_attr": "id",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="User",
            name="checkin_streak",
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name="User",
            name="last_checkin_day",
            field=fields.DateField(null=True),
        ),
        ops.AddField(
            model_name="User",
            name="likes_received",
            field=fields.IntField(default=0),
        ),
    ]
