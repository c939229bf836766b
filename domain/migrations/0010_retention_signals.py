from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.retention import Segment
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0009_analytics_import")]

    initial = False

    operations = [
        ops.CreateModel(
            name="MemberSignal",
            fields=[
                (
                    "user",
                    fields.OneToOneField(
                        "models.User",
                        source_field="user_id",
                        primary_key=True,
                        db_index=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="signal",
                        on_delete=OnDelete.CASCADE,
                    ),
                ),
                (
                    "segment",
                    fields.CharEnumField(
                        description="NEW: NEW\nACTIVE: ACTIVE\nCASUAL: CASUAL\nDORMANT: DORMANT\nCHURNED: CHURNED",
                        enum_type=Segment,
                        max_length=8,
                    ),
                ),
                ("risk", fields.FloatField()),
                ("last_active_day", fields.DateField(null=True)),
                ("active_days_30", fields.IntField(default=0)),
                ("reason", fields.CharField(default="", max_length=200)),
                ("computed_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={
                "table": "member_signals",
                "app": "models",
                "indexes": [Index(fields=["segment", "risk"], name="member_signals_risk_idx")],
                "pk_attr": "user_id",
                "table_description": "The nightly retention score of a member: segment, churn risk and why.",
            },
            bases=["Model"],
        ),
    ]
