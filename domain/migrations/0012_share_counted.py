from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields


class Migration(migrations.Migration):
    dependencies = [("models", "0011_recommender")]

    initial = False

    operations = [
        ops.AddField(
            model_name="Share",
            name="counted",
            field=fields.BooleanField(default=True),
        ),
        # Earlier repeats (same member, post and channel on one day, in the default community
        # time zone) stop counting; the posts' shareCount follows.
        ops.RunSQL(
            "UPDATE shares s SET counted = false FROM (SELECT id, row_number() OVER ("
            "PARTITION BY user_id, post_id, channel, (created_at AT TIME ZONE 'Asia/Shanghai')::date "
            "ORDER BY created_at, id) AS n FROM shares) r WHERE r.id = s.id AND r.n > 1",
            reverse_sql="SELECT 1",
        ),
        ops.RunSQL(
            "UPDATE posts p SET share_count = c.n FROM (SELECT post_id, count(*) AS n FROM shares "
            "WHERE counted GROUP BY post_id) c WHERE c.post_id = p.id AND p.share_count <> c.n",
            reverse_sql="SELECT 1",
        ),
    ]
