"""Development PKI: Italian qualified-certificate profile and a chain pyHanko accepts."""

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko_certvalidator import CertificateValidator

from accordi.firme import pki
from accordi.firme.verifica import contesto_validazione

from .conftest import CF_ENTE, CF_ROSSI, PASSPHRASE


def _ext(cert, cls):
    return cert.extensions.get_extension_for_class(cls)


def test_ca_is_a_self_signed_ca_with_key_identifiers(dev_pki):
    ca = dev_pki.ca
    assert ca.issuer == ca.subject
    bc = _ext(ca, x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    assert _ext(ca, x509.KeyUsage).value.key_cert_sign
    ski = _ext(ca, x509.SubjectKeyIdentifier).value.digest
    assert _ext(ca, x509.AuthorityKeyIdentifier).value.key_identifier == ski


def test_person_certificate_follows_the_italian_profile(dev_pki):
    cert = dev_pki.rossi.cert
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "ROSSI MARIO"
    assert subject.get_attributes_for_oid(NameOID.GIVEN_NAME)[0].value == "MARIO"
    assert subject.get_attributes_for_oid(NameOID.SURNAME)[0].value == "ROSSI"
    serial = subject.get_attributes_for_oid(x509.ObjectIdentifier("2.5.4.5"))[0].value
    assert serial == f"TINIT-{CF_ROSSI}"
    ku = _ext(cert, x509.KeyUsage)
    assert ku.critical and ku.value.digital_signature and ku.value.content_commitment
    assert not _ext(cert, x509.BasicConstraints).value.ca
    ca_ski = _ext(dev_pki.ca, x509.SubjectKeyIdentifier).value.digest
    assert _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier == ca_ski
    assert pki.codice_fiscale_da_certificato(cert) == CF_ROSSI
    assert pki.nome_comune(cert) == "ROSSI MARIO"


def test_options_non_repudiation_and_email_protection(dev_pki):
    assert not pki.ha_non_repudiation(dev_pki.senza_nr.cert)
    assert pki.ha_non_repudiation(dev_pki.rossi.cert)
    _key, cert = pki.crea_certificato_persona(
        dev_pki.ca_key, dev_pki.ca, nome="a", cognome="b", codice_fiscale=CF_ROSSI,
        email_protection=True,
    )
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in _ext(cert, x509.ExtendedKeyUsage).value


def test_expired_certificate_has_consistent_validity(dev_pki):
    cert = dev_pki.scaduto.cert
    assert cert.not_valid_before_utc < cert.not_valid_after_utc < datetime.now(UTC)


def test_seal_certificate_identifies_the_body(dev_pki):
    cert = dev_pki.sigillo.cert
    subject = cert.subject
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Comune di Pavia"
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Comune di Pavia"
    org_id = subject.get_attributes_for_oid(pki.OID_ORGANIZATION_IDENTIFIER)[0].value
    assert org_id == f"VATIT-{CF_ENTE}"
    assert pki.ha_non_repudiation(cert)
    assert pki.codice_fiscale_da_certificato(cert) == CF_ENTE


@pytest.mark.parametrize(
    ("valore", "atteso"),
    [
        ("TINIT-RSSMRA80A01H501U", "RSSMRA80A01H501U"),
        ("tinit-rssmra80a01h501u", "RSSMRA80A01H501U"),
        ("IT:RSSMRA80A01H501U", "RSSMRA80A01H501U"),
        ("RSSMRA80A01H501U", "RSSMRA80A01H501U"),
        ("20230001", None),
    ],
)
def test_codice_fiscale_from_serial_number(dev_pki, valore, atteso):
    adesso = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.SERIAL_NUMBER, valore)]))
        .issuer_name(dev_pki.ca.subject)
        .public_key(dev_pki.rossi.key.public_key())
        .serial_number(1)
        .not_valid_before(adesso)
        .not_valid_after(adesso + timedelta(days=1))
        .sign(dev_pki.ca_key, pki.hashes.SHA256())
    )
    assert pki.codice_fiscale_da_certificato(cert) == atteso


def test_pkcs12_round_trip(dev_pki, p12_sigillo):
    key, cert, altri = pki.carica_pkcs12(p12_sigillo, PASSPHRASE)
    assert cert == dev_pki.sigillo.cert
    assert altri == [dev_pki.ca]
    assert key.public_key().public_numbers() == cert.public_key().public_numbers()
    with pytest.raises(ValueError):
        pki.carica_pkcs12(p12_sigillo, "sbagliata")


@pytest.mark.parametrize("chi", ["rossi", "sigillo"])
def test_chain_is_accepted_by_pyhanko_certvalidator(dev_pki, chi):
    soggetto = getattr(dev_pki, chi)
    vc = contesto_validazione([dev_pki.ca])
    validator = CertificateValidator(
        pki_asn1(soggetto.cert), intermediate_certs=[], validation_context=vc
    )
    path = asyncio.run(validator.async_validate_usage({"non_repudiation"}))
    assert path is not None


def pki_asn1(cert):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
