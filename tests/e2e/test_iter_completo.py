"""User story: one plan through the whole iter, from «Avvio» to «Vigente», in the browser.

Each step is done by the role that owns it (ITER.md), each person in their own browser context:
the Ufficio di Piano creates the plan; the Assemblea dei Sindaci votes the atto di indirizzo (the
Ufficio di Piano prepares the session, the Presidente convenes it, the mayors join and vote, the
Presidente proclaims); the Ufficio di Piano records its constitution and the atto di indirizzo,
sets up the tavolo Anziani, which a Terzo Settore body joins; the tavolo meets and its minutes are
approved; the draft is written and sent to two unions, who give their parere; the Assemblea
approves the final text and designates the ente capofila; the mayors sign the final text; the
Presidente licenses the plan; the ASL gives its intesa; the Ufficio di Piano completes the
Accordo with a cost item and opens the signatures; the mayors and the ASL sign in the browser
and the plan enters into force; the Terzo Settore body asks to adhere, the Ufficio di Piano
accepts, its legal representative signs, and the public page of the Accordo lists the body.

Every new kind of page reached is checked with axe-core (WCAG 2.1 A/AA) and photographed
(test-artifacts/screenshots/<test>-iter-NN-<step>.png). Only the world (territory, people, the
test PKI, the body already registered on the portal, which tests/e2e/test_adesione.py walks) is
set up with factories; every step of the iter goes through the pages."""

import datetime
import os
import re
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect
from weasyprint import HTML

from accordi.models import (
    AccordoDiProgramma,
    Consultazione,
    Documento,
    Firmatario,
    PianoDiZona,
    RichiestaAdesione,
    StatoAdesione,
)
from ambiti.models import Incarico
from ambiti.services import incarico_assegna
from tavoli.models import SedutaTavolo, Tavolo

from ..factories import (
    AmbitoFactory,
    CicloFactory,
    ComuneFactory,
    UtenteFactory,
    ente_terzo_settore,
    referente_di,
    sindacato_di,
    sindaco_di,
    utente_con_ruolo,
)
from .accessibilita import controlla
from .conftest import accedi
from .test_piano_contenuto import scrivi_sezione
from .test_tavoli import campo, spunta

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TITOLO = "Piano di Zona 2025-2027 – Pavia"
AMBITO = "Ambito distrettuale di Pavia"
COMUNI = [("Pavia", 71_159, "Anna", "Bianchi"), ("Cava Manara", 6_700, "Marco", "Verdi")]
ENTE_TS = "Associazione Il Girasole ODV"
SEZIONE = "Il contesto: popolazione"


def messaggio(pagina, testo):
    expect(pagina.locator(".messaggi").get_by_role("alert")).to_contain_text(testo)


@pytest.fixture
def sessione(browser, live_server):
    """A fresh browser context per role (its own cookies), where the site's
    Content-Security-Policy does not stop axe (as tests/e2e/test_accessibilita.py does)."""
    contesti = []

    def apri():
        contesto = browser.new_context(base_url=live_server.url, locale="it-IT",
                                       viewport={"width": 1280, "height": 900}, bypass_csp=True)
        contesti.append(contesto)
        return contesto.new_page()

    yield apri
    for contesto in contesti:
        contesto.close()


class Passi:
    """Screenshot and, on each new kind of page, the axe check."""

    def __init__(self, screenshot):
        self.screenshot = screenshot
        self.controllate: set[str] = set()
        self.n = 0

    def __call__(self, pagina, passo, tipo=None):
        self.n += 1
        pagina.wait_for_load_state("networkidle")
        self.screenshot(pagina, f"iter-{self.n:02d}-{passo}")
        tipo = tipo or passo
        if tipo not in self.controllate:
            self.controllate.add(tipo)
            controlla(pagina, f"{passo} ({tipo})")


