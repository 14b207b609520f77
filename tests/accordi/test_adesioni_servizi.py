"""Adesioni of Terzo Settore bodies (services and selectors): the whole story from the draft to
the signed act with its e-mails and log, every refusal with its message and nothing saved, the
attachments judged by their content, the attendance records, two reviewers at once."""

import datetime
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from weasyprint import HTML

from accordi import selectors_adesioni as sel
from accordi import services_adesioni as sa
from accordi.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from accordi.firme.firma import firma_pdf
from accordi.models import (
    AccordoDiProgramma,
    AllegatoAdesione,
    Documento,
    RichiestaAdesione,
    RichiestaFirma,
    RisorsaAdesione,
    StatoAdesione,
)
from accordi.services_documenti import contesto_atto, documento_richiedi, leggi, revisione_corrente
from accordi.services_firme import FirmaRifiutata, firma_carica
from ambiti.exceptions import StatoCambiato
from ambiti.models import Incarico, Regione
from ambiti.services import incarico_assegna
from tavoli.models import PresenzaTavolo, SedutaTavolo

from ..factories import (
    AreaInterventoFactory,
    CicloFactory,
    RichiestaAdesioneFactory,
    SedutaTavoloFactory,
    TavoloFactory,
    UtenteFactory,
    accordo_in_sottoscrizione,
    cf_persona,
    ente_terzo_settore,
)

R = Incarico.Ruolo
S = StatoAdesione
T = RisorsaAdesione.Tipo
LEGALE_CF = cf_persona(4242)


def pdf(testo="Statuto dell'associazione") -> bytes:
    return HTML(string=f"<h1>{testo}</h1><p>Art. 1 – Denominazione e sede.</p>").write_pdf()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def eseguendo(django_capture_on_commit_callbacks):
    """Run a step and what it queues after commit (e-mails, the act, the signing request)."""
    def esegui(funzione, **kw):
        with django_capture_on_commit_callbacks(execute=True):
            return funzione(**kw)

    return esegui


@pytest.fixture
def mondo_adesioni(mondo):
    accordo = accordo_in_sottoscrizione(piano=mondo.piano)
    ente, referente = ente_terzo_settore(mondo.ambito, denominazione="Associazione Il Faro",
                                         legale_rappresentante="Maria Bianchi", legale_rappresentante_cf=LEGALE_CF)
    regione = mondo.ambito.asl.regione
    aree = [AreaInterventoFactory(regione=regione, nome=n, codice=c) for n, c in (("Anziani", "anziani"),
                                                                                  ("Disabilità", "disabilita"))]
    tavoli = [TavoloFactory(piano=mondo.piano, area=a, nome=f"Tavolo {a.nome}") for a in aree]
    mondo.accordo, mondo.ente, mondo.referente, mondo.aree, mondo.tavoli = accordo, ente, referente, aree, tavoli
    mondo.udp = mondo[R.RESPONSABILE_UDP]
    return mondo


RISORSE = [
    {"tipo": T.DENARO, "descrizione": "Cofinanziamento del servizio di trasporto", "quantita": Decimal("1500.50")},
    {"tipo": T.VOLONTARI, "descrizione": "Volontari per l'accompagnamento", "quantita": Decimal("12"),
     "valore_centesimi": 360_000},
]


def compila(m, richiesta, risorse=RISORSE, dichiarazione="Partecipiamo ai tavoli del piano dal 2023.", **kw):
    richiesta.refresh_from_db()
    argomenti = {"aree": [m.aree[0]], "tavoli": [m.tavoli[0].pk], "risorse": risorse,
                 "dichiarazione": dichiarazione, "versione": richiesta.versione, **kw}
    return sa.richiesta_aggiorna(richiesta=richiesta, utente=m.referente, **argomenti)


def statuto(m, richiesta, dati=None):
    return sa.allegato_aggiungi(richiesta=richiesta, utente=m.referente, tipo=AllegatoAdesione.Tipo.STATUTO,
                                nome_file="statuto.pdf", dati=pdf() if dati is None else dati)


def pronta(m, stato=S.BOZZA):
    """A complete request of the body, brought to ``stato`` through the services."""
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    compila(m, richiesta)
    statuto(m, richiesta)
    if stato == S.BOZZA:
        return richiesta
    sa.invia(richiesta=richiesta, utente=m.referente)
    if stato == S.INVIATA:
        return _fresca(richiesta)
    sa.prendi_in_carico(richiesta=richiesta, utente=m.udp)
    if stato == S.IN_ISTRUTTORIA:
        return _fresca(richiesta)
    sa.richiedi_integrazione(richiesta=richiesta, utente=m.udp, nota="Allegate il bilancio.")
    return _fresca(richiesta)


def _fresca(richiesta):
    return RichiestaAdesione.objects.get(pk=richiesta.pk)


def destinatari(messaggio) -> set[str]:
    return set(messaggio.to)


# --- the whole story ---------------------------------------------------------------------------------

