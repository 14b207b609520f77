"""The national-scale generator at a small scale: the same shape as the full dataset."""

import datetime
from collections import Counter, defaultdict

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, F, Sum

from accordi.models import (
    AccordoDiProgramma,
    CicloProgrammazione,
    PianoAmbito,
    PianoDiZona,
    RichiestaAdesione,
    Stato,
    StatoAdesione,
    TransizionePiano,
)
from ambiti.models import ASL, Ambito, Comune, Ente, Incarico
from ambiti.ruoli import Permessi
from risorse import scala
from risorse.models import SpesaSocialeComune, TipoImporto, VoceRisorsa

pytestmark = pytest.mark.django_db

SCALA = 0.05


def _genera(fattore=SCALA):
    esito = scala.genera(scala=fattore, seme=7)
    assert not esito.gia_presenti
    ambiti = list(Ambito.objects.filter(codice__startswith=scala.PREFISSO_AMBITO).select_related("asl__regione"))
    return esito, ambiti


def test_dati_coerenti():
    """One generation (about 2 s), checked from every side: the suite stays fast. A comune
    already in an ambito (the demo's) stays there; the registry is reused, not duplicated."""
    from tests.factories import AmbitoFactory

    call_command("import_comuni", verbosity=0)
    comune = Comune.objects.order_by("codice_istat").first()  # in the first province, always chosen
    gia = AmbitoFactory(comuni=[comune])
    generati = _genera()
    assert list(comune.ambiti.all()) == [gia]
    assert Comune.objects.count() == Comune.objects.values("codice_istat").distinct().count()
    _ogni_comune_delle_province_scelte_in_un_solo_ambito(generati)
    _piani_nella_regione_del_ciclo_uno_per_ambito_e_ciclo(generati)
    _stati_e_registro_coerenti(generati)
    _conteggi_proporzionali_e_dati_validi(generati)
    _quote_conferite_nelle_due_classi_del_seme(generati)


def _ogni_comune_delle_province_scelte_in_un_solo_ambito(generati):
    _esito, ambiti = generati
    province = {a.asl.regione_id for a in ambiti}
    assert len(province) > 1  # the smaller scale still spans several regions
    legami = Ambito.comuni.through.objects.filter(ambito__in=ambiti)
    per_comune = Counter(legami.values_list("comune_id", flat=True))
    assert per_comune and set(per_comune.values()) == {1}
    province_coperte = Comune.objects.filter(pk__in=per_comune).values_list("provincia_id", flat=True).distinct()
    tutti = set(Comune.objects.filter(provincia__in=province_coperte).exclude(
        ambiti__in=Ambito.objects.exclude(pk__in=[a.pk for a in ambiti])).values_list("pk", flat=True))
    assert tutti == set(per_comune)
    for ambito in ambiti:  # one ASL per province, in the province's region
        comuni = list(ambito.comuni.select_related("provincia"))
        assert {c.provincia.regione_id for c in comuni} == {ambito.asl.regione_id}
        assert len({c.provincia_id for c in comuni}) == 1


def _piani_nella_regione_del_ciclo_uno_per_ambito_e_ciclo(generati):
    _esito, ambiti = generati
    partecipazioni = PianoAmbito.objects.filter(ambito__in=ambiti)
    assert not partecipazioni.exclude(ambito__asl__regione=F("piano__ciclo__regione")).exists()
    assert not partecipazioni.exclude(ciclo=F("piano__ciclo")).exists()
    per_ambito = Counter(partecipazioni.values_list("ambito_id", flat=True))
    assert set(per_ambito.values()) == {len(scala.CICLI)}
    assert len(per_ambito) == len(ambiti)


