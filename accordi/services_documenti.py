"""The document service: every official act is an HTML template rendered to PDF/A with
WeasyPrint, numbered per ambito and year, sealed by the issuing body (PAdES) and stored
immutably with its SHA-256.

Rendering runs as a Celery task. ``documento_richiedi`` writes the row first (with an
idempotency key) and queues the task after commit; ``genera_documento`` is safe to run again
after a crash: it finishes a half-done job and never makes a second document or revision.

Capabilities add their acts with ``registra_contenuto(tipo, template)``: a function that
returns the template context for a Documento of that kind.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import Ambito
from ambiti.ruoli import Permessi

from .exceptions import DatiNonValidi, PermessoNegato
from .models import ContatoreAtti, Documento, PianoDiZona, RevisioneDocumento

logger = logging.getLogger(__name__)

Costruttore = Callable[[Documento], dict]
_CONTENUTI: dict[str, tuple[str, Costruttore]] = {}
# Hooks run after commit when a document becomes ready (the adesione act goes to signature).
_AL_DOCUMENTO_PRONTO: list[Callable[[Documento], None]] = []


def registra_contenuto(tipo: str, template: str) -> Callable[[Costruttore], Costruttore]:
    def decorator(funzione: Costruttore) -> Costruttore:
        _CONTENUTI[tipo] = (template, funzione)
        return funzione

    return decorator


def al_documento_pronto(funzione: Callable[[Documento], None]) -> Callable[[Documento], None]:
    """Register ``funzione(documento)``, called once the act is rendered and sealed; a failing
    hook is logged and does not undo the act."""
    _AL_DOCUMENTO_PRONTO.append(funzione)
    return funzione


def sha256(dati: bytes) -> str:
    return hashlib.sha256(dati).hexdigest()


def url_verifica(codice: str) -> str:
    return settings.PIANOZONA_SITE_URL.rstrip("/") + reverse("accordi:verifica_codice", args=[codice])


# --- requesting -------------------------------------------------------------------------

def _prossimo_numero(ambito: Ambito, anno: int) -> int:
    contatore, _creato = ContatoreAtti.objects.select_for_update().get_or_create(ambito=ambito, anno=anno)
    contatore.ultimo += 1
    contatore.save(update_fields=["ultimo"])
    return contatore.ultimo


def ente_emittente(ambito: Ambito) -> str:
    return _("Ufficio di Piano – %(ambito)s") % {"ambito": ambito.nome}


@transaction.atomic
def documento_richiedi(
    *, tipo: str, piano: PianoDiZona, utente, titolo: str | None = None, ambito: Ambito | None = None,
    chiave: str | None = None,
) -> Documento:
    """Ask for a new version of an act of ``piano``; the PDF is produced in the background.
    The same ``chiave`` always returns the same Documento (a double click makes one act)."""
    if tipo not in _CONTENUTI:
        raise DatiNonValidi(_("Questo tipo di atto non è ancora disponibile: %(tipo)s.")
                            % {"tipo": Documento.Tipo(tipo).label})
    if tipo == Documento.Tipo.ADESIONE:
        raise DatiNonValidi(_("L'atto di adesione si genera accogliendo la richiesta di adesione dell'ente."))
    if tipo == Documento.Tipo.PIANO_DEFINITIVO:
        # The Assemblea approves an exact frozen text: the final text is made from a version.
        from .services_versioni import testo_definitivo_richiedi

        return testo_definitivo_richiedi(piano=piano, utente=utente, ambito=ambito)
    if tipo == Documento.Tipo.ACCORDO and piano.stato == "sottoscrizione":
        # The Accordo being signed is one act, kept on the Accordo itself.
        from .services_accordo import accordo_di, accordo_genera_atto

        return accordo_genera_atto(accordo=accordo_di(piano), utente=utente)
    ambiti = list(piano.ambiti.all())
    if utente is not None and not Permessi(utente).ha_su_alcuno("gestisci_piano", ambiti):
        raise PermessoNegato(_("Solo l'Ufficio di Piano genera gli atti del piano."))
    ambito = ambito or ambiti[0]
    # Lock the plan so two simultaneous requests agree on the version number.
    PianoDiZona.objects.select_for_update().filter(pk=piano.pk).first()
    versione = Documento.objects.filter(piano=piano, tipo=tipo).count() + 1
    return atto_richiedi(
        tipo=tipo, ambito=ambito, piano=piano, utente=utente, versione=versione,
        titolo=titolo or f"{Documento.Tipo(tipo).label} – {piano.titolo}",
        chiave=chiave or f"{tipo}:piano{piano.pk}:v{versione}",
    )


@transaction.atomic
def atto_richiedi(
    *, tipo: str, ambito: Ambito, titolo: str, chiave: str, utente=None, piano: PianoDiZona | None = None,
    versione: int = 1, ente: str | None = None,
) -> Documento:
    """Number and queue an act of ``ambito``. The caller has checked the permission: this is
    the entry point other capabilities use (the Assemblea's deliberations and minutes reach it
    through the ``PIANOZONA_RICHIEDI_ATTO`` setting). The same ``chiave`` returns the same
    Documento."""
    if tipo not in _CONTENUTI:
        raise DatiNonValidi(_("Questo tipo di atto non è ancora disponibile: %(tipo)s.")
                            % {"tipo": Documento.Tipo(tipo).label})
    esistente = Documento.objects.filter(chiave=chiave).first()
    if esistente:
        return esistente
    anno = timezone.localdate().year
    documento = Documento.objects.create(
        tipo=tipo, titolo=titolo[:255], ambito=ambito, anno=anno, numero=_prossimo_numero(ambito, anno),
        versione=versione, piano=piano, ente_emittente=ente or ente_emittente(ambito), chiave=chiave,
        creato_da=utente,
    )
    transaction.on_commit(lambda: _accoda(documento.pk))
    return documento


# A note kept in ``errore`` while the act waits in the queue: the broker could not be reached,
# the page says so and ``riaccoda_documenti_fermi`` sends it again when the broker is back.
CODA_NON_RAGGIUNGIBILE = "coda non raggiungibile"


def _accoda(documento_id: int) -> bool:
    """Send the act to the workers. The Documento is already committed: when the broker is down
    the request must not fail; the act stays «in coda» and is sent again later."""
    from kombu.exceptions import OperationalError

    from .tasks import genera_documento_task

    try:
        genera_documento_task.apply_async(
            (documento_id,), ignore_result=True, retry=True,
            retry_policy={"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5},
        )
    except OperationalError as exc:
        logger.warning("Document %s left in the queue: the broker is unreachable (%s)", documento_id, exc)
        Documento.objects.filter(pk=documento_id, stato=Documento.Stato.IN_CODA).update(
            errore=f"{CODA_NON_RAGGIUNGIBILE}: {exc}"[:2000]
        )
        return False
    return True


def riaccoda_documenti_fermi(minuti: int | None = None) -> list[int]:
    """Send again the acts still «in coda» after ``minuti`` (the broker was down when they were
    asked for, or lost the message). A second message for the same act is harmless:
    ``genera_documento`` makes one file and leaves a finished act as it is."""
    if minuti is None:
        minuti = settings.PIANOZONA_RIACCODA_DOPO_MINUTI
    limite = timezone.now() - datetime.timedelta(minutes=minuti)
    fermi = list(
        Documento.objects.filter(stato=Documento.Stato.IN_CODA, creato_il__lte=limite)
        .order_by("pk").values_list("pk", flat=True)
    )
    inviati = []
    for documento_id in fermi:
        if not _accoda(documento_id):
            break  # the broker is still down: the next run tries again
        Documento.objects.filter(pk=documento_id, errore__startswith=CODA_NON_RAGGIUNGIBILE).update(errore="")
        inviati.append(documento_id)
    return inviati


# --- rendering --------------------------------------------------------------------------

def qr_svg_data_uri(testo: str) -> str:
    import segno

    return segno.make(testo, error="m").svg_data_uri(scale=3, border=1)


def render_pdf(template: str, contesto: dict) -> bytes:
    """HTML template (print CSS) → PDF/A-3b bytes."""
    from weasyprint import HTML

    html = render_to_string(template, contesto)
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant="pdf/a-3b")


def contesto_atto(documento: Documento) -> dict:
    template, costruttore = _CONTENUTI[documento.tipo]
    contesto = {
        "documento": documento,
        "url_verifica": url_verifica(documento.codice_verifica),
        "qr": qr_svg_data_uri(url_verifica(documento.codice_verifica)),
        "data_atto": timezone.localdate(),
    }
    contesto.update(costruttore(documento))
    return contesto


def sigilla(pdf: bytes) -> bytes:
    """The issuing body's PAdES seal (B-B; B-T when a timestamp authority is configured)."""
    from .firme.firma import sigilla_pdf

    p12 = settings.PIANOZONA_SIGILLO_P12
    if not p12 or not p12.exists():
        raise RuntimeError(
            _("Il certificato di sigillo non è configurato (%(p)s): eseguire «python manage.py "
              "crea_pki_sviluppo» in sviluppo, o impostare PIANOZONA_SIGILLO_P12 in produzione.") % {"p": p12}
        )
    return sigilla_pdf(
        pdf, p12_path=p12, passphrase=settings.PIANOZONA_SIGILLO_PASSPHRASE,
        tsa_url=settings.PIANOZONA_TSA_URL or None,
    )


