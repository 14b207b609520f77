"""Versions of what the dashboards and the API's lists read, for the keys of their cache.

Counters in the shared cache (Redis in production, so every web process and Celery worker
sees the same), each bumped by a signal at every write of what it stands for:

- **data**, one counter per family of models (``FAMIGLIE``): the registry (regions,
  provinces, ASL, ambiti, Comuni, bodies), the plans (cycles, plans, their ambiti, their iter),
  the Accordi (parties, adesioni and the resources they bring), the money (sources, the quadro
  delle risorse, the Comuni's spending). A page's key holds the families it reads: the
  dashboards read them all, the public list of ambiti only the registry, so that saving a row
  of a quadro does not recompute the lists that do not show it;
- **accessi**: who may read what and what the page's frame shows of the user: roles
  (``Incarico``), django-guardian's object permissions, the referents of the bodies registered
  through the portal, users (not their last login) and their groups.

Rows added in bulk (the imports' ``bulk_create``) send no signal: the data version also holds
the highest ids of the large tables, read in one indexed query, each with its family. The
import of the ISTAT registry updates in bulk and says so with
``ambiti.importazione.anagrafe_aggiornata``. Only an ``UPDATE`` made outside the application
waits for the cache entries to expire (a minute).

A counter missing from the cache (never set, evicted, cache restarted) is set to the current
time in milliseconds: a value no earlier key held."""

from __future__ import annotations

from typing import NamedTuple

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
    RegistrazioneEnte,
    RichiestaAdesione,
    RisorsaAdesione,
    TransizionePiano,
)
from ambiti.importazione import anagrafe_aggiornata
from ambiti.models import ASL, Ambito, Comune, Ente, Incarico, Provincia, Regione

from .models import FonteRisorsa, SpesaSocialeComune, VoceRisorsa

CHIAVE_ACCESSI = "pianozona:accessi:versione"
# What the dashboards and the lists read, by family; the order of the families is the order of
# the versions in a key.
FAMIGLIE: dict[str, tuple] = {
    "anagrafe": (Regione, Provincia, ASL, Ambito, Comune, Ente),
    "piani": (CicloProgrammazione, PianoDiZona, PianoAmbito, TransizionePiano),
    "accordi": (AccordoDiProgramma, ParteAccordo, RichiestaAdesione, RisorsaAdesione),
    "denaro": (FonteRisorsa, VoceRisorsa, SpesaSocialeComune),
}
TUTTE = tuple(FAMIGLIE)
LETTI = tuple(m for modelli in FAMIGLIE.values() for m in modelli)
# The large tables, which imports fill in bulk: their highest id is part of their family's version.
GRANDI: dict[str, tuple] = {
    "piani": (PianoDiZona, TransizionePiano),
    "accordi": (RichiestaAdesione, RisorsaAdesione),
    "denaro": (VoceRisorsa, SpesaSocialeComune),
}
_GRANDI_IN_ORDINE = [(famiglia, m) for famiglia in TUTTE for m in GRANDI.get(famiglia, ())]


def chiave_dati(famiglia: str) -> str:
    return f"pianozona:dati:{famiglia}:versione"


def _avanza(chiave: str) -> None:
    try:
        cache.incr(chiave)
    except ValueError:  # not in the cache yet (or evicted): any new value changes the keys
        # An integer (Redis increments integers only), unlike any value a restarted cache had.
        cache.set(chiave, int(timezone.now().timestamp() * 1000), None)


def dati_cambiati(*famiglie: str, **_kwargs) -> None:
    """The data of ``famiglie`` (all of them if none is named) have changed."""
    for famiglia in famiglie or TUTTE:
        _avanza(chiave_dati(famiglia))


def accessi_cambiati(**_kwargs) -> None:
    _avanza(CHIAVE_ACCESSI)


def _segnale_di(famiglia: str):
    def cambiati(**_kwargs) -> None:
        _avanza(chiave_dati(famiglia))
    return cambiati


_SEGNALI = {famiglia: _segnale_di(famiglia) for famiglia in TUTTE}


def _utente_salvato(update_fields=None, **_kwargs) -> None:
    # Every sign-in saves last_login: that changes neither permissions nor the page's frame.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    accessi_cambiati()


