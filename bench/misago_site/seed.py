"""Seeds the bench's Misago forum and prints one session cookie per member, a line each:
`python seed.py THREADS MEMBERS`, run by Misago's own Python with misago_site on its path
(feed_page_bench.py does this). Threads go into Misago's first category, members are
plain ones, each signed in the way Django's test client signs in (a database session)."""

import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misago_site.settings")
django.setup()

from django.conf import settings  # noqa: E402 (after django.setup)
from django.test import Client  # noqa: E402
from misago.categories.models import Category  # noqa: E402
from misago.threads.test import post_thread  # noqa: E402
from misago.users.models import User  # noqa: E402


def main(threads: int, members: int) -> None:
    category = Category.objects.all_categories().order_by("lft").first()
    poster = User.objects.create_user("Poster", "poster@example.com", "bench-password")
    for i in range(threads):
        post_thread(category, title=f"Bench thread {i + 1}", poster=poster)
    cookie = settings.SESSION_COOKIE_NAME
    for i in range(members):
        member = User.objects.create_user(f"Member{i + 1}", f"m{i + 1}@example.com", "bench-pw")
        client = Client()
        client.force_login(member)
        print(f"{cookie}={client.cookies[cookie].value}", flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
