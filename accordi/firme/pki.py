"""Development PKI built with the ``cryptography`` library.

Rule: the certificates made here look like Italian qualified certificates in the parts our
verifier reads, and nothing more:

* a person's subject carries ``CN=COGNOME NOME``, ``givenName``, ``surname`` and
  ``serialNumber=TINIT-<CODICE FISCALE>`` (OID 2.5.4.5, ETSI EN 319 412-1 semantics
  identifier), keyUsage digitalSignature + nonRepudiation (contentCommitment);
* an organisation seal carries ``O=``, ``organizationIdentifier=VATIT-<cf>`` (OID 2.5.4.97)
  and ``CN=`` the name of the body;
* every certificate has SubjectKeyIdentifier, AuthorityKeyIdentifier and BasicConstraints,
  which pyhanko-certvalidator needs to build and accept the chain.

Keys are RSA 2048: fast enough to build a hundred of them in a benchmark. Nothing here is
meant for production keys; the private keys live in memory or in a PKCS#12 file protected
by a passphrase chosen by the caller.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# 2.5.4.97, ETSI EN 319 412-1 §5.1.4: legal person identifier ("VATIT-…", "NTRIT-…").
OID_ORGANIZATION_IDENTIFIER = x509.ObjectIdentifier("2.5.4.97")

_PREFISSI_PERSONA = ("TINIT-", "IT:")  # ETSI semantics identifier; pre-2016 Italian format
_PREFISSI_ENTE = ("VATIT-", "NTRIT-", "TINIT-")
# 16-character personal codice fiscale (omocodia letters allowed) or 11-digit numeric one.
_RE_CF = re.compile(r"^(?:[A-Z0-9]{16}|[0-9]{11})$")


def _nuova_chiave() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _adesso() -> datetime:
    return datetime.now(UTC)


def crea_ca(nome: str, *, valido_anni: int = 10) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Return ``(key, cert)`` of a self-signed root CA named ``nome``."""
    key = _nuova_chiave()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, nome),
        x509.NameAttribute(NameOID.COMMON_NAME, nome),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    now = _adesso()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * valido_anni))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    return key, cert


def _emetti(
    ca_key,
    ca_cert: x509.Certificate,
    subject: x509.Name,
    *,
    valido_dal: datetime | None,
    valido_al: datetime | None,
    non_repudiation: bool,
    extended_key_usages: list[x509.ObjectIdentifier],
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = _nuova_chiave()
    now = _adesso()
    valido_al = valido_al or now + timedelta(days=3 * 365)
    # The default start must precede the end even for deliberately expired certificates.
    valido_dal = valido_dal or min(now - timedelta(hours=1), valido_al - timedelta(days=365))
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valido_dal)
        .not_valid_after(valido_al)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=non_repudiation,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
    )
    if extended_key_usages:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage(extended_key_usages), critical=False
        )
    return key, builder.sign(ca_key, hashes.SHA256())


def crea_certificato_persona(
    ca_key,
    ca_cert: x509.Certificate,
    *,
    nome: str,
    cognome: str,
    codice_fiscale: str,
    valido_dal: datetime | None = None,
    valido_al: datetime | None = None,
    non_repudiation: bool = True,
    email_protection: bool = False,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Return ``(key, cert)`` of a natural person's signing certificate issued by the CA.

    The subject follows the Italian qualified-certificate profile:
    ``CN=COGNOME NOME``, givenName, surname, ``serialNumber=TINIT-<CF>``.
    ``non_repudiation=False`` builds a certificate without legal-value signing, for tests.
    """
    cf = codice_fiscale.strip().upper()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.SURNAME, cognome.upper()),
        x509.NameAttribute(NameOID.GIVEN_NAME, nome.upper()),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, f"TINIT-{cf}"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"{cognome.upper()} {nome.upper()}"),
    ])
    return _emetti(
        ca_key, ca_cert, subject,
        valido_dal=valido_dal, valido_al=valido_al, non_repudiation=non_repudiation,
        extended_key_usages=[ExtendedKeyUsageOID.EMAIL_PROTECTION] if email_protection else [],
    )


def crea_certificato_sigillo(
    ca_key,
    ca_cert: x509.Certificate,
    *,
    denominazione: str,
    codice_fiscale_ente: str,
    valido_dal: datetime | None = None,
    valido_al: datetime | None = None,
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Return ``(key, cert)`` of an organisation's electronic seal certificate.

    Subject: ``O=<denominazione>``, ``organizationIdentifier=VATIT-<cf>``,
    ``CN=<denominazione>``; keyUsage digitalSignature + nonRepudiation.
    """
    cf = codice_fiscale_ente.strip().upper()
    subject = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, denominazione),
        x509.NameAttribute(OID_ORGANIZATION_IDENTIFIER, f"VATIT-{cf}"),
        x509.NameAttribute(NameOID.COMMON_NAME, denominazione),
    ])
    return _emetti(
        ca_key, ca_cert, subject,
        valido_dal=valido_dal, valido_al=valido_al, non_repudiation=True,
        extended_key_usages=[],
    )