def seduta_dell_assemblea(passo, udp, presidente, sindaci, url_assemblea, punti, nome):
    """The Ufficio di Piano prepares a session with ``punti`` (oggetto, kind, fill the rest), the
    Presidente convenes and opens it, every mayor joins and votes in favour of each item, the
    Presidente closes each vote and proclaims its result. Returns the session's address."""
    udp.goto(url_assemblea)
    udp.get_by_role("link", name="Prepara una seduta").click()
    quando = timezone.localtime(timezone.now() + datetime.timedelta(days=7)).replace(hour=17, minute=30)
    udp.get_by_label("Data e ora").fill(quando.strftime("%Y-%m-%dT%H:%M"))
    udp.get_by_label("Luogo").fill("Sala consiliare, Piazza del Municipio 2, Pavia")
    udp.get_by_role("button", name="Crea la seduta").click()
    messaggio(udp, "Seduta creata")
    url_seduta = udp.url
    for oggetto, tipo, compila in punti:
        udp.get_by_role("link", name="Aggiungi un punto all'ordine del giorno").click()
        udp.get_by_label("Oggetto").fill(oggetto)
        udp.get_by_label("Deliberazione proposta").select_option(label=tipo)
        compila(udp)
        passo(udp, f"{nome}-punto", "punto-ordine-del-giorno")
        udp.get_by_role("button", name="Aggiungi il punto").click()
        messaggio(udp, "Punto aggiunto all'ordine del giorno.")

    presidente.goto(url_seduta)
    presidente.get_by_role("button", name="Convoca la seduta").click()
    messaggio(presidente, "Seduta convocata")
    for (comune, *_resto), pagina in zip(COMUNI, sindaci, strict=True):
        pagina.goto(url_seduta)
        pagina.get_by_role("button", name="Segnala la mia presenza").click()
        messaggio(pagina, "La tua presenza è registrata.")
        expect(pagina.get_by_test_id(f"seggio-{comune}")).to_contain_text("Presente")
    expect(presidente.get_by_test_id("quorum")).to_contain_text("Raggiunto", timeout=10_000)
    presidente.get_by_role("button", name="Apri la seduta").click()
    messaggio(presidente, "Seduta aperta")

    for numero in range(1, len(punti) + 1):
        presidente.get_by_test_id(f"punto-{numero}").get_by_role("button", name="Apri la votazione").click()
        messaggio(presidente, "Votazione aperta")
        for (comune, *_resto), pagina in zip(COMUNI, sindaci, strict=True):
            pagina.reload()
            scheda = pagina.get_by_test_id(f"vota-{comune}")
            if numero == 1 and comune == "Pavia":
                passo(pagina, f"{nome}-scheda-di-voto", "scheda-di-voto")
            scheda.get_by_role("button", name="Favorevole", exact=True).click()
            messaggio(pagina, f"Voto registrato per {comune}")
        presidente.reload()
        punto = presidente.get_by_test_id(f"punto-{numero}")
        punto.get_by_role("button", name="Chiudi la votazione").click()
        messaggio(presidente, "Votazione chiusa")
        presidente.get_by_test_id(f"punto-{numero}").get_by_role("button", name="Proclama l'esito").click()
        messaggio(presidente, "Esito proclamato.")
    expect(presidente.get_by_test_id("risultato").first).to_contain_text("Approvata")
    passo(presidente, f"{nome}-esito", "seduta-esito")
    presidente.get_by_role("button", name="Chiudi la seduta").click()
    messaggio(presidente, "Seduta chiusa")
    # The pages of a session in progress poll it every few seconds: the mayors leave it, so that
    # no request of theirs meets the next steps' writes in the test server's SQLite database.
    for pagina in sindaci:
        pagina.goto("about:blank")
    return url_seduta


def firma_nel_browser(pagina, documento, passo, nome):
    """The signer opens the act and signs it with the demo certificate."""
    pagina.goto(reverse("accordi:documento", args=[documento.pk]))
    expect(pagina.get_by_test_id("area-firma")).to_be_visible()
    pagina.get_by_role("button", name="Firma con il certificato dimostrativo").click()
    messaggio(pagina, "Firmato con il certificato dimostrativo")
    passo(pagina, nome, "documento-firmato")


