"""Whole responses of the dashboards and of the API's lists, kept in the shared cache.

The dashboards' figures are cached already (``selectors_cruscotti.cruscotto_in_cache``); what
remained on every request was building the page from them (some five hundred amounts, five SVG
charts with their tables, a table of fifty ambiti, the site's frame with the user's roles) and,
for the API, the list's queries and its JSON. Both depend only on:

- the data they read (``versioni``): for an API list, the counters of the families of models
  it reads; for a dashboard, the counter of its region and the national one;
- who asks, for what the page shows of the user and what their permissions let them read: the
  user (id, names, flags) and the access counter of ``versioni`` (roles, object permissions,
  users and groups); a public list depends on neither;
- the full address with the host (the API's pagination links are absolute) and the query, the
  language, the day (the days to a deadline), and what the view adds.

All of them make the key (a dashboard's entry holds its data version, compared at each read),
so a change shows at the next request and an entry is never served to another user, nor to
the same user after a change of their roles or permissions; entries also expire after a
minute. The dashboards check that the user may read the region or the ambito before they look
in the cache; an API list checks it in what it stores, which only the same user with the same
permissions reads back.

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

from .versioni import TUTTE, con_regione, versioni

CACHE_SECONDI = 60
# What the page carries instead of the CSRF token: letters only, untouched by HTML escaping.
SEGNAPOSTO_CSRF = "pianozonasegnapostodeltokencsrf"
T = TypeVar("T")


def _chi(request, accessi) -> tuple:
    """What a page shows of the user and what decides what they may read."""
    utente = request.user
    return ("anonimo",) if not utente.is_authenticated else (
        utente.pk, utente.get_username(), utente.get_full_name(), utente.is_active, utente.is_staff,
        utente.is_superuser, accessi)


def chiave(request, parti: tuple, per_utente: bool, famiglie: tuple[str, ...] = TUTTE) -> str:
    """``famiglie``: the families of models the response reads (``versioni.FAMIGLIE``)."""
    lette = versioni(request)
    chi = _chi(request, lette.accessi) if per_utente else None
    return "pianozona:risposta:" + hashlib.sha256(repr((
        lette.dati(famiglie), chi, timezone.localdate().isoformat(), get_language(), request.build_absolute_uri(),
        parti)).encode()).hexdigest()


# Facts about what a user may read, kept in the process too (bounded): their key holds the
# access counter and the registry's version read from the shared cache at each request, so a
# revoked role or a changed region misses at once in every process. Without those counters
# (the shared cache unreachable) nothing is kept here.
_FATTI: dict[str, object] = {}
_FATTI_MASSIMO = 10_000


def dell_utente(request, nome: tuple, calcola: Callable[[], T]) -> T:
    """``calcola()``, a fact about what the user may read (the regions they oversee, whether and
    in which region they may read an ambito), kept while neither their roles and permissions
    nor the registry change: the check of each request without django-guardian's queries. It
    must depend on nothing else (not the plans, the Accordi, the money)."""
    lette = versioni(request)
    anagrafe = lette.contatori["anagrafe"]
    voce = "pianozona:permesso:" + hashlib.sha256(repr((
        request.user.pk, lette.accessi, anagrafe, nome)).encode()).hexdigest()
    locale = lette.accessi is not None and anagrafe is not None
    valore = _FATTI.get(voce) if locale else None
    if valore is not None:
        return valore
    valore = cache.get(voce)
    if valore is None:
        valore = calcola()
        cache.set(voce, valore, CACHE_SECONDI)
    if locale:
        if len(_FATTI) >= _FATTI_MASSIMO:
            _FATTI.clear()
        _FATTI[voce] = valore
    return valore


def pagina_in_cache(request, template: str, contesto: Callable[[], dict], *parti, regione: int) -> HttpResponse:
    """The page ``template`` renders with ``contesto()``, for this user, from the cache when
    nothing it depends on has changed: a dashboard of region ``regione``, which reads that
    region's data and what all regions share (``versioni.della_regione``). ``parti``: whatever
    else the page depends on beyond the user, their permissions, the data, the address, the
    language and the day.

    The entry is found by everything but the data and holds the data version it was computed
    with, compared at each read: so the region's counter is read in the same trip as the page."""
    if len(get_messages(request)):  # pending messages show once, on the page that renders them
        return render(request, template, contesto())
    voce = chiave(request, ("pagina", template, *parti), per_utente=True, famiglie=())
    trovata = con_regione(request, regione, [voce]).get(voce)
    attesa = versioni(request).della_regione(regione)
    if trovata is not None and trovata[0] == attesa:
        html = trovata[1]
    else:
        html = render_to_string(template, {**contesto(), "csrf_token": SEGNAPOSTO_CSRF}, request)
        if getattr(request, "_csp_nonce", None) is None:  # the nonce is this request's alone
            cache.set(voce, (attesa, html), CACHE_SECONDI)
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
