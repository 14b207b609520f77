"""Versions of what the dashboards and the API's lists read, for the keys of their cache.

Counters in the shared cache (Redis in production, so every web process and Celery worker
sees the same), each bumped by a signal at every write of what it stands for:

- **data, per family of models** (``FAMIGLIE``): the registry (regions, provinces, ASL, ambiti,
  Comuni, bodies), the plans (cycles, plans, their ambiti, their iter), the Accordi (parties,
  adesioni and the resources they bring), the money (sources, the quadro delle risorse, the
  Comuni's spending). Each API list's key holds the families it reads, so that saving a row of
  a quadro does not recompute the lists that do not show it;
- **data, per region**: the dashboards of a region read only that region's rows and what is
  common to all regions. The rows written all day (the quadro's and the spending's, the iter's
  steps, the Accordi's parties, the adesioni and their resources) bump the counter of their
  region (``REGIONALI``: found from their plan, Accordo or ambito, which the application never
  moves under them); any other write bumps the **national** counter, which every dashboard
  reads. A dashboard's key holds its region's counter and the national one: a row saved in
  Lombardia leaves Sicilia's dashboards in the cache;
- **accessi**: who may read what and what the page's frame shows of the user: roles
  (``Incarico``), django-guardian's object permissions, the referents of the bodies registered
  through the portal, users (not their last login) and their groups.

A write inside a transaction bumps its counters at once and again when the transaction
commits: a page computed meanwhile, from the data before the commit, is not kept under the new
version. Rows added in bulk send no signal of Django's: the services that add them say so with
``ambiti.segnali.righe_aggiunte`` (a test checks that every ``bulk_create`` of these tables
does), and the import of the ISTAT registry with ``ambiti.importazione.anagrafe_aggiornata``.
Only a write made outside the application (SQL from a console, a script) waits for the cache
entries to expire (a minute).

A counter missing from the cache (never set, evicted, cache restarted) is set, when it is
read, to the current time in microseconds: a value no earlier key held, unless a million writes
a second had moved the lost counter ahead of the clock."""

from __future__ import annotations

import time
from typing import NamedTuple

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

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
from ambiti.segnali import righe_aggiunte

from .models import FonteRisorsa, SpesaSocialeComune, VoceRisorsa

CHIAVE_ACCESSI = "pianozona:accessi:versione"
CHIAVE_NAZIONALE = "pianozona:dati:nazionale:versione"
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
FAMIGLIA_DI = {m: famiglia for famiglia, modelli in FAMIGLIE.items() for m in modelli}


def chiave_dati(famiglia: str) -> str:
    return f"pianozona:dati:{famiglia}:versione"


def chiave_regione(regione_id: int) -> str:
    return f"pianozona:dati:regione:{regione_id}:versione"


def _adesso_us() -> int:
    return time.time_ns() // 1000


def _incrementa(chiave: str) -> None:
    try:
        cache.incr(chiave)
    except ValueError:  # not in the cache yet (or evicted): any new value changes the keys
        # An integer (Redis increments integers only), unlike any value a restarted cache had.
        cache.set(chiave, _adesso_us(), None)


class _AlCommit:
    """The counters to bump again when the current transaction commits, each once."""

    def __init__(self):
        self.chiavi: set[str] = set()

    def __call__(self) -> None:
        for chiave in self.chiavi:
            _incrementa(chiave)


def _avanza(*chiavi: str) -> None:
    for chiave in chiavi:
        _incrementa(chiave)
    if not connection.in_atomic_block:
        return
    # One callback per transaction: found again among the pending ones (a rollback drops it).
    al_commit = getattr(connection, "_pianozona_al_commit", None)
    if al_commit is None or not any(f is al_commit for _sids, f, _robust in connection.run_on_commit):
        al_commit = connection._pianozona_al_commit = _AlCommit()
        transaction.on_commit(al_commit)
    al_commit.chiavi.update(chiavi)


def dati_cambiati(*famiglie: str) -> None:
    """The data of ``famiglie`` (all of them if none is named) have changed, in every region."""
    _avanza(*(chiave_dati(f) for f in famiglie or TUTTE), CHIAVE_NAZIONALE)


def accessi_cambiati(**_kwargs) -> None:
    _avanza(CHIAVE_ACCESSI)


def _regioni(*insiemi) -> set[int | None]:
    return set().union(*insiemi) or {None}


def _dei_piani(piani) -> set[int]:
    return set(PianoDiZona.objects.filter(pk__in=piani).values_list("ciclo__regione_id", flat=True))


def _degli_accordi(accordi) -> set[int]:
    return set(AccordoDiProgramma.objects.filter(pk__in=accordi).values_list("piano__ciclo__regione_id", flat=True))


def _degli_ambiti(ambiti) -> set[int]:
    return set(Ambito.objects.filter(pk__in=ambiti).values_list("asl__regione_id", flat=True))


