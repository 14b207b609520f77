"""Document and signature pages: generation from the plan, download, signing requests,
uploads and the public verification, with the permissions of each role across two ambiti."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from accordi import services_firme
from accordi.firme.firma import firma_pdf
from accordi.models import Documento, EventoFirma, Firmatario, RevisioneDocumento, RichiestaFirma
from accordi.services_documenti import documento_richiedi, leggi, revisione_corrente
from ambiti.models import Ente, Incarico
from ambiti.services import incarico_assegna

from ..factories import EnteFactory, UtenteFactory

R = Incarico.Ruolo
FRA_DIECI_GIORNI = timezone.localdate() + datetime.timedelta(days=10)
QUERY_MASSIME = 15  # the page, whatever the number of signers (a warm process)


# --- helpers ------------------------------------------------------------------------------

def url(nome, *args):
    return reverse(f"accordi:{nome}", args=args)


def sorgente(risposta) -> str:
    """The HTML of the page, entities decoded (apostrophes, dashes)."""
    return html.unescape(risposta.content.decode())


def _leggibile(frammento: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", frammento)).split())


def visibile(risposta) -> str:
    """The page as a user reads it: no tags, whitespace collapsed."""
    return _leggibile(risposta.content.decode())


def righe(risposta, testid) -> list[str]:
    """Text of each body row of the table marked ``data-testid=testid``."""
    tabella = risposta.content.decode().split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    return [_leggibile(r) for r in tabella.split("<tbody>", 1)[1].split("<tr")[1:]]


def firmato(pki, utente, dati) -> bytes:
    """``dati`` signed with ``utente``'s certificate, as an external firma digitale tool would."""
    key, cert = pki.certificato(utente.codice_fiscale, nome=utente.first_name, cognome=utente.last_name)
    return firma_pdf(dati, signer_key=key, signer_cert=cert, ca_cert=pki.ca_cert)


def pdf_diverso() -> bytes:
    return HTML(string="<h1>Un altro documento</h1><p>Non è l'Accordo inviato.</p>").write_pdf()


def file_caricato(dati, nome="firmato.pdf"):
    return SimpleUploadedFile(nome, dati, content_type="application/pdf")


def carica(client, firmatario, dati, capture, nome="firmato.pdf"):
    with capture(execute=True):
        return client.post(url("firma_carica", firmatario.pk), {"file": file_caricato(dati, nome)}, follow=True)


def chiedi_firme(documento, udp, persone, capture, modalita="parallela"):
    with capture(execute=True):
        return services_firme.richiesta_firma_crea(
            documento=documento, utente=udp, modalita=modalita, scadenza=FRA_DIECI_GIORNI,
            firmatari=[(u, e, True) for u, e in persone],
        )


def niente_salvato(documento, firmatario):
    firmatario.refresh_from_db()
    assert firmatario.stato == Firmatario.Stato.IN_ATTESA and firmatario.revisione is None
    assert RevisioneDocumento.objects.filter(documento=documento).count() == 1


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def accordo(mondo, pki_attiva, capture):
    with capture(execute=True):
        documento = documento_richiedi(tipo="accordo", piano=mondo.piano, utente=mondo[R.RESPONSABILE_UDP])
    documento.refresh_from_db()
    return documento


