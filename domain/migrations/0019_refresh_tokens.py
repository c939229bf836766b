from tortoise import migrations
from tortoise.migrations import operations as ops

# Built without holding the table: sign-ins and refreshes go on while they build (a table of
# one row per refresh ever made, before the nightly job first forgets the expired ones). An
# index left invalid by a build cut short is dropped and built again when this runs again.
_INDEXES = {
    "refresh_tokens_revoked_idx": "(family) WHERE revoked_at IS NOT NULL",
    "refresh_tokens_live_idx": "(user_id) WHERE revoked_at IS NULL",
    "refresh_tokens_expires_idx": "(expires_at)",
}


class Migration(migrations.Migration):
    """Refresh tokens read by what each statement asks (domain/auth.py): whether a sign-in
    was revoked, from the few revoked tokens rather than every token of its chain (a member
    who stays signed in adds one with each refresh); a member's live tokens, for a ban; the
    expired ones, for the job that forgets them."""

    dependencies = [("models", "0018_post_topics_order")]

    initial = False
    atomic = False  # CREATE INDEX CONCURRENTLY runs outside a transaction

    operations = [
        ops.RunSQL(
            [
                statement
                for name, columns in _INDEXES.items()
                for statement in (
                    f"DROP INDEX CONCURRENTLY IF EXISTS {name}",
                    f"CREATE INDEX CONCURRENTLY {name} ON refresh_tokens {columns}",
                )
            ],
            reverse_sql=[f"DROP INDEX CONCURRENTLY IF EXISTS {name}" for name in _INDEXES],
        ),
    ]