def test_dalla_bozza_all_adesione_firmata(mondo_adesioni, pki_attiva, eseguendo):
    m = mondo_adesioni
    udp = {m[R.RESPONSABILE_UDP].email, m[R.OPERATORE_UDP].email}
    richiesta = eseguendo(sa.richiesta_crea, accordo=m.accordo, ente=m.ente, utente=m.referente)
    assert richiesta.stato == S.BOZZA and not mail.outbox
    compila(m, richiesta)
    statuto(m, richiesta)
    risorse = {r.tipo: r for r in richiesta.risorse.all()}
    assert risorse[T.DENARO].valore_centesimi == 150_050  # money: the value is the amount itself
    assert risorse[T.VOLONTARI].quantita == Decimal("12.00")

    eseguendo(sa.invia, richiesta=richiesta, utente=m.referente)
    (ricevuta,) = [e for e in mail.outbox if "Nuova" not in e.subject]
    avviso = next(e for e in mail.outbox if "Nuova" in e.subject)
    assert destinatari(ricevuta) == {m.referente.email}
    assert "è stata inviata all'Ufficio di Piano" in ricevuta.body
    assert reverse("accordi:adesione", args=[richiesta.pk]) in ricevuta.body
    assert {to for e in mail.outbox if "Nuova" in e.subject for to in e.to} == udp
    assert "per un valore complessivo di 5.100,50 euro" in avviso.body
    assert reverse("accordi:adesione_esame", args=[richiesta.pk]) in avviso.body

    mail.outbox.clear()
    eseguendo(sa.prendi_in_carico, richiesta=richiesta, utente=m.udp, stato_atteso=S.INVIATA)
    assert [destinatari(e) for e in mail.outbox] == [{m.referente.email}]
    assert "ne ha avviato l'istruttoria" in mail.outbox[0].body

    mail.outbox.clear()
    eseguendo(sa.richiedi_integrazione, richiesta=richiesta, utente=m.udp, nota="Allegate l'ultimo bilancio.")
    assert [destinatari(e) for e in mail.outbox] == [{m.referente.email}]
    assert "Nota dell'Ufficio di Piano:\nAllegate l'ultimo bilancio." in mail.outbox[0].body
    assert _fresca(richiesta).modificabile

    sa.allegato_aggiungi(richiesta=richiesta, utente=m.referente, tipo=AllegatoAdesione.Tipo.BILANCIO,
                         nome_file="C:\\documenti\\bilancio 2024.pdf", dati=pdf("Bilancio 2024"))
    mail.outbox.clear()
    eseguendo(sa.integra, richiesta=richiesta, utente=m.referente)
    assert {to for e in mail.outbox for to in e.to} == udp | {m.referente.email}

    mail.outbox.clear()
    richiesta = eseguendo(sa.accogli, richiesta=richiesta, utente=m.udp, nota="Benvenuti.",
                          stato_atteso=S.IN_ISTRUTTORIA)
    assert richiesta.stato == S.ACCOLTA and richiesta.decisa_il
    documento = Documento.objects.get(pk=richiesta.documento_id)
    assert documento.tipo == Documento.Tipo.ADESIONE and documento.stato == Documento.Stato.PRONTO
    assert documento.sigillato and documento.piano == m.piano
    # the act went to signature by itself: the referent uploads what the legal representative signs
    firmatario = RichiestaFirma.objects.get(documento=documento).firmatari.get()
    assert (firmatario.utente, firmatario.codice_fiscale, firmatario.ente) == (m.referente, LEGALE_CF, m.ente)
    oggetti = {e.subject: e for e in mail.outbox}
    accolta = next(e for s, e in oggetti.items() if s.startswith("Richiesta di adesione accolta"))
    assert "Nota dell'Ufficio di Piano:\nBenvenuti." in accolta.body
    assert "il legale rappresentante, Maria Bianchi, lo firma digitalmente" in accolta.body
    assert any(s.startswith("Richiesta di firma") and e.to == [m.referente.email] for s, e in oggetti.items())

    mail.outbox.clear()
    key, cert = pki_attiva.certificato(LEGALE_CF, nome="Maria", cognome="Bianchi")
    firmato = firma_pdf(leggi(revisione_corrente(documento)), signer_key=key, signer_cert=cert,
                        ca_cert=pki_attiva.ca_cert)
    eseguendo(firma_carica, firmatario=firmatario, utente=m.referente, nome_file="atto-firmato.pdf", dati=firmato)
    richiesta = _fresca(richiesta)
    assert richiesta.stato == S.SOTTOSCRITTA and richiesta.sottoscritta_il
    assert {to for e in mail.outbox for to in e.to} == udp | {m.referente.email}
    assert any("l'ente aderisce all'Accordo" in e.body for e in mail.outbox)

    from accordi.selectors_accordo import aderenti

    assert [r.pk for r in aderenti(m.accordo)] == [richiesta.pk]
    registro = list(richiesta.eventi.order_by("quando", "pk").values_list("azione", "da_stato", "a_stato"))
    assert [a for a, _da, _a in registro] == [
        "crea", "aggiorna", "allegato_aggiunto", "invia", "prendi_in_carico", "richiedi_integrazione",
        "allegato_aggiunto", "integra", "accogli", "firma_richiesta", "sottoscrivi"]
    assert ("accogli", S.IN_ISTRUTTORIA, S.ACCOLTA) in registro
    assert ("sottoscrivi", S.ACCOLTA, S.SOTTOSCRITTA) in registro
    decisione = richiesta.eventi.get(azione="accogli")
    assert (decisione.utente, decisione.nota) == (m.udp, "Benvenuti.")
    assert richiesta.eventi.get(azione="sottoscrivi").utente is None
    # the attachment keeps its name, not its path
    assert richiesta.allegati.get(tipo=AllegatoAdesione.Tipo.BILANCIO).nome_originale == "bilancio 2024.pdf"


