from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.notifications import NotificationKind
from domain.models.posts import PostStatus
from tortoise import fields
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0013_console_moderation")]

    initial = False

    operations = [
        ops.CreateModel(
            name="JobRun",
            fields=[
                (
                    "name",
                    fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64),
                ),
                ("last_run_at", fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ("duration_seconds", fields.FloatField()),
                ("outcome", fields.CharField(max_length=8)),
                ("error", fields.CharField(default="", max_length=500)),
                ("run_count", fields.IntField(default=0)),
            ],
            options={
                "table": "job_runs",
                "app": "models",
                "pk_attr": "name",
                "table_description": "The last run of a scheduled job, written by the worker as each run ends: one row per",
            },
            bases=["Model"],
        ),
        ops.AddIndex(
            model_name="Collection",
            index=Index(fields=["created_at", "id"], name="collections_created_idx"),
        ),
        ops.AddField(
            model_name="Event",
            name="cancel_reason",
            field=fields.CharField(default="", max_length=200),
        ),
        ops.AddField(
            model_name="Event",
            name="cancelled_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddIndex(
            model_name="EventSignup",
            index=Index(fields=["event_id", "created_at", "id"], name="event_signups_roster_idx"),
        ),
        ops.AddIndex(
            model_name="MemberSignal",
            index=Index(fields=["computed_at"], name="member_signals_computed_idx"),
        ),
        ops.AlterField(
            model_name="Notification",
            name="kind",
            field=fields.CharEnumField(
                description="COMMENT: COMMENT\nREPLY: REPLY\nLIKE: LIKE\nFOLLOW: FOLLOW\nANSWER: ANSWER\nANSWER_ACCEPTED: ANSWER_ACCEPTED\nREVIEW_APPROVED: REVIEW_APPROVED\nREVIEW_REJECTED: REVIEW_REJECTED\nFEATURED: FEATURED\nBADGE: BADGE\nEVENT_REMINDER: EVENT_REMINDER\nFEEDBACK_REPLY: FEEDBACK_REPLY\nEVENT_CANCELLED: EVENT_CANCELLED",
                enum_type=NotificationKind,
                max_length=16,
            ),
        ),
        ops.AlterField(
            model_name="Post",
            name="status",
            field=fields.CharEnumField(
                default=PostStatus.PUBLISHED,
                description="PUBLISHED: PUBLISHED\nPENDING_REVIEW: PENDING_REVIEW\nHIDDEN: HIDDEN\nREJECTED: REJECTED\nDELETED: DELETED\nSCHEDULED: SCHEDULED",
                enum_type=PostStatus,
                max_length=16,
            ),
        ),
        ops.AddField(
            model_name="Post",
            name="publish_at",
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        # The scheduled posts: the publishing job's due ones, the content calendar's range.
        ops.RunSQL(
            "CREATE INDEX posts_scheduled_idx ON posts (publish_at, id) WHERE status = 'SCHEDULED'",
            reverse_sql="DROP INDEX posts_scheduled_idx",
        ),
        # The staff whose published posts the content calendar shows.
        ops.RunSQL(
            "CREATE INDEX users_staff_idx ON users (id) WHERE role IN ('OPERATOR', 'ADMIN')",
            reverse_sql="DROP INDEX users_staff_idx",
        ),
        # events(state: CANCELLED), most recently called off first.
        ops.RunSQL(
            "CREATE INDEX events_cancelled_idx ON events (cancelled_at, id) "
            "WHERE cancelled_at IS NOT NULL",
            reverse_sql="DROP INDEX events_cancelled_idx",
        ),
        # Circle.admins, for a page of circles at once.
        ops.RunSQL(
            "CREATE INDEX circle_members_admins_idx ON circle_members (circle_id, created_at) "
            "WHERE role = 'ADMIN'",
            reverse_sql="DROP INDEX circle_members_admins_idx",
        ),
    ]