# The region(s) of rows written often, from what they belong to (their plan, Accordo, request
# or ambito: set when a row is created and never changed by the application), one query for
# any number of rows. A region that cannot be found (a parent already deleted) gives None: a
# national change.
REGIONALI = {
    VoceRisorsa: lambda righe: _regioni(_dei_piani({x.piano_id for x in righe})),
    TransizionePiano: lambda righe: _regioni(_dei_piani({x.piano_id for x in righe})),
    # a plan's ambito also counts in its own region
    PianoAmbito: lambda righe: _regioni(_dei_piani({x.piano_id for x in righe}),
                                        _degli_ambiti({x.ambito_id for x in righe})),
    ParteAccordo: lambda righe: _regioni(_degli_accordi({x.accordo_id for x in righe})),
    RichiestaAdesione: lambda righe: _regioni(_degli_accordi({x.accordo_id for x in righe})),
    RisorsaAdesione: lambda righe: _regioni(_degli_accordi(
        RichiestaAdesione.objects.filter(pk__in={x.richiesta_id for x in righe}).values("accordo_id"))),
    SpesaSocialeComune: lambda righe: _regioni(_degli_ambiti({x.ambito_id for x in righe})),
}


def righe_cambiate(modello, righe, *, raw: bool = False) -> None:
    """``righe`` of ``modello`` (one of ``LETTI``) written: their family and their regions (or
    the nation) have changed."""
    regioni_di = REGIONALI.get(modello)
    regioni = regioni_di(righe) if regioni_di is not None and not raw else {None}
    _avanza(chiave_dati(FAMIGLIA_DI[modello]),
            *(CHIAVE_NAZIONALE if r is None else chiave_regione(r) for r in regioni))


def _riga_cambiata(sender, instance=None, raw=False, **_kwargs) -> None:
    righe_cambiate(sender, [instance], raw=raw or instance is None)


def _righe_aggiunte(sender, istanze=(), **_kwargs) -> None:
    if sender in FAMIGLIA_DI:
        righe_cambiate(sender, list(istanze))


def _anagrafe_cambiata(**_kwargs) -> None:
    dati_cambiati("anagrafe")


def _utente_salvato(update_fields=None, **_kwargs) -> None:
    # Every sign-in saves last_login: that changes neither permissions nor the page's frame.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    accessi_cambiati()


def _collega() -> None:
    from django.contrib.auth import get_user_model
    from guardian.models import GroupObjectPermission, UserObjectPermission

    for modello in LETTI:
        post_save.connect(_riga_cambiata, sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-s")
        post_delete.connect(_riga_cambiata, sender=modello, dispatch_uid=f"cruscotti-{modello.__name__}-d")
    righe_aggiunte.connect(_righe_aggiunte, dispatch_uid="cruscotti-righe-aggiunte")
    m2m_changed.connect(_anagrafe_cambiata, sender=Ambito.comuni.through, dispatch_uid="cruscotti-comuni-ambito")
    anagrafe_aggiornata.connect(_anagrafe_cambiata, dispatch_uid="cruscotti-anagrafe")

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


class Versioni(NamedTuple):
    contatori: dict  # family → counter
    accessi: int | None
    nazionale: int | None
    regioni: dict  # region → counter, for the regions read so far

    def dati(self, famiglie: tuple[str, ...] = TUTTE) -> tuple:
        """What a list that reads ``famiglie`` depends on, of the data."""
        return tuple((f, self.contatori.get(f)) for f in famiglie)

    def della_regione(self, regione_id: int) -> tuple:
        """What a dashboard of region ``regione_id`` depends on, of the data: its region's
        counter once read (``con_regione``) and the national one."""
        return (regione_id, self.regioni[regione_id], self.nazionale)


def _leggi(chiavi: list[str], valori: dict | None = None) -> dict:
    """The counters ``chiavi`` (in ``valori`` when already read); one missing is set, now, to the
    current time in microseconds (so that a key never holds "missing": an evicted counter would
    bring back the keys it had before it was first bumped)."""
    valori = cache.get_many(chiavi) if valori is None else valori
    for chiave in chiavi:
        if chiave not in valori:
            valore = _adesso_us()
            # not added: set by another process meanwhile (or the cache is down: None)
            valori[chiave] = valore if cache.add(chiave, valore, None) else cache.get(chiave)
    return valori


def versioni(request=None) -> Versioni:
    """The data counters and the access counter, read once per request (kept on ``request``,
    when given), in one trip to the cache."""
    lette = getattr(request, "_pianozona_versioni", None)
    if lette is None:
        valori = _leggi([chiave_dati(f) for f in TUTTE] + [CHIAVE_ACCESSI, CHIAVE_NAZIONALE])
        lette = Versioni({f: valori[chiave_dati(f)] for f in TUTTE}, valori[CHIAVE_ACCESSI],
                         valori[CHIAVE_NAZIONALE], {})
        if request is not None:
            request._pianozona_versioni = lette
    return lette


def con_regione(request, regione_id: int, chiavi: list[str]) -> dict:
    """The cache's entries ``chiavi``, read in the same trip as the counter of region
    ``regione_id``, which is kept with the request's versions (``della_regione``)."""
    return _con_regione(versioni(request), regione_id, chiavi)


def _con_regione(lette: Versioni, regione_id: int, chiavi: list[str]) -> dict:
    if regione_id in lette.regioni:
        return cache.get_many(chiavi) if chiavi else {}
    contatore = chiave_regione(regione_id)
    valori = _leggi([contatore], cache.get_many([contatore, *chiavi]))
    lette.regioni[regione_id] = valori.pop(contatore)
    return valori


def versione_regione(request, regione_id: int) -> tuple:
    """What a dashboard of region ``regione_id`` depends on, of the data (as read once for
    ``request``, when given)."""
    lette = versioni(request)
    _con_regione(lette, regione_id, [])
    return lette.della_regione(regione_id)