@pytest.mark.django_db(transaction=True)
def test_un_piano_dall_avvio_al_vigore_e_un_adesione_del_terzo_settore(
    sessione, screenshot, pki_attiva, mailoutbox
):
    inizio = time.monotonic()
    passo = Passi(screenshot)

    # --- the world: two Comuni, their mayors, the Presidente, the Ufficio di Piano, the ASL,
    # two unions, a Terzo Settore body already registered on the portal; a cycle to 2027
    comuni = [ComuneFactory(denominazione=nome, popolazione=abitanti) for nome, abitanti, *_ in COMUNI]
    ambito = AmbitoFactory(nome=AMBITO, comuni=comuni)
    CicloFactory(validita_fine=datetime.date(2027, 12, 31))
    udp_u = utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia", last_name="Ferri")
    presidente_u = utente_con_ruolo(R.PRESIDENTE_ASSEMBLEA, ambito, username="presidente", first_name="Carlo",
                                    last_name="Rossi")
    sindaci_u = [sindaco_di(c, ambito, username=f"sindaco{i}", first_name=nome, last_name=cognome)
                 for i, (c, (_n, _a, nome, cognome)) in enumerate(zip(comuni, COMUNI, strict=True), start=1)]
    asl_u = utente_con_ruolo(R.REFERENTE_ASL, ambito, username="asl", first_name="Paolo", last_name="Gallo")
    cgil = sindacato_di(ambito, denominazione="CGIL Pavia")
    uil = sindacato_di(ambito, livello="pensionati", denominazione="UIL Pensionati Pavia")
    sindacalisti = {"cgil": referente_di(cgil, ambito, username="cgil", first_name="Laura", last_name="Conti"),
                    "uil": referente_di(uil, ambito, username="uil", first_name="Luca", last_name="Moro")}
    ets_u = UtenteFactory(username="ets", first_name="Chiara", last_name="Moretti")
    ente_ts, _ = ente_terzo_settore(ambito, referente=ets_u, denominazione=ENTE_TS,
                                    legale_rappresentante="Chiara Moretti",
                                    legale_rappresentante_cf=ets_u.codice_fiscale)
    incarico_assegna(utente=ets_u, ruolo=R.REFERENTE_TERZO_SETTORE, ambito=ambito, ente=ente_ts)
    for persona in (*sindaci_u, asl_u, ets_u):
        pki_attiva.p12_demo(persona)  # everyone signs in the browser with the demo certificate
    url_assemblea = reverse("tavoli:assemblea", args=[ambito.pk])

    # --- 1. avvio: the Ufficio di Piano creates the plan
    udp = sessione()
    accedi(udp, "udp")
    passo(udp, "scrivania-udp")
    udp.goto(reverse("accordi:piani"))
    udp.get_by_role("link", name="Nuovo piano").click()
    udp.get_by_label("Ciclo di programmazione").select_option(index=1)
    spunta(udp, AMBITO)
    udp.get_by_label("Titolo").fill(TITOLO)
    passo(udp, "nuovo-piano")
    udp.get_by_role("button", name=re.compile("^Crea")).click()
    messaggio(udp, "Piano creato")
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Avvio")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx
    piano = PianoDiZona.objects.get(titolo=TITOLO)
    url_piano = reverse("accordi:piano", args=[piano.pk])
    passo(udp, "piano-avvio", "piano")

    # --- 2. the Assemblea votes the atto di indirizzo
    presidente = sessione()
    accedi(presidente, "presidente")
    sindaci = []
    for sindaco in sindaci_u:
        pagina = sessione()
        accedi(pagina, sindaco.username)
        sindaci.append(pagina)
    passo(sindaci[0], "scrivania-sindaco")

    def priorita(pagina):
        pagina.get_by_label("Priorità e obiettivi").fill(
            "Non autosufficienza: potenziare l'assistenza domiciliare\n"
            "Contrasto alla povertà: rafforzare il segretariato sociale nei piccoli Comuni")

    seduta_dell_assemblea(passo, udp, presidente, sindaci, url_assemblea,
                          [("Atto di indirizzo per il Piano di Zona 2025-2027", "Atto di indirizzo (priorità e "
                                                                                 "obiettivi)", priorita)],
                          "assemblea-indirizzo")

    # --- 3. the Ufficio di Piano records its constitution, then the atto di indirizzo
    udp.goto(url_assemblea)
    passo(udp, "assemblea")
    udp.get_by_role("link", name="Registra la costituzione").click()
    udp.get_by_label("Responsabile").select_option(str(udp_u.pk))
    udp.get_by_label("Atto costitutivo").fill("Convenzione per la gestione associata dei servizi sociali, art. 4")
    udp.get_by_label("Costituito il").fill(timezone.localdate().isoformat())
    primo = udp.get_by_role("group", name="Componente n. 1")
    primo.get_by_label("Utente PianoZona").select_option(str(udp_u.pk))
    primo.get_by_label("Funzione").fill("responsabile")
    secondo = udp.get_by_role("group", name="Componente n. 2")
    secondo.get_by_label("Nome e cognome").fill("Luca Verdi")
    secondo.get_by_label("Funzione").fill("assistente sociale")
    passo(udp, "ufficio-di-piano")
    udp.get_by_role("button", name="Registra", exact=True).click()
    messaggio(udp, "Costituzione dell'Ufficio di Piano registrata.")

    udp.goto(url_piano)
    azione = udp.get_by_test_id("azione-approva_atto_indirizzo")
    expect(azione).not_to_contain_text("Ancora necessario")
    azione.get_by_role("button", name="Approva atto di indirizzo").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Atto di indirizzo")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx
    passo(udp, "piano-indirizzo", "piano")

    # --- 4. istruttoria: the tavolo Anziani, which the Terzo Settore body joins
    udp.get_by_role("link", name="Nuovo tavolo").first.click()
    campo(udp, "Area di intervento").select_option(label="Anziani")
    campo(udp, "Coordinatore").select_option(label="Giulia Ferri (udp)")
    campo(udp, "Mandato").fill("Ricostruire bisogni e offerta dell'area anziani.")
    passo(udp, "nuovo-tavolo")
    udp.get_by_role("button", name="Costituisci il tavolo").click()
    expect(udp.get_by_role("heading", level=1)).to_contain_text("Anziani")
    tavolo = Tavolo.objects.get(piano=piano)
    udp.goto(url_piano)
    udp.get_by_test_id("azione-avvia_istruttoria").get_by_role("button").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Istruttoria")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx

    terzo = sessione()
    accedi(terzo, "ets")
    terzo.goto(reverse("tavoli:tavoli_piano", args=[piano.pk]))
    passo(terzo, "tavoli-del-piano")
    terzo.get_by_role("link", name="Chiedi di partecipare – Tavolo Anziani").click()
    campo(terzo, "Che cosa porta l'ente al tavolo").fill("Gestiamo il trasporto sociale degli anziani.")
    terzo.locator("#adesione").get_by_role("button").click()
    expect(terzo.get_by_role("alert").first).to_contain_text("Richiesta")
    udp.goto(reverse("tavoli:tavolo", args=[tavolo.pk]))
    udp.get_by_role("button", name="Ammetti Chiara Moretti").click()
    expect(udp.get_by_test_id("componenti")).to_contain_text(ENTE_TS)
    passo(udp, "tavolo")

    # --- 5. the tavolo meets; its minutes are approved; the draft begins
    udp.goto(reverse("tavoli:seduta_tavolo_nuova", args=[tavolo.pk]))
    ieri = timezone.localtime() - datetime.timedelta(days=1)
    campo(udp, "Data e ora").fill(ieri.strftime("%Y-%m-%dT15:00"))
    campo(udp, "Luogo").fill("Sala riunioni del Comune di Pavia")
    campo(udp, "Ordine del giorno").fill("Bisogni degli anziani soli")
    udp.get_by_role("button", name="Prepara la seduta").click()
    expect(udp.get_by_test_id("stato-seduta")).to_contain_text("In preparazione")
    seduta_tavolo = SedutaTavolo.objects.get(tavolo=tavolo)
    spunta(udp, "Chiara Moretti")
    udp.get_by_role("button", name="Salva il registro delle presenze").click()
    expect(udp.get_by_test_id("stato-seduta")).to_contain_text("Svolta")
    passo(udp, "seduta-tavolo")
    udp.goto(reverse("tavoli:verbale_tavolo", args=[seduta_tavolo.pk]))
    editor = udp.get_by_test_id("editor-verbale")
    campo(editor, "Bisogni degli anziani soli").fill("Il rientro a casa dopo il ricovero è il nodo principale.")
    campo(editor, "Decisioni e indicazioni emerse").fill("Proporre un percorso di dimissioni protette.")
    passo(udp, "verbale-da-approvare", "verbale")
    udp.get_by_role("button", name="Salva e approva il verbale").click()
    expect(udp.get_by_test_id("stato-verbale")).to_contain_text("Approvato")
    passo(udp, "verbale-approvato", "verbale-approvato")
    udp.goto(url_piano)
    udp.get_by_test_id("azione-avvia_stesura").get_by_role("button").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Stesura della bozza")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx

    # --- 6. the draft is written and sent to the two unions
    scrivi_sezione(udp, piano, SEZIONE, "L'ambito conta 78.000 residenti; uno su quattro ha più di 65 anni.")
    passo(udp, "sezione-scritta", "sezione")
    udp.goto(reverse("accordi:contenuto", args=[piano.pk]))
    passo(udp, "contenuto-del-piano")
    udp.goto(url_piano)
    udp.get_by_test_id("consultazione-piano").get_by_role("link", name="Invia ai sindacati").click()
    expect(udp.get_by_label("CGIL Pavia (Provinciale)")).to_be_checked()
    expect(udp.get_by_label("UIL Pensionati Pavia (Pensionati)")).to_be_checked()
    passo(udp, "invia-ai-sindacati")
    udp.get_by_role("button", name="Congela e invia ai sindacati").click()
    messaggio(udp, "Bozza congelata nella versione 1 e inviata ai sindacati.")
    expect(udp.get_by_role("heading", level=1)).to_have_text("Consultazione dei sindacati")
    consultazione_url = udp.url

    # --- 7. each union gives its parere; the Ufficio di Piano closes the consultation
    consultazione = Consultazione.objects.get(piano=piano)
    for chiave, sindacato in (("cgil", cgil), ("uil", uil)):
        pagina = sessione()
        accedi(pagina, sindacalisti[chiave].username)
        pagina.goto(reverse("accordi:parere", args=[consultazione.pareri.get(sindacato=sindacato).pk]))
        pagina.locator("label", has_text=re.compile("^Favorevole$")).click()
        campo(pagina, "Testo del parere").fill("Il piano risponde ai bisogni emersi nel tavolo Anziani.")
        passo(pagina, f"parere-{chiave}", "parere")
        pagina.get_by_role("button", name="Invia il parere").click()
        messaggio(pagina, "Parere registrato")
        expect(pagina.get_by_test_id("esito-parere")).to_contain_text("Favorevole")
    udp.goto(consultazione_url)
    passo(udp, "consultazione")
    udp.get_by_role("button", name="Chiudi consultazione").click()
    messaggio(udp, "Consultazione chiusa: il piano passa all'approvazione.")
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Approvazione")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx

    # --- 8. the final text; the Assemblea approves it and designates the ente capofila
    udp.get_by_role("button", name="Genera: Piano di Zona – testo definitivo").click()
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("Documento pronto", timeout=20_000)
    passo(udp, "testo-definitivo", "documento")
    definitivo = Documento.objects.get(piano=piano, tipo=Documento.Tipo.PIANO_DEFINITIVO)

    def testo_definitivo(pagina):
        pagina.get_by_label("Testo definitivo da approvare").select_option(index=1)

    def capofila(pagina):
        pagina.get_by_label("Ente capofila proposto").select_option(label="Comune di Pavia")

    seduta_dell_assemblea(passo, udp, presidente, sindaci, url_assemblea, [
        ("Approvazione del Piano di Zona 2025-2027", "Approvazione del Piano di Zona", testo_definitivo),
        ("Designazione dell'ente capofila dell'Accordo", "Designazione dell'ente capofila", capofila),
    ], "assemblea-approvazione")

    # --- 9. the mayors sign the approved text; the Presidente licenses the plan
    udp.goto(reverse("accordi:documento", args=[definitivo.pk]))
    udp.get_by_role("link", name="Richiedi le firme").click()
    udp.locator("label", has_text=str(asl_u)).click()  # the plan is signed by the mayors (ITER.md, step 7)
    expect(udp.get_by_label(re.compile(re.escape(str(asl_u))))).not_to_be_checked()
    passo(udp, "richiesta-firme-piano", "richiesta-firme")
    udp.get_by_role("button", name="Invia la richiesta").click()
    messaggio(udp, "Richiesta di firma inviata")
    for i, pagina in enumerate(sindaci, start=1):
        firma_nel_browser(pagina, definitivo, passo, f"piano-firmato-sindaco{i}")
    presidente.goto(url_piano)
    azione = presidente.get_by_test_id("azione-licenzia")
    expect(azione).not_to_contain_text("Ancora necessario")
    azione.get_by_role("button").click()
    expect(presidente.get_by_test_id("stato-piano")).to_contain_text("Intesa ASL")
    presidente.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx
    passo(presidente, "piano-licenziato", "piano")

    # --- 10. the ASL gives its intesa
    asl = sessione()
    accedi(asl, "asl")
    asl.goto(url_piano)
    asl.get_by_role("link", name="Esprimi l'intesa").click()
    asl.locator("label", has_text=re.compile("^Positiva$")).click()
    campo(asl, "Motivazione").fill("Il piano è coerente con la programmazione socio-sanitaria dell'ASL.")
    passo(asl, "intesa")
    asl.get_by_role("button", name="Registra l'intesa").click()
    messaggio(asl, "Intesa positiva registrata")
    expect(asl.get_by_test_id("stato-piano")).to_contain_text("Accordo")
    asl.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx

    # --- 11. the Ufficio di Piano completes the Accordo: impegni, dates, one cost item
    udp.goto(url_piano)
    udp.get_by_test_id("accordo-piano").get_by_role("link", name="Prepara l'Accordo").click()
    expect(udp.get_by_test_id("capofila")).to_contain_text("Comune di Pavia")
    passo(udp, "accordo-da-completare", "accordo")
    for ente in ("Comune di Pavia", "Comune di Cava Manara", "ASL della Provincia di Pavia"):
        udp.get_by_test_id("parti").get_by_role("link", name=ente).click()
        campo(udp, "Impegni").fill(f"{ente}: concorre agli oneri secondo la ripartizione e ai servizi del piano.")
        if ente == "Comune di Pavia":
            passo(udp, "impegni-di-una-parte", "parte")
        udp.get_by_role("button", name="Salva").click()
        messaggio(udp, f"Impegni e firmatario di «{ente}» salvati.")
    udp.get_by_role("link", name="Modifica date e aggiornamento").click()
    campo(udp, "In vigore dal").fill("2026-01-01")
    campo(udp, "In vigore fino al").fill("2027-12-31")
    passo(udp, "date-accordo")
    udp.get_by_role("button", name="Salva").click()
    messaggio(udp, "Date e modalità di aggiornamento salvate.")
    udp.get_by_role("link", name="Nuova voce di costo").click()
    campo(udp, "Voce di costo").fill("Ufficio di Piano")
    expect(udp.get_by_label("Per abitante")).to_be_checked()
    for anno in ("2025", "2026", "2027"):
        campo(udp, anno).fill("30.000,00")
    passo(udp, "voce-di-costo")
    udp.get_by_role("button", name="Salva la voce").click()
    messaggio(udp, "Voce di costo «Ufficio di Piano» salvata.")
    expect(udp.get_by_test_id("totale-generale")).to_have_text("90.000,00 €")
    passo(udp, "ripartizione")
    udp.get_by_role("link", name="Torna all'Accordo").click()
    expect(udp.get_by_test_id("mancanze")).to_contain_text("L'Accordo è completo")
    passo(udp, "accordo-completo", "accordo")

    # --- 12. signatures: the text for signature, the mayors and the ASL sign, the plan is in force
    udp.goto(url_piano)
    udp.get_by_test_id("azione-apri_sottoscrizione").get_by_role("button", name="Apri sottoscrizione").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Sottoscrizione")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx
    udp.get_by_test_id("accordo-piano").get_by_role("link", name="Leggi l'Accordo").click()
    udp.get_by_role("button", name="Genera il testo dell'Accordo per la firma").click()
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("Documento pronto", timeout=20_000)
    atto_accordo = Documento.objects.get(piano=piano, tipo=Documento.Tipo.ACCORDO)
    udp.get_by_role("link", name="Richiedi le firme").click()
    for persona in (*sindaci_u, asl_u):
        expect(udp.get_by_label(re.compile(re.escape(str(persona))))).to_be_checked()
    passo(udp, "richiesta-firme-accordo", "richiesta-firme")
    udp.get_by_role("button", name="Invia la richiesta").click()
    messaggio(udp, "Richiesta di firma inviata")
    for i, pagina in enumerate(sindaci, start=1):
        firma_nel_browser(pagina, atto_accordo, passo, f"accordo-firmato-sindaco{i}")
    firma_nel_browser(asl, atto_accordo, passo, "accordo-firmato-asl")
    expect(asl.get_by_test_id("tabella-firme").get_by_text("Firmato", exact=True)).to_have_count(3)
    udp.goto(url_piano)
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Vigente")
    udp.wait_for_load_state("networkidle")  # the plan page loads its cards by htmx
    expect(udp.get_by_test_id("timeline").locator("li").first).to_contain_text("Sottoscrizione → Vigente")
    passo(udp, "piano-vigente", "piano")

    # --- 13. the Terzo Settore body asks to adhere; the Ufficio di Piano accepts; it signs
    accordo = AccordoDiProgramma.objects.get(piano=piano, revisione=piano.revisione)
    terzo.goto(reverse("accordi:area_ente"))
    passo(terzo, "area-ente")
    terzo.get_by_test_id(f"accordo-{accordo.pk}").get_by_role("button", name=re.compile("^Chiedi l'adesione")).click()
    messaggio(terzo, "Richiesta di adesione creata come bozza")
    campo(terzo, "Dichiarazione dell'ente").fill(
        "L'associazione ha partecipato al tavolo Anziani e gestisce da dieci anni il trasporto sociale.")
    terzo.get_by_label("Tipo – risorsa 1").select_option(label="Risorse economiche (euro)")
    terzo.get_by_label("Descrizione – risorsa 1").fill("Cofinanziamento del trasporto sociale")
    terzo.get_by_label("Valore in euro – risorsa 1").fill("1.500,00")
    terzo.get_by_role("button", name="Salva le modifiche").click()
    messaggio(terzo, "Modifiche salvate.")
    statuto = HTML(string="<h1>Statuto dell'Associazione Il Girasole ODV</h1><p>Art. 1</p>").write_pdf()
    campo(terzo, "Tipo di documento").select_option(label="Statuto")
    campo(terzo, "File PDF").set_input_files(files=[{"name": "statuto.pdf", "mimeType": "application/pdf",
                                                      "buffer": statuto}])
    terzo.get_by_role("button", name="Carica l'allegato").click()
    messaggio(terzo, "Allegato caricato.")
    expect(terzo.get_by_test_id("mancanze")).to_have_count(0)
    passo(terzo, "adesione-compilata", "adesione")
    terzo.get_by_role("button", name="Invia la richiesta").click()
    messaggio(terzo, "Richiesta inviata all'Ufficio di Piano")
    richiesta = RichiestaAdesione.objects.get(ente=ente_ts)

    udp.goto(reverse("accordi:adesioni_accordo", args=[piano.pk]))
    passo(udp, "adesioni-da-esaminare")
    udp.get_by_role("link", name=ENTE_TS).click()
    udp.get_by_test_id("azione-prendi-in-carico").get_by_role("button", name="Prendi in carico").click()
    messaggio(udp, "Richiesta presa in carico")
    expect(udp.get_by_test_id("verifica-presenze")).to_contain_text("Tavolo Anziani")
    passo(udp, "esame-adesione")
    udp.get_by_test_id("azione-accogli").get_by_role("button", name="Accogli").click()
    messaggio(udp, "Richiesta accolta")
    expect(udp.get_by_test_id("stato-adesione")).to_have_text("Accolta – in attesa di firma")
    richiesta.refresh_from_db()
    firma_nel_browser(terzo, richiesta.documento, passo, "adesione-firmata")
    terzo.goto(reverse("accordi:adesione", args=[richiesta.pk]))
    expect(terzo.get_by_test_id("stato-adesione")).to_have_text("Sottoscritta")
    passo(terzo, "adesione-sottoscritta", "adesione")

    # --- 14. anyone, signed out, finds the body on the public page of the Accordo
    pubblico = sessione()
    pubblico.goto(reverse("accordi:accordi_vigenti"))
    passo(pubblico, "accordi-in-vigore")
    pubblico.get_by_role("link", name=re.compile(re.escape(TITOLO))).first.click()
    aderente = pubblico.get_by_test_id("aderente")
    expect(aderente).to_have_count(1)
    expect(aderente.get_by_role("heading")).to_have_text(ENTE_TS)
    expect(aderente).to_contain_text("Cofinanziamento del trasporto sociale")
    passo(pubblico, "accordo-pubblico")

    # --- the end state: in force, every transition in order with who made it, the adesione signed
    piano.refresh_from_db()
    assert piano.stato == "vigente"
    transizioni = [(t.nome, t.da_stato, t.a_stato, t.utente.username if t.utente else None)
                   for t in piano.transizioni.order_by("pk")]
    assert transizioni == [
        ("crea", "", "avvio", "udp"),
        ("approva_atto_indirizzo", "avvio", "indirizzo", "udp"),
        ("avvia_istruttoria", "indirizzo", "istruttoria", "udp"),
        ("avvia_stesura", "istruttoria", "bozza", "udp"),
        ("invia_ai_sindacati", "bozza", "parere_sindacati", "udp"),
        ("chiudi_consultazione", "parere_sindacati", "approvazione", "udp"),
        ("licenzia", "approvazione", "intesa_asl", presidente_u.username),
        ("registra_intesa", "intesa_asl", "accordo", asl_u.username),
        ("apri_sottoscrizione", "accordo", "sottoscrizione", "udp"),
        ("dichiara_vigente", "sottoscrizione", "vigente", None),
    ]
    richiesta.refresh_from_db()
    assert richiesta.stato == StatoAdesione.SOTTOSCRITTA
    firmatario = Firmatario.objects.get(richiesta__documento=richiesta.documento)
    assert (firmatario.stato, firmatario.codice_fiscale) == (Firmatario.Stato.FIRMATO, ets_u.codice_fiscale)
    print(f"\npercorso completo: {time.monotonic() - inizio:.1f} s, {passo.n} passi, "
          f"{len(passo.controllate)} tipi di pagina controllati con axe")