def test_l_atto_di_adesione_dice_chi_aderisce_a_che_cosa_e_con_quali_risorse(mondo_adesioni, pki_attiva, eseguendo):
    m = mondo_adesioni
    richiesta = pronta(m, S.IN_ISTRUTTORIA)
    richiesta = eseguendo(sa.accogli, richiesta=richiesta, utente=m.udp)
    html = render_to_string("atti/adesione.html", contesto_atto(richiesta.documento))
    for atteso in ("Associazione Il Faro", m.ente.codice_fiscale, m.ente.numero_runts, "Organizzazione di volontariato",
                   "Via Roma 1, 27100 Pavia", "Maria Bianchi", LEGALE_CF, m.piano.titolo, "Anziani",
                   "Tavolo Anziani", "Cofinanziamento del servizio di trasporto", "1.500,50", "12 volontari",
                   "3.600,00", "5.100,50", "Partecipiamo ai tavoli del piano dal 2023.", "Il legale rappresentante"):
        assert atteso in html, atteso


def test_la_firma_di_un_altra_persona_e_rifiutata(mondo_adesioni, pki_attiva, eseguendo):
    m = mondo_adesioni
    richiesta = eseguendo(sa.accogli, richiesta=pronta(m, S.IN_ISTRUTTORIA), utente=m.udp)
    documento = richiesta.documento
    firmatario = RichiestaFirma.objects.get(documento=documento).firmatari.get()
    # the referent signs with their own certificate instead of the legal representative's
    key, cert = pki_attiva.certificato(m.referente.codice_fiscale)
    firmato = firma_pdf(leggi(revisione_corrente(documento)), signer_key=key, signer_cert=cert,
                        ca_cert=pki_attiva.ca_cert)
    with pytest.raises(FirmaRifiutata) as exc:
        firma_carica(firmatario=firmatario, utente=m.referente, nome_file="atto.pdf", dati=firmato)
    assert f"atteso {LEGALE_CF}" in str(exc.value)
    assert _fresca(richiesta).stato == S.ACCOLTA
    assert not richiesta.eventi.filter(azione="sottoscrivi").exists()


def test_firma_prepara_e_idempotente_e_aspetta_l_atto(mondo_adesioni, pki_attiva, eseguendo,
                                                      django_capture_on_commit_callbacks):
    m = mondo_adesioni
    with django_capture_on_commit_callbacks(execute=False):  # the act is not rendered yet
        richiesta = sa.accogli(richiesta=pronta(m, S.IN_ISTRUTTORIA), utente=m.udp)
    assert sa.firma_prepara(richiesta=richiesta) is None
    from accordi.services_documenti import genera_documento

    eseguendo(genera_documento, documento_id=richiesta.documento_id)
    prima = RichiestaFirma.objects.get(documento_id=richiesta.documento_id)
    assert sa.firma_prepara(richiesta=richiesta) == prima
    assert RichiestaFirma.objects.filter(documento_id=richiesta.documento_id).count() == 1
    assert richiesta.eventi.filter(azione="firma_richiesta").count() == 1


def test_l_atto_e_dell_ufficio_di_piano_che_accoglie(mondo_adesioni, pki_attiva, eseguendo):
    """A plan of two ambiti: the Ufficio di Piano of the second accepts, issues the act and asks
    for the signature (the signing service wants that permission on the act's ambito)."""
    m = mondo_adesioni
    ciclo = CicloFactory(anno_inizio=2028, anno_fine=2030)
    accordo = accordo_in_sottoscrizione(m.ambito, m.altro_ambito, ciclo=ciclo)
    richiesta = RichiestaAdesioneFactory(accordo=accordo, ente=m.ente, stato=S.IN_ISTRUTTORIA)
    richiesta = eseguendo(sa.accogli, richiesta=richiesta, utente=m.udp_altro)
    assert richiesta.documento.ambito == m.altro_ambito
    assert RichiestaFirma.objects.get(documento=richiesta.documento).creata_da == m.udp_altro


def test_l_atto_di_adesione_non_si_chiede_dalla_pagina_del_piano(mondo_adesioni):
    with pytest.raises(DatiNonValidi, match="L'atto di adesione si genera accogliendo la richiesta"):
        documento_richiedi(tipo=Documento.Tipo.ADESIONE, piano=mondo_adesioni.piano, utente=mondo_adesioni.udp)
    assert not Documento.objects.exists()


# --- who may act ----------------------------------------------------------------------------------

