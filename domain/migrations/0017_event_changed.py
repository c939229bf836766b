from tortoise import migrations
from tortoise.migrations import operations as ops
from domain.models.notifications import NotificationKind
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0016_member_loop")]

    initial = False

    operations = [
        ops.AlterField(
            model_name="Notification",
            name="kind",
            field=fields.CharEnumField(
                description="COMMENT: COMMENT\nREPLY: REPLY\nLIKE: LIKE\nFOLLOW: FOLLOW\nANSWER: ANSWER\nANSWER_ACCEPTED: ANSWER_ACCEPTED\nREVIEW_APPROVED: REVIEW_APPROVED\nREVIEW_REJECTED: REVIEW_REJECTED\nFEATURED: FEATURED\nBADGE: BADGE\nEVENT_REMINDER: EVENT_REMINDER\nFEEDBACK_REPLY: FEEDBACK_REPLY\nEVENT_CANCELLED: EVENT_CANCELLED\nANSWER_COMMENT: ANSWER_COMMENT\nTASK_DONE: TASK_DONE\nEVENT_CHANGED: EVENT_CHANGED",
                enum_type=NotificationKind,
                max_length=16,
            ),
        ),
    ]
