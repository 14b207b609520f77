"""The Accordo's guards in the iter: each names what is missing, then holds; the plan enters into
force by itself with the last mandatory signature; *concludi* reads the Accordo's end date; the
Accordo's act."""

import datetime
from decimal import Decimal
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.utils import timezone

from accordi import services_accordo as sa
from accordi.exceptions import GuardieNonSoddisfatte
from accordi.firme.firma import firma_pdf
from accordi.guardie import data_fine_validita, fine_validita_superata
from accordi.guardie_accordo import accordo_completo, data_fine_accordo, firme_obbligatorie
from accordi.models import (
    AccordoDiProgramma,
    Documento,
    ImportoOnere,
    ParteAccordo,
    PianoDiZona,
    PopolazioneRiferimento,
    RichiestaAdesione,
    RisorsaAdesione,
    TransizionePiano,
    VoceOnere,
)
from accordi.services import concludi_piani_scaduti, esegui_transizione
from accordi.services_documenti import contesto_atto, leggi, revisione_corrente
from accordi.services_firme import firma_carica, firmatari_proposti, richiesta_firma_crea
from ambiti.models import Ente, Incarico

from ..factories import EnteFactory, UtenteFactory
from .accordo_dati import completa, designa_capofila, ente_del_comune, sindaci

R = Incarico.Ruolo
OGGI = timezone.localdate()


def _stato(piano, stato, **campi):
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato, **campi)
    piano.refresh_from_db()
    return piano


@pytest.fixture
def piano(mondo):
    return _stato(mondo.piano, "accordo")


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def comuni(mondo):
    return list(mondo.ambito.comuni.order_by("denominazione"))


# --- accordo_completo ------------------------------------------------------------------------------


def test_accordo_completo_nomina_cio_che_manca_poi_vale(mondo, piano, udp, comuni):
    a, b, c = comuni
    asl = mondo.ambito.asl.nome
    assert accordo_completo(piano) == [
        "Manca l'ente capofila: l'Assemblea dei Sindaci deve designarlo con deliberazione.",
        f"Mancano gli impegni di queste parti: Comune di {a.denominazione}, Comune di {b.denominazione}, "
        f"Comune di {c.denominazione}, {asl}.",
        f"Manca chi firma per queste parti: Comune di {b.denominazione}, Comune di {c.denominazione}.",
        "Manca la ripartizione degli oneri: aggiungi almeno una voce di costo.",
    ]
    completa(piano, udp)
    assert accordo_completo(piano) == []


