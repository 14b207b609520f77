"""Verifier: PAdES and CAdES outcomes, refusals, and the per-upload path."""

import asyncio
import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import embed, generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import copy_into_new_writer
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter

from accordi.firme import firma
from accordi.firme.verifica import (
    MSG_ALLEGATI,
    MSG_CIFRATO,
    MSG_JAVASCRIPT,
    MSG_NO_NON_REPUDIATION,
    MSG_NON_ANCORA_VALIDO,
    MSG_NON_ATTENDIBILE,
    MSG_NON_CONFORME,
    MSG_NON_INTEGRA,
    MSG_NON_PDF,
    MSG_ORIGINALE_MODIFICATO,
    MSG_P7M_DIVERSO,
    MSG_P7M_NON_VALIDO,
    MSG_PDF_ILLEGGIBILE,
    MSG_SCADUTO,
    MSG_SCADUTO_ORA,
    EsitoVerifica,
    FileNonAccettato,
    carica_radici,
    carica_trusted_list,
    contenuto_p7m,
    controlla_firmatario,
    verifica_file,
    verifica_nuova_revisione,
    verifica_p7m,
    verifica_pdf,
)

from .conftest import CF_BIANCHI, CF_ENTE, CF_ROSSI, aggiungi_revisione, cambia_contenuto


def _rifiuto(excinfo) -> str:
    return excinfo.value.messaggio


# --------------------------------------------------------------------------- PAdES: good


def test_sealed_pdf_verifies(pdf_sigillato, pdf_originale, dev_pki):
    esito = verifica_pdf(pdf_sigillato, radici=dev_pki.radici, originale=pdf_originale)
    assert esito.ok, esito.as_dict()
    (sigillo,) = esito.firme
    assert sigillo.campo == "Sigillo"
    assert (sigillo.intact, sigillo.valid, sigillo.trusted) == (True, True, True)
    assert sigillo.codice_fiscale == CF_ENTE
    assert sigillo.firmatario == "Comune di Pavia"
    assert sigillo.modification_level == "NONE"
    assert sigillo.copre_tutto and sigillo.non_repudiation
    assert sigillo.signing_time is not None
    assert esito.contenuto_sha256 == hashlib.sha256(pdf_originale).hexdigest()
    assert controlla_firmatario(sigillo, CF_ENTE) == []


def test_two_person_signatures_accumulate_and_verify(pdf_due_firme, pdf_sigillato, dev_pki):
    esito = verifica_pdf(pdf_due_firme, radici=dev_pki.radici, originale=pdf_sigillato)
    assert esito.ok, esito.as_dict()
    assert [f.campo for f in esito.firme] == ["Sigillo", "Firma1", "Firma2"]
    assert [f.codice_fiscale for f in esito.firme] == [CF_ENTE, CF_ROSSI, CF_BIANCHI]
    assert [f.revisione for f in esito.firme] == [0, 1, 2]
    # earlier signatures see later ones as form filling, the last one sees nothing
    assert [f.modification_level for f in esito.firme] == ["FORM_FILLING", "FORM_FILLING", "NONE"]
    assert all(f.docmdp_ok for f in esito.firme)
    assert esito.firme[1].firmatario == "ROSSI MARIO"
    assert controlla_firmatario(esito.firme[1], CF_ROSSI) == []
    assert controlla_firmatario(esito.firme[2], "tinit-" + CF_BIANCHI.lower()) == []


def test_fast_path_agrees_with_pyhanko_full_analysis(pdf_due_firme, dev_pki, pdf_sigillato):
    modificato = dev_pki.bianchi.firma(aggiungi_revisione(
        dev_pki.rossi.firma(pdf_sigillato), cambia_contenuto
    ))
    for pdf in (pdf_due_firme, modificato, aggiungi_revisione(pdf_due_firme, cambia_contenuto)):
        veloce = verifica_pdf(pdf, radici=dev_pki.radici)
        completa = verifica_pdf(pdf, radici=dev_pki.radici, analisi_completa=True)
        assert [(f.modification_level, f.docmdp_ok, f.ok) for f in veloce.firme] == [
            (f.modification_level, f.docmdp_ok, f.ok) for f in completa.firme
        ]


