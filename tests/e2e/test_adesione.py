"""User story: a Terzo Settore body adheres to an Accordo di Programma.

The body registers itself on the public portal (legal form, codice fiscale, RUNTS, seat; its
referent is also its legal representative) and confirms the e-mail address by following the
link in the mail. It asks to adhere to the Accordo open for signature: the areas, the tavolo it
attended (the attendance register confirms it), two resources of its own (money and staff
hours) and its statute in PDF. The Ufficio di Piano takes the request in charge and asks for
more; the body reads the note, adds its volunteers, rewrites the statement and sends the
integrations; the Ufficio di Piano accepts. The adesione act is rendered and sealed, and the
legal representative signs it in the browser with a demo certificate the development CA issues
on the spot. A signed-out visitor then finds the body among the Accordo's adherents, with what
it brings. Every step reaches the body (and, where it matters, the Ufficio di Piano) by e-mail."""

import datetime
import os
import re
import time
from urllib.parse import urlparse

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect
from weasyprint import HTML

from accordi.firme import pki
from accordi.models import Documento, Firmatario, RichiestaAdesione, StatoAdesione
from ambiti.models import Ente, Incarico, Utente
from tavoli.models import PresenzaTavolo, SedutaTavolo

from ..accordi.accordo_dati import completa
from ..factories import (
    AmbitoFactory,
    AreaInterventoFactory,
    CicloFactory,
    ComuneFactory,
    SedutaTavoloFactory,
    TavoloFactory,
    accordo_in_sottoscrizione,
    cf_ente,
    cf_persona,
    crea_piano,
    utente_con_ruolo,
)
from ..pki import PASS
from .conftest import accedi
from .test_tavoli import campo, spunta

R = Incarico.Ruolo
S = StatoAdesione
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TITOLO = "Piano di Zona 2025-2027 – Pavia"
ENTE = "Associazione Il Girasole ODV"
EMAIL = "chiara.moretti@ilgirasole.example.it"
PASSWORD = "Girasole-in-fiore-2025"
CF_ENTE = cf_ente(424_242)
CF_REFERENTE = cf_persona(42)


def messaggio(pagina, testo):
    expect(pagina.locator(".messaggi").get_by_role("alert")).to_contain_text(testo)


def posta(mailoutbox, oggetto: str, a: str):
    """The one e-mail whose subject starts with ``oggetto``, sent to ``a`` alone."""
    trovati = [m for m in mailoutbox if m.subject.startswith(oggetto) and m.to == [a]]
    assert len(trovati) == 1, [(m.subject, m.to) for m in mailoutbox]
    return trovati[0]


def segui_il_link(pagina, messaggio_email):
    """Open the link of an e-mail: its host is the configured site, its path is on the test server."""
    link = re.search(r"https?://\S+", messaggio_email.body).group(0)
    pagina.goto(urlparse(link).path)