def _stati_e_registro_coerenti(generati):
    _esito, ambiti = generati
    piani = PianoDiZona.objects.filter(partecipazioni__ambito__in=ambiti).distinct().select_related("ciclo")
    passi = dict(TransizionePiano.objects.filter(piano__in=piani).values("piano").annotate(n=Count("pk"))
                 .values_list("piano", "n"))
    stati_correnti = set()
    for piano in piani:
        attesi = scala.ORDINE_STATI.index(piano.stato)
        assert passi.get(piano.pk, 0) == attesi
        assert (piano.vigente_dal is not None) == (piano.stato in (Stato.VIGENTE, Stato.CONCLUSO))
        if piano.ciclo.anno_inizio == scala.CICLI[0][0]:
            assert piano.stato == Stato.CONCLUSO
        if piano.ciclo.anno_inizio == scala.CICLI[-1][0]:
            stati_correnti.add(piano.stato)
    assert len(stati_correnti) >= 5
    # In some regions the current cycle's deadline has passed with plans not yet in force.
    oltre = piani.filter(ciclo__anno_inizio=scala.CICLI[-1][0],
                         ciclo__scadenza_approvazione__lt=datetime.date(2026, 12, 3)).exclude(stato=Stato.VIGENTE)
    assert oltre.exists()
    # Accordi for the plans that reached it, adherents only for those in force.
    con_accordo = piani.filter(stato__in=scala.CON_ACCORDO)
    assert AccordoDiProgramma.objects.filter(piano__in=piani).count() == con_accordo.count()
    richieste = RichiestaAdesione.objects.filter(accordo__piano__in=piani)
    assert richieste.exists()
    assert not richieste.exclude(accordo__piano__stato=Stato.VIGENTE).exists()
    assert set(richieste.values_list("stato", flat=True)) <= {StatoAdesione.ACCOLTA, StatoAdesione.SOTTOSCRITTA}
    assert not richieste.exclude(risorse__isnull=False).exists()
    # Every adherent works in one of the plan's ambiti.
    for r in richieste.select_related("ente", "accordo__piano"):
        assert set(r.ente.ambiti.values_list("pk", flat=True)) & set(
            r.accordo.piano.ambiti.values_list("pk", flat=True))


def _conteggi_proporzionali_e_dati_validi(generati):
    esito, ambiti = generati
    assert esito.conteggi["ambiti"] == len(ambiti)
    assert esito.conteggi["enti del Terzo Settore"] == round(scala.ENTI_TERZO_SETTORE * SCALA)
    assert esito.conteggi["cicli"] == len(scala.CICLI) * len({a.asl.regione_id for a in ambiti})
    # About one ambito per 70,000 inhabitants, as in the full dataset.
    abitanti = Comune.objects.filter(ambiti__in=ambiti).aggregate(n=Sum("popolazione"))["n"]
    assert 0.5 < len(ambiti) / (abitanti / scala.POPOLAZIONE_AMBITO) < 1.5
    enti = scala._enti_generati().filter(tipo=Ente.Tipo.TERZO_SETTORE)[:50]
    for ente in list(enti) + list(Ente.objects.filter(asl__in=[a.asl for a in ambiti])):
        ente.full_clean()  # codice fiscale, RUNTS section, the link to the registry
    for asl in ASL.objects.filter(ambiti__in=ambiti).distinct():
        asl.full_clean()
    for ciclo in CicloProgrammazione.objects.filter(atto_linee_indirizzo__endswith=scala.MARCA):
        ciclo.full_clean()
    # The quadro: every plan and year, consuntivo only for past years.
    piani = PianoDiZona.objects.filter(partecipazioni__ambito__in=ambiti).values("pk")
    voci = VoceRisorsa.objects.filter(piano__in=piani)
    per_piano_anno = voci.filter(tipo=TipoImporto.PREVISTO).values("piano", "anno").annotate(n=Count("pk"))
    assert {r["n"] for r in per_piano_anno} == {len(scala.CELLE)}
    assert len(per_piano_anno) == esito.conteggi["piani"] * 3
    assert not voci.filter(tipo=TipoImporto.CONSUNTIVO, anno__gte=scala.ANNO_CORRENTE).exists()
    assert voci.filter(tipo=TipoImporto.CONSUNTIVO).exists()
    # A regional officer per region, who reads the region's ambiti.
    ufficiale = Incarico.objects.filter(ruolo=Incarico.Ruolo.OPERATORE_REGIONALE,
                                        regione=ambiti[0].asl.regione).get().utente
    assert Permessi(ufficiale).legge([ambiti[0]])


def _quote_conferite_nelle_due_classi_del_seme(generati):
    _esito, ambiti = generati
    spese = SpesaSocialeComune.objects.filter(ambito__in=ambiti)
    anni = sorted(set(spese.values_list("anno", flat=True)))
    assert anni == list(range(scala.CICLI[0][0], scala.CICLI[-1][1] + 1))
    comuni = Comune.objects.filter(ambiti__in=ambiti).count()
    assert spese.count() == comuni * len(anni)
    somme = defaultdict(lambda: [0, 0])
    for ambito_id, totale, conferita in spese.filter(anno=2025).values_list(
            "ambito_id", "spesa_totale_centesimi", "conferita_udp_centesimi"):
        somme[ambito_id][0] += totale
        somme[ambito_id][1] += conferita
    quote = [c / t for t, c in somme.values()]
    assert len(quote) == len(ambiti)
    alte = sum(q > 0.5 for q in quote) / len(quote)
    basse = sum(q < 0.16 for q in quote) / len(quote)
    assert 0.1 < alte < 0.45 and 0.1 < basse < 0.45


