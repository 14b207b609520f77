"""Monitoring of the plan's actions, written by the Ufficio di Piano: the measurements of the
indicators, the yearly implementation state and assessment of each action, and the yearly
monitoring report (its summary and its PDF act).

When: measurements and implementation states are written only while the plan is *vigente*
(the actions are being carried out); before that there is nothing to measure, and a concluded
plan's figures are final. The yearly report (summary and act) is written while the plan is
*vigente* and also once it is *concluso*, because the last year's report comes after the end
of the cycle. Every state can be read (``selectors_monitoraggio``).

Who: a user with ``gestisci_piano`` on one of the plan's ambiti; anyone else is refused with
``PermessoNegato`` (a 403).
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accordi.models import Azione, Documento, Indicatore, PianoDiZona
from accordi.services_documenti import atto_richiedi
from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.ruoli import Permessi

from .models import AttuazioneAzione, Misurazione, RelazioneMonitoraggio
from .selectors_monitoraggio import (
    STATI_MISURABILI,
    STATI_RELAZIONE,
    anni_del_ciclo,
    anni_monitorabili,
    prefisso_chiave,
)

# The same shape as the amounts of the plan (accordi.services_contenuto.importo_in_centesimi):
# dots for thousands, a comma for decimals; a measurement may also be negative (a balance, a
# change) and is not money, so it has its own messages.
_VALORE = re.compile(r"(?P<segno>-?)(?P<intero>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<decimali>\d+))?")
MASSIMO_INTERO = 12  # max_digits 14, decimal_places 2


def _oggi() -> datetime.date:
    return timezone.localdate()


def valore_da_testo(testo) -> Decimal:
    """A measured value written the Italian way ("1.234,5", "12", "-3,25") as a Decimal with
    at most two decimals. A Decimal passes through (checked the same way)."""
    if isinstance(testo, Decimal):
        testo = format(testo, "f").replace(".", ",")
    valore = (str(testo or "")).replace("\u00a0", "").replace(" ", "").strip()
    if not valore:
        raise DatiNonValidi(_("Indica il valore rilevato."))
    trovato = _VALORE.fullmatch(valore)
    if trovato is None:
        raise DatiNonValidi(_("«%(v)s» non è un numero: scrivilo come 1.234,5 (punto per le migliaia, virgola "
                              "per i decimali).") % {"v": str(testo).strip()})
    decimali = trovato["decimali"] or ""
    if len(decimali) > 2:
        raise DatiNonValidi(_("«%(v)s»: il valore ha al più due decimali.") % {"v": str(testo).strip()})
    intero = trovato["intero"].replace(".", "")
    if len(intero.lstrip("0")) > MASSIMO_INTERO:
        raise DatiNonValidi(_("«%(v)s»: il valore è troppo grande.") % {"v": str(testo).strip()})
    return Decimal(f"{trovato['segno']}{intero}.{decimali or '0'}")


# --- guards -----------------------------------------------------------------------------------


def puo_gestire(utente, piano: PianoDiZona) -> bool:
    return Permessi(utente).ha_su_alcuno("gestisci_piano", piano.ambiti.all())


def _verifica_permesso(utente, piano: PianoDiZona) -> None:
    if not puo_gestire(utente, piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano aggiorna il monitoraggio del piano."))


def motivo_sola_lettura(piano: PianoDiZona, relazione: bool = False) -> str | None:
    """Why the plan's monitoring cannot be written now (None when it can)."""
    stati = STATI_RELAZIONE if relazione else STATI_MISURABILI
    if piano.stato in stati:
        return None
    if piano.stato == "concluso":
        return _("Il piano è concluso: le misurazioni e lo stato di attuazione delle azioni restano consultabili e "
                 "non si modificano.")
    if piano.stato == "annullato":
        return _("Il piano è stato annullato: il monitoraggio resta consultabile e non si modifica.")
    return _("Il monitoraggio si registra quando il piano è vigente: ora il piano è nello stato «%(s)s».") % {
        "s": piano.get_stato_display()}


def _verifica_stato(piano: PianoDiZona, relazione: bool = False) -> None:
    motivo = motivo_sola_lettura(piano, relazione)
    if motivo:
        raise DatiNonValidi(motivo)


