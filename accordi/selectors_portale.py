"""What the Terzo Settore portal and the public pages share: which Accordi are open to
adesioni, which are in force, and which bodies a person acts for."""

from __future__ import annotations

from django.db.models import F, Q, QuerySet

from ambiti.models import Ente, Incarico

from .models import AccordoDiProgramma, Stato


def accordi_aperti_adesioni() -> QuerySet[AccordoDiProgramma]:
    """Accordi open for signature (plan in ``sottoscrizione``) or in force (plan ``vigente``),
    each in the revision that is being signed or that is in force."""
    return (
        AccordoDiProgramma.objects.filter(
            Q(piano__stato=Stato.SOTTOSCRIZIONE, revisione=F("piano__revisione"))
            | Q(piano__stato=Stato.VIGENTE, revisione=F("piano__revisione_vigente"))
        )
        .select_related("piano", "piano__ciclo", "ente_capofila")
        .order_by("piano__titolo")
    )


def accordi_in_vigore() -> QuerySet[AccordoDiProgramma]:
    """Accordi in force: the revision in force of every plan in force (an update under way does
    not take it out of force)."""
    return (
        AccordoDiProgramma.objects.filter(
            piano__vigente_dal__isnull=False, revisione=F("piano__revisione_vigente"),
        )
        .exclude(piano__stato__in=[Stato.CONCLUSO, Stato.ANNULLATO])
        .select_related("piano", "piano__ciclo", "ente_capofila", "documento")
        .order_by("piano__titolo")
    )


def enti_rappresentati(utente) -> QuerySet[Ente]:
    """The Terzo Settore bodies ``utente`` acts for: those they registered through the portal
    and those they hold an active Terzo Settore referent's role for."""
    if not utente.is_authenticated or not utente.is_active:
        return Ente.objects.none()
    return (
        Ente.objects.filter(tipo=Ente.Tipo.TERZO_SETTORE)
        .filter(
            Q(registrazione__referente=utente)
            | Q(incarichi__utente=utente, incarichi__attivo=True,
                incarichi__ruolo=Incarico.Ruolo.REFERENTE_TERZO_SETTORE)
        )
        .distinct()
        .order_by("denominazione")
    )


def rappresenta(utente, ente: Ente) -> bool:
    return enti_rappresentati(utente).filter(pk=ente.pk).exists()

