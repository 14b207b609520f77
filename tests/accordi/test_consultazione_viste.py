"""Pages of the unions' consultation and of the ASL's intesa: who sees what, the forms, the
queries constant as unions and observations grow."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accordi import services_consultazione as sc
from accordi.models import Consultazione, Intesa, OsservazioneParere, Parere, PianoDiZona, Stato
from ambiti.models import Ente, Incarico

from ..factories import AmbitoFactory, referente_di, sindacato_di, utente_con_ruolo
from .test_consultazione import Scena, crea_scena

R = Incarico.Ruolo
E = Parere.Esito


@pytest.fixture
def scena(db, pki_attiva) -> Scena:
    return crea_scena()


def _parere_di(consultazione, sindacato) -> Parere:
    return consultazione.pareri.get(sindacato=sindacato)


def _testo(risposta) -> str:
    return risposta.content.decode()


# --- sending -----------------------------------------------------------------------------------------

def test_pagina_di_invio_per_l_ufficio_di_piano(client, scena: Scena):
    client.force_login(scena.udp)
    risposta = client.get(reverse("accordi:invia_sindacati", args=[scena.piano.pk]))
    assert risposta.status_code == 200
    testo = _testo(risposta)
    assert "CGIL Pavia (Provinciale)" in testo and "SPI CGIL Pavia (Pensionati)" in testo
    assert 'type="datetime-local"' in testo
    assert "diventa la versione 1" in testo
    assert 'data-testid="avviso-livelli"' not in testo


def test_invio_dalla_pagina_porta_alla_consultazione(client, scena: Scena, django_capture_on_commit_callbacks):
    client.force_login(scena.udp)
    termine = (timezone.localtime() + datetime.timedelta(days=20)).strftime("%Y-%m-%dT%H:%M")
    with django_capture_on_commit_callbacks(execute=True):
        risposta = client.post(reverse("accordi:invia_sindacati", args=[scena.piano.pk]), {
            "sindacati": [scena.provinciale.pk], "scadenza": termine, "nota": "", "stato_atteso": "bozza"})
    consultazione = Consultazione.objects.get()
    assert risposta.status_code == 302 and risposta.url == reverse("accordi:consultazione", args=[consultazione.pk])
    assert scena.ricarica().stato == Stato.PARERE_SINDACATI
    seguito = client.get(risposta.url)
    assert "dei pensionati" in _testo(seguito)  # the non-blocking warning, as a message


def test_invio_con_termine_passato_mostra_l_errore(client, scena: Scena):
    client.force_login(scena.udp)
    ieri = (timezone.localtime() - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    risposta = client.post(reverse("accordi:invia_sindacati", args=[scena.piano.pk]), {
        "sindacati": [scena.provinciale.pk], "scadenza": ieri, "stato_atteso": "bozza"})
    assert risposta.status_code == 200
    assert "nel futuro" in _testo(risposta)
    assert not Consultazione.objects.exists()


def test_avviso_quando_manca_un_livello(client, scena: Scena):
    Ente.objects.filter(pk=scena.pensionati.pk).update(livello_sindacale=Ente.Livello.ALTRO)
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:invia_sindacati", args=[scena.piano.pk])))
    assert 'data-testid="avviso-livelli"' in testo and "dei pensionati" in testo


@pytest.mark.parametrize("chi", ["asl", "ref_provinciale"])
def test_invio_vietato_a_chi_non_e_ufficio_di_piano(client, scena: Scena, chi):
    client.force_login(getattr(scena, chi))
    assert client.get(reverse("accordi:invia_sindacati", args=[scena.piano.pk])).status_code == 403


def test_invio_vietato_all_ufficio_di_un_altro_ambito(client, scena: Scena):
    client.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, AmbitoFactory(asl=scena.ambito.asl)))
    assert client.get(reverse("accordi:invia_sindacati", args=[scena.piano.pk])).status_code == 403


def test_senza_accesso_si_va_al_login(client, scena: Scena):
    consultazione = scena.invia()
    for url in (reverse("accordi:invia_sindacati", args=[scena.piano.pk]),
                reverse("accordi:consultazione", args=[consultazione.pk]),
                reverse("accordi:parere", args=[consultazione.pareri.first().pk]),
                reverse("accordi:intesa", args=[scena.piano.pk])):
        risposta = client.get(url)
        assert risposta.status_code == 302 and "/accedi/" in risposta.url


# --- parere --------------------------------------------------------------------------------------------

def test_il_referente_esprime_il_parere_dalla_pagina(client, scena: Scena):
    consultazione = scena.invia()
    parere = _parere_di(consultazione, scena.pensionati)
    client.force_login(scena.ref_pensionati)
    url = reverse("accordi:parere", args=[parere.pk])
    testo = _testo(client.get(url))
    assert "Esprimi il parere" in testo and "Anziani" in testo  # a section of the version to refer to
    pdf = SimpleUploadedFile("parere.pdf", b"%PDF-1.7\n%%EOF\n", content_type="application/pdf")
    risposta = client.post(url, {
        "esito": E.CON_OSSERVAZIONI, "testo": "", "allegato": pdf,
        "oss-TOTAL_FORMS": "3", "oss-INITIAL_FORMS": "0", "oss-MIN_NUM_FORMS": "0", "oss-MAX_NUM_FORMS": "30",
        "oss-0-sezione": "anziani", "oss-0-testo": "Più assistenza domiciliare",
        "oss-1-sezione": "", "oss-1-testo": "", "oss-2-sezione": "", "oss-2-testo": "",
    })
    assert risposta.status_code == 302
    parere.refresh_from_db()
    assert parere.esito == E.CON_OSSERVAZIONI
    assert list(parere.osservazioni.values_list("sezione", "testo")) == [("anziani", "Più assistenza domiciliare")]
    dopo = _testo(client.get(url))
    assert "Esprimi il parere" not in dopo and "Più assistenza domiciliare" in dopo


def test_parere_contrario_senza_motivi_resta_nel_modulo(client, scena: Scena):
    parere = _parere_di(scena.invia(), scena.provinciale)
    client.force_login(scena.ref_provinciale)
    risposta = client.post(reverse("accordi:parere", args=[parere.pk]), {
        "esito": E.CONTRARIO, "testo": "", "oss-TOTAL_FORMS": "0", "oss-INITIAL_FORMS": "0"})
    assert risposta.status_code == 200 and "almeno un&#x27;osservazione" in _testo(risposta)
    parere.refresh_from_db()
    assert parere.esito == E.ATTESO


def test_il_parere_di_un_altro_sindacato_e_vietato(client, scena: Scena):
    consultazione = scena.invia()
    client.force_login(scena.ref_provinciale)
    altro = _parere_di(consultazione, scena.pensionati)
    assert client.get(reverse("accordi:parere", args=[altro.pk])).status_code == 403
    assert client.post(reverse("accordi:parere", args=[altro.pk]), {"esito": E.FAVOREVOLE}).status_code == 403


def test_il_referente_sindacale_va_al_proprio_parere_dalla_consultazione(client, scena: Scena):
    consultazione = scena.invia()
    client.force_login(scena.ref_provinciale)
    risposta = client.get(reverse("accordi:consultazione", args=[consultazione.pk]))
    assert risposta.url == reverse("accordi:parere", args=[_parere_di(consultazione, scena.provinciale).pk])
    estraneo = referente_di(sindacato_di(scena.ambito, denominazione="UIL"), scena.ambito)
    client.force_login(estraneo)
    assert client.get(reverse("accordi:consultazione", args=[consultazione.pk])).status_code == 403


def test_oltre_il_termine_niente_modulo(client, scena: Scena):
    consultazione = scena.invia()
    Consultazione.objects.filter(pk=consultazione.pk).update(scadenza=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(scena.ref_provinciale)
    url = reverse("accordi:parere", args=[_parere_di(consultazione, scena.provinciale).pk])
    testo = _testo(client.get(url))
    assert "Esprimi il parere" not in testo and "Il termine è scaduto" in testo
    assert client.post(url, {"esito": E.FAVOREVOLE}).status_code == 302
    assert _parere_di(consultazione, scena.provinciale).esito == E.ATTESO


# --- consultation page ---------------------------------------------------------------------------------

def _con_osservazioni(scena: Scena, n_sindacati=0, n_osservazioni=1) -> Consultazione:
    extra = [sindacato_di(scena.ambito, denominazione=f"Sindacato {i}") for i in range(n_sindacati)]
    consultazione = scena.invia(sindacati=[scena.provinciale, scena.pensionati, *extra])
    sc.parere_esprimi(parere=_parere_di(consultazione, scena.pensionati), utente=scena.ref_pensionati,
                      esito=E.CON_OSSERVAZIONI, osservazioni=[f"Osservazione {i}" for i in range(n_osservazioni)])
    for ente in extra:
        ref = referente_di(ente, scena.ambito)
        sc.parere_esprimi(parere=_parere_di(consultazione, ente), utente=ref, esito=E.CONTRARIO,
                          osservazioni=["Troppo poco", "Troppo tardi"])
    return consultazione


def test_pagina_della_consultazione_per_l_ufficio(client, scena: Scena):
    consultazione = _con_osservazioni(scena)
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:consultazione", args=[consultazione.pk])))
    assert "SPI CGIL Pavia" in testo and "Favorevole con osservazioni" in testo and "In attesa" in testo
    assert "Salva la risposta" in testo and "Chiudi consultazione" in testo and "Rinvia alla stesura" in testo
    assert "SPI CGIL Pavia: Osservazione 0" in testo  # the default note of the reopening


def test_la_consultazione_nomina_la_sezione_col_suo_titolo(client, scena: Scena):
    consultazione = scena.invia()
    sc.parere_esprimi(parere=_parere_di(consultazione, scena.pensionati), utente=scena.ref_pensionati,
                      esito=E.CON_OSSERVAZIONI, osservazioni=[("anziani", "Più assistenza domiciliare")])
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:consultazione", args=[consultazione.pk])))
    assert "(sezione «Anziani»)" in testo and "(sezione anziani)" not in testo
    assert "SPI CGIL Pavia [Anziani]: Più assistenza domiciliare" in testo  # the default note of the reopening


def test_lettori_dell_ambito_vedono_senza_moduli(client, scena: Scena):
    consultazione = _con_osservazioni(scena)
    for lettore in (scena.asl, utente_con_ruolo(R.SINDACO, scena.ambito)):
        client.force_login(lettore)
        risposta = client.get(reverse("accordi:consultazione", args=[consultazione.pk]))
        assert risposta.status_code == 200
        assert "Salva la risposta" not in _testo(risposta) and "Chiudi consultazione" not in _testo(risposta)
    client.force_login(utente_con_ruolo(R.RESPONSABILE_UDP, AmbitoFactory(asl=scena.ambito.asl)))
    assert client.get(reverse("accordi:consultazione", args=[consultazione.pk])).status_code == 403


def test_risposta_chiusura_e_rinvio_dalla_pagina(client, scena: Scena):
    consultazione = _con_osservazioni(scena)
    osservazione = OsservazioneParere.objects.get()
    client.force_login(scena.udp)
    client.post(reverse("accordi:osservazione_rispondi", args=[osservazione.pk]),
                {"risposta": "non_accolta", "motivazione": ""})
    osservazione.refresh_from_db()
    assert osservazione.risposta == ""
    client.post(reverse("accordi:osservazione_rispondi", args=[osservazione.pk]),
                {"risposta": "non_accolta", "motivazione": "Fuori dal mandato"})
    osservazione.refresh_from_db()
    assert osservazione.risposta == "non_accolta"
    # the deadline has not passed and CGIL has not answered: closing is refused with its name
    risposta = client.post(reverse("accordi:consultazione_chiudi", args=[consultazione.pk]),
                           {"stato_atteso": "parere_sindacati"}, follow=True)
    assert "CGIL Pavia" in _testo(risposta) and scena.ricarica().stato == Stato.PARERE_SINDACATI
    risposta = client.post(reverse("accordi:consultazione_rinvia", args=[consultazione.pk]),
                           {"stato_atteso": "parere_sindacati", "nota": "Accogliamo le osservazioni"})
    assert risposta.status_code == 302 and scena.ricarica().stato == Stato.BOZZA


def test_azioni_della_consultazione_vietate_agli_altri(client, scena: Scena):
    consultazione = _con_osservazioni(scena)
    osservazione = OsservazioneParere.objects.get()
    client.force_login(scena.ref_pensionati)
    assert client.post(reverse("accordi:osservazione_rispondi", args=[osservazione.pk]),
                       {"risposta": "accolta"}).status_code == 403
    assert client.post(reverse("accordi:consultazione_chiudi", args=[consultazione.pk]),
                       {"stato_atteso": "parere_sindacati"}).status_code == 403
    assert client.post(reverse("accordi:consultazione_rinvia", args=[consultazione.pk]),
                       {"stato_atteso": "parere_sindacati", "nota": "x"}).status_code == 403


def test_chiusura_dopo_il_termine(client, scena: Scena):
    consultazione = _con_osservazioni(scena)
    Consultazione.objects.filter(pk=consultazione.pk).update(scadenza=timezone.now() - datetime.timedelta(hours=1))
    client.force_login(scena.udp)
    risposta = client.post(reverse("accordi:consultazione_chiudi", args=[consultazione.pk]),
                           {"stato_atteso": "parere_sindacati"})
    assert risposta.status_code == 302 and scena.ricarica().stato == Stato.APPROVAZIONE
    assert _parere_di(consultazione, scena.provinciale).esito == E.SILENZIO


def test_query_costanti_nella_consultazione(client, scena: Scena, django_assert_max_num_queries):
    pochi = _con_osservazioni(scena, n_sindacati=0, n_osservazioni=1)
    client.force_login(scena.udp)
    with django_assert_max_num_queries(20) as contate:
        client.get(reverse("accordi:consultazione", args=[pochi.pk]))
    base = len(contate.captured_queries)
    sc.rinvia_alla_stesura(piano=scena.piano, utente=scena.udp, nota="Nuovo giro")
    scena.piano.sezioni.filter(codice="contesto").update(testo="<p>Nuovo testo.</p>")
    molti = _con_osservazioni(scena, n_sindacati=6, n_osservazioni=5)
    with django_assert_max_num_queries(base):
        assert client.get(reverse("accordi:consultazione", args=[molti.pk])).status_code == 200


def test_query_costanti_nel_parere(client, scena: Scena, django_assert_max_num_queries):
    consultazione = _con_osservazioni(scena, n_osservazioni=12)
    client.force_login(scena.ref_pensionati)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("accordi:parere", args=[_parere_di(consultazione, scena.pensionati).pk])
                          ).status_code == 200


# --- intesa --------------------------------------------------------------------------------------------

def _in_intesa(scena: Scena) -> PianoDiZona:
    scena.invia()
    PianoDiZona.objects.filter(pk=scena.piano.pk).update(stato=Stato.INTESA_ASL)
    return scena.ricarica()


def test_l_asl_esprime_l_intesa_negativa_dalla_pagina(client, scena: Scena):
    piano = _in_intesa(scena)
    client.force_login(scena.asl)
    url = reverse("accordi:intesa", args=[piano.pk])
    testo = _testo(client.get(url))
    assert "Esprimi l'intesa" in testo and "versione 1" in testo
    risposta = client.post(url, {"esito": "negativa", "motivazione": ""})
    assert risposta.status_code == 200 and "motivata" in _testo(risposta)
    risposta = client.post(url, {"esito": "negativa", "motivazione": "Manca l'integrazione sociosanitaria"})
    assert risposta.status_code == 302 and scena.ricarica().stato == Stato.BOZZA
    assert Intesa.objects.get().esito == "negativa"


def test_l_asl_esprime_l_intesa_positiva(client, scena: Scena):
    piano = _in_intesa(scena)
    client.force_login(scena.asl)
    client.post(reverse("accordi:intesa", args=[piano.pk]), {"esito": "positiva", "motivazione": ""})
    assert scena.ricarica().stato == Stato.ACCORDO


def test_intesa_vietata_all_asl_di_un_altro_ambito_e_ai_sindacati(client, scena: Scena):
    piano = _in_intesa(scena)
    url = reverse("accordi:intesa", args=[piano.pk])
    for estraneo in (utente_con_ruolo(R.REFERENTE_ASL, AmbitoFactory(asl=scena.ambito.asl)), scena.ref_provinciale):
        client.force_login(estraneo)
        assert client.get(url).status_code == 403
        assert client.post(url, {"esito": "positiva"}).status_code == 403
    client.force_login(scena.udp)  # reads, gives nothing
    testo = _testo(client.get(url))
    assert "Esprimi l'intesa" not in testo
    assert client.post(url, {"esito": "positiva"}).status_code == 403
    assert not Intesa.objects.exists()


# --- desk and plan page --------------------------------------------------------------------------------

def test_scrivania_e_scheda_del_piano(client, scena: Scena, django_assert_max_num_queries):
    consultazione = _con_osservazioni(scena)
    client.force_login(scena.ref_provinciale)
    testo = _testo(client.get(reverse("accordi:home")))
    assert "Pareri da esprimere" in testo
    assert reverse("accordi:parere", args=[_parere_di(consultazione, scena.provinciale).pk]) in testo
    client.force_login(scena.udp)
    testo = _testo(client.get(reverse("accordi:home")))
    assert "Osservazioni a cui rispondere" in testo and "1 osservazione senza risposta" in testo
    testo = _testo(client.get(reverse("accordi:piano", args=[scena.piano.pk])))
    assert 'data-testid="consultazione-piano"' in testo and "1 parere registrato su 2" in testo
    PianoDiZona.objects.filter(pk=scena.piano.pk).update(stato=Stato.INTESA_ASL)
    client.force_login(scena.asl)
    testo = _testo(client.get(reverse("accordi:home")))
    assert "Intesa da esprimere" in testo and reverse("accordi:intesa", args=[scena.piano.pk]) in testo