def test_accordo_completo_messaggi_precisi(mondo, piano, udp, comuni):
    a, b, c = comuni
    accordo = completa(piano, udp)
    voce = VoceOnere.objects.create(accordo=accordo, denominazione="Tutela minori", criterio="misto",
                                    quota_popolazione=6000, quota_utenti=3000, quota_parti_uguali=0)
    ImportoOnere.objects.create(voce=voce, anno=2030, centesimi=0)
    VoceOnere.objects.create(accordo=accordo, denominazione="SAD", criterio="misto", quota_popolazione=0,
                             quota_utenti=5000, quota_parti_uguali=5000)
    PopolazioneRiferimento.objects.filter(accordo=accordo, comune=b).delete()
    AccordoDiProgramma.objects.filter(pk=accordo.pk).update(data_fine=datetime.date(2100, 1, 1), data_popolazione=None)
    ParteAccordo.objects.filter(accordo=accordo, ente__comune=c).delete()
    parte_a = accordo.parti.get(ente__comune=a)
    senza_cf = UtenteFactory(codice_fiscale="", first_name="Paolo", last_name="Senzacf")
    ParteAccordo.objects.filter(pk=parte_a.pk).update(firmatario=senza_cf)
    ParteAccordo.objects.filter(accordo=accordo, ruolo="asl").update(firmatario=accordo.parti.get(ente__comune=b)
                                                                     .firmatario)
    asl = mondo.ambito.asl.nome
    assert accordo_completo(piano) == [
        f"Il Comune di {c.denominazione} non è tra le parti dell'Accordo.",
        f"Paolo Senzacf, che firma per Comune di {a.denominazione}, non ha un codice fiscale registrato: non si "
        "potrebbe verificarne la firma.",
        f"{accordo.parti.get(ente__comune=b).firmatario} è indicato come firmatario di più parti (Comune di "
        f"{b.denominazione}, {asl}): ogni parte firma con il proprio rappresentante.",
        "Le percentuali della voce «Tutela minori» sommano a 90%, non a 100%.",
        "La voce «Tutela minori» non ha importi: indica il totale di almeno un anno.",
        "La voce «Tutela minori» ha un importo per il 2030, fuori dal ciclo 2025-2027.",
        "Per la voce «Tutela minori» indica gli utenti serviti in ciascun Comune: ne ripartisce il 30% in "
        "proporzione agli utenti.",
        "La voce «SAD» non ha importi: indica il totale di almeno un anno.",
        "Per la voce «SAD» indica gli utenti serviti in ciascun Comune: ne ripartisce il 50% in proporzione agli "
        "utenti.",
        "Indica la data di riferimento della popolazione usata per la ripartizione.",
        f"Manca la popolazione di riferimento del Comune di {b.denominazione}.",
        "La data di fine dell'Accordo (01/01/2100) è fuori dal periodo di validità del ciclo, dal 01/04/2025 al "
        "31/12/2099.",
    ]
    ParteAccordo.objects.filter(accordo=accordo, ruolo="asl").delete()
    AccordoDiProgramma.objects.filter(pk=accordo.pk).update(data_inizio=None)
    messaggi = accordo_completo(piano)
    assert f"L'azienda sanitaria {asl} non è tra le parti dell'Accordo." in messaggi
    assert "Indica la data di inizio dell'Accordo." in messaggi


def test_apri_sottoscrizione_passa_dalle_guardie(mondo, piano, udp):
    with pytest.raises(GuardieNonSoddisfatte) as errore:
        esegui_transizione(piano=piano, nome="apri_sottoscrizione", utente=udp)
    assert "L'Assemblea dei Sindaci non ha ancora designato l'ente capofila dell'Accordo." in errore.value.messaggi
    assert "Manca la ripartizione degli oneri: aggiungi almeno una voce di costo." in errore.value.messaggi
    completa(piano, udp)
    voce = esegui_transizione(piano=piano, nome="apri_sottoscrizione", utente=udp)
    assert voce.a_stato == "sottoscrizione"


# --- firme_obbligatorie and the automatic entry into force -------------------------------------------


def _firma(pki, richiesta, utente, capture):
    firmatario = richiesta.firmatari.get(utente=utente)
    documento = richiesta.documento
    key, cert = pki.certificato(utente.codice_fiscale)
    dati = firma_pdf(leggi(revisione_corrente(documento)), signer_key=key, signer_cert=cert, ca_cert=pki.ca_cert)
    with capture(execute=True):
        firma_carica(firmatario=firmatario, utente=utente, nome_file="accordo-firmato.pdf", dati=dati)


@pytest.fixture
def alla_firma(mondo, piano, udp, pki_attiva, django_capture_on_commit_callbacks):
    accordo = completa(piano, udp)
    esegui_transizione(piano=piano, nome="apri_sottoscrizione", utente=udp)
    piano.refresh_from_db()
    return accordo