def _firma_pyhanko(pdf, chi, nome, *, box=None, certify=False):
    """Sign with options our helpers do not expose: visible widgets, certification."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=nome, subfilter=SigSeedSubFilter.PADES, md_algorithm="sha256",
        certify=certify, docmdp_permissions=MDPPerm.FILL_FORMS,
    )
    out = signers.sign_pdf(
        writer, meta, signer=firma.crea_signer(chi.key, chi.cert, chi.ca_cert),
        new_field_spec=SigFieldSpec(nome, box=box) if box else None,
    )
    return out.getvalue()


def test_visible_and_certification_signatures_agree_with_pyhanko(pdf_originale, dev_pki):
    visibili = _firma_pyhanko(pdf_originale, dev_pki.rossi, "Firma1", box=(100, 100, 300, 160))
    visibili = _firma_pyhanko(visibili, dev_pki.bianchi, "Firma2", box=(300, 100, 500, 160))
    certificato = _firma_pyhanko(pdf_originale, dev_pki.rossi, "Firma1", certify=True)
    certificato = _firma_pyhanko(certificato, dev_pki.bianchi, "Firma2")
    casi = [
        (visibili, [True, True]),
        (certificato, [True, True]),
        (aggiungi_revisione(certificato, cambia_contenuto), [False, False]),
    ]
    for pdf, attesi in casi:
        veloce = verifica_pdf(pdf, radici=dev_pki.radici)
        completa = verifica_pdf(pdf, radici=dev_pki.radici, analisi_completa=True)
        assert [f.ok for f in veloce.firme] == attesi
        assert [(f.modification_level, f.docmdp_ok) for f in veloce.firme] == [
            (f.modification_level, f.docmdp_ok) for f in completa.firme
        ]


def test_works_inside_a_running_event_loop(pdf_due_firme, dev_pki):
    async def vista_asincrona():  # e.g. an ASGI view calling the sync API
        return verifica_pdf(pdf_due_firme, radici=dev_pki.radici)

    assert asyncio.run(vista_asincrona()).ok


def test_as_dict_is_json_serialisable(pdf_due_firme, dev_pki):
    d = verifica_pdf(pdf_due_firme, radici=dev_pki.radici).as_dict()
    testo = json.dumps(d)
    assert json.loads(testo)["ok"] is True
    for firma_d in d["firme"]:
        for chiave in ("signer", "codice_fiscale", "signing_time", "intact", "valid",
                       "trusted", "modification_level", "ok"):
            assert chiave in firma_d
        assert "T" in firma_d["signing_time"]  # ISO 8601


def test_field_names_are_unique_and_sequential(pdf_due_firme):
    assert firma.nomi_campi_firma(pdf_due_firme) == ["Sigillo", "Firma1", "Firma2"]
    assert firma.prossimo_nome_campo(["Sigillo", "Firma1", "Firma7"]) == "Firma8"
    assert firma.prossimo_nome_campo(["Sigillo"], base="Sigillo") == "Sigillo2"


def test_timestamped_signature_takes_time_from_the_token(pdf_sigillato, dev_pki):
    ts = firma.timestamper_di_prova(dev_pki.tsa_key, dev_pki.tsa, dev_pki.ca)
    pdf = dev_pki.rossi.firma(pdf_sigillato, timestamper=ts)
    esito = verifica_pdf(pdf, radici=dev_pki.radici)
    assert esito.ok, esito.as_dict()
    assert esito.firme[-1].marca_temporale
    assert esito.firme[-1].signing_time is not None


# --------------------------------------------------------------------------- PAdES: bad


def test_wrong_signer_is_reported(pdf_due_firme, dev_pki):
    esito = verifica_pdf(pdf_due_firme, radici=dev_pki.radici)
    errori = controlla_firmatario(esito.firme[1], CF_BIANCHI)
    assert errori == [
        f"Firmatario diverso da quello atteso: atteso {CF_BIANCHI}, trovato {CF_ROSSI}"
    ]
    esito.firme[1].codice_fiscale = None
    assert controlla_firmatario(esito.firme[1], CF_BIANCHI) == [
        f"Firmatario diverso da quello atteso: atteso {CF_BIANCHI}, "
        "trovato nessun codice fiscale"
    ]


def test_untrusted_ca(pdf_sigillato, dev_pki):
    esito = verifica_pdf(dev_pki.estraneo.firma(pdf_sigillato), radici=dev_pki.radici)
    firma_estranea = esito.firme[-1]
    assert firma_estranea.intact and firma_estranea.valid
    assert not firma_estranea.trusted
    assert not esito.ok
    assert MSG_NON_ATTENDIBILE in firma_estranea.errori
    assert MSG_NON_ATTENDIBILE in controlla_firmatario(firma_estranea, firma_estranea.codice_fiscale)
    # the same kind of file is fine for whoever trusts that CA
    assert verifica_pdf(
        dev_pki.estraneo.firma(pdf_sigillato), radici=[dev_pki.ca, dev_pki.altra_ca]
    ).ok


def test_expired_certificate(pdf_sigillato, dev_pki):
    esito = verifica_pdf(dev_pki.scaduto.firma(pdf_sigillato), radici=dev_pki.radici)
    f = esito.firme[-1]
    assert f.intact
    assert not f.certificato_valido_al_momento
    assert not f.trusted and not esito.ok
    assert controlla_firmatario(f, CF_ROSSI) == [MSG_SCADUTO]


def test_certificate_expired_after_signing_without_timestamp(pdf_una_firma, dev_pki):
    # verified four years from now: valid when signed, expired at verification, and a
    # B-B signature has nothing that proves when it was made
    dopo = datetime.now(UTC) + timedelta(days=4 * 365)
    f = verifica_pdf(pdf_una_firma, radici=dev_pki.radici, moment=dopo).firme[-1]
    assert f.certificato_valido_al_momento and not f.trusted
    assert controlla_firmatario(f, CF_ROSSI) == [MSG_SCADUTO_ORA]


def test_not_yet_valid_certificate(pdf_sigillato, dev_pki):
    f = verifica_pdf(dev_pki.futuro.firma(pdf_sigillato), radici=dev_pki.radici).firme[-1]
    assert not f.ok
    assert controlla_firmatario(f, CF_ROSSI) == [MSG_NON_ANCORA_VALIDO]


def test_certificate_without_non_repudiation(pdf_sigillato, dev_pki):
    esito = verifica_pdf(dev_pki.senza_nr.firma(pdf_sigillato), radici=dev_pki.radici)
    f = esito.firme[-1]
    assert f.intact and f.valid
    assert not f.non_repudiation and not f.trusted and not esito.ok
    assert controlla_firmatario(f, CF_ROSSI) == [MSG_NO_NON_REPUDIATION]


def test_tampered_byte_breaks_integrity(pdf_sigillato, dev_pki):
    firmato = dev_pki.rossi.firma(pdf_sigillato)
    # flip one byte inside the first page's content stream: covered by every signature
    pos = firmato.index(b"stream\n") + len(b"stream\n") + 5
    alterato = bytearray(firmato)
    alterato[pos] ^= 0x01
    esito = verifica_pdf(bytes(alterato), radici=dev_pki.radici)
    assert not esito.ok
    assert all(not f.intact for f in esito.firme)
    assert MSG_NON_INTEGRA in controlla_firmatario(esito.firme[-1], CF_ROSSI)


def test_content_change_after_signature_is_flagged(pdf_due_firme, dev_pki):
    modificato = aggiungi_revisione(pdf_due_firme, cambia_contenuto)
    esito = verifica_pdf(modificato, radici=dev_pki.radici)
    assert not esito.ok
    for f in esito.firme:
        assert f.intact  # the bytes each signer signed are untouched…
        assert f.modification_level == "OTHER"  # …but the document shown is not the same
        assert not f.docmdp_ok and not f.ok


def test_content_change_between_signatures(pdf_sigillato, dev_pki):
    mezzo = aggiungi_revisione(dev_pki.rossi.firma(pdf_sigillato), cambia_contenuto)
    esito = verifica_pdf(dev_pki.bianchi.firma(mezzo), radici=dev_pki.radici)
    assert [f.docmdp_ok for f in esito.firme] == [False, False, True]
    assert esito.firme[-1].ok and not esito.ok


def test_content_change_before_first_upload_signature(pdf_sigillato, pdf_originale, dev_pki):
    # the signer's tool altered the page and then signed: the signature itself is fine,
    # but the document is no longer the one we issued
    alterato = dev_pki.rossi.firma(aggiungi_revisione(pdf_sigillato, cambia_contenuto))
    esito = verifica_pdf(alterato, radici=dev_pki.radici, originale=pdf_sigillato)
    assert MSG_ORIGINALE_MODIFICATO in esito.errori
    assert not esito.ok


# --------------------------------------------------------------------------- refusals


def test_non_pdf_named_pdf_is_refused(dev_pki):
    with pytest.raises(FileNonAccettato) as exc:
        verifica_file(b"Questo non e' un PDF", "accordo.pdf", radici=dev_pki.radici)
    assert _rifiuto(exc) == MSG_NON_PDF == "Il file non è un PDF valido."
    with pytest.raises(FileNonAccettato) as exc:
        verifica_pdf(b"\x89PNG\r\n\x1a\n", radici=dev_pki.radici)
    assert _rifiuto(exc) == MSG_NON_PDF


@pytest.mark.parametrize("taglio", [0.5, 0.9, -20])
def test_truncated_pdf_is_refused(pdf_due_firme, dev_pki, taglio):
    fine = int(len(pdf_due_firme) * taglio) if taglio > 0 else len(pdf_due_firme) + taglio
    with pytest.raises(FileNonAccettato) as exc:
        verifica_pdf(pdf_due_firme[:fine], radici=dev_pki.radici)
    assert _rifiuto(exc) == MSG_PDF_ILLEGGIBILE


def test_encrypted_pdf_is_refused(pdf_originale, dev_pki):
    writer = copy_into_new_writer(PdfFileReader(BytesIO(pdf_originale)))
    writer.encrypt("proprietario", "utente")
    out = BytesIO()
    writer.write(out)
    with pytest.raises(FileNonAccettato) as exc:
        verifica_pdf(out.getvalue(), radici=dev_pki.radici)
    assert _rifiuto(exc) == MSG_CIFRATO == "I PDF cifrati non sono accettati."


def _con_javascript(writer):
    writer.root["/OpenAction"] = generic.DictionaryObject({
        generic.NameObject("/S"): generic.NameObject("/JavaScript"),
        generic.NameObject("/JS"): generic.TextStringObject("app.alert('ciao')"),
    })
    writer.update_root()


def _con_allegato(writer):
    dati = embed.EmbeddedFileObject.from_file_data(writer, data=b"MZ...", mime_type="text/plain")
    embed.embed_file(writer, embed.FileSpec(file_spec_string="leggimi.txt", embedded_data=dati))


@pytest.mark.parametrize(("modifica", "messaggio"), [
    (_con_javascript, MSG_JAVASCRIPT), (_con_allegato, MSG_ALLEGATI),
])
def test_active_content_is_refused(pdf_sigillato, dev_pki, modifica, messaggio):
    attivo = dev_pki.rossi.firma(aggiungi_revisione(pdf_sigillato, modifica))
    with pytest.raises(FileNonAccettato) as exc:
        verifica_pdf(attivo, radici=dev_pki.radici)
    assert _rifiuto(exc) == messaggio
    with pytest.raises(FileNonAccettato):
        verifica_nuova_revisione(attivo, radici=dev_pki.radici, originale_firmato=pdf_sigillato)


def test_active_content_already_in_the_original_is_tolerated(pdf_originale, dev_pki):
    originale = aggiungi_revisione(pdf_originale, _con_allegato)
    firmato = dev_pki.rossi.firma(originale)
    assert verifica_pdf(firmato, radici=dev_pki.radici, originale=originale).ok
    with pytest.raises(FileNonAccettato):
        verifica_pdf(firmato, radici=dev_pki.radici)


def test_oversized_data_is_refused(dev_pki):
    with pytest.raises(FileNonAccettato) as exc:
        verifica_file(b"%PDF-1.7\n" + b"0" * (20 * 1024 * 1024), "a.pdf", radici=dev_pki.radici)
    assert _rifiuto(exc) == "Il file supera la dimensione massima di 20 MB."


def test_upload_must_start_with_the_original(pdf_due_firme, pdf_originale, dev_pki):
    # same document, one byte different in the binary comment after the header
    simile = pdf_originale[:10] + bytes([pdf_originale[10] ^ 0x01]) + pdf_originale[11:]
    altro = dev_pki.rossi.firma(simile)
    with pytest.raises(FileNonAccettato) as exc:
        verifica_pdf(altro, radici=dev_pki.radici, originale=pdf_originale)
    assert _rifiuto(exc) == MSG_NON_CONFORME


def test_unsigned_pdf_is_not_ok(pdf_originale, dev_pki):
    esito = verifica_pdf(pdf_originale, radici=dev_pki.radici)
    assert not esito.ok and esito.firme == []


# --------------------------------------------------------------------------- per upload


def test_new_revision_checks_only_the_new_signature(pdf_una_firma, pdf_due_firme, dev_pki):
    esito = verifica_nuova_revisione(
        pdf_due_firme, radici=dev_pki.radici, originale_firmato=pdf_una_firma
    )
    assert esito.ok, esito.as_dict()
    assert esito.campo == "Firma2" and esito.codice_fiscale == CF_BIANCHI
    assert esito.revisione == 2
    assert controlla_firmatario(esito, CF_BIANCHI) == []


def test_new_revision_rejects_non_conforming_or_empty_uploads(pdf_sigillato, pdf_due_firme,
                                                              dev_pki):
    with pytest.raises(FileNonAccettato) as exc:
        verifica_nuova_revisione(
            dev_pki.bianchi.firma(dev_pki.estraneo.firma(pdf_sigillato)),
            radici=dev_pki.radici, originale_firmato=dev_pki.rossi.firma(pdf_sigillato),
        )
    assert _rifiuto(exc) == MSG_NON_CONFORME
    with pytest.raises(FileNonAccettato):
        verifica_nuova_revisione(pdf_sigillato, radici=dev_pki.radici,
                                 originale_firmato=pdf_sigillato)


def test_new_revision_that_alters_content_is_not_ok(pdf_sigillato, dev_pki):
    alterato = dev_pki.rossi.firma(aggiungi_revisione(pdf_sigillato, cambia_contenuto))
    esito = verifica_nuova_revisione(alterato, radici=dev_pki.radici,
                                     originale_firmato=pdf_sigillato)
    assert esito.intact and esito.trusted
    assert MSG_ORIGINALE_MODIFICATO in esito.errori and not esito.ok


def test_new_revision_over_an_unsigned_original(pdf_originale, dev_pki):
    esito = verifica_nuova_revisione(dev_pki.rossi.firma(pdf_originale), radici=dev_pki.radici,
                                     originale_firmato=pdf_originale)
    assert esito.ok, esito.as_dict()


# --------------------------------------------------------------------------- CAdES


def test_p7m_around_the_right_document(pdf_originale, dev_pki):
    p7m = dev_pki.rossi.cades(pdf_originale)
    esito = verifica_file(p7m, "accordo.pdf.p7m", radici=dev_pki.radici, originale=pdf_originale)
    assert isinstance(esito, EsitoVerifica) and esito.formato == "p7m"
    assert esito.ok, esito.as_dict()
    (f,) = esito.firme
    assert f.codice_fiscale == CF_ROSSI and f.signing_time is not None
    assert f.intact and f.valid and f.trusted and f.non_repudiation
    assert esito.contenuto_sha256 == hashlib.sha256(pdf_originale).hexdigest()
    json.dumps(esito.as_dict())


def test_p7m_in_pem_or_base64_is_accepted(pdf_originale, dev_pki):
    der = dev_pki.rossi.cades(pdf_originale)
    b64 = base64.encodebytes(der)
    pem = b"-----BEGIN PKCS7-----\n" + b64 + b"-----END PKCS7-----\n"
    for variante in (b64, pem):
        assert verifica_p7m(variante, radici=dev_pki.radici, originale=pdf_originale).ok


def test_p7m_around_another_document(pdf_originale, dev_pki):
    p7m = dev_pki.rossi.cades(pdf_originale + b"\n% altro")
    with pytest.raises(FileNonAccettato) as exc:
        verifica_p7m(p7m, radici=dev_pki.radici, originale=pdf_originale)
    assert _rifiuto(exc) == MSG_P7M_DIVERSO


def test_p7m_problems_are_reported(pdf_originale, dev_pki):
    estraneo = verifica_p7m(dev_pki.estraneo.cades(pdf_originale), radici=dev_pki.radici)
    assert MSG_NON_ATTENDIBILE in estraneo.firme[0].errori and not estraneo.ok
    senza_nr = verifica_p7m(dev_pki.senza_nr.cades(pdf_originale), radici=dev_pki.radici)
    assert controlla_firmatario(senza_nr.firme[0], CF_ROSSI) == [MSG_NO_NON_REPUDIATION]


def test_tampered_p7m_is_not_intact(pdf_originale, dev_pki):
    p7m = bytearray(dev_pki.rossi.cades(pdf_originale))
    pos = bytes(p7m).index(b"%PDF-1.7") + 7  # inside the enveloped document
    p7m[pos] ^= 0x01
    esito = verifica_p7m(bytes(p7m), radici=dev_pki.radici)
    assert not esito.firme[0].intact and not esito.ok


@pytest.mark.parametrize("garbage", [b"", b"\x30\x03\x02\x01", b"ciao ciao", b"\x30" * 64])
def test_garbage_p7m_is_refused(dev_pki, garbage):
    with pytest.raises(FileNonAccettato) as exc:
        verifica_file(garbage, "accordo.pdf.p7m", radici=dev_pki.radici)
    assert _rifiuto(exc) == MSG_P7M_NON_VALIDO


def test_dispatch_is_by_content_not_by_name(pdf_originale, dev_pki, pdf_sigillato):
    p7m = dev_pki.rossi.cades(pdf_originale)
    assert verifica_file(p7m, "accordo.pdf", radici=dev_pki.radici).formato == "p7m"
    assert verifica_file(pdf_sigillato, "accordo.p7m", radici=dev_pki.radici).formato == "pdf"


# --------------------------------------------------------------------------- trust roots


def test_trust_roots_from_directory_and_trusted_list(dev_pki, tmp_path):
    (tmp_path / "ca.pem").write_bytes(dev_pki.ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "altra.cer").write_bytes(dev_pki.altra_ca.public_bytes(serialization.Encoding.DER))
    (tmp_path / "leggimi.txt").write_text("non sono un certificato")
    radici = carica_radici(tmp_path)
    assert set(radici) == {dev_pki.ca, dev_pki.altra_ca}

    b64 = base64.b64encode(dev_pki.ca.public_bytes(serialization.Encoding.DER)).decode()
    tl = tmp_path / "tl" / "IT_TL.xml"
    tl.parent.mkdir()
    tl.write_text(
        '<?xml version="1.0"?>'
        '<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#" '
        'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><TrustServiceProviderList>'
        "<TrustServiceProvider><TSPServices><TSPService><ServiceInformation>"
        "<ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC"
        "</ServiceTypeIdentifier><ServiceDigitalIdentity><DigitalId>"
        f"<X509Certificate>{b64}</X509Certificate>"
        "</DigitalId></ServiceDigitalIdentity></ServiceInformation></TSPService>"
        "</TSPServices></TrustServiceProvider></TrustServiceProviderList>"
        "</TrustServiceStatusList>"
    )
    assert carica_trusted_list(tl) == [dev_pki.ca]
    assert carica_trusted_list(tl, solo_tipi=["http://uri.etsi.org/TrstSvc/Svctype/TSA"]) == []
    assert carica_radici(tl.parent) == [dev_pki.ca]


@pytest.mark.parametrize("formato", ["pdf", "p7m"])
def test_corrupted_files_never_crash_the_verifier(pdf_due_firme, pdf_originale, dev_pki,
                                                  formato):
    # a byte flipped anywhere: a verdict or a clean refusal, never a server error; and a
    # verdict of "ok" only if the flipped byte was outside what was signed (e.g. inside an
    # embedded copy of the CA certificate), so the signed document is still the original
    dati = pdf_due_firme if formato == "pdf" else dev_pki.rossi.cades(pdf_originale)
    originale_sha = hashlib.sha256(pdf_originale).hexdigest()
    passo = max(len(dati) // 60, 1)
    for pos in range(9, len(dati), passo):
        alterato = bytearray(dati)
        alterato[pos] ^= 0x5A
        try:
            esito = verifica_file(bytes(alterato), f"x.{formato}", radici=dev_pki.radici)
        except FileNonAccettato:
            continue
        assert isinstance(esito, EsitoVerifica)
        if esito.ok:
            assert esito.contenuto_sha256 == originale_sha


def test_nested_p7m_countersignature(pdf_originale, dev_pki):
    # Italian ".pdf.p7m.p7m": a second signer envelopes the first envelope
    doppia = dev_pki.bianchi.cades(dev_pki.rossi.cades(pdf_originale))
    esito = verifica_p7m(doppia, radici=dev_pki.radici, originale=pdf_originale)
    assert esito.ok, esito.as_dict()
    assert [f.codice_fiscale for f in esito.firme] == [CF_ROSSI, CF_BIANCHI]
    assert esito.contenuto_sha256 == hashlib.sha256(pdf_originale).hexdigest()
    assert contenuto_p7m(doppia) == pdf_originale
