"""Whole responses of the dashboards and of the API's lists, kept in the shared cache.

The dashboards' figures are cached already (``selectors_cruscotti.cruscotto_in_cache``); what
remained on every request was building the page from them (some five hundred amounts, five SVG
charts with their tables, a table of fifty ambiti, the site's frame with the user's roles) and,
for the API, the list's queries and its JSON. Both depend only on:

- the data they read (``versioni``: a counter per family of models, bumped by every write of
  one of them, and the highest ids of the large tables, which rows added in bulk move); the
  dashboards read every family, each API list names its own;
- who asks, for what the page shows of the user and what their permissions let them read: the
  user (id, names, flags) and the access counter of ``versioni`` (roles, object permissions,
  users and groups); a public list depends on neither;
- the full address with the host (the API's pagination links are absolute) and the query, the
  language, the day (the days to a deadline), and what the view adds.

All of them make the key, so a change shows at the next request and an entry is never served
to another user, nor to the same user after a change of their roles or permissions; entries
also expire after a minute. The dashboards check that the user may read the region or the
ambito before they look in the cache; an API list checks it in what it stores, which only the
same user with the same permissions reads back.

Never stored: a page rendered with messages pending (they show once), a page that used the
Content-Security-Policy nonce (the request's own). The CSRF token, which belongs to the
browser's session, is stored as a placeholder and written into each response."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language

from .versioni import TUTTE, versioni

CACHE_SECONDI = 60
# What the page carries instead of the CSRF token: letters only, untouched by HTML escaping.
SEGNAPOSTO_CSRF = "pianozonasegnapostodeltokencsrf"
T = TypeVar("T")


def chiave(request, parti: tuple, per_utente: bool, famiglie: tuple[str, ...] = TUTTE) -> str:
    """``famiglie``: the families of models the response reads (``versioni.FAMIGLIE``)."""
    lette = versioni(request)
    accessi = lette.accessi
    chi = None
    if per_utente:
        utente = request.user
        chi = ("anonimo",) if not utente.is_authenticated else (
            utente.pk, utente.get_username(), utente.get_full_name(), utente.is_active, utente.is_staff,
            utente.is_superuser, accessi)
    return "pianozona:risposta:" + hashlib.sha256(repr((
        lette.dati(famiglie), chi, timezone.localdate().isoformat(), get_language(), request.build_absolute_uri(),
        parti)).encode()).hexdigest()


def voce_pagina(request, template: str, *parti) -> str:
    """The key of ``template``'s page for this request (see ``pagina_in_cache``)."""
    return chiave(request, (template, *parti), per_utente=True)


def _lette(request) -> dict:
    """Entries read ahead, in the same trip to the cache as the user's permission."""
    if not hasattr(request, "_pianozona_lette"):
        request._pianozona_lette = {}
    return request._pianozona_lette


def dell_utente(request, nome: tuple, calcola: Callable[[], T], *, con_pagina: str | None = None) -> T:
    """``calcola()``, a fact about what the user may read (the regions they oversee, whether they
    may read an ambito), from the cache while neither their roles and permissions nor the data
    change: the check of each request without django-guardian's queries. ``con_pagina``: the
    key of the page that follows (``voce_pagina``), read in the same trip to the cache; it is
    used only once the view has checked the fact."""
    lette = versioni(request)
    voce = "pianozona:permesso:" + hashlib.sha256(repr((
        request.user.pk, lette.accessi, lette.dati(), nome)).encode()).hexdigest()
    trovate = cache.get_many([voce, con_pagina] if con_pagina else [voce])
    if con_pagina:
        _lette(request)[con_pagina] = trovate.get(con_pagina)
    valore = trovate.get(voce)
    if valore is None:
        valore = calcola()
        cache.set(voce, valore, CACHE_SECONDI)
    return valore


def pagina_in_cache(request, template: str, contesto: Callable[[], dict], *parti) -> HttpResponse:
    """The page ``template`` renders with ``contesto()``, for this user, from the cache when
    nothing it depends on has changed. ``parti``: whatever else the page depends on beyond the
    user, their permissions, the data, the address, the language and the day."""
    if len(get_messages(request)):  # pending messages show once, on the page that renders them
        return render(request, template, contesto())
    voce = voce_pagina(request, template, *parti)
    lette = _lette(request)
    html = lette.pop(voce) if voce in lette else cache.get(voce)
    if html is None:
        html = render_to_string(template, {**contesto(), "csrf_token": SEGNAPOSTO_CSRF}, request)
        if getattr(request, "_csp_nonce", None) is None:  # the nonce is this request's alone
            cache.set(voce, html, CACHE_SECONDI)
    return HttpResponse(html.replace(SEGNAPOSTO_CSRF, get_token(request)))


def contenuto_in_cache(request, genera: Callable[[], bytes], *parti, per_utente: bool,
                       famiglie: tuple[str, ...] = TUTTE) -> bytes:
    """The bytes ``genera()`` returns, from the cache when nothing they depend on has changed;
    ``per_utente=False`` for what every user (and nobody signed in) reads alike; ``famiglie``:
    the families of models they read. An exception of ``genera`` (a 400, a 404) goes through
    and nothing is stored."""
    voce = chiave(request, parti, per_utente=per_utente, famiglie=famiglie)
    contenuto = cache.get(voce)
    if contenuto is None:
        contenuto = genera()
        cache.set(voce, contenuto, CACHE_SECONDI)
    return contenuto
