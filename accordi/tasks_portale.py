"""Celery tasks of the Terzo Settore portal: sending its e-mails and purging the registrations
nobody confirmed. Thin wrappers over ``ambiti.posta`` and ``accordi.services_registrazione``."""

from celery import shared_task

from ambiti.posta import invia_a_ciascuno


@shared_task(acks_late=True)
def invia_posta(oggetto: str, testo: str, indirizzi: list[str]) -> int:
    """Send one of the portal's messages, already written in the requester's language."""
    return invia_a_ciascuno(oggetto, testo, indirizzi)


@shared_task
def elimina_registrazioni_scadute() -> int:
    """Delete the registration requests not confirmed within seven days (Celery beat, daily)."""
    from .services_registrazione import registrazioni_scadute_elimina

    return registrazioni_scadute_elimina()
