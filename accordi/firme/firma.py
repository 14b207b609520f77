"""Apposizione di firme: sigillo PAdES dell'ente, firme PAdES incrementali, buste CAdES.

Rules:

* every PDF signature is a PAdES signature (``SubFilter /ETSI.CAdES.detached``) appended as
  a new incremental revision: earlier revisions stay byte-identical, which is what lets the
  verifier check an upload against the version we handed out (prefix equality);
* each signature gets its own, new field: ``Sigillo`` for the seal of the issuing body,
  ``Firma1``, ``Firma2``… for people, numbered after the highest name in use;
* a CAdES signature is an *attached* CMS SignedData (``.p7m``, DER) that envelopes the
  document.

The functions are synchronous. pyHanko 0.38 implements signing with coroutines; its sync
wrappers call ``asyncio.run``, which fails inside a running event loop (an ASGI view), so
:func:`_esegui` moves the work to a worker thread in that case.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import re
from io import BytesIO

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko_certvalidator.registry import SimpleCertificateStore

CAMPO_SIGILLO = "Sigillo"
PREFISSO_CAMPO_FIRMA = "Firma"
MD_ALGORITHM = "sha256"


def _esegui(coro_factory):
    """Run the coroutine built by ``coro_factory`` to completion, from sync code.

    Outside an event loop ``asyncio.run`` is enough; inside one (async Django views) we
    must not nest loops, so the coroutine runs in a fresh loop on a worker thread.
    """
    try:
        asyncio.get_running_loop()
        in_loop = True
    except RuntimeError:
        in_loop = False
    if not in_loop:
        # outside the except block, so pyHanko's own logged errors are not chained to the
        # harmless "no running event loop" RuntimeError
        return asyncio.run(coro_factory())
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(coro_factory())).result()


def _asn1_cert(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key) -> asn1_keys.PrivateKeyInfo:
    if isinstance(key, asn1_keys.PrivateKeyInfo):
        return key
    der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return asn1_keys.PrivateKeyInfo.load(der)


def crea_signer(signer_key, signer_cert, ca_cert=None) -> signers.SimpleSigner:
    """Build a pyHanko ``SimpleSigner`` from ``cryptography`` (or asn1crypto) objects.

    The CA certificate goes into the registry so that it is embedded in the CMS object and
    a verifier can build the chain without fetching anything.
    """
    altri = [_asn1_cert(ca_cert)] if ca_cert is not None else []
    return signers.SimpleSigner(
        signing_cert=_asn1_cert(signer_cert),
        signing_key=_asn1_key(signer_key),
        cert_registry=SimpleCertificateStore.from_certs(altri),
    )


def nomi_campi_firma(pdf_bytes: bytes) -> list[str]:
    """Names of all signature fields (filled or empty) of a PDF."""
    reader = PdfFileReader(BytesIO(pdf_bytes), strict=False)
    return [nome for nome, _valore, _ref in fields.enumerate_sig_fields(reader)]


def prossimo_nome_campo(esistenti, base: str = PREFISSO_CAMPO_FIRMA) -> str:
    """First free field name: ``Sigillo``/``Sigillo2``… or ``Firma1``/``Firma2``…

    The number follows the highest one in use, so names never repeat even when fields are
    named out of order.
    """
    esistenti = set(esistenti)
    if base == CAMPO_SIGILLO and base not in esistenti:
        return base
    numeri = [
        int(m.group(1))
        for nome in esistenti
        if (m := re.fullmatch(re.escape(base) + r"(\d+)", nome))
    ]
    n = max(numeri, default=1 if base == CAMPO_SIGILLO else 0) + 1
    return f"{base}{n}"


def _firma_incrementale(
    pdf_bytes: bytes,
    signer: signers.Signer,
    *,
    nome_campo: str,
    motivo: str,
    timestamper: timestamps.TimeStamper | None,
) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=nome_campo,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm=MD_ALGORITHM,
        reason=motivo or None,
    )
    # strict=False: PDFs from other tools are often slightly off-spec; the signature is
    # still appended as a clean incremental update.
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes), strict=False)
    output = BytesIO()

    async def _firma():
        return await signers.async_sign_pdf(
            writer, meta, signer=signer, timestamper=timestamper, output=output
        )

    _esegui(_firma)
    return output.getvalue()


def sigilla_pdf(
    pdf_bytes: bytes,
    *,
    p12_path,
    passphrase: str | bytes,
    motivo: str = "Sigillo dell'ente emittente",
    tsa_url: str | None = None,
) -> bytes:
    """Seal a PDF with the body's PKCS#12 seal: PAdES B-B, or B-T when ``tsa_url`` is set.

    The seal goes into the field ``Sigillo`` (``Sigillo2``… if already taken).
    """
    pw = passphrase.encode() if isinstance(passphrase, str) else passphrase
    signer = signers.SimpleSigner.load_pkcs12(str(p12_path), passphrase=pw)
    if signer is None:
        raise ValueError("Impossibile leggere il certificato di sigillo (PKCS#12).")
    timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
    nome = prossimo_nome_campo(nomi_campi_firma(pdf_bytes), base=CAMPO_SIGILLO)
    return _firma_incrementale(
        pdf_bytes, signer, nome_campo=nome, motivo=motivo, timestamper=timestamper
    )


def firma_pdf(
    pdf_bytes: bytes,
    *,
    signer_key,
    signer_cert: x509.Certificate,
    ca_cert: x509.Certificate | None,
    nome_campo: str | None = None,
    motivo: str = "",
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """Append one PAdES signature as a new incremental revision and return the new file.

    ``nome_campo`` defaults to the next free ``FirmaN``; an existing *filled* field name is
    refused by pyHanko, so callers should let this function choose.
    """
    nome = nome_campo or prossimo_nome_campo(nomi_campi_firma(pdf_bytes))
    return _firma_incrementale(
        pdf_bytes,
        crea_signer(signer_key, signer_cert, ca_cert),
        nome_campo=nome,
        motivo=motivo,
        timestamper=timestamper,
    )


def firma_cades(
    contenuto_bytes: bytes,
    *,
    signer_key,
    signer_cert: x509.Certificate,
    ca_cert: x509.Certificate | None,
    timestamper: timestamps.TimeStamper | None = None,
) -> bytes:
    """Envelope ``contenuto_bytes`` in an attached CAdES-BES SignedData; return it as DER.

    pyHanko adds signing-certificate-v2 and (CAdES requires it) the signingTime attribute.
    """
    signer = crea_signer(signer_key, signer_cert, ca_cert)

    async def _firma():
        return await signer.async_sign_general_data(
            contenuto_bytes,
            MD_ALGORITHM,
            detached=False,
            use_cades=True,
            timestamper=timestamper,
        )

    return _esegui(_firma).dump()


def timestamper_di_prova(tsa_key, tsa_cert, ca_cert=None) -> timestamps.TimeStamper:
    """An offline RFC 3161 time stamper (pyHanko's ``DummyTimeStamper``) for B-T signatures
    in development and tests: no network, tokens signed by a local TSA certificate."""
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    return DummyTimeStamper(
        tsa_cert=_asn1_cert(tsa_cert),
        tsa_key=_asn1_key(tsa_key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [_asn1_cert(ca_cert)] if ca_cert is not None else []
        ),
    )