@pytest.fixture
def sindaci(mondo):
    """(mayor, Comune) for each of the three Comuni of the ambito; the first is mondo's mayor."""
    persone = []
    for i, comune in enumerate(mondo.ambito.comuni.all()):
        ente, _ = Ente.objects.get_or_create(
            comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"})
        incarico = Incarico.objects.filter(ente=ente, ruolo=R.SINDACO, attivo=True).first()
        sindaco = incarico.utente if incarico else UtenteFactory(username=f"sindaco-{i}", first_name=f"Sindaco{i}")
        if not incarico:
            incarico_assegna(utente=sindaco, ruolo=R.SINDACO, ambito=mondo.ambito, ente=ente)
        persone.append((sindaco, ente))
    assert mondo[R.SINDACO] in [u for u, _ in persone]
    return persone


@pytest.fixture
def richiesta(accordo, mondo, sindaci, capture):
    return chiedi_firme(accordo, mondo[R.RESPONSABILE_UDP], sindaci, capture)


# --- generation ---------------------------------------------------------------------------

@pytest.mark.parametrize("tipo", ["accordo", "piano_bozza"])
def test_l_ufficio_di_piano_genera_l_atto_dalla_pagina_del_piano(client, mondo, pki_attiva, capture, tipo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    genera = url("documento_genera", mondo.piano.pk, tipo)
    assert genera in sorgente(client.get(url("piano", mondo.piano.pk)))

    with capture(execute=True):
        risposta = client.post(genera)
    documento = Documento.objects.get(piano=mondo.piano, tipo=tipo)
    assert risposta.status_code == 302 and risposta.url == url("documento", documento.pk)

    pagina = visibile(client.get(risposta.url))
    revisione = documento.revisioni.get()
    assert "Documento pronto · sigillato dall'ente emittente" in pagina
    assert f"n. {documento.protocollo}" in pagina and documento.protocollo == f"1/{documento.anno}"
    assert documento.codice_verifica in pagina and revisione.sha256 in pagina
    assert "Richiedi le firme" in pagina
    # and the plan lists it
    assert url("documento", documento.pk) in sorgente(client.get(url("piano", mondo.piano.pk)))


def test_il_sindaco_non_genera_atti(client, mondo, pki_attiva):
    client.force_login(mondo[R.SINDACO])
    assert "Genera:" not in visibile(client.get(url("piano", mondo.piano.pk)))
    assert client.post(url("documento_genera", mondo.piano.pk, "accordo")).status_code == 403
    assert not Documento.objects.exists()


def test_l_altro_ambito_riceve_404_ovunque(client, mondo, accordo, richiesta, sindaci, pki_attiva):
    firmatario = richiesta.firmatari.get(utente=sindaci[0][0])
    pki_attiva.p12_demo(mondo.udp_altro)
    dati = firmato(pki_attiva, sindaci[0][0], leggi(revisione_corrente(accordo)))
    client.force_login(mondo.udp_altro)
    richieste = [
        ("post", url("documento_genera", mondo.piano.pk, "accordo"), {}),
        ("get", url("documento", accordo.pk), {}),
        ("get", url("documento_stato", accordo.pk), {}),
        ("get", url("documento_scarica", accordo.pk), {}),
        ("get", url("richiesta_firma", accordo.pk), {}),
        ("post", url("richiesta_firma", accordo.pk), {"firmatari": [str(mondo.udp_altro.pk)]}),
        ("post", url("firma_carica", firmatario.pk), {"file": file_caricato(dati)}),
        ("post", url("firma_browser", firmatario.pk), {}),
        ("get", url("firma_busta", firmatario.pk), {}),
    ]
    for metodo, indirizzo, dati_post in richieste:
        assert getattr(client, metodo)(indirizzo, dati_post).status_code == 404, indirizzo
    assert Documento.objects.count() == 1
    niente_salvato(accordo, firmatario)


@pytest.mark.parametrize("ruolo", [R.RESPONSABILE_UDP, R.SINDACO, R.REFERENTE_TERZO_SETTORE])
def test_chi_legge_il_piano_scarica_il_pdf(client, mondo, accordo, ruolo):
    client.force_login(mondo[ruolo])
    risposta = client.get(url("documento_scarica", accordo.pk))
    assert risposta.status_code == 200
    assert risposta["Content-Type"] == "application/pdf"
    assert risposta["Content-Disposition"].startswith("attachment")
    assert b"".join(risposta.streaming_content) == leggi(accordo.revisioni.get())


def test_senza_accesso_si_va_al_login(client, accordo):
    risposta = client.get(url("documento_scarica", accordo.pk))
    assert risposta.status_code == 302 and "accedi" in risposta.url


# --- the signing request ------------------------------------------------------------------

def test_la_richiesta_propone_sindaci_e_asl_e_rifiuta_una_scadenza_passata(client, mondo, accordo, sindaci, capture):
    client.force_login(mondo[R.SINDACO])
    assert client.get(url("richiesta_firma", accordo.pk)).status_code == 403

    client.force_login(mondo[R.RESPONSABILE_UDP])
    indirizzo = url("richiesta_firma", accordo.pk)
    pagina = sorgente(client.get(indirizzo))
    asl = mondo[R.REFERENTE_ASL]
    for persona, ente in [*sindaci, (asl, mondo.ambito.asl.nome)]:
        assert f"{persona} – {ente} ({persona.codice_fiscale})" in pagina
    assert pagina.count('name="firmatari"') == 4

    ieri = timezone.localdate() - datetime.timedelta(days=1)
    dati = {"firmatari": [str(u.pk) for u, _ in sindaci], "modalita": "parallela", "scadenza": ieri.isoformat()}
    risposta = client.post(indirizzo, dati)
    assert risposta.status_code == 200
    assert "La scadenza non può essere nel passato." in visibile(risposta)
    assert not RichiestaFirma.objects.exists()

    dati["scadenza"] = FRA_DIECI_GIORNI.isoformat()
    with capture(execute=True):
        risposta = client.post(indirizzo, dati, follow=True)
    assert risposta.redirect_chain == [(url("documento", accordo.pk), 302)]
    assert "Richiesta di firma inviata" in visibile(risposta)
    richiesta = RichiestaFirma.objects.get(documento=accordo)
    assert (richiesta.modalita, richiesta.scadenza) == ("parallela", FRA_DIECI_GIORNI)
    proposti = [p[0] for p in services_firme.firmatari_proposti(accordo) if p[0] != asl]
    assert [f.utente for f in richiesta.firmatari.all()] == proposti  # the ASL was not ticked
    assert {m.to[0] for m in mail.outbox} == {u.email for u, _ in sindaci}
    assert len(righe(risposta, "tabella-firme")) == 3


def test_solo_il_firmatario_atteso_vede_il_modulo_di_firma(client, mondo, accordo, richiesta, sindaci, pki_attiva):
    primo, secondo = sindaci[0][0], sindaci[1][0]
    pki_attiva.p12_demo(primo)
    pki_attiva.p12_demo(mondo[R.RESPONSABILE_UDP])
    mio = richiesta.firmatari.get(utente=primo)

    client.force_login(primo)
    pagina = sorgente(client.get(url("documento", accordo.pk)))
    assert 'data-testid="area-firma"' in pagina
    assert url("firma_carica", mio.pk) in pagina and url("firma_browser", mio.pk) in pagina
    assert "Firma con il certificato dimostrativo" in pagina

    client.force_login(secondo)  # also a signer: their own form only, no demo without a certificate
    pagina = sorgente(client.get(url("documento", accordo.pk)))
    assert url("firma_carica", richiesta.firmatari.get(utente=secondo).pk) in pagina
    assert url("firma_carica", mio.pk) not in pagina
    assert "Firma con il certificato dimostrativo" not in pagina

    for estraneo in (mondo[R.RESPONSABILE_UDP], mondo[R.REFERENTE_ASL], mondo[R.PRESIDENTE_ASSEMBLEA]):
        client.force_login(estraneo)
        pagina = sorgente(client.get(url("documento", accordo.pk)))
        assert 'data-testid="area-firma"' not in pagina and "firma_carica" not in pagina
        assert "/firme/" not in pagina.split('data-testid="tabella-firme"')[1]


def test_chi_non_e_atteso_riceve_403_anche_con_un_file_valido(client, mondo, accordo, richiesta, sindaci,
                                                              pki_attiva):
    sindaco = sindaci[0][0]
    firmatario = richiesta.firmatari.get(utente=sindaco)
    dati = firmato(pki_attiva, sindaco, leggi(revisione_corrente(accordo)))  # the mayor's own valid file
    for intruso in (mondo[R.RESPONSABILE_UDP], sindaci[1][0]):
        pki_attiva.p12_demo(intruso)
        client.force_login(intruso)
        assert client.post(url("firma_carica", firmatario.pk), {"file": file_caricato(dati)}).status_code == 403
        assert client.post(url("firma_browser", firmatario.pk)).status_code == 403
    niente_salvato(accordo, firmatario)
    assert not EventoFirma.objects.filter(tipo__in=["accettata", "rifiutata"]).exists()


def test_firma_nel_browser_altrui_senza_certificato_dimostrativo_403(client, accordo, richiesta, sindaci):
    firmatario = richiesta.firmatari.get(utente=sindaci[0][0])
    client.force_login(sindaci[1][0])  # a signer too, but without a demo certificate
    assert client.post(url("firma_browser", firmatario.pk)).status_code == 403


# --- uploads ------------------------------------------------------------------------------

def test_un_pdf_firmato_esternamente_e_accettato(client, accordo, richiesta, sindaci, pki_attiva, capture):
    sindaco = sindaci[0][0]
    firmatario = richiesta.firmatari.get(utente=sindaco)
    dati = firmato(pki_attiva, sindaco, leggi(revisione_corrente(accordo)))
    client.force_login(sindaco)

    risposta = carica(client, firmatario, dati, capture)

    assert risposta.redirect_chain == [(url("documento", accordo.pk), 302)]
    pagina = visibile(risposta)
    assert "Firma verificata e registrata." in pagina
    assert "Firme sul PDF 1 firma apposta, oltre al sigillo dell'ente emittente." in pagina
    firmatario.refresh_from_db()
    assert (firmatario.stato, firmatario.metodo, firmatario.revisione.numero) == ("firmato", "pades", 1)
    assert leggi(firmatario.revisione) == dati
    riga = righe(risposta, "tabella-firme")[[u for u, _ in sindaci].index(sindaco)]
    assert "Firmato" in riga and firmatario.certificato_soggetto in riga and "CA di prova PianoZona" in riga
    assert firmatario.certificato_soggetto == f"{sindaco.last_name} {sindaco.first_name}".upper()
    assert 'data-testid="area-firma"' not in sorgente(risposta)  # signed: nothing left to do
    # the download now serves the signed revision
    assert b"".join(client.get(url("documento_scarica", accordo.pk)).streaming_content) == dati


@pytest.mark.parametrize("caso, motivo", [
    ("altro_pdf", "Il file caricato non è conforme all'originale."),
    ("altro_firmatario", "Firmatario diverso da quello atteso: atteso {atteso}, trovato {trovato}."),
    ("senza_firma", "Il file caricato non contiene una nuova firma."),
    ("non_pdf", "Il file non è un PDF valido."),
])
def test_un_file_che_non_corrisponde_e_rifiutato_senza_salvare_nulla(client, mondo, accordo, richiesta, sindaci,
                                                                   pki_attiva, capture, caso, motivo):
    sindaco, altro = sindaci[0][0], sindaci[1][0]
    firmatario = richiesta.firmatari.get(utente=sindaco)
    corrente = leggi(revisione_corrente(accordo))
    dati = {
        "altro_pdf": lambda: firmato(pki_attiva, sindaco, pdf_diverso()),
        "altro_firmatario": lambda: firmato(pki_attiva, altro, corrente),
        "senza_firma": lambda: corrente,
        "non_pdf": lambda: b"Questo non e' un PDF, anche se si chiama .pdf",
    }[caso]()
    motivo = motivo.format(atteso=sindaco.codice_fiscale, trovato=altro.codice_fiscale)
    client.force_login(sindaco)

    risposta = carica(client, firmatario, dati, capture)

    assert risposta.status_code == 200
    assert f"Firma non accettata: {motivo}" in visibile(risposta)
    niente_salvato(accordo, firmatario)
    rifiuto = EventoFirma.objects.get(richiesta=richiesta, tipo=EventoFirma.Tipo.FIRMA_RIFIUTATA)
    assert (rifiuto.firmatario, rifiuto.utente, rifiuto.messaggio) == (firmatario, sindaco, motivo)
    assert 'data-testid="area-firma"' in sorgente(risposta)  # they may try again


def test_un_file_troppo_grande_e_rifiutato(client, settings, accordo, richiesta, sindaci, pki_attiva, capture):
    settings.PIANOZONA_MAX_UPLOAD_BYTES = 4 * 1024
    sindaco = sindaci[0][0]
    firmatario = richiesta.firmatari.get(utente=sindaco)
    dati = firmato(pki_attiva, sindaco, leggi(revisione_corrente(accordo)))
    assert len(dati) > settings.PIANOZONA_MAX_UPLOAD_BYTES
    client.force_login(sindaco)

    risposta = carica(client, firmatario, dati, capture)

    assert risposta.status_code == 200
    assert "Il file supera la dimensione massima di" in visibile(risposta)
    niente_salvato(accordo, firmatario)


# --- public verification ------------------------------------------------------------------

@pytest.fixture
def firmato_dal_primo(accordo, richiesta, sindaci, pki_attiva, capture):
    sindaco = sindaci[0][0]
    dati = firmato(pki_attiva, sindaco, leggi(revisione_corrente(accordo)))
    with capture(execute=True):
        services_firme.firma_carica(firmatario=richiesta.firmatari.get(utente=sindaco), utente=sindaco,
                                    nome_file="firmato.pdf", dati=dati)
    return dati


def test_verifica_pubblica_per_codice(client, accordo, sindaci, firmato_dal_primo):
    indirizzo = url("verifica_codice", accordo.codice_verifica)
    risposta = client.post(url("verifica"), {"codice": f" {accordo.codice_verifica.lower()} "})
    assert risposta.status_code == 302 and risposta.url == indirizzo

    risposta = client.get(indirizzo)
    assert risposta.status_code == 200
    pagina = visibile(risposta)
    assert accordo.titolo in pagina and f"n. {accordo.protocollo}" in pagina and "file integro" in pagina
    assert RevisioneDocumento.objects.get(documento=accordo, numero=1).sha256 in pagina
    # one sentence with its link inside, not two fragments around it
    assert (f'Per una verifica completa <a href="{url("verifica")}">carica il file</a> o usa un qualsiasi '
            "software di verifica della firma digitale.") in risposta.content.decode()
    firmatari = list(Firmatario.objects.filter(richiesta__documento=accordo))
    elenco = righe(risposta, "firme-documento")
    assert len(elenco) == 3
    for firmatario, riga in zip(firmatari, elenco, strict=True):
        # the codice fiscale is personal data: the public page shows only its first six characters
        assert firmatario.codice_fiscale[:6] in riga and firmatario.codice_fiscale not in pagina
        if firmatario.utente == sindaci[0][0]:
            assert firmatario.certificato_soggetto in riga and "sì / sì / sì" in riga
            assert "solo firme aggiunte" in riga
        else:
            assert "firma mancante" in riga
    scaricato = client.get(url("verifica_scarica", accordo.codice_verifica.lower()))
    assert b"".join(scaricato.streaming_content) == firmato_dal_primo


def test_verifica_pubblica_di_un_file_caricato(client, accordo, sindaci, firmato_dal_primo):
    risposta = client.post(url("verifica"), {"file": file_caricato(firmato_dal_primo)})
    assert risposta.status_code == 200
    pagina = visibile(risposta)
    assert "Tutte le firme sono valide." in pagina
    corrispondenza = sorgente(risposta).split('data-testid="corrispondenza"', 1)[1].split("</p>", 1)[0]
    assert f"«{accordo.titolo}» n. {accordo.protocollo}" in corrispondenza
    assert url("verifica_codice", accordo.codice_verifica) in corrispondenza
    esiti = righe(risposta, "esito-firme")
    assert len(esiti) == 2  # the issuing body's seal, then the mayor
    assert all("sì sì sì" in r and "Valida" in r for r in esiti)
    assert sindaci[0][0].codice_fiscale in esiti[1]


def test_un_codice_sconosciuto(client, db):
    risposta = client.post(url("verifica"), {"codice": "ZZZZZZZZZZ"})
    assert risposta.status_code == 200
    assert "Nessun documento corrisponde a questo codice." in visibile(risposta)
    assert client.get(url("verifica_codice", "ZZZZZZZZZZ")).status_code == 404


@pytest.mark.parametrize("nome, dati, messaggio", [
    ("documento.pdf", b"solo testo, niente PDF", "Il file non è un PDF valido."),
    ("documento.pdf", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj << /Type /Catalog", "Il file PDF è danneggiato o incompleto"),
    ("busta.p7m", b"\x30\x82\x01\x00 non una busta", "Il file .p7m non è una busta CAdES valida."),
    ("immagine.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "Il file non è un PDF valido."),
])
def test_un_file_illeggibile_da_un_errore_chiaro(client, db, nome, dati, messaggio):
    risposta = client.post(url("verifica"), {"file": file_caricato(dati, nome)})
    assert risposta.status_code == 200
    assert messaggio in visibile(risposta) and 'role="alert"' in sorgente(risposta)
    assert "Esito" not in visibile(risposta)


def test_un_pdf_senza_firme_si_verifica_senza_errori_del_server(client, db):
    risposta = client.post(url("verifica"), {"file": file_caricato(pdf_diverso())})
    assert risposta.status_code == 200
    pagina = visibile(risposta)
    assert "Una o più firme non sono valide." in pagina and "Il file non contiene alcuna firma digitale." in pagina
    assert "Il file non corrisponde a nessun documento emesso con PianoZona." in pagina


# --- cost of the page ---------------------------------------------------------------------

@pytest.mark.parametrize("quanti", [2, 12])
@pytest.mark.parametrize("chi", [
    "firmatario",
    "ufficio_di_piano",
])
def test_le_query_della_pagina_non_crescono_con_i_firmatari(client, mondo, accordo, pki_attiva, capture,
                                                           django_assert_max_num_queries, quanti, chi):
    persone = [(UtenteFactory(), EnteFactory()) for _ in range(quanti)]
    richiesta = chiedi_firme(accordo, mondo[R.RESPONSABILE_UDP], persone, capture)
    primo = persone[0][0]
    with capture(execute=True):
        services_firme.firma_carica(
            firmatario=richiesta.firmatari.get(utente=primo), utente=primo, nome_file="firmato.pdf",
            dati=firmato(pki_attiva, primo, leggi(revisione_corrente(accordo))))
    assert richiesta.eventi.count() == quanti + 2  # the request, one invitation each, one signature
    client.force_login(persone[1][0] if chi == "firmatario" else mondo[R.RESPONSABILE_UDP])
    client.get(url("documento", accordo.pk))  # warm the per-process caches (content types)

    with django_assert_max_num_queries(QUERY_MASSIME):
        risposta = client.get(url("documento", accordo.pk))

    assert len(righe(risposta, "tabella-firme")) == quanti
    assert ("Registro della richiesta" in visibile(risposta)) == (chi == "ufficio_di_piano")

