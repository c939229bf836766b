"""The WSGI application gunicorn serves (feed_page_bench.py's `misago` target)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "misago_site.settings")
application = get_wsgi_application()
