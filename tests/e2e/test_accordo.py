"""User story: the Ufficio di Piano prepares the Accordo di Programma and the plan enters into
force with the last signature.

The plan is at the Accordo step and the Assemblea designated the Comune di Pavia as ente
capofila. The Ufficio di Piano opens the Accordo from the plan page: the parties are proposed
from the registry (the two Comuni with their mayors, the ASL with its referent) and the page
says what is missing. It writes each party's impegni, sets the dates, adds a cost item per
inhabitant and a mixed one (50% population, 40% users served, 10% equal parts, with the users
served per Comune), checks the cost sharing (the quotas add up to the totals, in the page and
in the CSV) and finds nothing missing. It opens the signatures on the plan page, generates the
text for signature and asks the parties to sign. The mayor of Pavia signs in the browser with
the demo certificate; the mayor of Certosa and the ASL's referent sign with their own software
and upload the file. With the last signature the plan becomes «Vigente» by itself. A
signed-out visitor finds the Accordo among those in force, with its capofila, downloads the
signed PDF and checks it on the verification page."""

import csv
import datetime
import io
import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from accordi import services_documenti
from accordi.models import AccordoDiProgramma, Documento, Firmatario, PianoDiZona
from ambiti.models import Incarico

from ..accordi.accordo_dati import designa_capofila, ente_del_comune
from ..factories import AmbitoFactory, CicloFactory, ComuneFactory, crea_piano, sindaco_di, utente_con_ruolo
from .conftest import accedi
from .test_firme import CAMPO_FILE, firmato_da
from .test_tavoli import campo

R = Incarico.Ruolo
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TITOLO = "Piano di Zona 2025-2027 – Pavia"
COMUNI = [("Pavia", 71_159, "Anna", "Bianchi"), ("Certosa di Pavia", 5_401, "Marco", "Verdi")]
PARTI = ("Comune di Certosa di Pavia", "Comune di Pavia", "ASL della Provincia di Pavia")  # Comuni by name


def messaggio(pagina, testo):
    expect(pagina.locator(".messaggi").get_by_role("alert")).to_contain_text(testo)


def centesimi(testo: str) -> int:
    """«1.234,56 €» → 123456."""
    cifre = testo.replace("€", "").replace("\u00a0", "").replace(".", "").strip()
    intero, _, cent = cifre.partition(",")
    return int(intero) * 100 + int(cent or 0)


def tabella(sezione):
    """The body rows and the footer row of a table, as lists of cell texts."""
    righe = [r.locator("th, td").all_inner_texts() for r in sezione.locator("tbody tr").all()]
    return righe, sezione.locator("tfoot tr").locator("th, td").all_inner_texts()


def somme_coerenti(sezione) -> int:
    """Each Comune's quotas add up, per year and in total, to the totals in the footer; returns
    the grand total in cents."""
    righe, piede = tabella(sezione)
    assert righe
    colonne = len(piede) - 1
    for i in range(1, colonne + 1):
        assert sum(centesimi(r[i]) for r in righe) == centesimi(piede[i])
    for r in [*righe, piede]:
        assert sum(centesimi(c) for c in r[1:-1]) == centesimi(r[-1])
    return centesimi(piede[-1])


def scarica(pagina, nome_link) -> tuple[bytes, str]:
    with pagina.expect_download() as scaricamento:
        pagina.get_by_role("link", name=nome_link).click()
    return Path(scaricamento.value.path()).read_bytes(), scaricamento.value.suggested_filename


def invito(mailoutbox, utente):
    return next(m for m in mailoutbox if m.to == [utente.email] and m.subject.startswith("Richiesta di firma:"))


def segui_il_link(pagina, messaggio_email):
    """Open the link of an e-mail: its host is the configured site, its path is on the test server."""
    link = re.search(r"https?://\S+", messaggio_email.body).group(0)
    pagina.goto(re.sub(r"^https?://[^/]+", "", link))


@pytest.fixture
def piano_all_accordo(db, pki_attiva):
    """A plan at the Accordo step; its Assemblea designated the Comune di Pavia as ente capofila.
    The mayors and the ASL's referent are in office (the Accordo proposes them as signers)."""
    comuni = [ComuneFactory(denominazione=nome, popolazione=abitanti) for nome, abitanti, *_ in COMUNI]
    ambito = AmbitoFactory(nome="Ambito distrettuale di Pavia", comuni=comuni)
    ciclo = CicloFactory(validita_fine=datetime.date(2027, 12, 31))
    piano = crea_piano(ambito, stato="accordo", ciclo=ciclo, titolo=TITOLO)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito, username="udp", first_name="Giulia", last_name="Ferri")
    sindaci = [sindaco_di(comune, ambito, username=f"sindaco{i}", first_name=nome, last_name=cognome)
               for i, (comune, (_n, _a, nome, cognome)) in enumerate(zip(comuni, COMUNI, strict=True), start=1)]
    asl = utente_con_ruolo(R.REFERENTE_ASL, ambito, username="asl", first_name="Paolo", last_name="Gallo")
    designa_capofila(piano, ente_del_comune(comuni[0]), udp)
    return piano, sindaci, asl