def _passphrase(passphrase: str | bytes) -> bytes:
    return passphrase.encode() if isinstance(passphrase, str) else passphrase


def salva_pkcs12(
    key, cert: x509.Certificate, ca_cert: x509.Certificate | None, path, passphrase: str | bytes
) -> Path:
    """Write key, certificate and CA certificate to a passphrase-protected PKCS#12 file."""
    path = Path(path)
    data = pkcs12.serialize_key_and_certificates(
        name=cert.subject.rfc4514_string()[:64].encode(),  # cut characters, not bytes
        key=key,
        cert=cert,
        cas=[ca_cert] if ca_cert is not None else None,
        encryption_algorithm=serialization.BestAvailableEncryption(_passphrase(passphrase)),
    )
    path.write_bytes(data)
    return path


def carica_pkcs12(
    path, passphrase: str | bytes
) -> tuple[object, x509.Certificate, list[x509.Certificate]]:
    """Read a PKCS#12 file; return ``(key, cert, other_certs)``."""
    key, cert, altri = pkcs12.load_key_and_certificates(
        Path(path).read_bytes(), _passphrase(passphrase)
    )
    if key is None or cert is None:
        raise ValueError("Il file PKCS#12 non contiene una chiave e un certificato.")
    return key, cert, list(altri or [])


def a_cryptography(cert) -> x509.Certificate:
    """Accept a ``cryptography`` or ``asn1crypto`` certificate; return a ``cryptography`` one."""
    if isinstance(cert, x509.Certificate):
        return cert
    return x509.load_der_x509_certificate(cert.dump())


def _valori(name: x509.Name, oid: x509.ObjectIdentifier) -> list[str]:
    return [str(a.value).strip() for a in name.get_attributes_for_oid(oid)]


def codice_fiscale_da_certificato(cert) -> str | None:
    """Return the codice fiscale carried by a signer's certificate, or ``None``.

    Rule, in order: subject ``serialNumber`` ``TINIT-<CF>`` (ETSI) or ``IT:<CF>`` (older
    Italian profile) or a bare value shaped like a codice fiscale; then, for seals,
    ``organizationIdentifier`` ``VATIT-<cf>`` / ``NTRIT-<cf>``. The check digit is not
    verified here: identity is compared against the expected CF, not validated in isolation.
    """
    subject = a_cryptography(cert).subject
    for valore in _valori(subject, NameOID.SERIAL_NUMBER):
        v = valore.upper()
        for prefisso in _PREFISSI_PERSONA:
            if v.startswith(prefisso):
                return v[len(prefisso):] or None
        if _RE_CF.match(v):
            return v
    for valore in _valori(subject, OID_ORGANIZATION_IDENTIFIER):
        v = valore.upper()
        for prefisso in _PREFISSI_ENTE:
            if v.startswith(prefisso):
                return v[len(prefisso):] or None
    return None


def nome_comune(cert) -> str:
    """Return the subject's CN (or the full RFC 4514 subject when there is no CN)."""
    subject = a_cryptography(cert).subject
    cn = _valori(subject, NameOID.COMMON_NAME)
    return cn[0] if cn else subject.rfc4514_string()


def ha_non_repudiation(cert) -> bool:
    """True when keyUsage includes nonRepudiation (contentCommitment)."""
    try:
        ku = a_cryptography(cert).extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return bool(ku.content_commitment)


def crea_certificato_tsa(
    ca_key, ca_cert: x509.Certificate, *, nome: str = "TSA di sviluppo"
) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    """Return ``(key, cert)`` of a time-stamping authority (critical EKU timeStamping, as
    RFC 3161 requires), for offline B-T signatures in development and tests."""
    key = _nuova_chiave()
    now = _adesso()
    ca_ski = ca_cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, "IT"),
            x509.NameAttribute(NameOID.COMMON_NAME, nome),
        ]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False,
                crl_sign=False, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert
