"""Celery tasks of the unions' consultation: thin wrappers over services and the e-mail content
of ``accordi.consultazione``."""

from celery import shared_task

from ambiti.posta import invia_a_ciascuno

from .consultazione import messaggi_invio, messaggi_parere
from .models import Consultazione, Parere


def _invia(messaggi) -> int:
    return sum(invia_a_ciascuno(oggetto, testo, indirizzi) for oggetto, testo, indirizzi in messaggi)


@shared_task(acks_late=True)
def notifica_consultazione(consultazione_id: int) -> int:
    """E-mail each consulted union's referents the version to read and the deadline."""
    consultazione = Consultazione.objects.select_related("piano", "versione").get(pk=consultazione_id)
    return _invia(messaggi_invio(consultazione))


@shared_task(acks_late=True)
def notifica_parere(parere_id: int) -> int:
    """E-mail the Ufficio di Piano that a union gave its parere."""
    parere = Parere.objects.select_related("sindacato", "consultazione__piano", "consultazione__versione").get(
        pk=parere_id)
    return _invia(messaggi_parere(parere))


@shared_task
def segna_silenzi() -> int:
    """Record as silence the pareri whose deadline passed (Celery beat, every 15 minutes)."""
    from .services_consultazione import pareri_scaduti

    return pareri_scaduti()