def _verifica_anno(piano: PianoDiZona, anno: int) -> None:
    if anno not in anni_monitorabili(piano, _oggi()):
        raise DatiNonValidi(_("L'anno %(anno)s non è un anno del ciclo già iniziato (%(da)s-%(a)s).") % {
            "anno": anno, "da": piano.ciclo.anno_inizio, "a": piano.ciclo.anno_fine})


def _piano_dell_indicatore(indicatore: Indicatore) -> PianoDiZona:
    return indicatore.azione.obiettivo.piano


# --- measurements ------------------------------------------------------------------------------


def _controlla_misurazione(piano, indicatore, data_rilevazione, valore, escludi=None) -> Decimal:
    errori = []
    valore_decimale = None
    try:
        valore_decimale = valore_da_testo(valore)
    except DatiNonValidi as exc:
        errori.extend(exc.messaggi)
    if not isinstance(data_rilevazione, datetime.date):
        errori.append(_("Indica la data della rilevazione."))
    else:
        anni = anni_del_ciclo(piano)
        if data_rilevazione.year not in anni:
            errori.append(_("La data della rilevazione deve cadere negli anni del ciclo (%(da)s-%(a)s).") % {
                "da": anni[0], "a": anni[-1]})
        elif data_rilevazione > _oggi():
            errori.append(_("La data della rilevazione non può essere futura."))
        else:
            doppia = Misurazione.objects.filter(indicatore=indicatore, data_rilevazione=data_rilevazione)
            if escludi is not None:
                doppia = doppia.exclude(pk=escludi.pk)
            if doppia.exists():
                errori.append(_("Per questo indicatore c'è già una misurazione del %(d)s: modifica quella.") % {
                    "d": formats.date_format(data_rilevazione, "d/m/Y")})
    if errori:
        raise DatiNonValidi(*errori)
    return valore_decimale


def _salva_unica(misurazione: Misurazione) -> Misurazione:
    """Save, turning the race of two simultaneous saves of the same date into a message."""
    try:
        with transaction.atomic():
            misurazione.save()
    except IntegrityError as exc:
        raise DatiNonValidi(_("Per questo indicatore c'è già una misurazione del %(d)s: modifica quella.") % {
            "d": formats.date_format(misurazione.data_rilevazione, "d/m/Y")}) from exc
    return misurazione


@transaction.atomic
def misurazione_aggiungi(*, indicatore: Indicatore, utente, data_rilevazione, valore, nota: str = "") -> Misurazione:
    """Record a measurement of ``indicatore``: a date inside the cycle's years and not in the
    future, one per date, a number written the Italian way."""
    piano = _piano_dell_indicatore(indicatore)
    _verifica_permesso(utente, piano)
    _verifica_stato(piano)
    numero = _controlla_misurazione(piano, indicatore, data_rilevazione, valore)
    return _salva_unica(Misurazione(indicatore=indicatore, data_rilevazione=data_rilevazione, valore=numero,
                                    nota=(nota or "").strip(), inserita_da=utente))


@transaction.atomic
def misurazione_modifica(*, misurazione: Misurazione, utente, data_rilevazione, valore, nota: str = "") -> Misurazione:
    piano = _piano_dell_indicatore(misurazione.indicatore)
    _verifica_permesso(utente, piano)
    _verifica_stato(piano)
    misurazione = Misurazione.objects.select_for_update().get(pk=misurazione.pk)
    numero = _controlla_misurazione(piano, misurazione.indicatore_id, data_rilevazione, valore, escludi=misurazione)
    misurazione.data_rilevazione, misurazione.valore, misurazione.nota = data_rilevazione, numero, (nota or "").strip()
    return _salva_unica(misurazione)


@transaction.atomic
def misurazione_elimina(*, misurazione: Misurazione, utente) -> None:
    piano = _piano_dell_indicatore(misurazione.indicatore)
    _verifica_permesso(utente, piano)
    _verifica_stato(piano)
    Misurazione.objects.filter(pk=misurazione.pk).delete()


# --- yearly implementation of the actions ------------------------------------------------------


