"""The Assemblea's standing arrangements: its voting rule, delegations, and the constitution of
the Ufficio di Piano. Sessions and votes are in ``tavoli.services``."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Ambito, Comune, Ente
from ambiti.ruoli import Permessi

from . import selectors
from .models import Assemblea, ComponenteUfficio, Delega, EventoAssemblea, RegolaVoto, Seduta, UfficioDiPiano

CAMPI_REGOLA = (
    "modalita", "quorum_numeratore", "quorum_denominatore", "quorum_strettamente", "maggioranza",
    "qualificata_numeratore", "qualificata_denominatore", "base", "astenuti_contano", "riferimento",
)


def puo_gestire(utente, ambito: Ambito) -> bool:
    """The Ufficio di Piano acts as the Assemblea's secretariat."""
    return Permessi(utente).ha("gestisci_piano", ambito)


def puo_presiedere(utente, ambito: Ambito) -> bool:
    return Permessi(utente).ha("presiedi_assemblea", ambito)


def log(assemblea: Assemblea, azione: str, utente=None, *, seduta=None, votazione=None, da="", a="",
        descrizione="") -> EventoAssemblea:
    return EventoAssemblea.objects.create(
        assemblea=assemblea, seduta=seduta, votazione=votazione, azione=azione, da_stato=da, a_stato=a,
        utente=utente, descrizione=descrizione,
    )


@transaction.atomic
def assemblea_garantisci(ambito: Ambito) -> Assemblea:
    """The Assemblea of ``ambito``, created on first use with the most common rule (one vote
    per Comune, quorum of more than half, simple majority of those voting)."""
    esistente = Assemblea.objects.select_related("regola").filter(ambito=ambito).first()
    if esistente:
        return esistente
    regola = RegolaVoto.objects.create()
    assemblea = Assemblea.objects.create(ambito=ambito, regola=regola)
    RegolaVoto.objects.filter(pk=regola.pk).update(assemblea=assemblea)
    return assemblea


@transaction.atomic
def regola_modifica(*, assemblea: Assemblea, utente, **campi) -> RegolaVoto:
    """A new version of the voting rule. Votes already opened keep theirs."""
    if not puo_gestire(utente, assemblea.ambito):
        raise PermessoNegato(_("Solo l'Ufficio di Piano modifica le regole di voto dell'Assemblea."))
    sconosciuti = set(campi) - set(CAMPI_REGOLA)
    if sconosciuti:
        raise DatiNonValidi(_("Campi non previsti: %(c)s.") % {"c": ", ".join(sorted(sconosciuti))})
    regola = RegolaVoto(assemblea=assemblea, creata_da=utente, **campi)
    try:
        regola.full_clean(exclude=["assemblea"])
    except ValidationError as exc:
        raise DatiNonValidi(*[m for msgs in exc.message_dict.values() for m in msgs]) from exc
    regola.save()
    Assemblea.objects.filter(pk=assemblea.pk).update(regola=regola)
    assemblea.regola = regola
    log(assemblea, "regola_modificata", utente, descrizione=regola.testo)
    return regola


