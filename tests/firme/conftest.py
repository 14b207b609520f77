"""Fixtures for the signature library: a development PKI and signed PDFs, built once per
session in memory (no network, no private keys on disk except a temporary PKCS#12)."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
import weasyprint
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from accordi.firme import firma, pki

CF_ROSSI = "RSSMRA80A01H501U"
CF_BIANCHI = "BNCGLI85M41F205X"
CF_VERDI = "VRDLCU70C10G388K"
CF_ENTE = "00296180185"
PASSPHRASE = "prova-sigillo"


@dataclass
class Soggetto:
    key: object
    cert: object
    ca_cert: object

    def firma(self, pdf: bytes, **kw) -> bytes:
        return firma.firma_pdf(
            pdf, signer_key=self.key, signer_cert=self.cert, ca_cert=self.ca_cert, **kw
        )

    def cades(self, contenuto: bytes) -> bytes:
        return firma.firma_cades(
            contenuto, signer_key=self.key, signer_cert=self.cert, ca_cert=self.ca_cert
        )


@dataclass
class Pki:
    ca_key: object
    ca: object
    altra_ca: object
    rossi: Soggetto
    bianchi: Soggetto
    estraneo: Soggetto  # issued by a CA we do not trust
    scaduto: Soggetto
    futuro: Soggetto
    senza_nr: Soggetto  # no nonRepudiation
    sigillo: Soggetto
    tsa_key: object
    tsa: object

    @property
    def radici(self):
        return [self.ca]


@pytest.fixture(scope="session")
def dev_pki() -> Pki:
    ca_key, ca = pki.crea_ca("CA di sviluppo PianoZona")
    altra_key, altra = pki.crea_ca("CA sconosciuta")
    adesso = datetime.now(UTC)

    def persona(nome, cognome, cf, ca_k=ca_key, ca_c=ca, **kw):
        key, cert = pki.crea_certificato_persona(
            ca_k, ca_c, nome=nome, cognome=cognome, codice_fiscale=cf, **kw
        )
        return Soggetto(key, cert, ca_c)

    s_key, s_cert = pki.crea_certificato_sigillo(
        ca_key, ca, denominazione="Comune di Pavia", codice_fiscale_ente=CF_ENTE
    )
    tsa_key, tsa = pki.crea_certificato_tsa(ca_key, ca)
    return Pki(
        ca_key=ca_key,
        ca=ca,
        altra_ca=altra,
        rossi=persona("Mario", "Rossi", CF_ROSSI),
        bianchi=persona("Giulia", "Bianchi", CF_BIANCHI),
        estraneo=persona("Luca", "Verdi", CF_VERDI, ca_k=altra_key, ca_c=altra),
        scaduto=persona(
            "Mario", "Rossi", CF_ROSSI,
            valido_dal=adesso - timedelta(days=730), valido_al=adesso - timedelta(days=1),
        ),
        futuro=persona(
            "Mario", "Rossi", CF_ROSSI,
            valido_dal=adesso + timedelta(days=10), valido_al=adesso + timedelta(days=400),
        ),
        senza_nr=persona("Mario", "Rossi", CF_ROSSI, non_repudiation=False),
        sigillo=Soggetto(s_key, s_cert, ca),
        tsa_key=tsa_key,
        tsa=tsa,
    )


@pytest.fixture(scope="session")
def pdf_originale() -> bytes:
    return weasyprint.HTML(
        string="<h1>Accordo di Programma</h1><p>Piano di Zona 2025-2027.</p>"
    ).write_pdf()


@pytest.fixture(scope="session")
def p12_sigillo(dev_pki, tmp_path_factory):
    path = tmp_path_factory.mktemp("sigillo") / "sigillo.p12"
    return pki.salva_pkcs12(dev_pki.sigillo.key, dev_pki.sigillo.cert, dev_pki.ca, path, PASSPHRASE)


@pytest.fixture(scope="session")
def pdf_sigillato(pdf_originale, p12_sigillo) -> bytes:
    return firma.sigilla_pdf(pdf_originale, p12_path=p12_sigillo, passphrase=PASSPHRASE)


@pytest.fixture(scope="session")
def pdf_una_firma(pdf_sigillato, dev_pki) -> bytes:
    return dev_pki.rossi.firma(pdf_sigillato, motivo="Sottoscrizione")


@pytest.fixture(scope="session")
def pdf_due_firme(pdf_una_firma, dev_pki) -> bytes:
    return dev_pki.bianchi.firma(pdf_una_firma, motivo="Sottoscrizione")


def aggiungi_revisione(pdf: bytes, modifica) -> bytes:
    """Append an unsigned incremental update made by ``modifica(writer)``."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    modifica(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def cambia_contenuto(writer) -> None:
    """Draw new text on page 1: a change to what the signers saw."""
    stream = generic.StreamObject(stream_data=b"BT /F1 36 Tf 72 500 Td (IMPORTO 1.000.000) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(stream))
