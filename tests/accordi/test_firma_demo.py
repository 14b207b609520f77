"""In-browser demo signing for the expected codice fiscale: the development CA issues a
certificate on the spot to a person who has none (a body registered through the portal),
only when demo signing is on and the CA is on the machine."""

from accordi.firme import pki
from accordi.services_firme import percorso_certificato_demo

from ..factories import UtenteFactory, cf_persona
from ..pki import PASS


def _ca_sul_disco(pki_attiva, settings, tmp_path):
    """The CA in a folder of this test only: the session's test PKI keeps no CA key on disk, so
    that no other test gets demo certificates it did not ask for."""
    settings.PIANOZONA_PKI_DIR = tmp_path / "pki"
    settings.PIANOZONA_PKI_DIR.mkdir()
    pki.salva_pkcs12(pki_attiva.ca_key, pki_attiva.ca_cert, None, settings.PIANOZONA_PKI_DIR / "ca.p12", PASS)


def test_il_certificato_dimostrativo_si_emette_per_il_codice_fiscale_atteso(db, pki_attiva, settings, tmp_path):
    _ca_sul_disco(pki_attiva, settings, tmp_path)
    referente = UtenteFactory(first_name="Chiara", last_name="Moretti")
    legale = cf_persona(77)
    percorso = percorso_certificato_demo(referente, legale)
    assert percorso is not None and percorso.name == f"{legale}.p12"
    _chiave, certificato, _altri = pki.carica_pkcs12(percorso, PASS)
    assert pki.codice_fiscale_da_certificato(certificato) == legale
    # the same file is used next time
    assert percorso_certificato_demo(referente, legale) == percorso


def test_senza_ca_o_senza_firma_dimostrativa_nessun_certificato(db, pki_attiva, settings, tmp_path):
    referente = UtenteFactory()
    assert percorso_certificato_demo(referente, cf_persona(78)) is None  # no CA on the disk
    _ca_sul_disco(pki_attiva, settings, tmp_path)
    settings.PIANOZONA_FIRMA_DEMO = False
    assert percorso_certificato_demo(referente, cf_persona(78)) is None