def test_solo_chi_rappresenta_l_ente_crea_e_modifica(mondo_adesioni):
    m = mondo_adesioni
    estraneo = m[R.REFERENTE_TERZO_SETTORE]  # a referent of another body, in the same ambito
    with pytest.raises(PermessoNegato, match="Puoi chiedere l'adesione solo per un ente che rappresenti."):
        sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=estraneo)
    assert not RichiestaAdesione.objects.exists()
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    for persona in (estraneo, m.udp):
        with pytest.raises(PermessoNegato, match="Solo chi rappresenta l'ente agisce sulle sue richieste"):
            sa.richiesta_aggiorna(richiesta=richiesta, utente=persona, dichiarazione="x", aree=[], tavoli=[],
                                  risorse=[], versione=richiesta.versione)
        with pytest.raises(PermessoNegato):
            sa.allegato_aggiungi(richiesta=richiesta, utente=persona, tipo="statuto", nome_file="s.pdf", dati=pdf())
    assert _fresca(richiesta).dichiarazione == "" and not AllegatoAdesione.objects.exists()


def test_chi_ha_un_incarico_di_referente_agisce_per_l_ente(mondo_adesioni):
    m = mondo_adesioni
    referente = UtenteFactory()
    incarico_assegna(utente=referente, ruolo=R.REFERENTE_TERZO_SETTORE, ambito=m.ambito, ente=m.ente)
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=referente)
    assert richiesta.creata_da == referente
    assert sa.indirizzi_ente(m.ente) == [m.referente.email, referente.email]


@pytest.mark.parametrize("chi", ["ente", "udp_altro_ambito", "sindaco"])
def test_solo_l_ufficio_di_piano_del_piano_esamina(mondo_adesioni, chi):
    m = mondo_adesioni
    richiesta = pronta(m, S.INVIATA)
    persona = {"ente": m.referente, "udp_altro_ambito": m.udp_altro, "sindaco": m[R.SINDACO]}[chi]
    with pytest.raises(PermessoNegato, match="Solo l'Ufficio di Piano degli ambiti del piano esamina"):
        sa.prendi_in_carico(richiesta=richiesta, utente=persona)
    assert _fresca(richiesta).stato == S.INVIATA
    assert not richiesta.eventi.filter(azione="prendi_in_carico").exists()


def test_chi_rappresenta_l_ente_non_ne_esamina_la_richiesta(mondo_adesioni):
    m = mondo_adesioni
    richiesta = pronta(m, S.INVIATA)
    incarico_assegna(utente=m.udp, ruolo=R.REFERENTE_TERZO_SETTORE, ambito=m.ambito, ente=m.ente)
    with pytest.raises(PermessoNegato, match="Non puoi esaminare la richiesta di adesione di un ente che rappresenti"):
        sa.prendi_in_carico(richiesta=richiesta, utente=m.udp)
    assert _fresca(richiesta).stato == S.INVIATA


# --- refusals: state, completeness, data ---------------------------------------------------------------

def test_passi_fuori_stato(mondo_adesioni):
    m = mondo_adesioni
    richiesta = pronta(m, S.INVIATA)
    with pytest.raises(TransizioneNonAmmessa, match="Si invia solo una richiesta in bozza; questa è nello stato "
                                                    "«Inviata»."):
        sa.invia(richiesta=richiesta, utente=m.referente)
    with pytest.raises(TransizioneNonAmmessa, match="Si accoglie solo una richiesta in istruttoria"):
        sa.accogli(richiesta=richiesta, utente=m.udp)
    with pytest.raises(TransizioneNonAmmessa, match="Le integrazioni si inviano quando l'Ufficio di Piano"):
        sa.integra(richiesta=richiesta, utente=m.referente)
    with pytest.raises(TransizioneNonAmmessa, match="La richiesta non è più modificabile: è nello stato «Inviata»."):
        compila(m, richiesta, dichiarazione="Cambiata dopo l'invio")
    with pytest.raises(TransizioneNonAmmessa, match="Gli allegati si modificano solo mentre"):
        statuto(m, richiesta, pdf("Altro statuto"))
    richiesta = _fresca(richiesta)
    assert richiesta.stato == S.INVIATA and richiesta.dichiarazione == "Partecipiamo ai tavoli del piano dal 2023."
    assert richiesta.allegati.count() == 1 and richiesta.eventi.count() == 4
    sa.ritira(richiesta=richiesta, utente=m.referente)
    with pytest.raises(TransizioneNonAmmessa, match="Si ritira solo una richiesta ancora aperta"):
        sa.ritira(richiesta=richiesta, utente=m.referente)


def test_l_invio_chiede_dichiarazione_risorse_e_statuto(mondo_adesioni):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    with pytest.raises(DatiNonValidi) as exc:
        sa.invia(richiesta=richiesta, utente=m.referente)
    assert exc.value.messaggi == ["Scrivi la dichiarazione dell'ente.",
                                  "Indica almeno una risorsa che l'ente mette a disposizione.",
                                  "Allega lo statuto dell'ente in PDF."]
    sa.allegato_aggiungi(richiesta=richiesta, utente=m.referente, tipo=AllegatoAdesione.Tipo.BILANCIO,
                         nome_file="bilancio.pdf", dati=pdf("Bilancio"))
    compila(m, richiesta)
    with pytest.raises(DatiNonValidi) as exc:
        sa.invia(richiesta=richiesta, utente=m.referente)
    assert exc.value.messaggi == ["Allega lo statuto dell'ente in PDF."]
    richiesta = _fresca(richiesta)
    assert richiesta.stato == S.BOZZA and richiesta.inviata_il is None and not mail.outbox


