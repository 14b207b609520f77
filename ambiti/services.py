"""Services that write to the registry: roles (Incarichi) and their object permissions."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from .models import Ambito, Ente, Incarico, Regione
from .ruoli import PERMESSI_PER_RUOLO, PERMESSI_REGIONALI

R = Incarico.Ruolo

ENTE_ATTESO = {
    R.SINDACO: Ente.Tipo.COMUNE,
    R.REFERENTE_ASL: Ente.Tipo.ASL,
    R.REFERENTE_SINDACATO: Ente.Tipo.SINDACATO,
    R.REFERENTE_TERZO_SETTORE: Ente.Tipo.TERZO_SETTORE,
}


def _verifica_incarico(*, ruolo, ambito, regione, ente) -> None:
    if ruolo == R.OPERATORE_REGIONALE:
        if regione is None or ambito is not None:
            raise ValidationError(_("L'operatore regionale si assegna a una regione, non a un ambito."))
        return
    if ambito is None:
        raise ValidationError(_("Questo ruolo si assegna all'interno di un ambito."))
    atteso = ENTE_ATTESO.get(ruolo)
    if atteso and (ente is None or ente.tipo != atteso):
        raise ValidationError(
            _("Il ruolo «%(ruolo)s» richiede un ente di tipo «%(tipo)s».")
            % {"ruolo": R(ruolo).label, "tipo": Ente.Tipo(atteso).label}
        )
    if ruolo == R.SINDACO and not ambito.comuni.filter(pk=ente.comune_id).exists():
        raise ValidationError(
            _("Il Comune di %(comune)s non fa parte dell'ambito %(ambito)s.")
            % {"comune": ente.denominazione, "ambito": ambito.nome}
        )


def concedi_permessi(incarico: Incarico) -> None:
    if incarico.ruolo == R.OPERATORE_REGIONALE:
        for perm in PERMESSI_REGIONALI:
            assign_perm(f"ambiti.{perm}", incarico.utente, incarico.regione)
    else:
        for perm in PERMESSI_PER_RUOLO[incarico.ruolo]:
            assign_perm(f"ambiti.{perm}", incarico.utente, incarico.ambito)


def _revoca_permessi(incarico: Incarico) -> None:
    """Revoke what this incarico granted, keeping what another active incarico still grants."""
    altri = Incarico.objects.filter(utente=incarico.utente, attivo=True).exclude(pk=incarico.pk)
    if incarico.ruolo == R.OPERATORE_REGIONALE:
        ancora = set(PERMESSI_REGIONALI) if altri.filter(regione=incarico.regione).exists() else set()
        for perm in set(PERMESSI_REGIONALI) - ancora:
            remove_perm(f"ambiti.{perm}", incarico.utente, incarico.regione)
        return
    ancora = set()
    for altro in altri.filter(ambito=incarico.ambito):
        ancora.update(PERMESSI_PER_RUOLO[altro.ruolo])
    for perm in set(PERMESSI_PER_RUOLO[incarico.ruolo]) - ancora:
        remove_perm(f"ambiti.{perm}", incarico.utente, incarico.ambito)


@transaction.atomic
def incarico_assegna(
    *,
    utente,
    ruolo: str,
    ambito: Ambito | None = None,
    regione: Regione | None = None,
    ente: Ente | None = None,
    dal: datetime.date | None = None,
    al: datetime.date | None = None,
) -> Incarico:
    """Give a person a role and the object permissions it carries."""
    _verifica_incarico(ruolo=ruolo, ambito=ambito, regione=regione, ente=ente)
    incarico, _creato = Incarico.objects.get_or_create(
        utente=utente, ruolo=ruolo, ambito=ambito, regione=regione, ente=ente, attivo=True,
        defaults={"dal": dal or timezone.localdate(), "al": al},
    )
    concedi_permessi(incarico)
    return incarico


@transaction.atomic
def incarico_termina(*, incarico: Incarico, al: datetime.date | None = None) -> Incarico:
    """End a role: the row stays (history), the permissions it granted go."""
    incarico = Incarico.objects.select_for_update().get(pk=incarico.pk)
    if not incarico.attivo:
        return incarico
    incarico.attivo = False
    incarico.al = al or timezone.localdate()
    if incarico.al < incarico.dal:
        incarico.al = incarico.dal
    incarico.save(update_fields=["attivo", "al"])
    _revoca_permessi(incarico)
    return incarico


def incarico_salva_da_admin(*, incarico: Incarico, era_attivo: bool | None) -> None:
    """Keep guardian permissions in step with an Incarico edited in the admin."""
    _verifica_incarico(
        ruolo=incarico.ruolo, ambito=incarico.ambito, regione=incarico.regione, ente=incarico.ente
    )
    if incarico.attivo:
        concedi_permessi(incarico)
    elif era_attivo:
        _revoca_permessi(incarico)
