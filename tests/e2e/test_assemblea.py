"""User story: the Assemblea dei Sindaci of three Comuni of very different size adopts the
atto di indirizzo of the plan by a vote weighted by population. The Ufficio di Piano sets the
rule and prepares the session, the Presidente convenes and opens it, each mayor joins and
votes from their own browser; Pavia alone (71,000 inhabitants) outweighs the two small
Comuni, which counted by heads would have won. The deliberation is issued as a sealed PDF act
and the Ufficio di Piano moves the plan to «Atto di indirizzo»."""

import datetime
import os
import re
import time

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accordi.models import Documento, PianoDiZona
from tavoli import selectors, voto
from tavoli.models import Deliberazione, Votazione

from ..tavoli.conftest import consesso  # noqa: F401
from .conftest import accedi

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REGOLA_PONDERATA = ("Il voto è ponderato: ogni Comune pesa quanto i suoi abitanti. La seduta è valida se i Comuni "
                    "presenti rappresentano più di 1/2 degli abitanti. Si approva a maggioranza assoluta: i "
                    "favorevoli devono essere più della metà dei votanti.")


def messaggio(pagina, testo):
    expect(pagina.locator(".messaggi").get_by_role("alert")).to_contain_text(testo)


@pytest.mark.django_db(transaction=True)
def test_atto_di_indirizzo_approvato_col_voto_ponderato(
    nuova_sessione, screenshot, pki_attiva, consesso, mailoutbox  # noqa: F811
):
    inizio = time.monotonic()
    c = consesso
    pavia, borgarello, cava = c.sindaci
    url_assemblea = f"/ambiti/{c.ambito.pk}/assemblea/"

    # --- 1. the Ufficio di Piano sets the rule: weighted by population, absolute majority
    udp = nuova_sessione()
    accedi(udp, "udp")
    udp.goto(url_assemblea)
    expect(udp.get_by_role("heading", name="Assemblea dei Sindaci", exact=True)).to_be_visible()
    expect(udp.get_by_test_id("regola")).to_contain_text("un voto per Comune")
    udp.get_by_role("link", name="Modifica la regola").click()
    udp.get_by_label("Come pesa ogni Comune").select_option(label="Voto ponderato sulla popolazione")
    # the qualified fraction shows only for a qualified majority
    frazione = udp.get_by_label("Maggioranza qualificata: numeratore")
    expect(frazione).to_be_hidden()
    udp.get_by_label("Maggioranza per deliberare").select_option(label="Qualificata: almeno la frazione indicata "
                                                                       "della base")
    expect(frazione).to_be_visible()
    screenshot(udp, "01a-regola-qualificata")
    udp.get_by_label("Maggioranza per deliberare").select_option(label="Assoluta: più della metà della base")
    expect(frazione).to_be_hidden()
    udp.get_by_label("Riferimento al regolamento").fill("art. 6 del regolamento dell'Assemblea")
    screenshot(udp, "01-regola")
    udp.get_by_role("button", name="Registra la nuova regola").click()
    messaggio(udp, "Nuova regola di voto registrata")
    expect(udp.get_by_test_id("regola")).to_contain_text(REGOLA_PONDERATA)
    screenshot(udp, "02-assemblea")

    # --- 2. the Ufficio di Piano prepares the session and its agenda
    udp.get_by_role("link", name="Prepara una seduta").click()
    quando = timezone.localtime(timezone.now() + datetime.timedelta(days=7)).replace(hour=17, minute=30)
    udp.get_by_label("Data e ora").fill(quando.strftime("%Y-%m-%dT%H:%M"))
    udp.get_by_label("Luogo").fill("Sala consiliare, Piazza del Municipio 2, Pavia")
    udp.get_by_role("button", name="Crea la seduta").click()
    messaggio(udp, "Seduta creata")
    expect(udp.get_by_test_id("stato-seduta")).to_contain_text("In preparazione")
    url_seduta = udp.url

    udp.get_by_role("link", name="Aggiungi un punto all'ordine del giorno").click()
    udp.get_by_label("Oggetto").fill("Atto di indirizzo per il Piano di Zona 2025-2027")
    expect(udp.get_by_label("Priorità e obiettivi")).to_be_hidden()  # an item for information only
    udp.get_by_label("Deliberazione proposta").select_option(label="Atto di indirizzo (priorità e obiettivi)")
    expect(udp.get_by_label("Piano di Zona", exact=False).first).to_have_value(str(c.piano.pk))
    # only the fields of this kind of deliberation
    expect(udp.get_by_label("Testo definitivo da approvare")).to_be_hidden()
    expect(udp.get_by_label("Ente capofila proposto")).to_be_hidden()
    udp.get_by_label("Priorità e obiettivi").fill(
        "Non autosufficienza: potenziare l'assistenza domiciliare\n"
        "Contrasto alla povertà: rafforzare il segretariato sociale nei piccoli Comuni"
    )
    screenshot(udp, "03-punto")
    udp.get_by_role("button", name="Aggiungi il punto").click()
    messaggio(udp, "Punto aggiunto all'ordine del giorno.")
    punto = udp.get_by_test_id("punto-1")
    expect(punto).to_contain_text("Atto di indirizzo per il Piano di Zona 2025-2027")
    expect(punto.get_by_role("listitem")).to_have_count(2)
    # the Ufficio di Piano prepares, only the Presidente convenes
    expect(udp.get_by_role("button", name="Convoca la seduta")).to_have_count(0)

    # --- the Presidente convenes
    presidente = nuova_sessione()
    accedi(presidente, "presidente")
    presidente.goto(url_seduta)
    presidente.get_by_role("button", name="Convoca la seduta").click()
    messaggio(presidente, "Seduta convocata")
    expect(presidente.get_by_test_id("stato-seduta")).to_contain_text("Convocata")
    expect(presidente.get_by_test_id("quorum")).to_contain_text("Non raggiunto")
    expect(presidente.get_by_role("button", name="Apri la seduta")).to_be_disabled()
    screenshot(presidente, "04-convocata")
    destinatari = {m.to[0] for m in mailoutbox}
    assert {s.email for s in c.sindaci} <= destinatari

    # --- 3. each mayor joins from their own browser
    sindaci = {}
    for sindaco, comune in ((pavia, "Pavia"), (borgarello, "Borgarello"), (cava, "Cava Manara")):
        pagina = nuova_sessione()
        accedi(pagina, sindaco.username)
        pagina.goto(url_seduta)
        pagina.get_by_role("button", name="Segnala la mia presenza").click()
        messaggio(pagina, "La tua presenza è registrata.")
        expect(pagina.get_by_test_id(f"seggio-{comune}")).to_contain_text("Presente")
        expect(pagina.get_by_role("button", name="Segnala la mia presenza")).to_have_count(0)
        expect(pagina.get_by_test_id("presenza-registrata")).to_have_text("Presenza registrata")
        sindaci[comune] = pagina
    screenshot(sindaci["Cava Manara"], "05-presenze")

    # the Presidente's page follows the attendance live, without reloading
    expect(presidente.get_by_test_id("quorum")).to_contain_text("Raggiunto", timeout=10_000)
    expect(presidente.get_by_test_id("quorum")).to_contain_text("78.000 abitanti rappresentati su 78.000.")
    expect(presidente.locator("#seduta-live")).to_have_attribute("aria-live", "polite")
    presidente.get_by_role("button", name="Apri la seduta").click()
    messaggio(presidente, "Seduta aperta")
    expect(presidente.get_by_test_id("stato-seduta")).to_contain_text("In corso")
    presidente.get_by_test_id("punto-1").get_by_role("button", name="Apri la votazione").click()
    messaggio(presidente, "Votazione aperta")
    expect(presidente.get_by_test_id("votazione-aperta")).to_contain_text("Hanno votato 0 Comuni su 3")

    # --- 4. Pavia in favour, the two small Comuni against
    for comune, espressione in (("Pavia", "Favorevole"), ("Borgarello", "Contrario"), ("Cava Manara", "Contrario")):
        pagina = sindaci[comune]
        pagina.reload()
        scheda = pagina.get_by_test_id(f"vota-{comune}")
        expect(scheda.get_by_role("group", name=f"Il tuo voto per {comune}")).to_be_visible()
        if comune == "Pavia":
            screenshot(pagina, "06-scheda-di-voto")
        scheda.get_by_role("button", name=espressione, exact=True).click()
        messaggio(pagina, f"Voto registrato per {comune}")
        messaggio(pagina, espressione)
        expect(pagina.get_by_test_id(f"vota-{comune}")).to_have_count(0)  # one vote per Comune
    screenshot(sindaci["Borgarello"], "07-voto-registrato")

    # --- 5. the Presidente closes the vote and proclaims the result
    presidente.reload()
    expect(presidente.get_by_test_id("votazione-aperta")).to_contain_text("Hanno votato 3 Comuni su 3")
    punto = presidente.get_by_test_id("punto-1")
    punto.get_by_role("button", name="Chiudi la votazione").click()
    messaggio(presidente, "Votazione chiusa")
    expect(presidente.get_by_test_id("risultato")).to_contain_text("esito da proclamare")
    presidente.get_by_role("button", name="Proclama l'esito").click()
    messaggio(presidente, "Esito proclamato.")
    risultato = presidente.get_by_test_id("risultato")
    expect(risultato).to_contain_text("Approvata")
    expect(risultato).to_contain_text("esito proclamato")
    riga = risultato.get_by_role("row").filter(
        has=presidente.get_by_role("rowheader", name="per popolazione (abitanti)"))
    expect(riga.get_by_role("cell")).to_have_text(["71.000", "7.000", "0", "0", "0"])
    expect(risultato).to_contain_text(
        "Per popolazione – favorevoli: 71.000 abitanti su una base di 78.000; ne servivano più di 39.000: "
        "maggioranza raggiunta.")
    expect(risultato).to_contain_text(REGOLA_PONDERATA)
    # how each Comune voted, with the population it weighed
    voti = risultato.get_by_test_id("voti-per-comune")
    for comune, abitanti, espressione in (("Borgarello", "4.000", "Contrario"), ("Cava Manara", "3.000", "Contrario"),
                                          ("Pavia", "71.000", "Favorevole")):
        expect(voti.get_by_role("row").filter(has=presidente.get_by_role("rowheader", name=comune))
               .get_by_role("cell")).to_have_text([abitanti, espressione])
    screenshot(presidente, "08-esito")
    # the session's log keeps how each Comune voted, in words
    registro = presidente.get_by_test_id("registro")
    registro.locator("summary").click()
    for comune, espressione in (("Pavia", "Favorevole"), ("Borgarello", "Contrario"), ("Cava Manara", "Contrario")):
        expect(registro.get_by_role("row").filter(has_text="Voto espresso")
               .filter(has_text=re.compile(rf"{comune} \(\w+\): {espressione}\b"))).to_have_count(1)
    expect(registro).not_to_contain_text("seduta_convocata")
    screenshot(presidente, "08b-registro")

    # counted by heads, the same votes would have rejected the proposal (1 in favour, 2 against)
    votazione = Votazione.objects.get(punto__seduta__assemblea=c.assemblea)
    seduta = votazione.punto.seduta
    per_teste = voto.calcola_esito(
        voto.Regola(modalita=voto.PER_CAPITA, maggioranza=voto.ASSOLUTA), selectors.popolazioni(seduta),
        selectors.presenti(seduta), selectors.voti_della_votazione(votazione, seduta))
    assert (per_teste.conteggi[0].favorevoli, per_teste.conteggi[0].contrari) == (1, 2)
    assert not per_teste.approvata
    assert votazione.approvata

    # --- 6. the deliberation and its sealed PDF act
    deliberazione = Deliberazione.objects.get(votazione=votazione)
    collegamento = f"Deliberazione n. {deliberazione.numero}/{deliberazione.anno}"
    expect(punto.get_by_role("link", name=collegamento)).to_be_visible()
    punto.get_by_role("link", name=collegamento).click()
    expect(presidente.get_by_role("heading", level=1)).to_have_text(collegamento)
    expect(presidente.locator("main")).to_contain_text("Adottata il")
    expect(presidente.get_by_test_id("voti-per-comune")).to_contain_text("Pavia")
    screenshot(presidente, "08c-deliberazione")
    presidente.go_back()
    punto = presidente.get_by_test_id("punto-1")
    punto.get_by_role("link", name="atto in PDF").click()
    expect(presidente.get_by_role("heading", level=1)).to_contain_text(collegamento)
    expect(presidente.get_by_test_id("stato-documento")).to_contain_text("Documento pronto", timeout=15_000)
    expect(presidente.get_by_test_id("stato-documento")).to_contain_text("sigillato dall'ente emittente")
    scarica = presidente.get_by_role("link", name="Scarica il PDF")
    expect(scarica).to_be_visible()
    atto = Documento.objects.get(pk=deliberazione.atto_id)
    assert atto.tipo == Documento.Tipo.ATTO_INDIRIZZO and atto.sigillato
    expect(presidente.locator("main")).to_contain_text(atto.codice_verifica)
    expect(presidente.get_by_test_id("firme-apposte")).to_have_text(
        "Nessuna firma apposta, oltre al sigillo dell'ente emittente.")
    expect(presidente.get_by_role("link", name="Vai alla deliberazione dell'Assemblea dei Sindaci")).to_have_attribute(
        "href", f"/deliberazioni/{deliberazione.pk}/")
    screenshot(presidente, "09-atto-pdf")
    with presidente.expect_download() as scaricamento:
        scarica.click()
    assert scaricamento.value.suggested_filename.endswith(".pdf")

    # --- 7. the Ufficio di Piano records its own constitution: members linked to users and enti
    udp.goto(url_assemblea)
    udp.get_by_role("link", name="Registra la costituzione").click()
    udp.get_by_label("Responsabile").select_option(str(c.udp.pk))
    udp.get_by_label("Atto costitutivo").fill(f"Deliberazione dell'Assemblea dei Sindaci n. {deliberazione.numero}"
                                              f"/{deliberazione.anno}")
    udp.get_by_label("Costituito il").fill(timezone.localdate().isoformat())
    primo = udp.get_by_role("group", name="Componente n. 1")
    primo.get_by_label("Utente PianoZona").select_option(str(pavia.pk))
    primo.get_by_label("Ente di provenienza").select_option(label="Comune di Pavia")
    primo.get_by_label("Funzione").fill("referente politico")
    secondo = udp.get_by_role("group", name="Componente n. 2")
    secondo.get_by_label("Nome e cognome").fill("Luca Verdi")
    secondo.get_by_label("Funzione").fill("assistente sociale")
    udp.get_by_role("button", name="Aggiungi un componente").click()
    expect(udp.get_by_role("group", name="Componente n. 4")).to_be_visible()
    screenshot(udp, "10a-ufficio")
    udp.get_by_role("button", name="Registra", exact=True).click()
    messaggio(udp, "Costituzione dell'Ufficio di Piano registrata.")
    expect(udp.locator("#titolo-ufficio").locator("..")).to_contain_text(
        f"{pavia.get_full_name()} – referente politico (Comune di Pavia)")

    # --- 8. the Ufficio di Piano records the atto di indirizzo on the plan
    udp.goto(f"/piani/{c.piano.pk}/")
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Avvio")
    azione = udp.get_by_test_id("azione-approva_atto_indirizzo")
    expect(azione).not_to_contain_text("Ancora necessario")
    expect(udp.get_by_role("link", name=collegamento, exact=True)).to_be_visible()
    azione.get_by_role("button", name="Approva atto di indirizzo").click()
    expect(udp.get_by_test_id("stato-piano")).to_contain_text("Atto di indirizzo")
    expect(udp.get_by_test_id("timeline")).to_contain_text("Avvio → Atto di indirizzo")
    screenshot(udp, "11-piano")
    assert PianoDiZona.objects.get(pk=c.piano.pk).stato == "indirizzo"
    print(f"\npercorso dell'Assemblea: {time.monotonic() - inizio:.1f} s")
