"""User story: the Ufficio di Piano generates the Accordo di Programma and asks the three
mayors of the ambito to sign it in parallel. The first signs with an external firma digitale
tool and uploads the file, the second signs in the browser with the demo certificate, the
third uploads a file signed over another PDF and is told why it is refused. A citizen, signed
out, checks the document by its verification code."""

import os
import re
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect
from weasyprint import HTML

from accordi import services_documenti
from accordi.firme.firma import firma_pdf
from accordi.models import Documento, Firmatario
from ambiti.models import Ente, Incarico
from ambiti.services import incarico_assegna

from ..factories import AmbitoFactory, CicloFactory, ComuneFactory, UtenteFactory, crea_piano, utente_con_ruolo
from .conftest import accedi

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

SINDACI = [("Pavia", "Anna", "Bianchi"), ("Certosa di Pavia", "Marco", "Verdi"),
           ("San Genesio ed Uniti", "Lucia", "Neri")]
CAMPO_FILE = "File firmato (.pdf PAdES o .p7m CAdES)"


def firmato_da(pki, utente, dati) -> bytes:
    """What the mayor's own signing software produces (PAdES, their qualified-like certificate)."""
    key, cert = pki.certificato(utente.codice_fiscale, nome=utente.first_name, cognome=utente.last_name)
    return firma_pdf(dati, signer_key=key, signer_cert=cert, ca_cert=pki.ca_cert)


def apri_dall_invito(pagina, mailoutbox, utente):
    """Follow the link of the invitation e-mail (its host is the configured site, not the test server)."""
    messaggio = next(m for m in mailoutbox if m.to == [utente.email])
    link = re.search(r"https?://\S+", messaggio.body).group(0)
    pagina.goto(urlparse(link).path)


@pytest.fixture
def scenario(db):
    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia",
                           comuni=[ComuneFactory(denominazione=nome) for nome, *_ in SINDACI])
    piano = crea_piano(ambito, stato="accordo", ciclo=CicloFactory(), titolo="Piano di Zona 2025-2027 – Pavia")
    utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia", last_name="Ferri")
    asl = utente_con_ruolo(R.REFERENTE_ASL, ambito, username="asl", first_name="Paolo", last_name="Gallo")
    sindaci = []
    for i, (comune, nome, cognome) in enumerate(SINDACI, start=1):
        ente, _ = Ente.objects.get_or_create(
            comune=ambito.comuni.get(denominazione=comune),
            defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune}"})
        sindaco = UtenteFactory(username=f"sindaco{i}", first_name=nome, last_name=cognome)
        incarico_assegna(utente=sindaco, ruolo=R.SINDACO, ambito=ambito, ente=ente)
        sindaci.append(sindaco)
    return piano, sindaci, asl


