"""Misago's URLs, as its development project mounts them (the forum at the root)."""

from django.urls import include, path

urlpatterns = [path("", include("misago.urls", namespace="misago"))]
handler403 = "misago.core.errorpages.permission_denied"
handler404 = "misago.core.errorpages.page_not_found"
