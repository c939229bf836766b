from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    """Refresh tokens read by what each statement asks (domain/auth.py): whether a sign-in
    was revoked, from the few revoked tokens rather than every token of its chain (a member
    who stays signed in adds one with each refresh); a member's live tokens, for a ban; the
    expired ones, for the job that forgets them."""

    dependencies = [("models", "0018_post_topics_order")]

    initial = False

    operations = [
        ops.RunSQL(
            [
                "CREATE INDEX refresh_tokens_revoked_idx ON refresh_tokens (family) "
                "WHERE revoked_at IS NOT NULL",
                "CREATE INDEX refresh_tokens_live_idx ON refresh_tokens (user_id) "
                "WHERE revoked_at IS NULL",
                "CREATE INDEX refresh_tokens_expires_idx ON refresh_tokens (expires_at)",
            ],
            reverse_sql=[
                "DROP INDEX refresh_tokens_expires_idx",
                "DROP INDEX refresh_tokens_live_idx",
                "DROP INDEX refresh_tokens_revoked_idx",
            ],
        ),
    ]
