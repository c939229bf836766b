"""A minimal Django project around Misago (installed on its own: bench/README.md, `misago`),
configured as a production forum would run it (no DEBUG, no debug toolbar, a cache of the
process's own), for feed_page_bench.py's `misago` target. Read by Misago's Python only."""

import os

from misago import discover_plugins
from misago.settings import *  # noqa: F403 (Misago's own INSTALLED_APPS and context processors)
from misago.settings import INSTALLED_APPS as MISAGO_APPS
from misago.settings import TEMPLATE_CONTEXT_PROCESSORS

BASE_DIR = os.environ["MISAGO_VAR_DIR"]
SECRET_KEY = "feed-page-bench-only"  # a throwaway forum on a throwaway database
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["MISAGO_DATABASE"],
        "USER": os.environ.get("MISAGO_DATABASE_USER", "postgres"),
        "PASSWORD": os.environ.get("MISAGO_DATABASE_PASSWORD", ""),
        "HOST": os.environ.get("MISAGO_DATABASE_HOST", "127.0.0.1"),
        "PORT": int(os.environ.get("MISAGO_DATABASE_PORT", "5432")),
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
MEDIA_URL = "/media/"
STATIC_ROOT = os.path.join(BASE_DIR, "static")
MEDIA_ROOT = os.path.join(BASE_DIR, "media")
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUTH_USER_MODEL = "misago_users.User"
AUTHENTICATION_BACKENDS = ["misago.users.authbackends.MisagoBackend"]
CSRF_FAILURE_VIEW = "misago.core.errorpages.csrf_failure"
INSTALLED_PLUGINS = discover_plugins(None)
INSTALLED_APPS = [app for app in MISAGO_APPS if app != "debug_toolbar"]
LOGIN_REDIRECT_URL = "misago:index"
LOGIN_URL = "misago:login"
LOGOUT_URL = "misago:logout"
# Misago's own middleware, in the order its development project lists it, without the
# debug toolbar.
MIDDLEWARE = [
    "misago.users.middleware.RealIPMiddleware",
    "misago.core.middleware.FrontendContextMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "misago.cache.middleware.cache_versions_middleware",
    "misago.conf.middleware.dynamic_settings_middleware",
    "misago.socialauth.middleware.socialauth_providers_middleware",
    "misago.users.middleware.UserMiddleware",
    "misago.acl.middleware.user_acl_middleware",
    "misago.core.middleware.ExceptionHandlerMiddleware",
    "misago.users.middleware.OnlineTrackerMiddleware",
    "misago.admin.middleware.AdminAuthMiddleware",
    "misago.threads.middleware.UnreadThreadsCountMiddleware",
]
ROOT_URLCONF = "misago_site.urls"
SOCIAL_AUTH_STRATEGY = "misago.socialauth.strategy.MisagoStrategy"
SOCIAL_AUTH_JSONFIELD_ENABLED = True
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": TEMPLATE_CONTEXT_PROCESSORS},
    }
]
REST_FRAMEWORK = {
    "DEFAULT_PERMISSION_CLASSES": ["misago.core.rest_permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "misago.core.exceptionhandler.handle_api_exception",
    "UNAUTHENTICATED_USER": "misago.users.models.AnonymousUser",
    "URL_FORMAT_OVERRIDE": None,
}
CELERY_TASK_ALWAYS_EAGER = True  # no broker here: a task Misago starts runs inline
MISAGO_SEARCH_CONFIG = "simple"
MISAGO_USER_DATA_DOWNLOADS_WORKING_DIR = os.path.join(BASE_DIR, "userdata")
MISAGO_AVATAR_GALLERY = os.path.join(BASE_DIR, "avatargallery")
WSGI_APPLICATION = "misago_site.wsgi.application"