def nome_file(documento: Documento, revisione: int) -> str:
    return f"documenti/{documento.anno}/{documento.ambito_id}/{documento.codice_verifica}-r{revisione}.pdf"


def salva_revisione(documento: Documento, numero: int, dati: bytes) -> RevisioneDocumento:
    """Store one immutable file. A file left by a job that died before recording it is not
    part of any document yet, so it is replaced rather than kept beside a new one."""
    nome = nome_file(documento, numero)
    if default_storage.exists(nome):
        default_storage.delete(nome)
    salvato = default_storage.save(nome, ContentFile(dati))
    return RevisioneDocumento.objects.create(
        documento=documento, numero=numero, file=salvato, sha256=sha256(dati), dimensione=len(dati)
    )


def genera_documento(documento_id: int) -> Documento:
    with transaction.atomic():
        documento = Documento.objects.select_for_update().get(pk=documento_id)
        if documento.stato == Documento.Stato.PRONTO:
            return documento
        documento.stato = Documento.Stato.IN_CORSO
        documento.tentativi += 1
        documento.errore = ""
        documento.save(update_fields=["stato", "tentativi", "errore"])
    if settings.PIANOZONA_RITARDO_GENERAZIONE_TEST:  # fault tests only: a worker killed mid-PDF
        import time

        time.sleep(settings.PIANOZONA_RITARDO_GENERAZIONE_TEST)
    try:
        pdf = sigilla(render_pdf(_CONTENUTI[documento.tipo][0], contesto_atto(documento)))
    except Exception as exc:
        logger.exception("Rendering of document %s failed", documento_id)
        Documento.objects.filter(pk=documento_id).update(stato=Documento.Stato.ERRORE, errore=str(exc)[:2000])
        raise
    with transaction.atomic():
        documento = Documento.objects.select_for_update().get(pk=documento_id)
        if documento.stato == Documento.Stato.PRONTO:  # another run finished first
            return documento
        if not documento.revisioni.filter(numero=0).exists():
            salva_revisione(documento, 0, pdf)
        documento.stato = Documento.Stato.PRONTO
        documento.sigillato = True
        documento.pronto_il = timezone.now()
        documento.save(update_fields=["stato", "sigillato", "pronto_il"])
        for funzione in _AL_DOCUMENTO_PRONTO:
            transaction.on_commit(partial(funzione, documento), robust=True)
    return documento


def revisione_corrente(documento: Documento) -> RevisioneDocumento | None:
    return documento.revisioni.order_by("-numero").first()


def leggi(revisione: RevisioneDocumento) -> bytes:
    with revisione.file.open("rb") as f:
        return f.read()