def test_seconda_esecuzione_non_tocca_nulla_e_reset_rigenera_uguale():
    """Where the database keeps the iter's log append-only (PostgreSQL's trigger), the reset
    refuses and removes nothing; elsewhere it rebuilds the same data."""
    esito, ambiti = _genera(0.02)
    di_nuovo = scala.genera(scala=0.02, seme=7)
    assert di_nuovo.gia_presenti and di_nuovo.conteggi == esito.conteggi
    piani = sorted(PianoDiZona.objects.filter(partecipazioni__ambito__in=ambiti).values_list("titolo", "stato"))
    if connection.vendor == "postgresql":
        with pytest.raises(ValueError, match="ricreare il database"):
            scala.genera(scala=0.02, seme=7, reset=True)
        assert scala.conta() == esito.conteggi
        return
    rifatto = scala.genera(scala=0.02, seme=7, reset=True)
    assert not rifatto.gia_presenti and rifatto.conteggi == esito.conteggi
    nuovi = Ambito.objects.filter(codice__startswith=scala.PREFISSO_AMBITO)
    assert not nuovi.filter(pk__in=[a.pk for a in ambiti]).exists()  # really rebuilt
    assert sorted(PianoDiZona.objects.filter(partecipazioni__ambito__in=nuovi).values_list(
        "titolo", "stato")) == piani


def _conta_query(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # the process's caches (content types of the permissions) filled, as in service
    with CaptureQueriesContext(connection) as q:
        risposta = client.get(url)
    assert risposta.status_code == 200, (url, risposta.status_code)
    return len(q)


def _query_pagine_pubbliche() -> list[int]:
    from django.test import Client

    return [_conta_query(Client(), url) for url in ("/api/v1/ambiti/", "/api/v1/pubblico/piani/")]


def _query_pagine_riservate(regione, ambito) -> list[int]:
    """The regional officer's pages and the API list, and the ambito's dashboard for its
    Ufficio di Piano."""
    from django.test import Client
    from django.urls import reverse

    from tests.factories import utente_con_ruolo

    ufficiale = get_user_model().objects.get(username=f"{scala.PREFISSO_UTENTE}regione.{regione.codice_istat}")
    udp = utente_con_ruolo(Incarico.Ruolo.RESPONSABILE_UDP, ambito=ambito)
    c_ufficiale, c_udp = Client(), Client()
    c_ufficiale.force_login(ufficiale)
    c_udp.force_login(udp)
    regionale = reverse("risorse:cruscotto_regionale")
    return [
        _conta_query(c_ufficiale, regionale),
        _conta_query(c_ufficiale, f"{regionale}?tipo=consuntivo&ordine=quota&pagina=2"),
        _conta_query(c_ufficiale, "/api/v1/piani/"),
        _conta_query(c_udp, reverse("risorse:cruscotto_ambito", args=[ambito.pk])),
    ]


def test_query_dei_cruscotti_e_dell_api_non_crescono_con_i_dati(settings):
    """The same pages on little and on much data: the public lists with one ambito and with
    the generated ones; the regional pages for the region with fewest ambiti and for the one
    with most, the ambito's dashboard for the smallest and the largest ambito."""
    from django.db.models import Count

    from tests.factories import AmbitoFactory, crea_piano

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}
    piccolo = AmbitoFactory()
    crea_piano(piccolo, stato=Stato.VIGENTE, vigente_dal=datetime.date(2025, 4, 1))
    pubbliche_piccolo = _query_pagine_pubbliche()  # one ambito, one plan in force
    scala.genera(scala=0.05, seme=3)
    assert PianoDiZona.objects.filter(vigente_dal__isnull=False).count() > 50  # public plans: more than a page
    assert _query_pagine_pubbliche() == pubbliche_piccolo

    generati = Ambito.objects.filter(codice__startswith=scala.PREFISSO_AMBITO)
    per_regione = Counter(generati.values_list("asl__regione", flat=True))
    (grande, n_grande), *_altre, (piccola, n_piccola) = per_regione.most_common()
    assert n_grande >= 5 * n_piccola
    misure = []
    for regione_id in (piccola, grande):
        ambiti = generati.filter(asl__regione=regione_id).annotate(n=Count("comuni")).order_by("n", "codice")
        ambito = ambiti.last() if regione_id == grande else ambiti.first()
        misure.append(_query_pagine_riservate(ambito.asl.regione, ambito))
    assert misure[0] == misure[1]
