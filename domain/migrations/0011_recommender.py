from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0010_retention_signals")]

    initial = False

    operations = [
        ops.CreateModel(
            name="RecommenderModel",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                ("version", fields.CharField(unique=True, max_length=32)),
                ("path", fields.CharField(max_length=512)),
                ("trained_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ("interactions", fields.IntField()),
                ("users", fields.IntField()),
                ("items", fields.IntField()),
                (
                    "metrics",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                (
                    "baseline",
                    fields.JSONField(
                        default=dict,
                        encoder=functools.partial(dumps, separators=(",", ":")),
                        decoder=loads,
                    ),
                ),
                ("published", fields.BooleanField(default=False)),
                ("current", fields.BooleanField(default=False)),
                ("seconds", fields.FloatField(default=0)),
            ],
            options={
                "table": "recommender_models",
                "app": "models",
                "pk_attr": "id",
                "table_description": "One trained model: its artefact on disk, the data it saw and how it measured.",
            },
            bases=["Model"],
        ),
        ops.AlterModelOptions(
            name="MemberSignal",
            options={
                "table": "member_signals",
                "app": "models",
                "indexes": [Index(fields=["segment", "risk"], name="member_signals_risk_idx")],
                "pk_attr": "user_id",
                "table_description": "The nightly retention score of a member: segment, churn risk and why.",
            },
        ),
    ]