@transaction.atomic
def attuazione_salva(*, piano: PianoDiZona, utente, anno: int, valori: dict) -> int:
    """Save the year's grid: ``valori`` maps an action's pk to ``(stato, nota)``. An action
    with neither state nor assessment is left without a record (an existing one is removed);
    an assessment needs a state. Every wrong row is named and nothing is saved. Returns the
    number of actions with a state."""
    _verifica_permesso(utente, piano)
    _verifica_stato(piano)
    _verifica_anno(piano, anno)
    azioni = {a.pk: a for a in Azione.objects.filter(obiettivo__piano=piano)}
    stati = dict(AttuazioneAzione.Stato.choices)
    errori, righe = [], {}
    for pk, (stato, nota) in valori.items():
        azione = azioni.get(int(pk))
        if azione is None:
            errori.append(_("Una delle azioni non è più nel piano: ricarica la pagina."))
            continue
        stato, nota = (stato or "").strip(), (nota or "").strip()
        if stato and stato not in stati:
            errori.append(_("«%(a)s»: stato di attuazione non valido.") % {"a": azione})
        elif nota and not stato:
            errori.append(_("«%(a)s»: scegli lo stato di attuazione a cui si riferisce la valutazione.") % {
                "a": azione})
        else:
            righe[azione.pk] = (stato, nota)
    if errori:
        raise DatiNonValidi(*errori)
    esistenti = {a.azione_id: a for a in AttuazioneAzione.objects.select_for_update().filter(
        azione__in=list(righe), anno=anno)}
    for pk, (stato, nota) in righe.items():
        attuale = esistenti.get(pk)
        if not stato:
            if attuale is not None:
                attuale.delete()
            continue
        if attuale is None:
            AttuazioneAzione.objects.create(azione_id=pk, anno=anno, stato=stato, nota=nota, aggiornata_da=utente)
        elif (attuale.stato, attuale.nota) != (stato, nota):
            attuale.stato, attuale.nota, attuale.aggiornata_da = stato, nota, utente
            attuale.save(update_fields=["stato", "nota", "aggiornata_da", "aggiornata_il"])
    return sum(1 for stato, _nota in righe.values() if stato)


# --- the yearly report -------------------------------------------------------------------------


def _relazione_bloccata(piano: PianoDiZona, anno: int, utente) -> RelazioneMonitoraggio:
    relazione, _creata = RelazioneMonitoraggio.objects.select_for_update().get_or_create(
        piano=piano, anno=anno, defaults={"creata_da": utente})
    return relazione


@transaction.atomic
def relazione_sintesi(*, piano: PianoDiZona, utente, anno: int, sintesi: str) -> RelazioneMonitoraggio:
    """Write the summary of the year's report (the next generated act carries it)."""
    _verifica_permesso(utente, piano)
    _verifica_stato(piano, relazione=True)
    _verifica_anno(piano, anno)
    sintesi = (sintesi or "").strip()
    if len(sintesi) > 20000:
        raise DatiNonValidi(_("La sintesi è troppo lunga: al più 20.000 caratteri."))
    relazione = _relazione_bloccata(piano, anno, utente)
    relazione.sintesi = sintesi
    relazione.save(update_fields=["sintesi"])
    return relazione


@transaction.atomic
def relazione_genera(*, piano: PianoDiZona, utente, anno: int, numero: int | None = None) -> Documento:
    """Generate the year's report as a sealed PDF act. Each generation is a new version of the
    act (a new key); earlier versions stay. ``numero`` is the version the page offered: the
    same number asked twice (a double click, two tabs) returns the same act instead of a
    second one."""
    _verifica_permesso(utente, piano)
    _verifica_stato(piano, relazione=True)
    _verifica_anno(piano, anno)
    relazione = _relazione_bloccata(piano, anno, utente)  # the lock orders concurrent requests
    generate = Documento.objects.filter(piano=piano, tipo=Documento.Tipo.RELAZIONE_MONITORAGGIO,
                                        chiave__startswith=prefisso_chiave(piano, anno)).count()
    prossimo = generate + 1
    if numero is not None and not 1 <= numero <= prossimo:
        raise DatiNonValidi(_("La pagina non era aggiornata: ricaricala e genera di nuovo la relazione."))
    n = numero or prossimo
    documento = atto_richiedi(
        tipo=Documento.Tipo.RELAZIONE_MONITORAGGIO, ambito=piano.ambiti.all()[0], piano=piano, utente=utente,
        versione=n, chiave=f"{prefisso_chiave(piano, anno)}v{n}",
        titolo=_("Relazione di monitoraggio %(anno)s – %(piano)s") % {"anno": anno, "piano": piano.titolo},
    )
    if n == prossimo:
        relazione.documento = documento
        relazione.save(update_fields=["documento"])
    return documento