@pytest.mark.django_db(transaction=True)
def test_l_ufficio_di_piano_prepara_l_accordo_e_il_piano_entra_in_vigore(
    nuova_sessione, screenshot, pki_attiva, piano_all_accordo, mailoutbox
):
    inizio = time.monotonic()
    piano, (sindaco_pavia, sindaco_certosa), asl = piano_all_accordo
    pki_attiva.p12_demo(sindaco_pavia)  # the mayor of Pavia has the in-browser demo certificate

    # --- 1. from the plan page to the Accordo, proposed from the registry: what is missing
    udp = nuova_sessione()
    accedi(udp, "udp")
    udp.goto(f"/piani/{piano.pk}/")
    scheda = udp.get_by_test_id("accordo-piano")
    expect(scheda.get_by_test_id("scheda-accordo")).to_contain_text("Mancano ancora")
    screenshot(udp, "01-piano")
    scheda.get_by_role("link", name="Prepara l'Accordo").click()
    expect(udp.get_by_role("heading", level=1)).to_have_text("Accordo di Programma")
    expect(udp.get_by_test_id("capofila")).to_contain_text("Comune di Pavia")
    expect(udp.get_by_test_id("capofila")).to_contain_text("deliberazione n. 1/2026 del 12/05/2026")
    parti = udp.get_by_test_id("parti")
    for ente, firmatario in zip(PARTI, ("Marco Verdi", "Anna Bianchi", "Paolo Gallo"), strict=True):
        expect(parti.get_by_role("row", name=re.compile(f"^{ente}"))).to_contain_text(firmatario)
    mancanze = udp.get_by_test_id("mancanze")
    expect(mancanze).to_contain_text(f"Mancano gli impegni di queste parti: {', '.join(PARTI)}.")
    expect(mancanze).to_contain_text("voce di costo")
    screenshot(udp, "02-accordo-da-completare")

    # --- 2. the impegni of each party (the proposed signer stays)
    impegni = {
        "Comune di Pavia": "Come ente capofila gestisce il fondo unico dell'ambito e il personale dell'Ufficio di "
                           "Piano; eroga il servizio di assistenza domiciliare.",
        "Comune di Certosa di Pavia": "Concorre agli oneri secondo la ripartizione e segnala i bisogni dei propri "
                                      "residenti.",
        "ASL della Provincia di Pavia": "Garantisce l'integrazione sociosanitaria: valutazione multidimensionale e "
                                        "dimissioni protette.",
    }
    for ente, testo in impegni.items():
        udp.get_by_test_id("parti").get_by_role("link", name=ente).click()
        campo(udp, "Impegni").fill(testo)
        expect(campo(udp, "Chi firma per l'ente")).not_to_have_value("")
        udp.get_by_role("button", name="Salva").click()
        messaggio(udp, f"Impegni e firmatario di «{ente}» salvati.")
    screenshot(udp, "03-impegni")

    # --- 3. the dates, inside the cycle
    udp.get_by_role("link", name="Modifica date e aggiornamento").click()
    campo(udp, "In vigore dal").fill("2026-01-01")
    campo(udp, "In vigore fino al").fill("2027-12-31")
    screenshot(udp, "04-date")
    udp.get_by_role("button", name="Salva").click()
    messaggio(udp, "Date e modalità di aggiornamento salvate.")
    durata = udp.get_by_test_id("durata")
    expect(durata).to_contain_text("01/01/2026")
    expect(durata).to_contain_text("31/12/2027")

    # --- 4. two cost items: one per inhabitant, one mixed with the users served per Comune
    udp.get_by_role("link", name="Nuova voce di costo").click()
    campo(udp, "Voce di costo").fill("Ufficio di Piano")
    expect(udp.get_by_label("Per abitante")).to_be_checked()
    for anno in ("2025", "2026", "2027"):
        campo(udp, anno).fill("30.000,00")
    udp.get_by_role("button", name="Salva la voce").click()
    messaggio(udp, "Voce di costo «Ufficio di Piano» salvata.")

    udp.get_by_role("link", name="Nuova voce di costo").click()
    campo(udp, "Voce di costo").fill("Servizio di assistenza domiciliare")
    udp.locator("label", has_text="Misto (popolazione, utenti serviti, parti uguali)").click()
    campo(udp, "Quota per popolazione (%)").fill("50")
    campo(udp, "Quota per utenti serviti (%)").fill("40")
    campo(udp, "Quota in parti uguali (%)").fill("10")
    expect(udp.locator("#somma-quote")).to_have_text("Le quote sommano a 100%.")
    for anno, importo in (("2025", "100.000,00"), ("2026", "120.000,00"), ("2027", "120.000,01")):
        campo(udp, anno).fill(importo)
    campo(udp, "Pavia").fill("180")
    campo(udp, "Certosa di Pavia").fill("20")
    screenshot(udp, "05-voce-mista")
    udp.get_by_role("button", name="Salva la voce").click()
    messaggio(udp, "Voce di costo «Servizio di assistenza domiciliare» salvata.")

    # --- 5. the cost sharing: every table adds up, in the page and in the CSV
    expect(udp.get_by_role("heading", level=1)).to_have_text("Ripartizione degli oneri")
    voci = udp.get_by_test_id("ripartizione-voce")
    expect(voci).to_have_count(2)
    expect(voci.nth(0)).to_contain_text("Ufficio di Piano")
    assert somme_coerenti(voci.nth(0)) == 9_000_000
    expect(voci.nth(1)).to_contain_text("Servizio di assistenza domiciliare")
    assert somme_coerenti(voci.nth(1)) == 34_000_001
    riepilogo = udp.get_by_test_id("ripartizione-riepilogo")
    expect(udp.get_by_test_id("totale-generale")).to_have_text("430.000,01 €")
    assert somme_coerenti(riepilogo) == 43_000_001
    _righe, piede = tabella(riepilogo)
    assert [centesimi(c) for c in piede[1:]] == [13_000_000, 15_000_000, 15_000_001, 43_000_001]
    screenshot(udp, "06-ripartizione")

    dati, nome = scarica(udp, "Scarica le quote in CSV")
    assert nome.endswith(".csv")
    righe = list(csv.reader(io.StringIO(dati.decode("utf-8-sig")), delimiter=";"))
    quote = [r for r in righe[1:] if r[0] != "Tutte le voci" and r[3]]  # one per item, Comune and year
    assert len(quote) == 2 * 2 * 3
    assert sum(centesimi(r[5]) for r in quote) == 43_000_001
    totali_anno = [r for r in righe if r[0] == "Tutte le voci" and r[2] == "Totale"]
    assert sum(centesimi(r[5]) for r in totali_anno) == 43_000_001

    # --- 6. nothing is missing any more
    udp.get_by_role("link", name="Torna all'Accordo").click()
    expect(udp.get_by_test_id("mancanze")).to_contain_text("L'Accordo è completo")
    expect(udp.get_by_test_id("mancanze").locator("li")).to_have_count(0)
    expect(udp.get_by_test_id("voci")).to_contain_text("430.000,01")
    screenshot(udp, "07-accordo-completo")

    # --- 7. the signatures open on the plan page; the text for signature is generated
    udp.get_by_role("link", name="Torna al piano").click()
    apri = udp.get_by_test_id("azione-apri_sottoscrizione")
    expect(apri).to_have_class(re.compile("azione-possibile"))
    apri.get_by_role("button", name="Apri sottoscrizione").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Sottoscrizione")
    expect(udp.get_by_test_id("scheda-accordo")).to_contain_text("non è ancora stato generato")
    screenshot(udp, "08-piano-alla-firma")
    udp.get_by_test_id("accordo-piano").get_by_role("link", name="Leggi l'Accordo").click()
    expect(udp.get_by_test_id("accordo-bloccato")).to_contain_text("L'Accordo è alla firma")
    udp.get_by_role("button", name="Genera il testo dell'Accordo per la firma").click()
    expect(udp.get_by_test_id("stato-documento")).to_contain_text("Documento pronto", timeout=15_000)
    documento = Documento.objects.get(piano=piano, tipo=Documento.Tipo.ACCORDO)
    assert AccordoDiProgramma.objects.get(piano=piano).documento == documento
    screenshot(udp, "09-testo-per-la-firma")

    # --- 8. the signatures asked: the mayors and the ASL, proposed from the parties
    udp.get_by_role("link", name="Richiedi le firme").click()
    for persona in (sindaco_pavia, sindaco_certosa, asl):
        expect(udp.get_by_label(re.compile(re.escape(str(persona))))).to_be_checked()
    screenshot(udp, "10-richiesta-firme")
    udp.get_by_role("button", name="Invia la richiesta").click()
    messaggio(udp, "Richiesta di firma inviata")
    expect(udp.get_by_test_id("tabella-firme").get_by_text("In attesa")).to_have_count(3)
    for persona in (sindaco_pavia, sindaco_certosa, asl):
        assert TITOLO in invito(mailoutbox, persona).subject

    # --- 9. the mayor of Pavia signs in the browser with the demo certificate
    pavia = nuova_sessione()
    accedi(pavia, "sindaco1")
    segui_il_link(pavia, invito(mailoutbox, sindaco_pavia))
    pavia.get_by_role("button", name="Firma con il certificato dimostrativo").click()
    messaggio(pavia, "Firmato con il certificato dimostrativo")
    screenshot(pavia, "11-sindaco-pavia-firmato")

    # --- 10. the mayor of Certosa and the ASL sign with their own software and upload the file
    for username, persona, passo in (("sindaco2", sindaco_certosa, "12-sindaco-certosa"), ("asl", asl, "13-asl")):
        pagina = nuova_sessione()
        accedi(pagina, username)
        segui_il_link(pagina, invito(mailoutbox, persona))
        originale, _nome = scarica(pagina, "Scarica il PDF")  # the latest revision, with the signatures so far
        pagina.get_by_label(CAMPO_FILE).set_input_files(files=[{
            "name": "accordo-firmato.pdf", "mimeType": "application/pdf",
            "buffer": firmato_da(pki_attiva, persona, originale)}])
        pagina.get_by_role("button", name="Carica il file firmato").click()
        messaggio(pagina, "Firma verificata e registrata.")
        screenshot(pagina, passo)
    expect(pagina.get_by_test_id("tabella-firme").get_by_text("Firmato", exact=True)).to_have_count(3)
    metodi = dict(Firmatario.objects.filter(richiesta__documento=documento).values_list("utente__username", "metodo"))
    assert metodi == {"sindaco1": "demo", "sindaco2": "pades", "asl": "pades"}

    # --- 11. the plan entered into force by itself with the last signature
    udp.goto(f"/piani/{piano.pk}/")
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Vigente")
    ultima = udp.get_by_test_id("timeline").locator("li").first
    expect(ultima).to_contain_text("Sottoscrizione → Vigente")
    expect(ultima).to_contain_text("automatica (Sistema)")
    expect(udp.get_by_test_id("scheda-accordo")).to_have_text(
        "L'Accordo è stato firmato da tutte le parti tenute a firmarlo ed è in vigore.")
    screenshot(udp, "14-piano-vigente")
    udp.get_by_test_id("accordo-piano").get_by_role("link", name="Leggi l'Accordo").click()
    expect(udp.get_by_test_id("sottoscrizione")).to_contain_text("ed è in vigore")
    expect(udp.get_by_test_id("sottoscrizione").get_by_role("link")).to_have_text("Apri l'Accordo firmato e le firme")
    screenshot(udp, "15-accordo-vigente")
    piano = PianoDiZona.objects.get(pk=piano.pk)
    assert piano.stato == "vigente" and piano.vigente_dal is not None

    # --- 12. anyone, signed out, finds it among the Accordi in force and checks the signed PDF
    pubblico = nuova_sessione()
    pubblico.goto("/pubblico/accordi/")
    riga = pubblico.get_by_test_id("accordi-vigenti").get_by_role("row", name=re.compile(re.escape(TITOLO)))
    expect(riga).to_contain_text("Comune di Pavia")
    expect(riga).to_contain_text("dal 01/01/2026 al 31/12/2027")
    screenshot(pubblico, "16-accordi-in-vigore")
    riga.get_by_role("link", name=TITOLO).click()
    expect(pubblico.get_by_role("heading", level=1)).to_have_text(f"Accordo di Programma – {TITOLO}")
    expect(pubblico.get_by_test_id("parti").get_by_role("row", name=re.compile("^Comune di Pavia"))).to_contain_text(
        "capofila")
    expect(pubblico.get_by_test_id("ripartizione")).to_contain_text("430.000,01")
    screenshot(pubblico, "17-accordo-pubblico")
    firmato, nome = scarica(pubblico, "Scarica l'Accordo firmato (PDF)")
    assert firmato == services_documenti.leggi(services_documenti.revisione_corrente(documento))
    assert nome.endswith(".pdf")
    pubblico.get_by_role("link", name=re.compile("^Verifica il documento")).click()
    expect(pubblico).to_have_url(re.compile(f"/verifica/{documento.codice_verifica}/$"))
    expect(pubblico.get_by_text("file integro")).to_be_visible()
    righe_firme = pubblico.get_by_test_id("firme-documento").locator("tbody tr")
    expect(righe_firme).to_have_count(3)
    for certificato in ("BIANCHI ANNA", "VERDI MARCO", "GALLO PAOLO"):
        expect(righe_firme.filter(has_text=certificato)).to_contain_text("sì / sì / sì")
    screenshot(pubblico, "18-verifica")
    print(f"\npercorso dell'Accordo: {time.monotonic() - inizio:.1f} s")
