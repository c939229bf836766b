from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index


class Migration(migrations.Migration):
    dependencies = [("models", "0017_event_changed")]

    initial = False

    operations = [
        ops.AddIndex(
            model_name="PostTopic",
            index=Index(
                fields=["post_id", "position", "id", "topic_id"], name="post_topics_order_idx"
            ),
        ),
    ]