@transaction.atomic
def delega_registra(
    *, assemblea: Assemblea, comune: Comune, delegato, atto, utente, seduta: Seduta | None = None,
    dal: datetime.date | None = None, al: datetime.date | None = None,
) -> Delega:
    """Record a written delegation for a Comune's seat. The mayor of that Comune records their
    own; the Ufficio di Piano may record any (it receives them on paper too)."""
    ambito = assemblea.ambito
    if not ambito.comuni.filter(pk=comune.pk).exists():
        raise DatiNonValidi(_("%(c)s non fa parte dell'ambito.") % {"c": comune})
    sindaci = {u.pk for u in selectors.sindaci_per_comune(ambito).get(comune.pk, [])}
    if not (utente.pk in sindaci or puo_gestire(utente, ambito)):
        raise PermessoNegato(_("Solo il sindaco del Comune o l'Ufficio di Piano registra una delega."))
    errori = []
    if not atto:
        errori.append(_("Allega l'atto di delega firmato."))
    if seduta is None and (dal is None or al is None):
        errori.append(_("Indica la seduta oppure il periodo di validità della delega."))
    if seduta is not None and (dal or al):
        errori.append(_("Una delega vale per una seduta oppure per un periodo, non per entrambi."))
    if dal and al and al < dal:
        errori.append(_("La fine del periodo deve seguire l'inizio."))
    if seduta is not None and seduta.assemblea_id != assemblea.pk:
        errori.append(_("La seduta è di un'altra Assemblea."))
    if seduta is not None and seduta.stato in (Seduta.Stato.CHIUSA, Seduta.Stato.ANNULLATA):
        errori.append(_("La seduta è già chiusa o annullata."))
    if delegato.pk in sindaci:
        errori.append(_("Il delegato è già sindaco di questo Comune."))
    if errori:
        raise DatiNonValidi(*errori)
    delega = Delega.objects.create(assemblea=assemblea, comune=comune, delegato=delegato, seduta=seduta,
                                   dal=dal, al=al, atto=atto, registrata_da=utente)
    log(assemblea, "delega_registrata", utente, seduta=seduta,
        descrizione=_("%(c)s delega %(d)s") % {"c": comune, "d": delegato.get_full_name() or delegato})
    return delega


@transaction.atomic
def delega_revoca(*, delega: Delega, utente) -> Delega:
    ambito = delega.assemblea.ambito
    sindaco = utente.pk in {u.pk for u in selectors.sindaci_per_comune(ambito).get(delega.comune_id, [])}
    if not (sindaco or puo_gestire(utente, ambito)):
        raise PermessoNegato(_("Solo il sindaco del Comune o l'Ufficio di Piano revoca una delega."))
    if delega.revocata_il is None:
        delega.revocata_il = timezone.now()
        delega.save(update_fields=["revocata_il"])
        log(delega.assemblea, "delega_revocata", utente, seduta=delega.seduta, descrizione=str(delega))
    return delega


@transaction.atomic
def ufficio_costituisci(
    *, ambito: Ambito, utente, responsabile, atto_costitutivo: str, costituito_il: datetime.date,
    componenti: list[dict], sede: Ente | None = None, allegato=None, deliberazione=None,
) -> UfficioDiPiano:
    """Record (or update) the constitution of the Ufficio di Piano: responsible person, members
    (each ``{"nominativo", "funzione", "ente", "utente"}``) and the act that constituted it.

    A member may be linked to a PianoZona user holding a role in the ambito (their full name is
    then the default name) and to an ente of the ambito. All or nothing: any refusal saves
    nothing."""
    if not (puo_gestire(utente, ambito) or puo_presiedere(utente, ambito)):
        raise PermessoNegato(_("Solo l'Ufficio di Piano o il Presidente dell'Assemblea registra la costituzione."))
    errori = []
    if responsabile is None:
        errori.append(_("Indica il responsabile dell'Ufficio di Piano."))
    if not (atto_costitutivo or "").strip():
        errori.append(_("Indica gli estremi dell'atto costitutivo."))
    if costituito_il is None:
        errori.append(_("Indica la data di costituzione."))
    elif costituito_il > timezone.localdate():
        errori.append(_("La data di costituzione non può essere futura."))
    componenti, errori_componenti = _componenti_validi(ambito, componenti)
    errori.extend(errori_componenti)
    if not componenti and not errori_componenti:
        errori.append(_("Indica almeno un componente dell'Ufficio di Piano."))
    if deliberazione is not None and deliberazione.assemblea.ambito_id != ambito.pk:
        errori.append(_("La deliberazione è di un'altra Assemblea."))
    if errori:
        raise DatiNonValidi(*errori)
    ufficio, _creato = UfficioDiPiano.objects.select_for_update().get_or_create(
        ambito=ambito,
        defaults={"responsabile": responsabile, "atto_costitutivo": atto_costitutivo.strip(),
                  "costituito_il": costituito_il, "sede": sede, "registrato_da": utente,
                  "deliberazione": deliberazione},
    )
    ufficio.responsabile = responsabile
    ufficio.atto_costitutivo = atto_costitutivo.strip()
    ufficio.costituito_il = costituito_il
    ufficio.sede = sede
    ufficio.deliberazione = deliberazione
    ufficio.registrato_da = utente
    if allegato:
        ufficio.allegato = allegato
    ufficio.save()
    ufficio.componenti.all().delete()
    ComponenteUfficio.objects.bulk_create([
        ComponenteUfficio(ufficio=ufficio, nominativo=c["nominativo"], funzione=c["funzione"], ente=c["ente"],
                          utente=c["utente"])
        for c in componenti
    ])
    log(assemblea_garantisci(ambito), "ufficio_costituito", utente,
        descrizione=ngettext("Ufficio di Piano: %(atto)s; responsabile %(r)s; %(n)s componente.",
                             "Ufficio di Piano: %(atto)s; responsabile %(r)s; %(n)s componenti.",
                             len(componenti)) % {
            "atto": ufficio.atto_costitutivo, "r": responsabile.get_full_name() or responsabile,
            "n": len(componenti)})
    return ufficio