def test_vigente_da_solo_all_ultima_firma_obbligatoria(mondo, piano, udp, comuni, alla_firma, pki_attiva,
                                                       django_capture_on_commit_callbacks):
    assert firme_obbligatorie(piano) == ["Il testo dell'Accordo da firmare non è ancora stato generato."]
    with django_capture_on_commit_callbacks(execute=True):
        documento = sa.accordo_genera_atto(accordo=alla_firma, utente=udp)
    assert firme_obbligatorie(piano) == ["La firma dell'Accordo non è ancora stata richiesta."]
    proposti = firmatari_proposti(documento)
    richiesta = richiesta_firma_crea(documento=documento, utente=udp, firmatari=proposti, modalita="parallela",
                                     scadenza=OGGI + datetime.timedelta(days=30))
    persone = [u for u, *_x in proposti]
    asl = mondo.ambito.asl.nome
    _firma(pki_attiva, richiesta, persone[0], django_capture_on_commit_callbacks)
    _firma(pki_attiva, richiesta, persone[3], django_capture_on_commit_callbacks)
    assert firme_obbligatorie(piano) == [
        f"Devono ancora firmare: Comune di {comuni[1].denominazione}, Comune di {comuni[2].denominazione}."]
    _firma(pki_attiva, richiesta, persone[1], django_capture_on_commit_callbacks)
    assert firme_obbligatorie(piano) == [f"Deve ancora firmare: Comune di {comuni[2].denominazione}."]
    piano.refresh_from_db()
    assert piano.stato == "sottoscrizione" and asl

    _firma(pki_attiva, richiesta, persone[2], django_capture_on_commit_callbacks)
    piano.refresh_from_db()
    assert (piano.stato, piano.vigente_dal, piano.revisione_vigente) == ("vigente", OGGI, 1)
    voce = TransizionePiano.objects.filter(piano=piano).latest("pk")
    assert (voce.nome, voce.utente, voce.ruolo) == ("dichiara_vigente", None, "Sistema")
    assert firme_obbligatorie(piano) == []


def test_una_parte_obbligatoria_non_chiesta_resta_alla_firma(mondo, piano, udp, comuni, alla_firma, pki_attiva,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        documento = sa.accordo_genera_atto(accordo=alla_firma, utente=udp)
    solo_comuni = [f for f in firmatari_proposti(documento) if f[1].tipo == Ente.Tipo.COMUNE]
    richiesta = richiesta_firma_crea(documento=documento, utente=udp, firmatari=solo_comuni, modalita="parallela",
                                     scadenza=OGGI + datetime.timedelta(days=30))
    for persona, *_x in solo_comuni:
        _firma(pki_attiva, richiesta, persona, django_capture_on_commit_callbacks)
    richiesta.refresh_from_db()
    piano.refresh_from_db()
    assert richiesta.stato == "completata" and piano.stato == "sottoscrizione"
    assert firme_obbligatorie(piano) == [f"La firma di questa parte non è stata chiesta: {mondo.ambito.asl.nome}."]


def test_le_firme_di_un_altro_atto_non_rendono_vigente(mondo, piano, udp, alla_firma, pki_attiva,
                                                      django_capture_on_commit_callbacks):
    """A bozza of the plan signed by every mayor does not put the Accordo in force."""
    from accordi.services_documenti import documento_richiedi

    with django_capture_on_commit_callbacks(execute=True):
        bozza = documento_richiedi(tipo="piano_bozza", piano=piano, utente=udp)
    persone = sindaci(mondo.ambito)
    firmatari = [(p, ente_del_comune(c), True) for c, p in zip(mondo.ambito.comuni.order_by("denominazione"),
                                                               persone.values(), strict=True)]
    richiesta = richiesta_firma_crea(documento=bozza, utente=udp, firmatari=firmatari, modalita="parallela",
                                     scadenza=OGGI + datetime.timedelta(days=3))
    for persona, *_x in firmatari:
        _firma(pki_attiva, richiesta, persona, django_capture_on_commit_callbacks)
    piano.refresh_from_db()
    assert piano.stato == "sottoscrizione"


# --- data_fine_accordo and concludi --------------------------------------------------------------------


def test_concludi_usa_la_data_di_fine_dell_accordo_in_vigore(mondo, piano, udp):
    accordo = completa(piano, udp)
    assert data_fine_accordo(piano) is None  # not in force yet
    _stato(piano, "vigente", revisione_vigente=1, vigente_dal=datetime.date(2025, 4, 1))
    AccordoDiProgramma.objects.filter(pk=accordo.pk).update(data_fine=OGGI + datetime.timedelta(days=1))
    assert data_fine_accordo(piano) == OGGI + datetime.timedelta(days=1)
    assert data_fine_validita(piano) != piano.ciclo.validita_fine
    assert fine_validita_superata(piano) == [
        f"L'Accordo è valido fino al {(OGGI + datetime.timedelta(days=1)).strftime('%d/%m/%Y')}: non può ancora "
        "concludersi."]
    assert concludi_piani_scaduti() == []

    ieri = OGGI - datetime.timedelta(days=1)
    AccordoDiProgramma.objects.filter(pk=accordo.pk).update(data_fine=ieri)
    assert fine_validita_superata(piano) == []
    assert concludi_piani_scaduti() == [piano.pk]
    piano.refresh_from_db()
    assert piano.stato == "concluso"
    assert mondo.piano_altro.stato == "avvio"


def test_dopo_aggiorna_vale_la_data_dell_accordo_in_vigore(mondo, piano, udp):
    accordo = completa(piano, udp)
    AccordoDiProgramma.objects.filter(pk=accordo.pk).update(data_fine=datetime.date(2027, 12, 31))
    _stato(piano, "bozza", revisione=2, revisione_vigente=1, vigente_dal=datetime.date(2025, 4, 1))
    nuovo = sa.accordo_di(piano)
    sa.accordo_aggiorna(accordo=nuovo, utente=udp, data_inizio=datetime.date(2026, 1, 1),
                        data_fine=datetime.date(2028, 6, 30), modalita_aggiornamento="", data_popolazione=None)
    assert data_fine_accordo(piano) == datetime.date(2027, 12, 31)
    senza = _stato(mondo.piano_altro, "vigente", revisione_vigente=1)
    assert data_fine_accordo(senza) is None
    assert data_fine_validita(senza) == piano.ciclo.validita_fine


# --- the act ------------------------------------------------------------------------------------------


@pytest.fixture
def aderente(db):
    return EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, denominazione="Cooperativa Il Ponte",
                       forma_giuridica="cooperativa_sociale", sezione_runts="d", numero_runts="RUNTS-4521",
                       sede="Via Roma 1, Pavia")


