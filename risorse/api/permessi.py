"""Who may call the API and how often.

Object permissions are not re-implemented here: every private endpoint starts from the same
selectors as the pages (``piani_visibili``, ``selectors_adesioni``), so an object a user may
not read is simply not in the queryset and the answer is 404, as on the pages."""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _StessoIndirizzo:
    """The client's address as django-ratelimit reads it (``RATELIMIT_IP_META_KEY``): behind
    the reverse proxy it is in X-Forwarded-For, and both limits must count the same client."""

    def get_ident(self, request):
        chiave = getattr(settings, "RATELIMIT_IP_META_KEY", "REMOTE_ADDR") or "REMOTE_ADDR"
        valore = request.META.get(chiave) or request.META.get("REMOTE_ADDR", "")
        # X-Forwarded-For may list several hops: the first one is the client.
        return valore.split(",")[0].strip()


class LimiteAnonimi(_StessoIndirizzo, AnonRateThrottle):
    """Anonymous calls (the public endpoints), per client address, in the shared cache."""

    scope = "anonimi"


class LimiteUtenti(UserRateThrottle):
    """Authenticated calls, per user: generous, it only stops a runaway script."""

    scope = "utenti"
