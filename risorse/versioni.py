"""Versions of what the dashboards and the API's lists read, for the keys of their cache.

Two counters in the shared cache (Redis in production, so every web process and Celery worker
sees the same), each bumped by a signal at every write of what it stands for:

- **data**: the models the dashboards and the lists read (plans, their iter, resources,
  spending, Accordi, adherents, the registry of regions, provinces, ASL, ambiti and Comuni);
- **accessi**: who may read what and what the page's frame shows of the user: roles
  (``Incarico``), django-guardian's object permissions, users (not their last login) and
  their groups.

Rows added in bulk (the imports' ``bulk_create``) send no signal: the data version also holds
the highest ids of the large tables, read in one indexed query. The import of the ISTAT
registry updates in bulk and says so with ``ambiti.importazione.anagrafe_aggiornata``. Only an
``UPDATE`` made outside the application waits for the cache entries to expire (a minute).

A counter missing from the cache (never set, evicted, cache restarted) is set to the current
time in milliseconds: a value no earlier key held."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.db.models import Subquery
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from accordi.models import (
    AccordoDiProgramma,
    CicloProgrammazione,
    ParteAccordo,
    PianoAmbito,
    PianoDiZona,
    RichiestaAdesione,
    RisorsaAdesione,
    TransizionePiano,
)
from ambiti.importazione import anagrafe_aggiornata
from ambiti.models import ASL, Ambito, Comune, Ente, Incarico, Provincia, Regione

from .models import FonteRisorsa, SpesaSocialeComune, VoceRisorsa

CHIAVE_DATI = "pianozona:cruscotti:versione"
CHIAVE_ACCESSI = "pianozona:accessi:versione"
LETTI = (VoceRisorsa, SpesaSocialeComune, FonteRisorsa, PianoDiZona, PianoAmbito, TransizionePiano,
         CicloProgrammazione, AccordoDiProgramma, ParteAccordo, RichiestaAdesione, RisorsaAdesione, Ambito, Comune, ASL,
         Provincia, Regione, Ente)


def _avanza(chiave: str) -> None:
    try:
        cache.incr(chiave)
    except ValueError:  # not in the cache yet (or evicted): any new value changes the keys
        # An integer (Redis increments integers only), unlike any value a restarted cache had.
        cache.set(chiave, int(timezone.now().timestamp() * 1000), None)


def dati_cambiati(**_kwargs) -> None:
    _avanza(CHIAVE_DATI)


def accessi_cambiati(**_kwargs) -> None:
    _avanza(CHIAVE_ACCESSI)


def _utente_salvato(update_fields=None, **_kwargs) -> None:
    # Every sign-in saves last_login: that changes neither permissions nor the page's frame.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    accessi_cambiati()


def _collega() -> None:
    from django.contrib.auth import get_user_model
    from guardian.models import GroupObjectPermission, UserObjectPermission

    for modello in LETTI:
        post_save.connect(dati_cambiati, sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-s")
        post_delete.connect(dati_cambiati, sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-d")
    m2m_changed.connect(dati_cambiati, sender=Ambito.comuni.through, dispatch_uid="cruscotti-comuni-ambito")
    anagrafe_aggiornata.connect(dati_cambiati, dispatch_uid="cruscotti-anagrafe")

    utente = get_user_model()
    for modello in (Incarico, UserObjectPermission, GroupObjectPermission):
        post_save.connect(accessi_cambiati, sender=modello, dispatch_uid=f"accessi-{modello.__name__}-s")
        post_delete.connect(accessi_cambiati, sender=modello, dispatch_uid=f"accessi-{modello.__name__}-d")
    post_save.connect(_utente_salvato, sender=utente, dispatch_uid="accessi-utente-s")
    post_delete.connect(accessi_cambiati, sender=utente, dispatch_uid="accessi-utente-d")
    for legame in (utente.groups.through, utente.user_permissions.through):
        m2m_changed.connect(accessi_cambiati, sender=legame, dispatch_uid=f"accessi-{legame.__name__}")


_collega()


def _query_ultimi():
    ultimi = {nome: Subquery(m.objects.order_by("-pk").values("pk")[:1]) for nome, m in (
        ("voci", VoceRisorsa), ("spese", SpesaSocialeComune), ("passi", TransizionePiano),
        ("piani", PianoDiZona), ("adesioni", RichiestaAdesione), ("risorse", RisorsaAdesione))}
    # Any one row carries the subqueries: the regions are always there.
    return Regione.objects.annotate(**ultimi).order_by("pk").values_list(*ultimi)[:1]


_SQL_ULTIMI: dict[str, tuple] = {}


def _ultimi_id() -> tuple | None:
    """The highest ids of the large tables, in one query, each maximum read from the end of
    its primary-key index. The query never changes: its SQL is built once per process (building
    its six subqueries again was most of the time it took)."""
    sql = _SQL_ULTIMI.get(connection.vendor)
    if sql is None:
        sql = _SQL_ULTIMI[connection.vendor] = _query_ultimi().query.sql_with_params()
    with connection.cursor() as cursore:
        cursore.execute(*sql)
        riga = cursore.fetchone()
    return None if riga is None else tuple(riga)


def versione_dati(request=None) -> tuple:
    """The data counter and the highest ids (as read once for ``request``, when given)."""
    return versioni(request)[:2]


def versioni(request=None) -> tuple:
    """The data version and the access counter, the two counters read in one trip to the cache;
    read once per request (kept on ``request``, when given)."""
    lette = getattr(request, "_pianozona_versioni", None)
    if lette is None:
        contatori = cache.get_many([CHIAVE_DATI, CHIAVE_ACCESSI])
        lette = contatori.get(CHIAVE_DATI), _ultimi_id(), contatori.get(CHIAVE_ACCESSI)
        if request is not None:
            request._pianozona_versioni = lette
    return lette