def _collega() -> None:
    from django.contrib.auth import get_user_model
    from guardian.models import GroupObjectPermission, UserObjectPermission

    for famiglia, modelli in FAMIGLIE.items():
        for modello in modelli:
            post_save.connect(_SEGNALI[famiglia], sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-s")
            post_delete.connect(_SEGNALI[famiglia], sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-d")
    m2m_changed.connect(_SEGNALI["anagrafe"], sender=Ambito.comuni.through, dispatch_uid="cruscotti-comuni-ambito")
    anagrafe_aggiornata.connect(_SEGNALI["anagrafe"], dispatch_uid="cruscotti-anagrafe")

    utente = get_user_model()
    # RegistrazioneEnte: who acts for a Terzo Settore body (and sees its adesioni)
    for modello in (Incarico, UserObjectPermission, GroupObjectPermission, RegistrazioneEnte):
        post_save.connect(accessi_cambiati, sender=modello, dispatch_uid=f"accessi-{modello.__name__}-s")
        post_delete.connect(accessi_cambiati, sender=modello, dispatch_uid=f"accessi-{modello.__name__}-d")
    post_save.connect(_utente_salvato, sender=utente, dispatch_uid="accessi-utente-s")
    post_delete.connect(accessi_cambiati, sender=utente, dispatch_uid="accessi-utente-d")
    for legame in (utente.groups.through, utente.user_permissions.through):
        m2m_changed.connect(accessi_cambiati, sender=legame, dispatch_uid=f"accessi-{legame.__name__}")


_collega()


def _query_ultimi():
    ultimi = {f"u{i}": Subquery(m.objects.order_by("-pk").values("pk")[:1])
              for i, (_famiglia, m) in enumerate(_GRANDI_IN_ORDINE)}
    # Any one row carries the subqueries: the regions are always there.
    return Regione.objects.annotate(**ultimi).order_by("pk").values_list(*ultimi)[:1]


_SQL_ULTIMI: dict[str, tuple] = {}


def _ultimi_id() -> dict[str, tuple]:
    """The highest ids of the large tables, per family, in one query, each maximum read from the
    end of its primary-key index. The query never changes: its SQL is built once per process
    (building its six subqueries again was most of the time it took)."""
    sql = _SQL_ULTIMI.get(connection.vendor)
    if sql is None:
        sql = _SQL_ULTIMI[connection.vendor] = _query_ultimi().query.sql_with_params()
    with connection.cursor() as cursore:
        cursore.execute(*sql)
        riga = cursore.fetchone() or (None,) * len(_GRANDI_IN_ORDINE)
    ultimi: dict[str, tuple] = {}
    for (famiglia, _modello), valore in zip(_GRANDI_IN_ORDINE, riga, strict=True):
        ultimi[famiglia] = (*ultimi.get(famiglia, ()), valore)
    return ultimi


class Versioni(NamedTuple):
    contatori: dict  # family → counter
    ultimi: dict  # family → highest ids of its large tables
    accessi: int | None

    def dati(self, famiglie: tuple[str, ...] = TUTTE) -> tuple:
        """What a page that reads ``famiglie`` depends on, of the data."""
        return tuple((f, self.contatori.get(f), self.ultimi.get(f, ())) for f in famiglie)


def versione_dati(request=None, famiglie: tuple[str, ...] = TUTTE) -> tuple:
    """The data version of ``famiglie`` (as read once for ``request``, when given)."""
    return versioni(request).dati(famiglie)


def versioni(request=None) -> Versioni:
    """The data counters and the access counter, read in one trip to the cache, and the highest
    ids; read once per request (kept on ``request``, when given)."""
    lette = getattr(request, "_pianozona_versioni", None)
    if lette is None:
        chiavi = {chiave_dati(f): f for f in TUTTE}
        contatori = cache.get_many([*chiavi, CHIAVE_ACCESSI])
        lette = Versioni({f: contatori.get(k) for k, f in chiavi.items()}, _ultimi_id(),
                         contatori.get(CHIAVE_ACCESSI))
        if request is not None:
            request._pianozona_versioni = lette
    return lette
