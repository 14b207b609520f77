"""Fixtures: a development PKI made inside the tests (no network, no private keys committed), and the
settings that point the document and signature services at it."""

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from accordi.firme import pki

PASS = "segreto-di-prova"


@dataclass
class PKI:
    cartella: Path
    ca_key: object
    ca_cert: object
    persone: dict = field(default_factory=dict)
    # where the demo certificates go: a fresh folder per test (pki_attiva), so that one test's
    # certificate never makes demo signing available in another
    cartella_persone: Path | None = None

    def certificato(self, codice_fiscale, **kw):
        """Key and certificate of a person (made once per codice fiscale and options)."""
        chiave = (codice_fiscale, tuple(sorted(kw.items())))
        if chiave not in self.persone:
            self.persone[chiave] = pki.crea_certificato_persona(
                self.ca_key, self.ca_cert, nome=kw.pop("nome", "Mario"), cognome=kw.pop("cognome", "Rossi"),
                codice_fiscale=codice_fiscale, **kw,
            )
        return self.persone[chiave]

    def p12_demo(self, utente):
        """The in-browser demo certificate of ``utente``, where the settings look for it."""
        key, cert = self.certificato(utente.codice_fiscale, nome=utente.first_name, cognome=utente.last_name)
        percorso = (self.cartella_persone or self.cartella / "persone") / f"{utente.codice_fiscale.upper()}.p12"
        pki.salva_pkcs12(key, cert, self.ca_cert, percorso, PASS)
        return percorso


@pytest.fixture(scope="session")
def pki_prova(tmp_path_factory):
    cartella = tmp_path_factory.mktemp("pki")
    (cartella / "fiducia").mkdir()
    (cartella / "persone").mkdir()
    ca_key, ca_cert = pki.crea_ca("CA di prova PianoZona")
    (cartella / "fiducia" / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    key, cert = pki.crea_certificato_sigillo(ca_key, ca_cert, denominazione="Ufficio di Piano di prova",
                                            codice_fiscale_ente="02160690180")
    pki.salva_pkcs12(key, cert, ca_cert, cartella / "sigillo.p12", PASS)
    return PKI(cartella, ca_key, ca_cert)


@pytest.fixture
def pki_attiva(pki_prova, settings, tmp_path):
    settings.PIANOZONA_PKI_DIR = pki_prova.cartella
    settings.PIANOZONA_SIGILLO_P12 = pki_prova.cartella / "sigillo.p12"
    settings.PIANOZONA_SIGILLO_PASSPHRASE = PASS
    settings.PIANOZONA_TRUST_DIR = pki_prova.cartella / "fiducia"
    settings.PIANOZONA_FIRMA_DEMO = True
    pki_prova.cartella_persone = tmp_path / "persone"
    pki_prova.cartella_persone.mkdir()
    settings.PIANOZONA_FIRMA_DEMO_DIR = pki_prova.cartella_persone
    settings.PIANOZONA_FIRMA_DEMO_PASSPHRASE = PASS
    settings.MEDIA_ROOT = tmp_path / "media"
    return pki_prova