@pytest.fixture
def accordo_aperto(db, pki_attiva, settings, tmp_path):
    """An Accordo open for signature (its plan in ``sottoscrizione``), with the tavolo Anziani
    that met once; the development CA on this machine, which issues demo certificates on the
    spot to a legal representative who has none."""
    cache.clear()  # the portal's rate limits count in the (LocMem) cache
    settings.PIANOZONA_PKI_DIR = tmp_path / "pki"
    settings.PIANOZONA_PKI_DIR.mkdir()
    pki.salva_pkcs12(pki_attiva.ca_key, pki_attiva.ca_cert, None, settings.PIANOZONA_PKI_DIR / "ca.p12", PASS)

    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia",
                           comuni=[ComuneFactory(denominazione=n) for n in ("Pavia", "Certosa di Pavia")])
    piano = crea_piano(ambito, stato="accordo", ciclo=CicloFactory(), titolo=TITOLO)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia", last_name="Ferri")
    completa(piano, udp)
    accordo = accordo_in_sottoscrizione(piano=piano)
    regione = ambito.asl.regione
    anziani, _ = (AreaInterventoFactory(regione=regione, codice=c, nome=n)
                  for c, n in (("anziani", "Anziani"), ("disabilita", "Disabilità")))
    tavolo = TavoloFactory(piano=piano, area=anziani, nome="Tavolo Anziani")
    seduta = SedutaTavoloFactory(tavolo=tavolo, stato=SedutaTavolo.Stato.SVOLTA,
                                 data=timezone.now() - datetime.timedelta(days=40))
    cache.clear()
    yield accordo, seduta
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_un_ente_si_registra_chiede_l_adesione_e_la_firma(nuova_sessione, screenshot, accordo_aperto, mailoutbox):
    inizio = time.monotonic()
    accordo, seduta = accordo_aperto

    # --- 1. the body registers on the public portal
    ente = nuova_sessione()
    ente.goto("/terzo-settore/")
    expect(ente.get_by_test_id("accordi-aperti")).to_contain_text(TITOLO)
    screenshot(ente, "01-portale")
    ente.get_by_role("link", name="Registra l'ente").click()
    modulo = ente.get_by_test_id("modulo-registrazione")
    campo(modulo, "Denominazione dell'ente").fill(ENTE)
    campo(modulo, "Forma giuridica").select_option(label="Organizzazione di volontariato (ODV)")
    campo(modulo, "Sezione del RUNTS").select_option(label="a) Organizzazioni di volontariato")
    campo(modulo, "Numero di iscrizione al RUNTS").fill("PV-2023-0042")
    campo(modulo, "Codice fiscale dell'ente").fill(CF_ENTE)
    campo(modulo, "Sede legale").fill("Via dei Mille 12, 27100 Pavia")
    spunta(modulo, "Ambito distrettuale di Pavia")
    campo(modulo, "Nome").fill("Chiara")
    campo(modulo, "Cognome").fill("Moretti")
    campo(modulo, "Codice fiscale").fill(CF_REFERENTE)
    campo(modulo, "E-mail").fill(EMAIL)
    campo(modulo, "Password").fill(PASSWORD)
    campo(modulo, "Ripeti la password").fill(PASSWORD)
    spunta(modulo, "Il referente è il legale rappresentante")
    spunta(modulo, "Ho letto come vengono trattati i dati personali")
    screenshot(ente, "02-registrazione")
    ente.get_by_role("button", name="Invia la richiesta di registrazione").click()
    expect(ente.get_by_role("heading", level=1)).to_have_text("Controlla la tua casella di posta")
    screenshot(ente, "03-registrazione-inviata")
    assert not Ente.objects.filter(codice_fiscale=CF_ENTE).exists()  # nothing until the link is used

    # --- 2. it confirms the address from the mail, and is signed in as the body's referent
    segui_il_link(ente, posta(mailoutbox, "PianoZona: conferma la registrazione dell'ente", EMAIL))
    expect(ente.get_by_role("heading", level=1)).to_have_text("Conferma la registrazione")
    expect(ente.locator("main")).to_contain_text(ENTE)
    screenshot(ente, "04-conferma")
    ente.get_by_role("button", name="Conferma e accedi").click()
    messaggio(ente, f"l'ente «{ENTE}» è registrato")
    expect(ente.get_by_role("heading", level=1)).to_have_text("Area dell'ente")
    screenshot(ente, "05-area-ente")
    registrato = Ente.objects.get(codice_fiscale=CF_ENTE)
    assert (registrato.forma_giuridica, registrato.sezione_runts, registrato.numero_runts) == (
        "odv", "a", "PV-2023-0042")
    assert registrato.registrazione.legale_rappresentante == "Chiara Moretti"
    assert registrato.registrazione.legale_rappresentante_cf == CF_REFERENTE
    # The tavolo's register of that session names the body (recorded by the coordinator, who
    # links the body's people to it now that the body is in the registry).
    PresenzaTavolo.objects.create(seduta=seduta, nominativo="Chiara Moretti", ente=registrato)

    # --- 3. it asks to adhere: areas, the tavolo, two resources, the statute; then sends it
    ente.get_by_test_id(f"accordo-{accordo.pk}").get_by_role("button", name=re.compile("^Chiedi l'adesione")).click()
    messaggio(ente, "Richiesta di adesione creata come bozza")
    expect(ente.get_by_test_id("stato-adesione")).to_have_text("Bozza")
    campo(ente, "Dichiarazione dell'ente").fill(
        "L'associazione ha partecipato al tavolo Anziani e gestisce da dieci anni il trasporto sociale.")
    spunta(ente, "Anziani")
    spunta(ente, "Tavolo Anziani – nei registri: presente a 1 seduta su 1")
    ente.get_by_label("Tipo – risorsa 1").select_option(label="Risorse economiche (euro)")
    ente.get_by_label("Descrizione – risorsa 1").fill("Cofinanziamento del trasporto sociale")
    ente.get_by_label("Valore in euro – risorsa 1").fill("1.500,00")
    ente.get_by_label("Tipo – risorsa 2").select_option(label="Ore di personale")
    ente.get_by_label("Descrizione – risorsa 2").fill("Coordinatrice dei volontari")
    ente.get_by_label("Quantità – risorsa 2").fill("120")
    ente.get_by_label("Valore in euro – risorsa 2").fill("3.000,00")
    ente.get_by_role("button", name="Salva le modifiche").click()
    messaggio(ente, "Modifiche salvate.")
    expect(ente.get_by_test_id("mancanze")).to_contain_text("Allega lo statuto dell'ente in PDF.")
    statuto = HTML(string="<h1>Statuto dell'Associazione Il Girasole ODV</h1><p>Art. 1 – Denominazione</p>").write_pdf()
    campo(ente, "Tipo di documento").select_option(label="Statuto")
    campo(ente, "File PDF").set_input_files(files=[{"name": "statuto.pdf", "mimeType": "application/pdf",
                                                     "buffer": statuto}])
    ente.get_by_role("button", name="Carica l'allegato").click()
    messaggio(ente, "Allegato caricato.")
    expect(ente.get_by_test_id("allegati-adesione")).to_contain_text("statuto.pdf")
    expect(ente.get_by_test_id("mancanze")).to_have_count(0)
    screenshot(ente, "06-richiesta-compilata")
    ente.get_by_role("button", name="Invia la richiesta").click()
    messaggio(ente, "Richiesta inviata all'Ufficio di Piano")
    expect(ente.get_by_test_id("stato-adesione")).to_have_text("Inviata")
    expect(ente.get_by_test_id("risorse-adesione")).to_contain_text("1.500,00")
    expect(ente.get_by_test_id("totale-risorse")).to_have_text("4.500,00")
    screenshot(ente, "07-richiesta-inviata")
    richiesta = RichiestaAdesione.objects.get(ente=registrato)
    posta(mailoutbox, "Richiesta di adesione inviata:", EMAIL)
    nuova = posta(mailoutbox, f"Nuova richiesta di adesione all'Accordo: {ENTE}", "udp@example.it")
    assert "4.500,00 euro" in nuova.body

    # --- 4. the Ufficio di Piano takes it in charge and asks for more
    udp = nuova_sessione()
    accedi(udp, "udp")
    udp.get_by_test_id("adesioni-da-esaminare").get_by_role("link", name=TITOLO).click()
    expect(udp.get_by_test_id("gruppo-inviata")).to_contain_text(ENTE)
    screenshot(udp, "08-richieste-da-esaminare")
    udp.get_by_role("link", name=ENTE).click()
    udp.get_by_test_id("azione-prendi-in-carico").get_by_role("button", name="Prendi in carico").click()
    messaggio(udp, "Richiesta presa in carico")
    expect(udp.get_by_test_id("stato-adesione")).to_have_text("In istruttoria")
    presenze = udp.get_by_test_id("verifica-presenze")
    expect(presenze).to_contain_text("Tavolo Anziani")
    expect(presenze).to_contain_text("confermato")
    expect(presenze).to_contain_text("presente a 1 seduta su 1")
    expect(udp.get_by_test_id("dati-ente")).to_contain_text("sezione a) Organizzazioni di volontariato, numero "
                                                             "PV-2023-0042")
    expect(udp.get_by_test_id("firmatario")).to_contain_text(f"Chiara Moretti, con un certificato di firma intestato "
                                                             f"al codice fiscale {CF_REFERENTE}")
    screenshot(udp, "09-istruttoria")
    nota = "Indicate anche i volontari che accompagnano gli anziani alle visite e il loro valore stimato."
    integrazioni = udp.get_by_test_id("azione-chiedi-integrazioni")
    integrazioni.get_by_label("Che cosa deve integrare l'ente (obbligatorio)").fill(nota)
    integrazioni.get_by_role("button", name="Chiedi integrazioni").click()
    messaggio(udp, "Integrazioni richieste")
    expect(udp.get_by_test_id("nessuna-azione")).to_contain_text("In attesa delle integrazioni dell'ente")
    posta(mailoutbox, "Richiesta di adesione in istruttoria:", EMAIL)
    assert nota in posta(mailoutbox, "Integrazioni richieste per l'adesione:", EMAIL).body

    # --- 5. the body reads the note, completes the request and sends the integrations
    ente.goto(f"/adesioni/{richiesta.pk}/")
    expect(ente.get_by_test_id("stato-adesione")).to_have_text("Integrazione richiesta")
    expect(ente.get_by_test_id("note-udp")).to_contain_text(nota)
    screenshot(ente, "10-integrazioni-richieste")
    expect(ente.get_by_label("Valore in euro – risorsa 1")).to_have_value("1.500,00")
    expect(ente.get_by_label("Quantità – risorsa 1")).to_have_value("")  # money: the amount is the value
    campo(ente, "Dichiarazione dell'ente").fill(
        "L'associazione ha partecipato al tavolo Anziani, gestisce da dieci anni il trasporto sociale e mette a "
        "disposizione sei volontari per accompagnare gli anziani alle visite mediche.")
    ente.get_by_label("Tipo – risorsa 3").select_option(label="Volontari")
    ente.get_by_label("Descrizione – risorsa 3").fill("Accompagnamento alle visite mediche")
    ente.get_by_label("Quantità – risorsa 3").fill("6")
    ente.get_by_label("Valore in euro – risorsa 3").fill("1.200,00")
    ente.get_by_role("button", name="Salva le modifiche").click()
    messaggio(ente, "Modifiche salvate.")
    ente.get_by_role("button", name="Invia le integrazioni").click()
    messaggio(ente, "Integrazioni inviate")
    expect(ente.get_by_test_id("stato-adesione")).to_have_text("In istruttoria")
    expect(ente.get_by_test_id("totale-risorse")).to_have_text("5.700,00")
    screenshot(ente, "11-integrazioni-inviate")
    posta(mailoutbox, "Integrazioni inviate:", EMAIL)
    posta(mailoutbox, f"Integrazioni ricevute: {ENTE}", "udp@example.it")

    # --- 6. the Ufficio di Piano accepts: the act is rendered, sealed and sent for signature
    udp.reload()
    expect(udp.get_by_test_id("stato-adesione")).to_have_text("In istruttoria")
    expect(udp.get_by_test_id("cronologia-adesione")).to_contain_text("Integrazione richiesta → In istruttoria")
    udp.get_by_test_id("azione-accogli").get_by_label("Nota per l'ente (facoltativa)").fill(
        "Benvenuti fra gli aderenti all'Accordo.")
    udp.get_by_test_id("azione-accogli").get_by_role("button", name="Accogli").click()
    messaggio(udp, "Richiesta accolta")
    expect(udp.get_by_test_id("stato-adesione")).to_have_text("Accolta – in attesa di firma")
    screenshot(udp, "12-accolta")
    richiesta.refresh_from_db()
    assert richiesta.documento.tipo == Documento.Tipo.ADESIONE
    assert richiesta.documento.stato == Documento.Stato.PRONTO and richiesta.documento.sigillato
    accolta = posta(mailoutbox, "Richiesta di adesione accolta:", EMAIL)
    assert "Chiara Moretti" in accolta.body and "Benvenuti fra gli aderenti" in accolta.body

    # --- 7. the legal representative signs the act in the browser, from the invitation
    segui_il_link(ente, posta(mailoutbox, "Richiesta di firma: Atto di adesione", EMAIL))
    expect(ente.get_by_role("heading", level=1)).to_contain_text(f"Atto di adesione di {ENTE}")
    expect(ente.get_by_test_id("area-firma")).to_be_visible()
    expect(ente.get_by_text("NON è una firma digitale qualificata")).to_be_visible()
    screenshot(ente, "13-atto-da-firmare")
    ente.get_by_role("button", name="Firma con il certificato dimostrativo").click()
    messaggio(ente, "Firmato con il certificato dimostrativo")
    riga = ente.get_by_test_id("tabella-firme").locator("tbody tr")
    expect(riga).to_contain_text("Firmato")
    expect(riga).to_contain_text("MORETTI CHIARA")
    screenshot(ente, "14-atto-firmato")
    firmatario = Firmatario.objects.get(richiesta__documento=richiesta.documento)
    assert (firmatario.metodo, firmatario.codice_fiscale) == (Firmatario.Metodo.DEMO, CF_REFERENTE)
    richiesta.refresh_from_db()
    assert richiesta.stato == S.SOTTOSCRITTA
    posta(mailoutbox, "Adesione all'Accordo sottoscritta:", EMAIL)
    posta(mailoutbox, f"Nuovo aderente all'Accordo: {ENTE}", "udp@example.it")

    # the act's page leads back to the request, not to the plan's pages the body cannot open
    expect(ente.get_by_role("navigation", name="Percorso")).not_to_contain_text(TITOLO)
    ente.get_by_role("link", name="Vai alla richiesta di adesione").click()
    expect(ente.get_by_test_id("stato-adesione")).to_have_text("Sottoscritta")
    expect(ente.get_by_test_id("atto-adesione")).to_contain_text("L'atto di adesione è stato firmato il")
    screenshot(ente, "15-adesione-sottoscritta")

    # --- 8. anyone, signed out, finds the body among the Accordo's adherents with what it brings
    pubblico = nuova_sessione()
    pubblico.goto("/terzo-settore/")
    pubblico.get_by_test_id("accordi-aperti").get_by_role("link", name=TITOLO).click()
    expect(pubblico.get_by_role("heading", level=1)).to_have_text(f"Accordo di Programma – {TITOLO}")
    aderente = pubblico.get_by_test_id("aderente")
    expect(aderente).to_have_count(1)
    expect(aderente.get_by_role("heading")).to_have_text(ENTE)
    expect(aderente).to_contain_text("Organizzazione di volontariato (ODV)")
    for testo in ("Cofinanziamento del trasporto sociale", "1.500,00", "Coordinatrice dei volontari", "120",
                  "Accompagnamento alle visite mediche", "5.700,00"):
        expect(aderente).to_contain_text(testo)
    soldi = aderente.get_by_role("row", name=re.compile("^Risorse economiche"))
    expect(soldi.get_by_role("cell")).to_have_text(
        ["Risorse economiche (euro)", "Cofinanziamento del trasporto sociale", "—", "1.500,00"])
    expect(pubblico.locator("main")).not_to_contain_text(CF_REFERENTE)  # no person's data in public
    expect(pubblico.locator("main")).not_to_contain_text(EMAIL)
    screenshot(pubblico, "16-accordo-pubblico")

    # one e-mail per step, to the right people, and nothing else
    assert sorted((m.to[0], m.subject.split(":")[0]) for m in mailoutbox) == sorted([
        (EMAIL, "PianoZona"),
        (EMAIL, "Richiesta di adesione inviata"), ("udp@example.it", "Nuova richiesta di adesione all'Accordo"),
        (EMAIL, "Richiesta di adesione in istruttoria"), (EMAIL, "Integrazioni richieste per l'adesione"),
        (EMAIL, "Integrazioni inviate"), ("udp@example.it", "Integrazioni ricevute"),
        (EMAIL, "Richiesta di adesione accolta"), (EMAIL, "Richiesta di firma"),
        (EMAIL, "Adesione all'Accordo sottoscritta"), ("udp@example.it", "Nuovo aderente all'Accordo"),
    ])
    assert Utente.objects.get(email=EMAIL).username == EMAIL
    print(f"\npercorso dell'adesione: {time.monotonic() - inizio:.1f} s")
