from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0008_event_reminders")]

    initial = False

    operations = [
        ops.CreateModel(
            name="DailyMetric",
            fields=[
                ("day", fields.DateField(primary_key=True, unique=True, db_index=True)),
                ("dau", fields.IntField(default=0)),
                ("new_users", fields.IntField(default=0)),
                ("posts", fields.IntField(default=0)),
                ("comments", fields.IntField(default=0)),
                ("likes", fields.IntField(default=0)),
                ("shares", fields.IntField(default=0)),
                ("reports", fields.IntField(default=0)),
                ("computed_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={"table": "daily_metrics", "app": "models", "pk_attr": "day"},
            bases=["Model"],
        ),
        ops.CreateModel(
            name="ImportedRecord",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("source", fields.CharField(max_length=64)),
                ("kind", fields.CharField(max_length=16)),
                ("external_id", fields.CharField(max_length=64)),
                ("local_id", fields.BigIntField()),
            ],
            options={
                "table": "imported_records",
                "app": "models",
                "unique_together": (("source", "kind", "external_id"),),
                "pk_attr": "id",
                "table_description": "What an import created, keyed by the source's id: importing again changes nothing.",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="MemberActivity",
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
                        related_name="activity",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                ("day", fields.DateField()),
            ],
            options={
                "table": "member_activity",
                "app": "models",
                "unique_together": (("user", "day"),),
                "indexes": [Index(fields=["day", "user_id"], name="member_activity_day_idx")],
                "pk_attr": "id",
                "table_description": "A member was active on a day (the community's calendar): the base of DAU, WAU, MAU",
            },
            bases=["Model"],
        ),
    ]
