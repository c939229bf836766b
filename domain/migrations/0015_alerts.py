from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.alerts import AlertKind, AlertSeverity, AlertStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

# Alerts and their rules; the feedback desk's timings, category filter and metrics.
# Depends on 0013 (the latest on main when written); the other wave-2 branch adds 0014.


class Migration(migrations.Migration):
    dependencies = [("models", "0014_content_operations")]

    initial = False

    operations = [
        ops.CreateModel(
            name="Alert",
            fields=[
                (
                    "id",
                    fields.BigIntField(
                        generated=True, primary_key=True, unique=True, db_index=True
                    ),
                ),
                (
                    "kind",
                    fields.CharEnumField(
                        description="REPORT_SPIKE: REPORT_SPIKE\nDAU_DROP: DAU_DROP\nSIGNUP_SPIKE: SIGNUP_SPIKE\nREVIEW_BACKLOG: REVIEW_BACKLOG\nFEEDBACK_BACKLOG: FEEDBACK_BACKLOG\nNEGATIVE_FEEDBACK_SPIKE: NEGATIVE_FEEDBACK_SPIKE",
                        enum_type=AlertKind,
                        max_length=32,
                    ),
                ),
                (
                    "severity",
                    fields.CharEnumField(
                        description="INFO: INFO\nWARNING: WARNING\nCRITICAL: CRITICAL",
                        enum_type=AlertSeverity,
                        max_length=8,
                    ),
                ),
                (
                    "status",
                    fields.CharEnumField(
                        default=AlertStatus.OPEN,
                        description="OPEN: OPEN\nACKNOWLEDGED: ACKNOWLEDGED\nRESOLVED: RESOLVED",
                        enum_type=AlertStatus,
                        max_length=16,
                    ),
                ),
                ("value", fields.FloatField()),
                ("baseline", fields.FloatField(null=True)),
                ("detail", fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ("opened_at", fields.DatetimeField(auto_now=False, auto_now_add=True)),
                (
                    "acknowledged_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
                (
                    "acknowledged_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="acknowledged_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="alerts_acknowledged",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
                (
                    "resolved_at",
                    fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
                ),
            ],
            options={
                "table": "alerts",
                "app": "models",
                "indexes": [
                    Index(fields=["opened_at", "id"], name="alerts_time_idx"),
                    Index(fields=["status", "opened_at", "id"], name="alerts_status_idx"),
                    Index(fields=["kind", "opened_at", "id"], name="alerts_kind_idx"),
                ],
                "pk_attr": "id",
                "table_description": "Something going wrong, found by a detector: OPEN → ACKNOWLEDGED → RESOLVED. At most one",
            },
            bases=["Model"],
        ),
        ops.CreateModel(
            name="AlertRule",
            fields=[
                (
                    "kind",
                    fields.CharEnumField(
                        primary_key=True,
                        unique=True,
                        db_index=True,
                        description="REPORT_SPIKE: REPORT_SPIKE\nDAU_DROP: DAU_DROP\nSIGNUP_SPIKE: SIGNUP_SPIKE\nREVIEW_BACKLOG: REVIEW_BACKLOG\nFEEDBACK_BACKLOG: FEEDBACK_BACKLOG\nNEGATIVE_FEEDBACK_SPIKE: NEGATIVE_FEEDBACK_SPIKE",
                        enum_type=AlertKind,
                        max_length=32,
                    ),
                ),
                ("enabled", fields.BooleanField(default=True)),
                ("threshold", fields.FloatField(null=True)),
                ("minimum", fields.IntField(null=True)),
                ("updated_at", fields.DatetimeField(auto_now=True, auto_now_add=False)),
                (
                    "updated_by",
                    fields.ForeignKeyField(
                        "models.User",
                        source_field="updated_by_id",
                        null=True,
                        db_constraint=True,
                        to_field="id",
                        related_name="alert_rules_set",
                        on_delete=OnDelete.SET_NULL,
                    ),
                ),
            ],
            options={
                "table": "alert_rules",
                "app": "models",
                "pk_attr": "kind",
                "table_description": "An operator's setting of one detector; a kind without a row uses the defaults.",
            },
            bases=["Model"],
        ),
        ops.AddField(
            model_name="Feedback",
            name="first_replied_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name="Feedback",
            name="resolved_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["category", "created_at", "id"], name="feedback_category_idx"),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(
                fields=["status", "category", "created_at", "id"], name="feedback_desk_category_idx"
            ),
        ),
        ops.AddIndex(
            model_name="Feedback",
            index=Index(fields=["created_at", "id"], name="feedback_created_idx"),
        ),
        # Never two open alerts of one kind, whatever races: detectors insert ON CONFLICT.
        ops.RunSQL(
            "CREATE UNIQUE INDEX alerts_one_open ON alerts (kind) WHERE status <> 'RESOLVED'",
            reverse_sql="DROP INDEX alerts_one_open",
        ),
        # The tickets still waiting for a first answer, oldest first: overdue counts and the
        # FEEDBACK_BACKLOG detector.
        ops.RunSQL(
            "CREATE INDEX feedback_unanswered_idx ON feedback (created_at) "
            "WHERE first_replied_at IS NULL",
            reverse_sql="DROP INDEX feedback_unanswered_idx",
        ),
        # What is known of the tickets already answered: their (last) reply; resolved ones were
        # resolved by it.
        ops.RunSQL(
            "UPDATE feedback SET first_replied_at = replied_at WHERE replied_at IS NOT NULL; "
            "UPDATE feedback SET resolved_at = replied_at "
            "WHERE status IN ('RESOLVED', 'CLOSED') AND replied_at IS NOT NULL",
            reverse_sql="SELECT 1",
        ),
    ]
