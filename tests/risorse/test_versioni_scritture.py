"""What moves the versions of the cached pages (risorse/versioni.py): rows added in bulk by
the services, and the commit of a transaction."""

import ast
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import transaction

from ambiti.segnali import aggiunte
from risorse import versioni
from risorse.models import VoceRisorsa

from ..factories import VoceRisorsaFactory, fonte
from .cruscotti_dati import crea_regione

pytestmark = pytest.mark.django_db
RADICE = Path(__file__).resolve().parents[2]
# Bulk writers allowed without the signal: the ISTAT import (it sends anagrafe_aggiornata) and
# the national-scale generator of the benchmarks (it bumps every version at the end).
ESENTI = {"ambiti/importazione.py", "risorse/scala.py", "risorse/scala_denaro.py", "ambiti/segnali.py"}


def _bulk_create_di_tabelle_lette():
    nomi = {m.__name__ for m in versioni.LETTI}
    trovati = []
    for cartella in ("accordi", "ambiti", "risorse", "tavoli", "pianozona"):
        for file in (RADICE / cartella).rglob("*.py"):
            relativo = file.relative_to(RADICE).as_posix()
            if relativo in ESENTI or "/migrations/" in relativo:
                continue
            for nodo in ast.walk(ast.parse(file.read_text())):
                if isinstance(nodo, ast.Call) and isinstance(nodo.func, ast.Attribute) \
                        and nodo.func.attr in ("bulk_create", "bulk_update"):
                    testo = ast.unparse(nodo.func.value)
                    if any(testo.startswith((f"{n}.", f"{n}.objects")) or f".{n}." in testo for n in nomi) \
                            or "through" in testo:
                        trovati.append(f"{relativo}:{nodo.lineno} {testo}")
    return trovati


def test_ogni_scrittura_in_blocco_delle_tabelle_lette_lo_dice():
    # ambiti.segnali.aggiunte(Modello, righe) instead of Modello.objects.bulk_create(righe)
    assert _bulk_create_di_tabelle_lette() == []


def test_la_ricerca_trova_le_scritture_in_blocco(tmp_path, monkeypatch):
    """The scan above must be able to fail: a file with such a call is found."""
    finta = RADICE / "risorse" / "_prova_scansione.py"
    finta.write_text("def f(righe):\n    VoceRisorsa.objects.bulk_create(righe)\n")
    try:
        assert _bulk_create_di_tabelle_lette() == ["risorse/_prova_scansione.py:2 VoceRisorsa.objects"]
    finally:
        finta.unlink()


def test_le_righe_aggiunte_muovono_famiglia_e_regione():
    r = crea_regione()
    chiavi = [versioni.chiave_dati("denaro"), versioni.chiave_dati("piani"), versioni.chiave_regione(r.regione.pk),
              versioni.CHIAVE_NAZIONALE]
    for chiave in chiavi:
        cache.set(chiave, 10, None)
    aggiunte(VoceRisorsa, [VoceRisorsaFactory.build(piano=r.piano_alfa, fonte=fonte("fnps"), anno=anno)
                           for anno in (2030, 2031)])
    assert [cache.get(k) for k in chiavi] == [11, 10, 11, 10]
    assert VoceRisorsa.objects.filter(piano=r.piano_alfa, anno__in=(2030, 2031)).count() == 2
    VoceRisorsa.objects.bulk_create([VoceRisorsaFactory.build(piano=r.piano_alfa, fonte=fonte("fnps"), anno=2032)])
    assert [cache.get(k) for k in chiavi] == [11, 10, 11, 10]  # Django's bulk_create alone says nothing


@pytest.fixture
def regione_a_100():
    """A region with its counter at 100, and the default funding sources (migration 0002), which a
    transactional test's flush removes: ``(chiave, voce)``; ``voce(anno)`` saves a row of its
    quadro."""
    import importlib

    from django.apps import apps

    importlib.import_module("risorse.migrations.0002_fonti_predefinite").crea(apps, None)
    r = crea_regione()
    chiave = versioni.chiave_regione(r.regione.pk)
    cache.set(chiave, 100, None)
    return chiave, lambda anno: VoceRisorsaFactory(piano=r.piano_alfa, fonte=fonte("fnps"), anno=anno)


@pytest.mark.django_db(transaction=True)
def test_al_commit_i_contatori_avanzano_ancora_una_volta(regione_a_100):
    chiave, voce = regione_a_100
    with transaction.atomic():
        voce(2030)
        voce(2031)
        assert cache.get(chiave) == 102  # at once: a page computed now reads the data before the commit…
    assert cache.get(chiave) == 103  # …so at the commit the version moves again, once for the transaction


@pytest.mark.django_db(transaction=True)
def test_dopo_un_rollback_il_commit_avanza_comunque(regione_a_100):
    chiave, voce = regione_a_100
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            voce(2030)
            raise RuntimeError("annullato")  # the savepoint goes, with the callback registered in it
        voce(2031)
    assert cache.get(chiave) == 103