def test_l_atto_dell_accordo(mondo, piano, udp, comuni, aderente, pki_attiva, django_capture_on_commit_callbacks):
    a, b, c = comuni
    capofila = ente_del_comune(a)
    accordo = completa(piano, udp)
    sa.popolazioni_aggiorna(accordo=accordo, utente=udp, abitanti={a.pk: 6000, b.pk: 3000, c.pk: 1000})
    sa.parte_aggiorna(parte=accordo.parti.get(ruolo="asl"), utente=udp,
                      impegni="Garantisce l'integrazione sociosanitaria e il punto unico di accesso.")
    sa.voce_salva(accordo=accordo, utente=udp, denominazione="Servizio tutela minori", criterio="misto",
                  quota_popolazione=6000, quota_utenti=3000, quota_parti_uguali=1000,
                  importi={2025: 1_000_000, 2026: 1_200_000}, utenti={a.pk: 10, c.pk: 10})
    designa_capofila(piano, capofila, udp, numero=14, adottata_il=datetime.date(2026, 6, 3))
    altro_ente = EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, denominazione="Associazione Auser", forma_giuridica="odv")
    sottoscritta = RichiestaAdesione.objects.create(accordo=accordo, ente=aderente, stato="sottoscritta",
                                                    creata_da=udp, dichiarazione="Partecipiamo.")
    RisorsaAdesione.objects.create(richiesta=sottoscritta, tipo="ore_personale", descrizione="Educatori",
                                   quantita=Decimal("1200"), valore_centesimi=2_400_000)
    RisorsaAdesione.objects.create(richiesta=sottoscritta, tipo="denaro", descrizione="Cofinanziamento",
                                   quantita=Decimal("5000"), valore_centesimi=500_000)
    RichiestaAdesione.objects.create(accordo=accordo, ente=altro_ente, stato="in_istruttoria", creata_da=udp)
    _stato(piano, "sottoscrizione")
    with django_capture_on_commit_callbacks(execute=True):
        documento = sa.accordo_genera_atto(accordo=accordo, utente=udp)
    documento.refresh_from_db()
    assert documento.stato == Documento.Stato.PRONTO and leggi(revisione_corrente(documento)).startswith(b"%PDF-")

    contesto = contesto_atto(documento)
    rip = contesto["ripartizione"]
    for riga in rip.voci:  # the quotas per Comune and year add up to the totals
        for anno in rip.anni:
            assert sum(riga.quote[k][anno] for k in riga.quote) == riga.totali[anno]
    for anno in rip.anni:
        assert sum(r.importi[rip.anni.index(anno)] for r in rip.righe) == rip.totali_anno[anno]
    assert [r.ente.denominazione for r in contesto["aderenti"]] == ["Cooperativa Il Ponte"]

    html = unescape(render_to_string("atti/accordo.html", contesto))
    for parte in accordo.parti.select_related("ente"):
        assert parte.ente.denominazione in html
    assert f"(codice ISTAT {a.codice_istat})" in html
    assert (f"L'ente capofila dell'Accordo è <strong>Comune di {a.denominazione}</strong>, designato dall'Assemblea "
            "dei Sindaci dell'Ambito di Pavia con deliberazione n. 14/2026 del 03/06/2026") in html
    assert "Garantisce l'integrazione sociosanitaria e il punto unico di accesso." in html
    assert f"Comune di {b.denominazione} concorre alle azioni del Piano." in html
    # Annex A: one table per item, the summary, the population at its date
    assert "Allegato A – Ripartizione degli oneri" in html
    assert "Servizio tutela minori: quote dei Comuni per anno (euro), 60% per popolazione, 30% per utenti serviti, " \
           "10% in parti uguali" in html
    assert "il 60% in proporzione alla popolazione residente al 09/10/2011; il 30% in proporzione agli utenti " \
           "serviti in ciascun Comune; il 10% in parti uguali tra i 3 Comuni." in html
    assert "ripartita per abitante, in proporzione alla popolazione residente in ciascun Comune al 09/10/2011." in html
    assert "Riepilogo: totale delle quote di ciascun Comune per anno" in html
    assert "<th scope=\"row\">Totale della voce</th><th class=\"num\">10.000,00</th><th class=\"num\">12.000,00</th>" \
           in html
    assert "Popolazione di riferimento per la ripartizione: residenti al 09/10/2011" in html
    tutela = rip.voci[1]
    assert tutela.righe[0].importi_euro[0] == "5.433,34"
    assert (f"<th scope=\"row\">{a.denominazione}</th><td class=\"num\">5.433,34</td>"
            f"<td class=\"num\">6.520,00</td>") in html
    assert f"<th class=\"num\">{rip.totale_euro}</th>" in html
    # the adherents, with what they bring; not those still under review
    assert "Cooperativa Il Ponte" in html and "Associazione Auser" not in html
    assert "Cooperativa sociale" in html and aderente.codice_fiscale in html and "RUNTS-4521" in html
    assert "Educatori" in html and "1.200" in html and "24.000,00" in html
    assert "Cofinanziamento" in html and "5.000,00" in html and "29.000,00" in html


def test_l_atto_chiesto_prima_della_firma_crea_l_accordo(mondo, pki_attiva, django_capture_on_commit_callbacks):
    """The document page's button in any state: the act shows the Accordo proposed from the plan."""
    from accordi.services_documenti import documento_richiedi

    with django_capture_on_commit_callbacks(execute=True):
        documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    documento.refresh_from_db()
    assert documento.stato == Documento.Stato.PRONTO
    accordo = AccordoDiProgramma.objects.get(piano=mondo.piano)
    assert accordo.documento is None and accordo.parti.count() == 4
    html = unescape(render_to_string("atti/accordo.html", contesto_atto(documento)))
    assert "L'ente capofila non è ancora stato designato dall'Assemblea dei Sindaci." in html
    assert "Non sono ancora indicate voci di costo da ripartire tra i Comuni." in html
    assert "nessun ente del Terzo Settore ha ancora aderito all'Accordo" in html
