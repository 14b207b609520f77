"""Verifica delle firme: the verifier every uploaded signed file goes through.

Rules
-----
* A file is judged by its content, not by its name: ``%PDF-`` → PAdES verification;
  a CMS SignedData (DER, PEM or bare base64) → CAdES verification; anything else is refused.
* Refused outright (:class:`FileNonAccettato`, Italian message): files over the size limit,
  non-PDF data, unparseable or truncated PDFs, encrypted PDFs, PDFs that carry JavaScript
  (or Launch actions) or embedded files not already present in the original, PDFs that do
  not start with the exact bytes of the original we issued (PAdES keeps earlier revisions
  byte-identical, so ``data[:len(originale)] == originale`` is the conformity test), and
  ``.p7m`` envelopes that are not CMS or that wrap a different document.
* Every signature is judged on: integrity (``intact``), cryptographic validity (``valid``),
  trust of the chain up to our roots with nonRepudiation required (``trusted``), certificate
  validity at the signing time, and what happened to the document *after* it was signed
  (``modification_level`` / ``docmdp_ok``): a later revision that changes page content
  leaves the earlier signature ``intact`` but makes it not ok.

Where the time goes, and what we do about it (measured: pyHanko 0.38, 2-CPU Xeon)
---------------------------------------------------------------------------------
``validate_pdf_signature`` runs pyHanko's difference analysis
(``StandardDiffPolicy.review_file``) from the signature's revision against *every* later
revision, and each comparison (``apply``) reads the whole older revision: it builds the
reverse cross-reference map of all its objects (``_load_reverse_xref_cache``), lists every
form field, and looks objects up through all xref sections (``get_last_change``). Verifying
the N signatures of a file is O(N²) comparisons of O(N) each. On a PDF signed
incrementally 10 / 50 / 100 times, the plain loop of ``validate_pdf_signature`` over all
signatures took 0.24 s / 4.8 s / 66 s (see BENCHMARKS.md). Comparing each revision
only with the one before it (N comparisons) is still quadratic: 0.03 s / 0.8 s / 3.5 s.

What this module does instead:

1. cryptographic and trust checks per signature with ``skip_diff=True``; the ``/ByteRange``
   digests of all signatures are computed in one pass over the file
   (:func:`_precalcola_digest`) instead of one full pass per signature;
2. one pass over the revisions after the first signature (or after the original we
   issued), each compared with the one immediately before it. A revision that does nothing
   but add one signature — a new top-level ``/FT /Sig`` widget whose ``/V`` is a new
   signature dictionary, appended to ``/AcroForm /Fields`` and to its page's ``/Annots``,
   plus optional appearance streams, an ``/Info`` update made of plain metadata strings and
   the xref stream; for the first signature also the catalog gaining ``/AcroForm`` and the
   ESIC ``/Extensions`` — is recognised by a strict allow-list (:class:`_Revisioni`) that
   reads only the objects written in that revision. Every other revision is handed to
   pyHanko's ``DEFAULT_DIFF_POLICY.apply`` (exact, O(document));
3. the level of signature *i* is the maximum over the revisions after it; a suspicious
   revision makes every earlier signature ``OTHER`` / ``docmdp_ok=False``;
4. signatures carrying DocMDP (certification) or FieldMDP/Lock constraints are reviewed with
   pyHanko's full per-signature analysis instead, because the pairwise view does not
   apply their constraints (rare: our own signatures are approval signatures).

The allow-list accepts a subset of what pyHanko's rules accept for a revision, so anything
unusual gets pyHanko's verdict. Two deliberate differences: pyHanko compares each later
revision with the *signed* one, we with the *previous* one (the same verdict for
signature-only updates; the tests compare both paths, ``analisi_completa=True`` being
pyHanko's reference path), and pyHanko cannot compare the very first signing revision with
an unsigned original that has no AcroForm (``PdfReadError``), which the allow-list can.

Also, pyHanko's reader looks ``/Encrypt`` up through all N trailers on every object read;
:class:`_LettorePdf` caches that answer.

Result: 100 signatures in 1.8-2.8 s, time(100)/time(10) between 7.5 and 11.8 depending on
the machine's load (under a profiler the work for 100 is ten times the work for 10). About
half of what is left is pyHanko's byte-by-byte parsing of each signature's hex
``/Contents`` (~6 ms per signature), a third the CMS and chain checks. The ``/Fields`` and
``/Annots`` arrays, rewritten whole by every signature, keep a small quadratic term that is
in the file format itself.

For the application the per-upload path is :func:`verifica_nuova_revisione`: it checks the
prefix against the last accepted version, finds the new signature through the
cross-reference sections (without parsing the earlier ones) and reviews only the appended
revisions: ~0.1-0.15 s at 100 signatures. Storing each result once keeps the total work
linear.

Trust
-----
Trust roots are given by the caller (:func:`carica_radici`, :func:`carica_trusted_list`).
No network access: ``allow_fetching=False`` and revocation in ``soft-fail`` mode, so an
unreachable CRL/OCSP does not fail a signature, and revocation is *not* checked unless
revocation data is embedded. This is a deliberate, documented limit of the offline setup.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import zlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.validation import (
    async_validate_cms_signature,
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.generic_cms import collect_timing_info
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import (
    SignatureCoverageLevel,
    StandardCMSSignatureStatus,
)
from pyhanko_certvalidator import ValidationContext

from .firma import _esegui
from .pki import a_cryptography, codice_fiscale_da_certificato, ha_non_repudiation, nome_comune

logger = logging.getLogger(__name__)

MAX_BYTES = 20 * 1024 * 1024

# --- Italian messages (shown to users; kept in one place so the application can match them)
MSG_NON_PDF = "Il file non è un PDF valido."
MSG_PDF_ILLEGGIBILE = "Il file PDF è danneggiato o incompleto e non può essere letto."
MSG_CIFRATO = "I PDF cifrati non sono accettati."
MSG_TROPPO_GRANDE = "Il file supera la dimensione massima di {mb} MB."
MSG_JAVASCRIPT = "Il file contiene codice JavaScript o azioni automatiche: non è accettato."
MSG_ALLEGATI = "Il file contiene allegati incorporati: non è accettato."
MSG_NON_CONFORME = "Il file caricato non è conforme all'originale."
MSG_P7M_NON_VALIDO = "Il file .p7m non è una busta CAdES valida."
MSG_P7M_SENZA_CONTENUTO = "Il file .p7m non contiene il documento firmato (firma staccata)."
MSG_P7M_DIVERSO = "Il file .p7m contiene un documento diverso dall'originale."
MSG_NESSUNA_FIRMA = "Il file non contiene alcuna firma digitale."
MSG_NESSUNA_NUOVA_FIRMA = "Il file caricato non contiene una nuova firma."
MSG_PIU_NUOVE_FIRME = "Il file caricato contiene più di una nuova firma: caricare una firma alla volta."
MSG_ORIGINALE_MODIFICATO = "Il file caricato modifica il contenuto del documento originale."

MSG_FIRMATARIO_DIVERSO = "Firmatario diverso da quello atteso: atteso {atteso}, trovato {trovato}"
MSG_SCADUTO = "Certificato scaduto"
MSG_NON_ANCORA_VALIDO = "Certificato non ancora valido"
MSG_NO_NON_REPUDIATION = (
    "Il certificato non consente la firma con valore legale (manca nonRepudiation)"
)
MSG_NON_ATTENDIBILE = "Certificato emesso da un'autorità non attendibile"
MSG_NON_INTEGRA = "La firma non è integra: il documento è stato alterato dopo la firma"
MSG_NON_VALIDA = "La firma non è crittograficamente valida"
MSG_REVOCATO = "Certificato revocato"
MSG_SCADUTO_ORA = (
    "Certificato scaduto alla data della verifica e firma priva di marca temporale"
)
MSG_CERTIFICATO_NON_VALIDO = "Il certificato del firmatario non è valido ({motivo})"
MSG_MODIFICATO_DOPO = (
    "Il documento è stato modificato dopo questa firma in modo non consentito"
)
MSG_COPERTURA = "La firma non copre l'intero documento al momento della firma"
MSG_FIRMA_ILLEGGIBILE = "La firma non può essere verificata: {motivo}"
MOTIVO_CERTIFICATO_ILLEGGIBILE = "il certificato del firmatario non è leggibile"

# nonRepudiation is what gives a signature legal value (qualified signatures, seals):
# pyHanko's default for signers, kept explicit so that nobody relaxes it by accident.
VINCOLI_USO_CHIAVE = KeyUsageConstraints(key_usage={"non_repudiation"})

# pyHanko's AdES sub-indications, grouped by the message we show
_NOMI_CATENA = {
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND.name,
    AdESIndeterminate.NO_SIGNING_CERTIFICATE_FOUND.name,
}
_NOMI_SCADUTO = {
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE.name,
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED.name,
    AdESIndeterminate.EXPIRED.name,
    AdESIndeterminate.NOT_YET_VALID.name,
}
_NOMI_REVOCATO = {
    AdESIndeterminate.REVOKED_NO_POE.name,
    AdESIndeterminate.REVOKED_CA_NO_POE.name,
    AdESFailure.REVOKED.name,
}


class FileNonAccettato(Exception):
    """The uploaded file is refused before any signature is looked at.

    ``messaggio`` is Italian and meant for the user.
    """

    def __init__(self, messaggio: str):
        super().__init__(messaggio)
        self.messaggio = messaggio


# ---------------------------------------------------------------------------- results


@dataclass
class EsitoFirma:
    """Outcome for one signature (PAdES field or CAdES SignerInfo).

    ``ok`` is true only when the signature is intact, valid, trusted (chain to our roots,
    nonRepudiation), the certificate was valid at signing time, the document was not
    changed afterwards beyond adding signatures, and no error was recorded.
    """

    campo: str
    firmatario: str | None
    codice_fiscale: str | None
    signing_time: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    modification_level: str
    docmdp_ok: bool
    certificato_valido_al_momento: bool
    non_repudiation: bool
    revisione: int
    copre_tutto: bool
    emittente: str | None
    numero_serie: str | None
    errori: list[str] = field(default_factory=list)
    certificato_valido_dal: datetime | None = None
    certificato_valido_al: datetime | None = None
    problema_fiducia: str | None = None  # AdES sub-indication name from pyHanko, if any
    marca_temporale: bool = False  # signing_time comes from a trusted timestamp token
    momento_verifica: datetime | None = None  # reference time of the trust validation

    @property
    def ok(self) -> bool:
        return (
            not self.errori
            and self.intact
            and self.valid
            and self.trusted
            and self.docmdp_ok
            and self.copre_tutto
            and self.certificato_valido_al_momento
            and self.non_repudiation
        )

    def as_dict(self) -> dict:
        d = asdict(self)
        d["signer"] = d.pop("firmatario")
        for chiave in (
            "signing_time", "certificato_valido_dal", "certificato_valido_al", "momento_verifica"
        ):
            d[chiave] = d[chiave].isoformat() if d[chiave] else None
        d["ok"] = self.ok
        return d


@dataclass
class EsitoVerifica:
    """Outcome for one file: its signatures plus file-level errors."""

    formato: str  # "pdf" | "p7m"
    firme: list[EsitoFirma]
    sha256: str
    contenuto_sha256: str | None
    errori: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errori and bool(self.firme) and all(f.ok for f in self.firme)

    def as_dict(self) -> dict:
        return {
            "formato": self.formato,
            "sha256": self.sha256,
            "contenuto_sha256": self.contenuto_sha256,
            "errori": list(self.errori),
            "ok": self.ok,
            "firme": [f.as_dict() for f in self.firme],
        }


# ---------------------------------------------------------------------------- trust


def _asn1(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def contesto_validazione(trust_roots: Iterable, moment: datetime | None = None) -> ValidationContext:
    """A fresh, offline ValidationContext over ``trust_roots``.

    No fetching (no network from a web request), revocation ``soft-fail``. Build one per
    verification: pyHanko contexts accumulate certificates and revocation data. The
    nonRepudiation requirement is not part of the context in pyHanko's API: it is passed to
    every validation as :data:`VINCOLI_USO_CHIAVE`.
    """
    return ValidationContext(
        trust_roots=[_asn1(c) for c in trust_roots],
        allow_fetching=False,
        revocation_mode="soft-fail",
        moment=moment,
    )


def _carica_certificati(data: bytes) -> list[x509.Certificate]:
    if b"-----BEGIN CERTIFICATE-----" in data:
        return x509.load_pem_x509_certificates(data)
    return [x509.load_der_x509_certificate(data)]


def carica_radici(directory) -> list[x509.Certificate]:
    """Every certificate found in ``directory``: PEM (also bundles) and DER files, plus
    ETSI trusted lists (``*.xml``, see :func:`carica_trusted_list`). Unreadable files are
    skipped with a warning."""
    radici: list[x509.Certificate] = []
    for path in sorted(Path(directory).iterdir()):
        if not path.is_file():
            continue
        try:
            if path.suffix.lower() == ".xml":
                radici.extend(carica_trusted_list(path))
            else:
                radici.extend(_carica_certificati(path.read_bytes()))
        except (ValueError, TypeError, SyntaxError) as exc:  # ElementTree.ParseError too
            logger.warning("Certificato non leggibile ignorato: %s (%s)", path, exc)
    return radici


TIPO_SERVIZIO_CA_QC = "http://uri.etsi.org/TrstSvc/Svctype/CA/QC"


def carica_trusted_list(path, *, solo_tipi: Iterable[str] | None = None) -> list[x509.Certificate]:
    """Certificates of an ETSI TS 119 612 trusted list (e.g. AgID's Italian TL).

    Deliberately simple: every ``<X509Certificate>`` inside a ``<TSPService>`` (or anywhere,
    if the file has no services) is returned; with ``solo_tipi`` only services whose
    ``ServiceTypeIdentifier`` is listed (e.g. ``[TIPO_SERVIZIO_CA_QC]``). **Not** checked:
    the XML signature of the list itself, the service status (granted/withdrawn) and its
    history. Use only a list downloaded over HTTPS from the official source by an
    administrator, and prefer ``solo_tipi=[TIPO_SERVIZIO_CA_QC]``.
    """
    # The standard library parser does not fetch external entities, and the bundled expat
    # limits entity amplification ("billion laughs").
    # The file is an administrator's download from the official source, not a user's upload.
    from xml.etree import ElementTree  # nosec B405

    def locale(el) -> str:
        return el.tag.rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""

    # expat >= 2.4 bounds entity expansion (bandit B314 answered)
    root = ElementTree.parse(str(path)).getroot()  # nosec B314
    tipi = set(solo_tipi) if solo_tipi else None
    servizi = [el for el in root.iter() if locale(el) == "TSPService"]
    certificati: list[x509.Certificate] = []
    visti: set[bytes] = set()
    for blocco in servizi or [root]:
        if tipi is not None and servizi:
            tipo = next(
                (el.text.strip() for el in blocco.iter()
                 if locale(el) == "ServiceTypeIdentifier" and el.text),
                None,
            )
            if tipo not in tipi:
                continue
        for el in blocco.iter():
            if locale(el) != "X509Certificate" or not el.text:
                continue
            try:
                der = base64.b64decode("".join(el.text.split()), validate=True)
                cert = x509.load_der_x509_certificate(der)
            except (ValueError, binascii.Error):
                logger.warning("Certificato illeggibile nella trusted list %s", path)
                continue
            if der not in visti:
                visti.add(der)
                certificati.append(cert)
    return certificati


# ---------------------------------------------------------------------------- helpers


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _controlla_dimensione(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise FileNonAccettato(MSG_TROPPO_GRANDE.format(mb=max_bytes // (1024 * 1024)))


def _e_pdf(data: bytes) -> bool:
    # Strict on purpose: real PDFs start with the header; junk before it is a polyglot sign.
    return data[:5] == b"%PDF-"


def _aware(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _nome_emittente(cert: x509.Certificate) -> str:
    cn = cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(cn[0].value) if cn else cert.issuer.rfc4514_string()


def _problemi(esito: EsitoFirma) -> list[str]:
    """Generic problems of one signature (everything but the expected-signer check)."""
    errori: list[str] = []
    if not esito.intact:
        errori.append(MSG_NON_INTEGRA)
    elif not esito.valid:
        errori.append(MSG_NON_VALIDA)
    if not esito.copre_tutto:
        errori.append(MSG_COPERTURA)
    if esito.intact and esito.copre_tutto and not esito.docmdp_ok:
        errori.append(MSG_MODIFICATO_DOPO)
    if not esito.certificato_valido_al_momento:
        momento = esito.signing_time or datetime.now(UTC)
        if esito.certificato_valido_dal and momento < esito.certificato_valido_dal:
            errori.append(MSG_NON_ANCORA_VALIDO)
        else:
            errori.append(MSG_SCADUTO)
    if not esito.non_repudiation:
        errori.append(MSG_NO_NON_REPUDIATION)
    if not esito.trusted and esito.intact and esito.valid:
        indic = esito.problema_fiducia
        ora = esito.momento_verifica or datetime.now(UTC)
        fuori_validita_ora = bool(
            esito.certificato_valido_dal and esito.certificato_valido_al
            and not esito.certificato_valido_dal <= ora <= esito.certificato_valido_al
        )
        if indic in _NOMI_CATENA:
            errori.append(MSG_NON_ATTENDIBILE)
        elif indic in _NOMI_REVOCATO:
            errori.append(MSG_REVOCATO)
        elif fuori_validita_ora or indic in _NOMI_SCADUTO:
            # pyHanko reports validity problems as EXPIRED/OUT_OF_BOUNDS or, for "not yet
            # valid", as a generic chain failure: the validity messages above explain them
            if esito.certificato_valido_al_momento:
                errori.append(MSG_SCADUTO_ORA)  # valid when signed, expired now, no timestamp
        elif indic == AdESIndeterminate.CHAIN_CONSTRAINTS_FAILURE.name and not esito.non_repudiation:
            pass  # already explained by the nonRepudiation message
        else:
            errori.append(MSG_CERTIFICATO_NON_VALIDO.format(motivo=indic or "sconosciuto"))
    return errori


def _normalizza_cf(cf: str | None) -> str | None:
    if not cf:
        return None
    cf = cf.strip().upper()
    for prefisso in ("TINIT-", "VATIT-", "IT:"):
        if cf.startswith(prefisso):
            cf = cf[len(prefisso):]
    return cf


def controlla_firmatario(esito_firma: EsitoFirma, codice_fiscale_atteso: str) -> list[str]:
    """Problems of ``esito_firma`` as the signature of ``codice_fiscale_atteso``.

    Empty list ⇔ the expected person (or body) signed, with a certificate valid at signing
    time, allowing legal-value signatures, issued by a trusted authority, over a document
    that was not altered. Messages are Italian and user-facing.
    """
    errori: list[str] = []
    atteso = _normalizza_cf(codice_fiscale_atteso)
    trovato = _normalizza_cf(esito_firma.codice_fiscale)
    if atteso != trovato:
        errori.append(
            MSG_FIRMATARIO_DIVERSO.format(atteso=atteso, trovato=trovato or "nessun codice fiscale")
        )
    for msg in [*_problemi(esito_firma), *esito_firma.errori]:
        if msg not in errori:
            errori.append(msg)
    return errori


def _esito_da_status(
    status, *, campo: str, revisione: int, copre_tutto: bool, livello: str, docmdp_ok: bool
) -> EsitoFirma:
    cert = a_cryptography(status.signing_cert)
    ts = getattr(status, "timestamp_validity", None)
    marca = bool(ts is not None and ts.intact and ts.valid and ts.trusted)
    signing_time = _aware(ts.timestamp if marca else status.signer_reported_dt)
    dal, al = cert.not_valid_before_utc, cert.not_valid_after_utc
    momento = signing_time or datetime.now(UTC)
    indic = status.trust_problem_indic
    esito = EsitoFirma(
        campo=campo,
        firmatario=nome_comune(cert),
        codice_fiscale=codice_fiscale_da_certificato(cert),
        signing_time=signing_time,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        modification_level=livello,
        docmdp_ok=docmdp_ok,
        certificato_valido_al_momento=dal <= momento <= al,
        non_repudiation=ha_non_repudiation(cert),
        revisione=revisione,
        copre_tutto=copre_tutto,
        emittente=_nome_emittente(cert),
        numero_serie=format(cert.serial_number, "X"),
        certificato_valido_dal=dal,
        certificato_valido_al=al,
        problema_fiducia=indic.name if indic is not None else None,
        marca_temporale=marca,
        momento_verifica=_aware(getattr(status, "validation_time", None)),
    )
    esito.errori = _problemi(esito)
    return esito


def _esito_illeggibile(campo: str, revisione: int, motivo: str) -> EsitoFirma:
    return EsitoFirma(
        campo=campo, firmatario=None, codice_fiscale=None, signing_time=None,
        intact=False, valid=False, trusted=False, modification_level="OTHER",
        docmdp_ok=False, certificato_valido_al_momento=False, non_repudiation=False,
        revisione=revisione, copre_tutto=False, emittente=None, numero_serie=None,
        errori=[MSG_FIRMA_ILLEGGIBILE.format(motivo=motivo)],
    )


# ---------------------------------------------------------------------------- PDF structure


class _LettorePdf(PdfFileReader):
    """pyHanko's reader, with the ``/Encrypt`` lookup computed once.

    pyHanko asks for the encryption dictionary on every object it reads, and for an
    unencrypted file the lookup walks the trailers of all N revisions before giving up:
    O(N) per object read, a quadratic term in files with many signatures. A reader never
    changes its trailers, so the answer is cached (per reader, nothing global changes).
    """

    _SENZA_VALORE = object()

    @property
    def encrypt_dict(self):
        valore = self.__dict__.get("_encrypt_dict_cache", self._SENZA_VALORE)
        if valore is self._SENZA_VALORE:
            valore = super().encrypt_dict
            self.__dict__["_encrypt_dict_cache"] = valore
        return valore


def _apri_pdf(data: bytes, max_bytes: int) -> PdfFileReader:
    _controlla_dimensione(data, max_bytes)
    if not _e_pdf(data):
        raise FileNonAccettato(MSG_NON_PDF)
    # A PDF must end with %%EOF (trailing whitespace allowed): a cut download or upload
    # is refused here even when an earlier revision would still parse.
    if b"%%EOF" not in data[-1024:]:
        raise FileNonAccettato(MSG_PDF_ILLEGGIBILE)
    try:
        reader = _LettorePdf(BytesIO(data), strict=False)
        encrypted = reader.encrypted or "/Encrypt" in reader.trailer
        if not encrypted:
            reader.root  # noqa: B018 - force parsing of the catalog
    except _ERRORI_LETTURA as exc:
        logger.info("PDF non leggibile: %s", exc)
        raise FileNonAccettato(MSG_PDF_ILLEGGIBILE) from exc
    if encrypted:
        raise FileNonAccettato(MSG_CIFRATO)
    return reader


# What pyHanko's parser lets escape on malformed input (zlib for broken xref/object streams,
# NotImplementedError for unsupported filters, AssertionError from its structural checks: an
# xref stream whose /Type is not /XRef, an object stream or a catalog of the wrong type).
_ERRORI_LETTURA = (
    misc.PdfError, ValueError, LookupError, TypeError, AttributeError, OverflowError,
    NotImplementedError, zlib.error, AssertionError,
)


@contextmanager
def _se_illeggibile():
    """Turn parsing errors met while verifying into a clean refusal of the file.

    A malformed upload must get an Italian message, not a server error; the traceback is
    logged so that a bug of ours does not hide behind the refusal.
    """
    try:
        yield
    except _ERRORI_LETTURA as exc:
        logger.warning("PDF non verificabile, rifiutato", exc_info=True)
        raise FileNonAccettato(MSG_PDF_ILLEGGIBILE) from exc


def _chiave(ref) -> tuple[int, int]:
    return ref.idnum, ref.generation


def _rif(reader, chiave: tuple[int, int]) -> generic.Reference:
    return generic.Reference(chiave[0], chiave[1], pdf=reader)


# /JS and /JavaScript: actions and the document-level names tree; /XFA: XML forms, which
# carry their own scripts.
_MARCATORI_JS = {"/JS", "/JavaScript", "/XFA"}


def _segnali(obj, profondita: int = 0) -> set[str]:
    """Active-content markers in one object, walking direct sub-objects only (each indirect
    object is scanned on its own)."""
    trovati: set[str] = set()
    if profondita > 64:
        return trovati
    if isinstance(obj, generic.DictionaryObject):
        for chiave in obj:
            if chiave in _MARCATORI_JS:
                trovati.add("js")
            elif chiave in ("/EmbeddedFiles", "/EF"):
                trovati.add("allegati")
        s = obj.get("/S") if "/S" in obj else None
        if s in ("/JavaScript", "/Launch"):
            trovati.add("js")
        if obj.get("/Type") == "/EmbeddedFile" or obj.get("/Subtype") == "/FileAttachment":
            trovati.add("allegati")
        for valore in obj.values():
            if isinstance(valore, generic.DictionaryObject | generic.ArrayObject):
                trovati |= _segnali(valore, profondita + 1)
    elif isinstance(obj, generic.ArrayObject):
        for valore in obj:
            if isinstance(valore, generic.DictionaryObject | generic.ArrayObject):
                trovati |= _segnali(valore, profondita + 1)
    return trovati


def _segnali_in(reader: PdfFileReader, revisioni: Iterable[int]) -> set[str]:
    """Markers in the current version of every object written in ``revisioni``."""
    trovati: set[str] = set()
    visti: set[tuple[int, int]] = set()
    for k in revisioni:
        for ref in reader.xrefs.explicit_refs_in_revision(k):
            c = _chiave(ref)
            if c in visti:
                continue
            visti.add(c)
            # an object we cannot read could hide anything: the error propagates and the
            # file is refused as unreadable
            obj = reader.get_object(ref)
            trovati |= _segnali(obj)
            if len(trovati) == 2:
                return trovati
    return trovati


def _controlla_contenuti_attivi(
    reader: PdfFileReader, revisioni: Iterable[int], originale: bytes | None
) -> None:
    trovati = _segnali_in(reader, revisioni)
    if not trovati:
        return
    if originale is not None:
        # Whatever the original we issued already contained is not the uploader's doing.
        try:
            r0 = PdfFileReader(BytesIO(originale), strict=False)
            trovati -= _segnali_in(r0, range(r0.xrefs.total_revisions))
        except misc.PdfError:
            pass
    if "js" in trovati:
        raise FileNonAccettato(MSG_JAVASCRIPT)
    if "allegati" in trovati:
        raise FileNonAccettato(MSG_ALLEGATI)


def _fine_revisione(
    reader: PdfFileReader, data: bytes, revisione: int, *, con_eol: bool = True
) -> int:
    """Byte offset just after the ``%%EOF`` (and, with ``con_eol``, its end-of-line)
    closing ``revisione``."""
    fine_xref = reader.xrefs.get_xref_container_info(revisione).end_location
    pos = data.find(b"%%EOF", fine_xref)
    if pos < 0:
        return len(data)
    pos += 5
    if not con_eol:
        return pos
    if data[pos:pos + 2] == b"\r\n":
        return pos + 2
    if data[pos:pos + 1] in (b"\n", b"\r"):
        return pos + 1
    return pos


def _revisioni_in(reader: PdfFileReader, data: bytes, lunghezza: int) -> int:
    """How many complete revisions of ``data`` fit in its first ``lunghezza`` bytes."""
    n = 0
    for k in range(reader.xrefs.total_revisions):
        # without the end-of-line: an original saved without a final newline still counts
        if _fine_revisione(reader, data, k, con_eol=False) <= lunghezza:
            n = k + 1
        else:
            break
    return n


_CHIAVI_INFO = {
    "/Title", "/Author", "/Subject", "/Keywords", "/Creator", "/Producer",
    "/CreationDate", "/ModDate", "/Trapped",
}


def _uguali(a, b) -> bool:
    """Structural equality of raw PDF objects (indirect references compared as references)."""
    if isinstance(a, generic.IndirectObject) or isinstance(b, generic.IndirectObject):
        return (
            isinstance(a, generic.IndirectObject)
            and isinstance(b, generic.IndirectObject)
            and _chiave(a.reference) == _chiave(b.reference)
        )
    if isinstance(a, generic.StreamObject) or isinstance(b, generic.StreamObject):
        return (
            isinstance(a, generic.StreamObject)
            and isinstance(b, generic.StreamObject)
            and a.encoded_data == b.encoded_data
            and _dict_uguali(a, b, set())
        )
    if isinstance(a, generic.DictionaryObject) and isinstance(b, generic.DictionaryObject):
        return _dict_uguali(a, b, set())
    if isinstance(a, generic.ArrayObject) and isinstance(b, generic.ArrayObject):
        return len(a) == len(b) and all(_uguali(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def _dict_uguali(a, b, tranne: set[str]) -> bool:
    chiavi = (set(a) | set(b)) - tranne
    return all(k in a and k in b and _uguali(a.raw_get(k), b.raw_get(k)) for k in chiavi)


class _NonRiconosciuta(Exception):
    """Internal: the revision is not a plain signature addition; ask pyHanko."""


class _Revisioni:
    """Revision bookkeeping with O(1) 'previous version' lookups, and the allow-list check
    that recognises a revision adding exactly one signature (see the module docstring)."""

    def __init__(self, reader: PdfFileReader):
        self.reader = reader
        xrefs = reader.xrefs
        self.n = xrefs.total_revisions
        self.scritti: list[set[tuple[int, int]]] = []
        # precedente[k][ref] = last revision < k that wrote ref, or None if ref is new in k
        self.precedente: list[dict[tuple[int, int], int | None]] = []
        ultimo: dict[tuple[int, int], int] = {}
        for k in range(self.n):
            refs = {_chiave(r) for r in xrefs.explicit_refs_in_revision(k)}
            self.scritti.append(refs)
            self.precedente.append({r: ultimo.get(r) for r in refs})
            for r in refs:
                ultimo[r] = k
        self.ultimo = ultimo
        self._nomi: set[str] | None = None  # top-level field names at the last revision seen
        self._nomi_rev = -1
        self._cache: dict[tuple[tuple[int, int], int], object] = {}
        self._trailer_cache: dict[tuple[str, int], object] = {}

    # -- object access at a given revision, without pyHanko's O(revisions) lookups
    def _oggetto(self, chiave: tuple[int, int], scritto_in: int):
        """The object as written in revision ``scritto_in``. Cached: the 'new' version of an
        object at revision k is the 'old' one when k + 1 is reviewed, and pyHanko's reader
        never caches historical reads."""
        try:
            return self._cache[(chiave, scritto_in)]
        except KeyError:
            pass
        ref = _rif(self.reader, chiave)
        if self.ultimo.get(chiave) == scritto_in:
            obj = self.reader.get_object(ref, transparent_decrypt=False)  # reader-cached
        else:
            obj = self.reader.get_object(ref, revision=scritto_in, transparent_decrypt=False)
            self._cache[(chiave, scritto_in)] = obj
        return obj

    def _versione(self, chiave: tuple[int, int], k: int):
        """Value of ``chiave`` as of revision ``k`` (its last write at or before ``k``)."""
        for j in range(k, -1, -1):
            if chiave in self.scritti[j]:
                return self._oggetto(chiave, j)
        raise _NonRiconosciuta(f"oggetto {chiave} assente")

    def _prima(self, chiave: tuple[int, int], k: int):
        """Value of ``chiave`` just before revision ``k``; O(1) when ``k`` rewrites it."""
        if chiave in self.precedente[k]:
            p = self.precedente[k][chiave]
            if p is None:
                raise _NonRiconosciuta(f"oggetto {chiave} nuovo")
            return self._oggetto(chiave, p)
        return self._versione(chiave, k - 1)

    def _trailer(self, chiave: str, k: int):
        # cached: each revision's trailer is read as "new" and again as "old", and pyHanko's
        # historical trailer lookup copies the list of all trailers on every call
        try:
            return self._trailer_cache[(chiave, k)]
        except KeyError:
            pass
        try:
            valore = self.reader.trailer.raw_get(chiave, revision=k)
        except KeyError:
            valore = None
        self._trailer_cache[(chiave, k)] = valore
        return valore

    def livello(self, k: int) -> ModificationLevel | SuspiciousModification:
        """Modification level of revision ``k`` relative to ``k - 1``."""
        if len(self._cache) > 512:  # keep memory bounded on long histories
            self._cache = {c: o for c, o in self._cache.items() if c[1] >= k - 1}
        try:
            self._solo_firma(k)
            return ModificationLevel.FORM_FILLING
        except _NonRiconosciuta as motivo:
            logger.debug("Revisione %d analizzata da pyHanko: %s", k, motivo)
        except _ERRORI_LETTURA as exc:
            logger.debug("Revisione %d analizzata da pyHanko: %r", k, exc)
        self._nomi = None  # field names may have changed in ways we did not track
        return self._livello_pyhanko(k)

    def _livello_pyhanko(self, k: int) -> ModificationLevel | SuspiciousModification:
        reader = self.reader
        try:
            risultato = DEFAULT_DIFF_POLICY.apply(
                reader.get_historical_resolver(k - 1), reader.get_historical_resolver(k)
            )
            return risultato.modification_level
        except SuspiciousModification as exc:
            return exc
        except _ERRORI_LETTURA as exc:
            # pyHanko could not even compare the revisions: treat as unexplained change.
            return SuspiciousModification(f"Analisi della revisione {k} non riuscita: {exc}")

    def _nomi_campi(self, k_old: int, campi: list) -> set[str]:
        if self._nomi is not None and self._nomi_rev == k_old:
            return self._nomi
        nomi = set()
        for f in campi:
            if isinstance(f, generic.IndirectObject):
                campo = self._versione(_chiave(f.reference), k_old)
            else:
                campo = f
            t = campo.get("/T") if isinstance(campo, generic.DictionaryObject) else None
            if t is not None:
                nomi.add(str(t))
        self._nomi, self._nomi_rev = nomi, k_old
        return nomi

    def _solo_firma(self, k: int) -> None:
        """Raise :class:`_NonRiconosciuta` unless revision ``k`` only adds one signature."""
        xrefs = self.reader.xrefs
        if xrefs.refs_freed_in_revision(k):
            raise _NonRiconosciuta("oggetti liberati")
        dati = xrefs.get_xref_data(k)
        if dati.hybrid is not None or dati.obj_streams_used:
            raise _NonRiconosciuta("xref ibride o object stream")
        if self._trailer("/Encrypt", k) is not None:
            raise _NonRiconosciuta("cifratura")
        root_old, root_new = self._trailer("/Root", k - 1), self._trailer("/Root", k)
        info_old, info_new = self._trailer("/Info", k - 1), self._trailer("/Info", k)
        if not _uguali(root_old, root_new) or not _uguali(info_old, info_new):
            raise _NonRiconosciuta("trailer modificato")
        if not isinstance(root_new, generic.IndirectObject):
            raise _NonRiconosciuta("catalogo diretto")

        scritti = self.scritti[k]
        prec = self.precedente[k]
        size_old = xrefs.get_xref_container_info(k - 1).size
        stream_ref = xrefs.get_xref_container_info(k).stream_ref
        nuovi = {r for r in scritti if prec[r] is None}
        sovrascritti = scritti - nuovi
        for r in nuovi:
            # a "new" object must use a number the previous revision could not have used
            if r[1] != 0 or r[0] < size_old:
                raise _NonRiconosciuta("riuso di numeri di oggetto")
        consentiti_nuovi: set[tuple[int, int]] = set()
        if stream_ref is not None:
            consentiti_nuovi.add(_chiave(stream_ref))

        # --- the new field F: exactly one new /FT /Sig widget, whose /V is a new /Sig dict
        campi_nuovi = []
        for r in nuovi:
            obj = self._oggetto(r, k)
            if isinstance(obj, generic.DictionaryObject) and obj.get("/FT") == "/Sig":
                campi_nuovi.append((r, obj))
        if len(campi_nuovi) != 1:
            raise _NonRiconosciuta("nessun campo firma nuovo, o più di uno")
        f_ref, campo = campi_nuovi[0]
        consentiti_nuovi.add(f_ref)
        for chiave in ("/Kids", "/Parent", "/Lock", "/SV", "/AA", "/A"):
            if chiave in campo:
                raise _NonRiconosciuta(f"campo con {chiave}")
        if campo.get("/Subtype") != "/Widget":
            raise _NonRiconosciuta("campo senza widget")
        nome = campo.get("/T")
        if not isinstance(nome, generic.TextStringObject | generic.ByteStringObject):
            raise _NonRiconosciuta("campo senza nome")
        v = campo.raw_get("/V")
        p = campo.raw_get("/P")
        if not isinstance(v, generic.IndirectObject) or _chiave(v.reference) not in nuovi:
            raise _NonRiconosciuta("valore del campo non nuovo")
        if not isinstance(p, generic.IndirectObject):
            raise _NonRiconosciuta("pagina del widget")
        sig_ref = _chiave(v.reference)
        consentiti_nuovi.add(sig_ref)
        sig = self._oggetto(sig_ref, k)
        if not isinstance(sig, generic.DictionaryObject) or sig.get("/Type", "/Sig") != "/Sig":
            raise _NonRiconosciuta("dizionario di firma")
        if "/Reference" in sig or "/ByteRange" not in sig or "/Contents" not in sig:
            raise _NonRiconosciuta("firma con DocMDP/FieldMDP o incompleta")
        for valore in sig.values():
            if isinstance(valore, generic.IndirectObject):
                raise _NonRiconosciuta("firma con oggetti indiretti")
        # appearance streams: new objects reachable from /AP through new objects only
        if "/AP" in campo:
            da_visitare = [campo.raw_get("/AP")]
            while da_visitare:
                o = da_visitare.pop()
                if isinstance(o, generic.IndirectObject):
                    c = _chiave(o.reference)
                    if c in consentiti_nuovi:
                        continue
                    if c not in nuovi:
                        continue  # existing objects (fonts…) are read, not modified
                    consentiti_nuovi.add(c)
                    da_visitare.append(self._oggetto(c, k))
                elif isinstance(o, generic.DictionaryObject):  # streams included
                    da_visitare.extend(o.raw_get(x) for x in o)
                elif isinstance(o, generic.ArrayObject):
                    da_visitare.extend(o)

        # --- overridden objects: page (/Annots += F), AcroForm (/Fields += F), /Info
        root_c = _chiave(root_new.reference)
        cat_new = self._versione(root_c, k)
        cat_old = self._prima(root_c, k)
        acro_new = cat_new.raw_get("/AcroForm")
        acro_old = cat_old.raw_get("/AcroForm") if "/AcroForm" in cat_old else None
        if not isinstance(acro_new, generic.IndirectObject):
            raise _NonRiconosciuta("AcroForm diretto o assente")
        acro_c = _chiave(acro_new.reference)
        primo_campo = acro_old is None
        if root_c in sovrascritti:
            # only the very first signature may touch the catalog, to attach the AcroForm
            # and declare the ESIC developer extension
            if not primo_campo or not _dict_uguali(cat_old, cat_new, {"/AcroForm", "/Extensions"}):
                raise _NonRiconosciuta("catalogo modificato")
            if acro_c not in nuovi:
                raise _NonRiconosciuta("AcroForm preesistente agganciato")
            consentiti_nuovi.add(acro_c)
            sovrascritti = sovrascritti - {root_c}
        elif primo_campo or not _uguali(acro_old, acro_new):
            raise _NonRiconosciuta("AcroForm sostituito")

        atteso = generic.IndirectObject(f_ref[0], f_ref[1], self.reader)

        def aggiunge_solo(old_arr, new_arr) -> bool:
            # list(...) keeps raw entries: ArrayObject.__getitem__ would dereference them
            if not isinstance(new_arr, generic.ArrayObject):
                return False
            old_l, new_l = list(old_arr or []), list(new_arr)
            if len(new_l) != len(old_l) + 1 or not _uguali(new_l[-1], atteso):
                return False
            # fast exact check for the usual all-references arrays, element-wise otherwise
            if all(isinstance(x, generic.IndirectObject) for x in new_l) and all(
                isinstance(x, generic.IndirectObject) for x in old_l
            ):
                return [_chiave(x.reference) for x in old_l] == [
                    _chiave(x.reference) for x in new_l[:-1]
                ]
            return all(_uguali(x, y) for x, y in zip(old_l, new_l[:-1], strict=True))

        def lista(obj, chiave, rev):
            """(value, ref key if indirect) of an array entry, resolved at ``rev``."""
            if obj is None or chiave not in obj:
                return None, None
            raw = obj.raw_get(chiave)
            if isinstance(raw, generic.IndirectObject):
                c = _chiave(raw.reference)
                return self._versione(c, rev), c
            return raw, None

        # AcroForm: /Fields gains exactly F; /SigFlags may change; nothing else. A brand-new
        # AcroForm (first signature) may also carry /DA and /DR for appearances.
        acro_n = self._versione(acro_c, k)
        acro_o = None if primo_campo else self._prima(acro_c, k)
        fields_n, fields_n_c = lista(acro_n, "/Fields", k)
        fields_o, fields_o_c = lista(acro_o, "/Fields", k - 1)
        if fields_n_c is not None and fields_n_c != fields_o_c and fields_n_c not in nuovi:
            raise _NonRiconosciuta("array dei campi sostituito")
        if not aggiunge_solo(fields_o, fields_n):
            raise _NonRiconosciuta("campi del modulo modificati")
        if primo_campo:
            if set(acro_n) - {"/Fields", "/SigFlags", "/DA", "/DR"}:
                raise _NonRiconosciuta("AcroForm nuovo con chiavi inattese")
            if fields_n_c is not None:
                consentiti_nuovi.add(fields_n_c)
            for chiave in ("/DA", "/DR"):  # default resources may be new objects
                raw = acro_n.raw_get(chiave) if chiave in acro_n else None
                if isinstance(raw, generic.IndirectObject) and _chiave(raw.reference) in nuovi:
                    raise _NonRiconosciuta("risorse AcroForm indirette")
        else:
            if acro_c in sovrascritti:
                if not _dict_uguali(acro_o, acro_n, {"/Fields", "/SigFlags"}):
                    raise _NonRiconosciuta("AcroForm modificato")
                sovrascritti = sovrascritti - {acro_c}
            if fields_n_c is not None and fields_n_c in sovrascritti:
                sovrascritti = sovrascritti - {fields_n_c}
        nomi = self._nomi_campi(k - 1, list(fields_o or []))
        if str(nome) in nomi or "." in str(nome):
            raise _NonRiconosciuta("nome di campo già usato")

        # page: /Annots gains exactly F; nothing else
        pag_c = _chiave(p.reference)
        if pag_c not in sovrascritti:
            raise _NonRiconosciuta("widget non aggiunto alla pagina")
        pag_n, pag_o = self._versione(pag_c, k), self._prima(pag_c, k)
        if pag_o.get("/Type") != "/Page" or pag_n.get("/Type") != "/Page":
            raise _NonRiconosciuta("/P non è una pagina")
        if not _dict_uguali(pag_o, pag_n, {"/Annots"}):
            raise _NonRiconosciuta("pagina modificata")
        annots_n, annots_n_c = lista(pag_n, "/Annots", k)
        annots_o, annots_o_c = lista(pag_o, "/Annots", k - 1)
        if annots_n_c is not None:
            if annots_n_c != annots_o_c:
                raise _NonRiconosciuta("array delle annotazioni sostituito")
            sovrascritti = sovrascritti - {annots_n_c}
        if not aggiunge_solo(annots_o, annots_n):
            raise _NonRiconosciuta("annotazioni della pagina modificate")
        sovrascritti = sovrascritti - {pag_c}

        # document information: plain metadata strings only, in both versions (so that the
        # same object cannot double as something that affects rendering)
        if isinstance(info_new, generic.IndirectObject):
            info_c = _chiave(info_new.reference)
            if info_c in sovrascritti:
                for versione in (self._prima(info_c, k), self._versione(info_c, k)):
                    if not isinstance(versione, generic.DictionaryObject) or isinstance(
                        versione, generic.StreamObject
                    ):
                        raise _NonRiconosciuta("/Info non è un dizionario")
                    for chiave, valore in versione.items():
                        if chiave not in _CHIAVI_INFO or not isinstance(
                            valore,
                            generic.TextStringObject | generic.ByteStringObject
                            | generic.NameObject,
                        ):
                            raise _NonRiconosciuta("/Info con chiavi inattese")
                sovrascritti = sovrascritti - {info_c}

        # anything else overridden must be byte-for-byte the same object
        for c in sovrascritti:
            if not _uguali(self._prima(c, k), self._versione(c, k)):
                raise _NonRiconosciuta(f"oggetto {c} modificato")
        estranei = nuovi - consentiti_nuovi
        if estranei:
            raise _NonRiconosciuta(f"oggetti nuovi non giustificati: {sorted(estranei)}")
        if self._nomi is not None and self._nomi_rev == k - 1:
            self._nomi = self._nomi | {str(nome)}
            self._nomi_rev = k


def _max_livello(a, b):
    if isinstance(a, SuspiciousModification):
        return a
    if isinstance(b, SuspiciousModification):
        return b
    return max(a, b)


def _livelli_dopo(rev: _Revisioni, da: int, analisi_completa: bool) -> dict[int, object]:
    """Level of every revision ``k >= da`` relative to ``k - 1`` (pairwise)."""
    livelli = {}
    for k in range(max(da, 1), rev.n):
        livelli[k] = rev._livello_pyhanko(k) if analisi_completa else rev.livello(k)
    return livelli


def _peggiore(livelli: dict[int, object], dopo: int):
    risultato = ModificationLevel.NONE
    for k, livello in livelli.items():
        if k > dopo:
            risultato = _max_livello(risultato, livello)
    return risultato


def _nome_livello(livello) -> str:
    if isinstance(livello, SuspiciousModification) or livello is None:
        return "OTHER"
    return livello.name


async def _valida_firme_pdf(firme, vc, *, full_diff: set[int]):
    """pyHanko validation of each embedded signature; ``full_diff`` holds the indexes that
    need pyHanko's own difference analysis (DocMDP/FieldMDP constraints)."""
    risultati = []
    for i, emb in enumerate(firme):
        try:
            if emb.sig_object_type == "/DocTimeStamp":
                status = await async_validate_pdf_timestamp(emb, vc, skip_diff=True)
            else:
                status = await async_validate_pdf_signature(
                    emb, vc, key_usage_settings=VINCOLI_USO_CHIAVE,
                    skip_diff=i not in full_diff,
                )
            risultati.append(status)
        except (SignatureValidationError, *_ERRORI_LETTURA) as exc:
            risultati.append(exc)
    return risultati


def _precalcola_digest(firme, data: bytes) -> None:
    """Fill pyHanko's per-signature digest cache in one pass over the file.

    Signature *i* covers ``data[0:a_i] + data[b_i:c_i]`` and, in an incremental file, the
    next signature's first range starts later (``a_i < a_{i+1}``). pyHanko hashes each range
    from scratch: O(N · size), 45 MB of hashing for 100 signatures on a 0.9 MB file. Here a
    single running hash over the file is copied at each ``a_i`` and finished with that
    signature's second range: O(size + Σ second ranges). The result is exactly what
    ``EmbeddedPdfSignature.compute_digest`` would compute (same bytes, same algorithm);
    whenever the ranges do not have that standard shape nothing is cached and pyHanko
    computes the digest itself.
    """
    voci = []
    for emb in firme:
        cache = getattr(emb, "external_digests", None)
        br = list(getattr(emb, "byte_range", []) or [])
        if not isinstance(cache, dict) or len(br) != 4 or br[0] != 0:
            return
        a, b, fine = int(br[1]), int(br[2]), int(br[2]) + int(br[3])
        if not 0 < a <= b <= fine <= len(data):
            return
        voci.append((emb.external_md_algorithm, a, b, fine, emb))
    vista = memoryview(data)
    for algoritmo in {v[0] for v in voci}:
        gruppo = sorted((v for v in voci if v[0] == algoritmo), key=lambda v: v[1])
        h = hashes.Hash(get_pyca_cryptography_hash(algoritmo))
        pos = 0
        for _alg, a, b, fine, emb in gruppo:
            h.update(vista[pos:a])
            pos = a
            parziale = h.copy()
            parziale.update(vista[b:fine])
            emb.external_digests[algoritmo] = parziale.finalize()


def _valuta_pdf(
    reader: PdfFileReader,
    data: bytes,
    *,
    radici,
    firme: list[tuple[int, object]],
    revisione_base: int,
    revisioni: _Revisioni | None = None,
    analisi_completa: bool = False,
    moment: datetime | None = None,
):
    """Shared core: validate ``firme`` (pairs of index among the document's signatures and
    ``EmbeddedPdfSignature``) and review the revisions from ``revisione_base`` on.

    Returns ``(esiti, livelli)``; ``livelli`` maps each revision k >= ``revisione_base`` to
    its modification level relative to k - 1.
    """

    def vincolata(emb) -> bool:
        # certification (DocMDP) and field locks need pyHanko's own, per-signature review
        return emb.sig_object_type == "/Sig" and (
            analisi_completa
            or emb.docmdp_level is not None
            or emb.fieldmdp is not None
            or "/Lock" in emb.sig_field
        )

    vincolate = {pos for pos, (_i, emb) in enumerate(firme) if vincolata(emb)}
    _precalcola_digest([emb for _i, emb in firme], data)
    vc = contesto_validazione(radici, moment=moment)
    statuses = _esegui(lambda: _valida_firme_pdf(
        [emb for _i, emb in firme], vc, full_diff=vincolate
    ))
    livelli = _livelli_dopo(revisioni or _Revisioni(reader), revisione_base, analisi_completa)

    esiti: list[EsitoFirma] = []
    for pos, ((i, emb), status) in enumerate(zip(firme, statuses, strict=True)):
        campo = emb.field_name
        if isinstance(status, Exception):
            esiti.append(_esito_illeggibile(campo, i, str(status)))
            continue
        if emb.sig_object_type == "/DocTimeStamp":
            # document timestamps (PAdES-LTA) are reported only when broken
            if not (status.intact and status.valid):
                esiti.append(
                    _esito_illeggibile(campo, i, "marca temporale del documento non valida")
                )
            continue
        copertura = emb.coverage
        copre_tutto = (
            copertura is not None and copertura >= SignatureCoverageLevel.ENTIRE_REVISION
        )
        if pos in vincolate:
            livello = status.modification_level
            docmdp_ok = bool(status.docmdp_ok)
        elif copertura == SignatureCoverageLevel.ENTIRE_FILE:
            livello, docmdp_ok = ModificationLevel.NONE, True
        elif not copre_tutto:
            livello, docmdp_ok = None, False
        else:
            livello = _peggiore(livelli, emb.signed_revision)
            docmdp_ok = _nome_livello(livello) != "OTHER"
        esiti.append(_esito_da_status(
            status, campo=campo, revisione=i, copre_tutto=copre_tutto,
            livello=_nome_livello(livello), docmdp_ok=docmdp_ok,
        ))
    return esiti, livelli


def _firme_nuove(
    reader: PdfFileReader, rev: _Revisioni, base: int
) -> list[tuple[int, object]] | None:
    """Signatures written in revisions ``>= base``, found through the cross-reference
    sections instead of ``reader.embedded_signatures`` (which parses every signature of the
    file, ~10 ms each). Returns ``(index among the document's signatures, signature)``
    pairs, or ``None`` when the structure is not the plain one (top-level signature fields
    listed in ``/AcroForm /Fields``): the caller then falls back to pyHanko's enumeration.
    """
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    acro = reader.root.get_object()["/AcroForm"]
    campi = acro["/Fields"]
    top = [_chiave(f.reference) for f in list(campi) if isinstance(f, generic.IndirectObject)]
    if len(top) != len(campi):
        return None
    posizione = {c: i for i, c in enumerate(top)}
    nuove_sig: set[tuple[int, int]] = set()
    trovate = []
    for k in range(base, rev.n):
        for c in rev.scritti[k]:
            if rev.ultimo.get(c) != k:
                continue  # rewritten later: judged where it was last written
            obj = reader.get_object(_rif(reader, c))
            if not isinstance(obj, generic.DictionaryObject):
                continue
            if obj.get("/Type") in ("/Sig", "/DocTimeStamp") and "/ByteRange" in obj:
                nuove_sig.add(c)
            if obj.get("/FT") == "/Sig" and "/V" in obj:
                if "/Parent" in obj or c not in posizione:
                    return None
                v = obj.raw_get("/V")
                if not isinstance(v, generic.IndirectObject):
                    return None
                trovate.append((c, _chiave(v.reference), obj))
    # every new signature dictionary must belong to a new or refilled field, and vice versa
    if {sig for _c, sig, _o in trovate} != nuove_sig:
        return None
    # index among the document's signatures = filled signature fields before this one
    prima = {c for c, _s, _o in trovate}
    risultato = []
    for c, _sig, campo in sorted(trovate, key=lambda t: posizione[t[0]]):
        precedenti = 0
        for altro in top[: posizione[c]]:
            if altro in prima:
                precedenti += 1
                continue
            f = reader.get_object(_rif(reader, altro))
            if isinstance(f, generic.DictionaryObject) and f.get("/FT") == "/Sig" and "/V" in f:
                precedenti += 1
        emb = EmbeddedPdfSignature(reader, campo, str(campo["/T"]))
        if emb.signed_revision < base:
            return None
        risultato.append((precedenti, emb))
    return risultato


def verifica_pdf(
    data: bytes,
    *,
    radici,
    originale: bytes | None = None,
    max_bytes: int = MAX_BYTES,
    analisi_completa: bool = False,
    moment: datetime | None = None,
) -> EsitoVerifica:
    """Verify every signature of a PDF.

    ``originale``: the exact bytes we issued; the upload must start with them and may only
    add signatures after them. ``analisi_completa=True`` uses pyHanko's own per-signature
    difference analysis (reference behaviour, quadratic: for audits and tests).
    Raises :class:`FileNonAccettato` for files that are refused outright.
    """
    reader = _apri_pdf(data, max_bytes)
    if originale is not None and data[: len(originale)] != originale:
        raise FileNonAccettato(MSG_NON_CONFORME)
    with _se_illeggibile():
        firme = reader.embedded_signatures
        n_rev = reader.xrefs.total_revisions
        _controlla_contenuti_attivi(reader, range(n_rev), originale)

        errori: list[str] = []
        # revisions to review: those after the first signature (what happened before it is
        # covered by that signature), and all those after the original we issued
        base = firme[0].signed_revision + 1 if firme else n_rev
        revisioni_originale = 0
        if originale is not None:
            revisioni_originale = _revisioni_in(reader, data, len(originale))
            base = min(base, max(revisioni_originale, 1))
        esiti, livelli = _valuta_pdf(
            reader, data, radici=radici, firme=list(enumerate(firme)), revisione_base=base,
            analisi_completa=analisi_completa, moment=moment,
        )
        if not firme:
            errori.append(MSG_NESSUNA_FIRMA)
            contenuto = _sha256(data)
        elif firme[0].signed_revision > 0:
            fine = _fine_revisione(reader, data, firme[0].signed_revision - 1)
            contenuto = _sha256(data[:fine])
        else:
            contenuto = None  # signed from the first revision: there is no unsigned original
    if originale is not None:
        if _nome_livello(_peggiore(livelli, revisioni_originale - 1)) == "OTHER":
            errori.append(MSG_ORIGINALE_MODIFICATO)
    return EsitoVerifica(
        formato="pdf", firme=esiti, sha256=_sha256(data), contenuto_sha256=contenuto,
        errori=errori,
    )


def verifica_nuova_revisione(
    data: bytes,
    *,
    radici,
    originale_firmato: bytes,
    max_bytes: int = MAX_BYTES,
    moment: datetime | None = None,
) -> EsitoFirma:
    """Verify only what an upload added to the last accepted version ``originale_firmato``.

    The upload must start with exactly those bytes and add exactly one signature; the
    revisions it appends must do nothing but add signatures (otherwise the returned
    outcome carries :data:`MSG_ORIGINALE_MODIFICATO`, and ``ok`` is false). Cost: the new
    bytes plus one pass over the cross-reference sections, independent of how many
    signatures were verified before.
    """
    reader = _apri_pdf(data, max_bytes)
    if data[: len(originale_firmato)] != originale_firmato:
        raise FileNonAccettato(MSG_NON_CONFORME)
    with _se_illeggibile():
        n_rev = reader.xrefs.total_revisions
        base = _revisioni_in(reader, data, len(originale_firmato))
        revisioni = _Revisioni(reader)
        nuove = _firme_nuove(reader, revisioni, base)
        if nuove is None:
            # unusual structure: let pyHanko enumerate every signature (slower, same result)
            nuove = [
                (i, s) for i, s in enumerate(reader.embedded_signatures)
                if s.signed_revision >= base
            ]
        nuove = [(i, s) for i, s in nuove if s.sig_object_type == "/Sig"]
        if not nuove:
            raise FileNonAccettato(MSG_NESSUNA_NUOVA_FIRMA)
        if len(nuove) > 1:
            raise FileNonAccettato(MSG_PIU_NUOVE_FIRME)
        # Only the appended objects can add active content; the accepted version was checked.
        _controlla_contenuti_attivi(reader, range(base, n_rev), originale_firmato)
        esiti, livelli = _valuta_pdf(
            reader, data, radici=radici, firme=nuove, revisione_base=max(base, 1),
            revisioni=revisioni, moment=moment,
        )
    esito = esiti[0]
    if _nome_livello(_peggiore(livelli, base - 1)) == "OTHER":
        esito.errori.append(MSG_ORIGINALE_MODIFICATO)
    return esito


# ---------------------------------------------------------------------------- CAdES


_RE_PEM = re.compile(rb"-----BEGIN [A-Z0-9 ]+-----(.*?)-----END [A-Z0-9 ]+-----", re.S)
_RE_BASE64 = re.compile(rb"^[A-Za-z0-9+/=\s]+$")


def _decodifica_busta(data: bytes) -> bytes:
    """DER bytes of a .p7m given as DER, PEM or bare base64."""
    if data[:1] == b"\x30":
        return data
    m = _RE_PEM.search(data)
    testo = m.group(1) if m else data
    if _RE_BASE64.match(testo.strip() or b"!"):
        try:
            return base64.b64decode(b"".join(testo.split()), validate=True)
        except (binascii.Error, ValueError):
            pass
    raise FileNonAccettato(MSG_P7M_NON_VALIDO)


def _carica_signed_data(data: bytes) -> cms.SignedData:
    der = _decodifica_busta(data)
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise ValueError("non SignedData")
        signed_data = info["content"]
        # asn1crypto parses lazily: touch the parts we rely on so garbage fails here.
        _ = signed_data["signer_infos"].native is not None
        _ = signed_data["encap_content_info"]["content_type"].native
        if not len(signed_data["signer_infos"]):
            raise ValueError("nessun firmatario")
    except (ValueError, TypeError, LookupError, OverflowError, AttributeError) as exc:
        raise FileNonAccettato(MSG_P7M_NON_VALIDO) from exc
    return signed_data


def _singolo_firmatario(signed_data: cms.SignedData, signer_info) -> cms.SignedData:
    """A copy of ``signed_data`` with one SignerInfo: pyHanko validates exactly one."""
    if len(signed_data["signer_infos"]) == 1:
        return signed_data
    copia = signed_data.copy()  # keeps asn1crypto's tagging, unlike a dump/load round trip
    copia["signer_infos"] = cms.SignerInfos([signer_info])
    return copia


MAX_BUSTE = 5  # nested envelopes (.p7m.p7m…) we open before giving up


def _contenuto(signed_data: cms.SignedData) -> bytes:
    try:
        # asn1crypto parses lazily: a damaged content (wrong tag, length beyond the data)
        # fails only here
        contenuto = signed_data["encap_content_info"]["content"]
        nativo = None if contenuto is None else contenuto.native
    except (ValueError, TypeError, LookupError, OverflowError) as exc:
        raise FileNonAccettato(MSG_P7M_NON_VALIDO) from exc
    if nativo is None:
        raise FileNonAccettato(MSG_P7M_SENZA_CONTENUTO)
    if not isinstance(nativo, bytes):
        raise FileNonAccettato(MSG_P7M_NON_VALIDO)
    return nativo


def _busta_interna(contenuto: bytes) -> cms.SignedData | None:
    """The inner SignedData when the content is itself a DER envelope (a countersignature
    made by re-enveloping, ".p7m.p7m"), else ``None``."""
    if contenuto[:1] != b"\x30":
        return None
    try:
        return _carica_signed_data(contenuto)
    except FileNonAccettato:
        return None


async def _valida_firmatari(signed_data: cms.SignedData, contenuto: bytes, vc) -> list:
    """pyHanko status (or the exception) for every SignerInfo of an attached envelope.

    ``async_validate_detached_cms`` refuses envelopes that carry their content, so the
    attached case goes through the generic CMS validator (``raw_digest=None``: pyHanko
    hashes the encapsulated content itself) plus the timing information (signingTime,
    signature timestamp) that the detached helper would have collected.
    """

    def _digest(algoritmo: str) -> bytes:  # for content timestamps, if any
        h = hashes.Hash(get_pyca_cryptography_hash(algoritmo))
        h.update(contenuto)
        return h.finalize()

    risultati = []
    for si in signed_data["signer_infos"]:
        try:
            tempi = await collect_timing_info(si, vc, raw_digest=_digest)
            risultati.append(await async_validate_cms_signature(
                _singolo_firmatario(signed_data, si),
                status_cls=StandardCMSSignatureStatus,
                validation_context=vc,
                status_kwargs=tempi,
                key_usage_settings=VINCOLI_USO_CHIAVE,
            ))
        except (SignatureValidationError, *_ERRORI_LETTURA) as exc:
            risultati.append(exc)
    return risultati


def verifica_p7m(
    data: bytes,
    *,
    radici,
    originale: bytes | None = None,
    max_bytes: int = MAX_BYTES,
    moment: datetime | None = None,
) -> EsitoVerifica:
    """Verify an attached CAdES envelope (``.p7m``; DER, PEM or base64).

    Every SignerInfo is validated against ``radici``; ``signing_time`` is the signed
    signingTime attribute (or the signature timestamp, when present and trusted). Nested
    envelopes (``.p7m.p7m``, a countersignature by re-enveloping) are opened up to
    :data:`MAX_BUSTE` levels; signatures are listed innermost (first signer) first and
    ``contenuto_sha256`` is the hash of the innermost document. With ``originale``, that
    document must hash to the same SHA-256 as ``originale``.
    """
    _controlla_dimensione(data, max_bytes)
    livelli = [_carica_signed_data(data)]
    contenuti = [_contenuto(livelli[0])]
    while len(livelli) < MAX_BUSTE and (interna := _busta_interna(contenuti[-1])) is not None:
        livelli.append(interna)
        contenuti.append(_contenuto(interna))
    documento = contenuti[-1]
    contenuto_sha = _sha256(documento)
    if originale is not None and contenuto_sha != _sha256(originale):
        raise FileNonAccettato(MSG_P7M_DIVERSO)

    vc = contesto_validazione(radici, moment=moment)

    async def _tutte():
        # innermost envelope first: its signers signed first
        return [
            await _valida_firmatari(sd, contenuto, vc)
            for sd, contenuto in reversed(list(zip(livelli, contenuti, strict=True)))
        ]

    esiti = []
    for statuses in _esegui(_tutte):
        for status in statuses:
            i = len(esiti)
            campo = f"Firmatario{i + 1}"
            if isinstance(status, Exception):
                esiti.append(_esito_illeggibile(campo, i, str(status)))
                continue
            try:
                esiti.append(_esito_da_status(
                    status, campo=campo, revisione=i, copre_tutto=True, livello="NONE",
                    docmdp_ok=True,
                ))
            except ValueError:
                # the signer's certificate, read leniently by asn1crypto, is refused by the
                # strict parser of cryptography (e.g. an invalid validity date)
                logger.warning("Certificato del firmatario non leggibile", exc_info=True)
                esiti.append(_esito_illeggibile(campo, i, MOTIVO_CERTIFICATO_ILLEGGIBILE))
    return EsitoVerifica(
        formato="p7m", firme=esiti, sha256=_sha256(data), contenuto_sha256=contenuto_sha,
    )


def contenuto_p7m(data: bytes) -> bytes:
    """The document enveloped in a .p7m, nested envelopes opened (no signature check):
    e.g. to show it, or to verify the PDF inside with :func:`verifica_pdf`."""
    contenuto = _contenuto(_carica_signed_data(data))
    for _ in range(MAX_BUSTE - 1):
        interna = _busta_interna(contenuto)
        if interna is None:
            break
        contenuto = _contenuto(interna)
    return contenuto


def verifica_file(data: bytes, nome_file: str = "", **kw) -> EsitoVerifica:
    """Dispatch on content: PDF header → :func:`verifica_pdf`, CMS → :func:`verifica_p7m`.

    The name only chooses the message for unrecognised content: a ``.p7m`` that is not CMS
    gets the CAdES message, anything else the PDF one.
    """
    _controlla_dimensione(data, kw.get("max_bytes", MAX_BYTES))
    if _e_pdf(data):
        return verifica_pdf(data, **kw)
    nome = (nome_file or "").lower()
    try:
        _carica_signed_data(data)
    except FileNonAccettato:
        if nome.endswith(".p7m") or nome.endswith(".p7s"):
            raise
        raise FileNonAccettato(MSG_NON_PDF) from None
    return verifica_p7m(data, **kw)