def _componenti_validi(ambito: Ambito, componenti: list[dict]) -> tuple[list[dict], list[str]]:
    """The members to record, cleaned, and what is wrong with them. A row with nothing in it is
    skipped; a row needs a name or a PianoZona user; users and enti must belong to the ambito."""
    utenti_ammessi = set(selectors.utenti_dell_ambito(ambito).values_list("pk", flat=True))
    enti_ammessi = set(selectors.enti_dell_ambito(ambito).values_list("pk", flat=True))
    validi, errori, visti = [], [], set()
    for n, c in enumerate(componenti, start=1):
        nominativo = (c.get("nominativo") or "").strip()
        funzione = (c.get("funzione") or "").strip()
        persona, ente = c.get("utente"), c.get("ente")
        if not (nominativo or funzione or persona or ente):
            continue
        if persona is not None and not nominativo:
            nominativo = persona.get_full_name() or persona.get_username()
        if not nominativo:
            errori.append(_("Componente n. %(n)s: indica nome e cognome oppure scegli un utente PianoZona.")
                          % {"n": n})
        if persona is not None and persona.pk not in utenti_ammessi:
            errori.append(_("Componente n. %(n)s: %(p)s non ha un incarico in questo ambito.")
                          % {"n": n, "p": persona.get_full_name() or persona.get_username()})
        if persona is not None and persona.pk in visti:
            errori.append(_("Componente n. %(n)s: %(p)s è già indicato in un'altra riga.")
                          % {"n": n, "p": persona.get_full_name() or persona.get_username()})
        if ente is not None and ente.pk not in enti_ammessi:
            errori.append(_("Componente n. %(n)s: %(e)s non è un ente dell'ambito.") % {"n": n, "e": ente})
        if persona is not None:
            visti.add(persona.pk)
        validi.append({"nominativo": nominativo[:200], "funzione": funzione[:200], "utente": persona, "ente": ente})
    return validi, errori


def ufficio_mancanze(ambito: Ambito) -> list[str]:
    """What the constitution of the Ufficio di Piano of ``ambito`` still lacks (guard of
    *avvia istruttoria*)."""
    ufficio = UfficioDiPiano.objects.filter(ambito=ambito).first()
    if ufficio is None:
        return [_("%(a)s: l'Ufficio di Piano non è ancora costituito. Registra l'atto costitutivo, il "
                  "responsabile e i componenti.") % {"a": ambito.nome}]
    if not ufficio.componenti.exists():
        return [_("%(a)s: l'Ufficio di Piano non ha componenti.") % {"a": ambito.nome}]
    return []