def test_aree_di_un_altra_regione_e_tavoli_di_un_altro_piano(mondo_adesioni):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    altra_regione = Regione.objects.create(codice_istat="05", nome="Veneto")
    area_estranea = AreaInterventoFactory(regione=altra_regione, nome="Minori (Veneto)")
    tavolo_estraneo = TavoloFactory(piano=m.piano_altro, nome="Tavolo di Certosa")
    with pytest.raises(DatiNonValidi) as exc:
        compila(m, richiesta, aree=[m.aree[0], area_estranea], tavoli=[m.tavoli[0], tavolo_estraneo])
    assert exc.value.messaggi == [
        "«Minori (Veneto)» non è un'area di intervento della regione del piano.",
        f"Il tavolo «Tavolo di Certosa» non è un tavolo del piano «{m.piano.titolo}».",
    ]
    with pytest.raises(DatiNonValidi, match="Una delle aree di intervento indicate non esiste."):
        compila(m, richiesta, aree=[999_999])
    richiesta = _fresca(richiesta)
    assert not richiesta.aree.exists() and not richiesta.tavoli.exists() and not richiesta.risorse.exists()
    assert richiesta.dichiarazione == "" and richiesta.eventi.count() == 1


@pytest.mark.parametrize("risorsa, messaggio", [
    ({"tipo": "oro", "descrizione": "Lingotti", "quantita": 1, "valore_centesimi": 1},
     "Risorsa n. 1: scegli il tipo di risorsa."),
    ({"tipo": T.LOCALI, "descrizione": " ", "quantita": 1, "valore_centesimi": 1},
     "Risorsa n. 1: descrivi la risorsa."),
    ({"tipo": T.LOCALI, "descrizione": "Sala", "quantita": 0, "valore_centesimi": 1},
     "Risorsa n. 1: la quantità deve essere un numero maggiore di zero."),
    ({"tipo": T.LOCALI, "descrizione": "Sala", "quantita": "1,5", "valore_centesimi": 1},
     "Risorsa n. 1: la quantità deve essere un numero maggiore di zero."),
    ({"tipo": T.ORE_PERSONALE, "descrizione": "Ore", "quantita": Decimal("1.234"), "valore_centesimi": 1},
     "Risorsa n. 1: la quantità ha al più dieci cifre intere e due decimali."),
    ({"tipo": T.ORE_PERSONALE, "descrizione": "Ore", "quantita": 10},
     "Risorsa n. 1: indica il valore in euro della risorsa (zero se non è stimabile)."),
    ({"tipo": T.ORE_PERSONALE, "descrizione": "Ore", "quantita": 10, "valore_centesimi": -5},
     "Risorsa n. 1: indica il valore in euro della risorsa (zero se non è stimabile)."),
])
def test_risorse_non_valide(mondo_adesioni, risorsa, messaggio):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    with pytest.raises(DatiNonValidi) as exc:
        compila(m, richiesta, risorse=[RISORSE[0], risorsa])
    assert exc.value.messaggi == [messaggio.replace("n. 1", "n. 2")]
    assert not RisorsaAdesione.objects.exists()


def test_le_risorse_si_sostituiscono_e_il_denaro_vale_il_suo_importo(mondo_adesioni):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    compila(m, richiesta)
    compila(m, richiesta, risorse=[{"tipo": T.DENARO, "descrizione": "Contributo", "valore_centesimi": 20_000},
                                   {"tipo": T.SERVIZI, "descrizione": "Pasti a domicilio", "quantita": "300",
                                    "valore_centesimi": 0}])
    assert sorted(richiesta.risorse.values_list("tipo", "quantita", "valore_centesimi")) == [
        (T.DENARO, Decimal("200.00"), 20_000), (T.SERVIZI, Decimal("300.00"), 0)]


def test_versione_superata(mondo_adesioni):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    vista = richiesta.versione
    compila(m, richiesta)  # someone else saved meanwhile
    with pytest.raises(DatiNonValidi, match="Nel frattempo la richiesta è stata modificata da qualcun altro"):
        compila(m, richiesta, dichiarazione="La mia versione", versione=vista)
    assert _fresca(richiesta).dichiarazione == "Partecipiamo ai tavoli del piano dal 2023."


def test_una_sola_richiesta_viva_per_ente_e_accordo(mondo_adesioni):
    m = mondo_adesioni
    prima = pronta(m, S.IN_ISTRUTTORIA)
    with pytest.raises(DatiNonValidi, match="L'ente ha già una richiesta di adesione a questo Accordo."):
        sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    assert RichiestaAdesione.objects.count() == 1
    with pytest.raises(DatiNonValidi, match="Scrivi le motivazioni del rigetto"):
        sa.respingi(richiesta=prima, utente=m.udp, nota="  ")
    sa.respingi(richiesta=prima, utente=m.udp, nota="L'ente non ha partecipato ai tavoli.")
    # after a refusal the body may ask again
    seconda = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    assert seconda.stato == S.BOZZA and RichiestaAdesione.objects.count() == 2