@pytest.mark.django_db(transaction=True)
def test_accordo_firmato_da_due_sindaci_su_tre_e_verificato_in_pubblico(
    nuova_sessione, screenshot, pki_attiva, scenario, mailoutbox, monkeypatch  # noqa: F811
):
    inizio = time.monotonic()
    piano, (primo, secondo, terzo), asl = scenario
    pki_attiva.p12_demo(secondo)  # only the second mayor has the in-browser demo certificate
    # A real Celery worker picks the job up a moment later: hold it, to see the progress page.
    in_coda = []
    monkeypatch.setattr(services_documenti, "_accoda", in_coda.append)

    # --- the Ufficio di Piano generates the Accordo from the plan
    udp = nuova_sessione()
    # The progress polls wait in the browser while this thread renders the PDF (the worker's job
    # below): the sync Playwright API only lets them through on its next call.
    udp.route(re.compile(r"/documenti/\d+/stato/$"), lambda route: route.continue_())
    accedi(udp, "udp")
    udp.get_by_role("link", name="Piano di Zona 2025-2027 – Pavia").first.click()
    expect(udp.get_by_role("heading", name="Atti e documenti")).to_be_visible()
    screenshot(udp, "01-piano")

    udp.get_by_role("button", name="Genera: Accordo di Programma").click()
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("In coda")
    udp.evaluate("document.fonts.ready")  # the page was just loaded: let the web font in
    screenshot(udp, "02-in-preparazione")
    assert len(in_coda) == 1
    services_documenti.genera_documento(in_coda[0])  # the worker
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("Documento pronto", timeout=15_000)
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("sigillato dall'ente emittente")
    documento = Documento.objects.get(piano=piano)
    expect(udp.locator("main")).to_contain_text(documento.codice_verifica)
    expect(udp.locator("main")).to_contain_text(documento.revisioni.get().sha256)
    screenshot(udp, "03-documento-pronto")

    # --- the signing request: the three mayors, in parallel (the ASL is not asked this time)
    udp.get_by_role("link", name="Richiedi le firme").click()
    for sindaco in (primo, secondo, terzo):
        expect(udp.get_by_label(re.compile(re.escape(str(sindaco))))).to_be_checked()
    udp.locator("label", has_text=str(asl)).click()  # Bootstrap Italia draws the box on the label
    expect(udp.get_by_label(re.compile(re.escape(str(asl))))).not_to_be_checked()
    expect(udp.get_by_label("In parallelo: tutti possono firmare subito")).to_be_checked()
    screenshot(udp, "04-richiesta-firme")
    udp.get_by_role("button", name="Invia la richiesta").click()
    expect(udp.get_by_role("alert")).to_contain_text("Richiesta di firma inviata")
    tabella = udp.get_by_test_id("tabella-firme")
    expect(tabella.locator("tbody tr")).to_have_count(3)
    expect(tabella.get_by_text("In attesa")).to_have_count(3)
    screenshot(udp, "05-richiesta-inviata")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(s.email for s in (primo, secondo, terzo))

    # --- mayor 1: downloads, signs with their own tool, uploads
    p1 = nuova_sessione()
    accedi(p1, "sindaco1")
    apri_dall_invito(p1, mailoutbox, primo)
    expect(p1.get_by_test_id("area-firma")).to_be_visible()
    expect(p1.get_by_role("button", name="Firma con il certificato dimostrativo")).to_have_count(0)
    with p1.expect_download() as scaricamento:
        p1.get_by_role("link", name="Scarica il PDF").click()
    scaricato = Path(scaricamento.value.path()).read_bytes()
    assert scaricato == services_documenti.leggi(documento.revisioni.get())
    assert scaricamento.value.suggested_filename.endswith("-r0.pdf")
    p1.get_by_label(CAMPO_FILE).set_input_files(
        files=[{"name": "accordo-firmato.pdf", "mimeType": "application/pdf",
                "buffer": firmato_da(pki_attiva, primo, scaricato)}])
    screenshot(p1, "06-sindaco1-carica")
    p1.get_by_role("button", name="Carica il file firmato").click()
    expect(p1.get_by_role("alert")).to_contain_text("Firma verificata e registrata.")
    riga = p1.get_by_test_id("tabella-firme").locator("tbody tr").filter(has_text=str(primo))
    expect(riga).to_contain_text("Firmato")
    expect(riga).to_contain_text("BIANCHI ANNA")
    expect(p1.get_by_test_id("area-firma")).to_have_count(0)
    screenshot(p1, "07-sindaco1-firmato")

    # --- mayor 2: signs in the browser with the demo certificate
    p2 = nuova_sessione()
    accedi(p2, "sindaco2")
    apri_dall_invito(p2, mailoutbox, secondo)
    expect(p2.get_by_text("NON è una firma digitale qualificata")).to_be_visible()
    screenshot(p2, "08-sindaco2-area-firma")
    p2.get_by_role("button", name="Firma con il certificato dimostrativo").click()
    expect(p2.get_by_role("alert")).to_contain_text("Firmato con il certificato dimostrativo")
    expect(p2.get_by_test_id("tabella-firme").get_by_text("Firmato", exact=True)).to_have_count(2)
    screenshot(p2, "09-sindaco2-firmato")

    # --- mayor 3: uploads a signature over a different PDF, and is told why it is refused
    p3 = nuova_sessione()
    accedi(p3, "sindaco3")
    apri_dall_invito(p3, mailoutbox, terzo)
    altro_pdf = HTML(string="<h1>Accordo di Programma</h1><p>Una copia riscritta a mano.</p>").write_pdf()
    p3.get_by_label(CAMPO_FILE).set_input_files(
        files=[{"name": "accordo-firmato.pdf", "mimeType": "application/pdf",
                "buffer": firmato_da(pki_attiva, terzo, altro_pdf)}])
    p3.get_by_role("button", name="Carica il file firmato").click()
    expect(p3.get_by_role("alert")).to_contain_text(
        "Firma non accettata: Il file caricato non è conforme all'originale.")
    expect(p3.get_by_test_id("area-firma")).to_be_visible()  # they can try again
    screenshot(p3, "10-sindaco3-rifiutato")

    # --- a citizen, signed out, checks the document by its code
    pubblico = nuova_sessione()
    pubblico.goto("/verifica/")
    pubblico.get_by_label("Codice di verifica").fill(documento.codice_verifica.lower())
    screenshot(pubblico, "11-verifica-codice")
    pubblico.get_by_role("button", name="Verifica").click()
    expect(pubblico).to_have_url(re.compile(f"/verifica/{documento.codice_verifica}/$"))
    expect(pubblico.get_by_text("file integro")).to_be_visible()
    righe = pubblico.get_by_test_id("firme-documento").locator("tbody tr")
    expect(righe).to_have_count(3)
    for certificato in ("BIANCHI ANNA", "VERDI MARCO"):
        riga = righe.filter(has_text=certificato)
        expect(riga).to_contain_text(certificato)
        expect(riga).to_contain_text("sì / sì / sì")
        expect(riga).to_contain_text("solo firme aggiunte")
    expect(righe.filter(has_text=terzo.get_full_name().upper())).to_contain_text("firma mancante")
    screenshot(pubblico, "12-verifica-pubblica")

    stati = dict(Firmatario.objects.filter(richiesta__documento=documento).values_list("utente__username", "stato"))
    assert stati == {"sindaco1": "firmato", "sindaco2": "firmato", "sindaco3": "in_attesa"}
    assert Firmatario.objects.get(utente=secondo).metodo == Firmatario.Metodo.DEMO
    assert documento.revisioni.count() == 3
    print(f"\npercorso delle firme: {time.monotonic() - inizio:.1f} s")