def test_non_si_aderisce_a_un_accordo_non_aperto(mondo_adesioni):
    m = mondo_adesioni
    piano = m.piano_altro  # its plan is still being drafted
    accordo = AccordoDiProgramma.objects.create(piano=piano, revisione=piano.revisione)
    with pytest.raises(TransizioneNonAmmessa, match="L'Accordo di Programma non è aperto alle adesioni"):
        sa.richiesta_crea(accordo=accordo, ente=m.ente, utente=m.referente)
    assert not RichiestaAdesione.objects.exists()


def test_integrazioni_e_rigetto_chiedono_una_nota(mondo_adesioni):
    m = mondo_adesioni
    richiesta = pronta(m, S.IN_ISTRUTTORIA)
    with pytest.raises(DatiNonValidi, match="Scrivi che cosa l'ente deve integrare"):
        sa.richiedi_integrazione(richiesta=richiesta, utente=m.udp, nota="")
    assert _fresca(richiesta).stato == S.IN_ISTRUTTORIA


def test_accogliere_serve_sapere_chi_firma(mondo_adesioni):
    m = mondo_adesioni
    richiesta = pronta(m, S.IN_ISTRUTTORIA)
    m.ente.registrazione.legale_rappresentante_cf = ""
    m.ente.registrazione.save()
    with pytest.raises(DatiNonValidi, match="manca il codice fiscale del legale rappresentante"):
        sa.accogli(richiesta=richiesta, utente=m.udp)
    assert _fresca(richiesta).stato == S.IN_ISTRUTTORIA and not Documento.objects.exists()


def test_ritiro_dopo_l_invio_avvisa_l_ufficio_di_piano(mondo_adesioni, eseguendo):
    m = mondo_adesioni
    richiesta = pronta(m, S.INVIATA)
    eseguendo(sa.ritira, richiesta=richiesta, utente=m.referente, nota="Abbiamo cambiato programmi.")
    assert _fresca(richiesta).stato == S.RITIRATA
    assert {to for e in mail.outbox for to in e.to} == {m.referente.email, m[R.RESPONSABILE_UDP].email,
                                                        m[R.OPERATORE_UDP].email}
    assert all("Nota dell'ente:\nAbbiamo cambiato programmi." in e.body for e in mail.outbox)


# --- two reviewers at once --------------------------------------------------------------------------

def test_due_revisori_insieme_uno_solo_vince(mondo_adesioni):
    m = mondo_adesioni
    a, b = m[R.RESPONSABILE_UDP], m[R.OPERATORE_UDP]
    richiesta = pronta(m, S.INVIATA)
    vista_da_b = _fresca(richiesta)  # both loaded the page while it was «inviata»
    sa.prendi_in_carico(richiesta=richiesta, utente=a, stato_atteso=S.INVIATA)
    with pytest.raises(StatoCambiato, match="La richiesta è cambiata nel frattempo: ora è nello stato «In "
                                            "istruttoria». Ricarica la pagina"):
        sa.prendi_in_carico(richiesta=vista_da_b, utente=b, stato_atteso=S.INVIATA)
    # without the expected state the stale object is read again under the lock
    with pytest.raises(TransizioneNonAmmessa, match="Si prende in carico solo una richiesta inviata"):
        sa.prendi_in_carico(richiesta=vista_da_b, utente=b)
    assert richiesta.eventi.filter(azione="prendi_in_carico").count() == 1

    sa.respingi(richiesta=richiesta, utente=a, nota="Nessuna partecipazione.", stato_atteso=S.IN_ISTRUTTORIA)
    with pytest.raises(StatoCambiato):
        sa.accogli(richiesta=vista_da_b, utente=b, stato_atteso=S.IN_ISTRUTTORIA)
    richiesta = _fresca(richiesta)
    assert richiesta.stato == S.RESPINTA and richiesta.documento is None
    assert list(richiesta.eventi.filter(azione__in=["accogli", "respingi"]).values_list("azione", flat=True)) == [
        "respingi"]


# --- attachments ---------------------------------------------------------------------------------------

def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archivio:
        archivio.writestr("statuto.txt", "Statuto")
    return buffer.getvalue()


def _cifrato() -> bytes:
    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(pdf())))
    writer.encrypt("proprietario", "utente")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _file_salvati(settings) -> list[Path]:
    radice = Path(settings.MEDIA_ROOT) / "adesioni"
    return [p for p in radice.rglob("*") if p.is_file()] if radice.exists() else []


def test_un_pdf_vero_e_accettato(mondo_adesioni, settings):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    dati = pdf()
    allegato = statuto(m, richiesta, dati)
    assert (allegato.tipo, allegato.nome_originale, allegato.dimensione) == ("statuto", "statuto.pdf", len(dati))
    salvati = _file_salvati(settings)
    assert len(salvati) == 1 and salvati[0].read_bytes() == dati and salvati[0].name != "statuto.pdf"
    with pytest.raises(DatiNonValidi, match="Questo file è già allegato alla richiesta."):
        statuto(m, richiesta, dati)
    evento = richiesta.eventi.get(azione="allegato_aggiunto")
    assert evento.nota == "Statuto: statuto.pdf"
    sa.allegato_rimuovi(allegato=allegato, utente=m.referente)
    assert not AllegatoAdesione.objects.exists()
    assert richiesta.eventi.filter(azione="allegato_rimosso").count() == 1


@pytest.mark.parametrize("contenuto, messaggio", [
    (_png, "Il file non è un PDF: si accettano solo documenti PDF."),
    (_zip, "Il file non è un PDF: si accettano solo documenti PDF."),
    (lambda: b"<html><body><h1>Statuto</h1></body></html>", "Il file non è un PDF: si accettano solo documenti PDF."),
    (lambda: b"", "Il file è vuoto."),
    (lambda: b"%PDF-1.7\n%%EOF\n", "Il file PDF è danneggiato o incompleto e non può essere letto."),
    (lambda: pdf()[: len(pdf()) // 2], "Il file PDF è danneggiato o incompleto e non può essere letto."),
    (_cifrato, "Il PDF è cifrato o protetto da password: carica una copia non protetta."),
])
def test_i_file_che_non_sono_pdf_leggibili_sono_rifiutati(mondo_adesioni, settings, contenuto, messaggio):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    with pytest.raises(DatiNonValidi) as exc:
        statuto(m, richiesta, contenuto())
    assert exc.value.messaggi == [messaggio]
    assert not AllegatoAdesione.objects.exists() and not _file_salvati(settings)
    assert not richiesta.eventi.filter(azione="allegato_aggiunto").exists()


def test_un_file_troppo_grande_e_rifiutato(mondo_adesioni, settings):
    m = mondo_adesioni
    settings.PIANOZONA_ADESIONE_MAX_ALLEGATO = 2048
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    with pytest.raises(DatiNonValidi, match="Il file supera la dimensione massima di 2,0\u00a0KB."):
        statuto(m, richiesta)
    assert not AllegatoAdesione.objects.exists() and not _file_salvati(settings)


def test_al_massimo_dieci_allegati(mondo_adesioni, settings):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    for n in range(sa.MAX_ALLEGATI):
        sa.allegato_aggiungi(richiesta=richiesta, utente=m.referente, tipo="altro", nome_file=f"doc{n}.pdf",
                             dati=pdf(f"Documento {n}"))
    with pytest.raises(DatiNonValidi, match="al massimo 10 allegati"):
        sa.allegato_aggiungi(richiesta=richiesta, utente=m.referente, tipo="altro", nome_file="uno-di-troppo.pdf",
                             dati=pdf("Uno di troppo"))
    assert richiesta.allegati.count() == 10 and len(_file_salvati(settings)) == 10


# --- attendance records -----------------------------------------------------------------------------------

def _seduta(tavolo, giorni_fa, stato=SedutaTavolo.Stato.SVOLTA, **kw):
    return SedutaTavoloFactory(tavolo=tavolo, stato=stato, data=timezone.now() - datetime.timedelta(days=giorni_fa),
                               **kw)


def test_presenze_dell_ente_dai_registri(mondo_adesioni):
    m = mondo_adesioni
    anziani, disabili = m.tavoli
    terzo = TavoloFactory(piano=m.piano, area=AreaInterventoFactory(regione=m.ambito.asl.regione, nome="Minori"),
                          nome="Tavolo Minori")
    altro_ente, _ = ente_terzo_settore(m.ambito)
    # «Anziani»: 3 held sessions, the body at 2 (twice with two people), one session only planned
    s1, s2, s3 = _seduta(anziani, 40), _seduta(anziani, 20), _seduta(anziani, 10)
    _seduta(anziani, -5, stato=SedutaTavolo.Stato.CONVOCATA)
    for seduta, persone in ((s1, ["Chiara", "Luca"]), (s2, ["Chiara"])):
        for nome in persone:
            PresenzaTavolo.objects.create(seduta=seduta, nominativo=nome, ente=m.ente)
    PresenzaTavolo.objects.create(seduta=s3, nominativo="Altro", ente=altro_ente)
    # «Disabilità»: attended once, not declared; «Minori»: never attended
    PresenzaTavolo.objects.create(seduta=_seduta(disabili, 5), nominativo="Chiara", ente=m.ente)
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    richiesta.tavoli.add(anziani, terzo)

    presenze = sa.presenze_dell_ente(richiesta)
    assert list(presenze) == [anziani.pk, disabili.pk, terzo.pk]
    assert {k: presenze[anziani.pk][k] for k in ("sedute", "presenze", "dichiarato", "confermato")} == {
        "sedute": 3, "presenze": 2, "dichiarato": True, "confermato": True}
    assert presenze[anziani.pk]["ultima"] == timezone.localtime(s2.data).date()
    assert {k: presenze[disabili.pk][k] for k in ("sedute", "presenze", "dichiarato", "confermato")} == {
        "sedute": 1, "presenze": 1, "dichiarato": False, "confermato": True}
    assert {k: presenze[terzo.pk][k] for k in ("sedute", "presenze", "ultima", "dichiarato", "confermato")} == {
        "sedute": 0, "presenze": 0, "ultima": None, "dichiarato": True, "confermato": False}


def test_presenze_in_un_numero_costante_di_query(mondo_adesioni, django_assert_num_queries):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    richiesta.tavoli.add(*m.tavoli)
    richiesta = _fresca(richiesta)
    with django_assert_num_queries(2):
        sa.presenze_dell_ente(richiesta)
    regione = m.ambito.asl.regione
    for n in range(6):
        tavolo = TavoloFactory(piano=m.piano, area=AreaInterventoFactory(regione=regione), nome=f"Tavolo {n}")
        richiesta.tavoli.add(tavolo)
        for giorni in (3, 2, 1):
            PresenzaTavolo.objects.create(seduta=_seduta(tavolo, giorni), nominativo="Chiara", ente=m.ente)
    richiesta = _fresca(richiesta)
    with django_assert_num_queries(2):
        presenze = sa.presenze_dell_ente(richiesta)
    assert len(presenze) == 8 and sum(p["presenze"] for p in presenze.values()) == 18


# --- selectors ----------------------------------------------------------------------------------------------

def test_chi_vede_la_richiesta_e_in_quale_ruolo(mondo_adesioni):
    m = mondo_adesioni
    richiesta = sa.richiesta_crea(accordo=m.accordo, ente=m.ente, utente=m.referente)
    # a draft is the body's own
    assert sel.richiesta_per_utente(m.referente, richiesta.pk) == (richiesta, "ente")
    assert sel.richiesta_per_utente(m.udp, richiesta.pk) == (None, None)
    compila(m, richiesta)
    statuto(m, richiesta)
    sa.invia(richiesta=richiesta, utente=m.referente)
    ruoli = {
        "referente": m.referente, "udp": m.udp, "operatore": m[R.OPERATORE_UDP], "sindaco": m[R.SINDACO],
        "asl": m[R.REFERENTE_ASL], "altro_ente": m[R.REFERENTE_TERZO_SETTORE], "sindacato": m[R.REFERENTE_SINDACATO],
        "tavolo": m[R.COMPONENTE_TAVOLO], "udp_altro": m.udp_altro,
    }
    visti = {nome: sel.richiesta_per_utente(p, richiesta.pk)[1] for nome, p in ruoli.items()}
    assert visti == {"referente": "ente", "udp": "udp", "operatore": "udp", "sindaco": "lettore", "asl": "lettore",
                     "altro_ente": None, "sindacato": None, "tavolo": None, "udp_altro": None}
    assert sel.richiesta_per_utente(m.udp, 987_654) == (None, None)


def test_elenchi_delle_richieste(mondo_adesioni):
    m = mondo_adesioni
    inviata = pronta(m, S.INVIATA)
    altro, referente_altro = ente_terzo_settore(m.ambito)
    RichiestaAdesioneFactory(accordo=m.accordo, ente=altro)  # a draft: not for the reviewers
    terzo, _ = ente_terzo_settore(m.ambito)
    RichiestaAdesioneFactory(accordo=m.accordo, ente=terzo, stato=S.IN_ISTRUTTORIA, inviata_il=timezone.now())
    richieste, conteggi = sel.richieste_da_esaminare(m.accordo)
    assert conteggi == {S.INVIATA: 1, S.IN_ISTRUTTORIA: 1}
    assert {r.ente for r in richieste} == {m.ente, terzo}
    assert next(r for r in richieste if r.pk == inviata.pk).valore_totale == 510_050
    assert [r.ente for r in sel.richieste_dell_utente(referente_altro)] == [altro]
    assert [r.pk for r in sel.richieste_dell_utente(m.referente)] == [inviata.pk]
    assert not sel.richieste_dell_utente(m.udp).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_due_revisori_davvero_insieme(mondo_adesioni):
    """Real concurrency (PostgreSQL): one accepts while the other refuses; exactly one wins."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("la concorrenza reale si verifica su PostgreSQL (DATABASE_URL=postgres://…)")
    m = mondo_adesioni
    richiesta = pronta(m, S.IN_ISTRUTTORIA)
    barriera = threading.Barrier(2)
    esiti: list[object] = [None, None]

    def tenta(i, funzione, utente, **kw):
        try:
            barriera.wait(timeout=10)
            esiti[i] = funzione(richiesta=_fresca(richiesta), utente=utente, stato_atteso=S.IN_ISTRUTTORIA, **kw)
        except Exception as exc:  # noqa: BLE001 - the loser's refusal is the point
            esiti[i] = exc
        finally:
            connections.close_all()

    fili = [threading.Thread(target=tenta, args=(0, sa.respingi, m[R.RESPONSABILE_UDP]),
                             kwargs={"nota": "Nessuna partecipazione."}),
            threading.Thread(target=tenta, args=(1, sa.richiedi_integrazione, m[R.OPERATORE_UDP]),
                             kwargs={"nota": "Allegate il bilancio."})]
    for f in fili:
        f.start()
    for f in fili:
        f.join(timeout=60)
    vinti = [e for e in esiti if isinstance(e, RichiestaAdesione)]
    persi = [e for e in esiti if isinstance(e, StatoCambiato)]
    assert len(vinti) == 1 and len(persi) == 1, esiti
    assert "La richiesta è cambiata nel frattempo" in str(persi[0])
    richiesta = _fresca(richiesta)
    assert richiesta.stato == vinti[0].stato
    assert richiesta.eventi.filter(azione__in=["respingi", "richiedi_integrazione"]).count() == 1
