"""Contributions recorded in a held session of a tavolo: needs (``Bisogno``), services on the
ground (``UnitaOfferta``) and proposals, and their later edits until the session's minutes are
approved. Who may do what is written once, at the top of ``tavoli.services_tavoli``."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from ambiti.models import Comune, Ente

from .models import (
    AreaIntervento,
    Bisogno,
    EventoTavolo,
    LivelloPriorita,
    MembroTavolo,
    Proposta,
    SedutaTavolo,
    UnitaOfferta,
)
from .services_tavoli import (
    _ambiti,
    _attivo,
    _partecipa,
    _regione_id,
    _registra,
    _seduta_bloccata,
    _testo,
    _verbale_approvato,
    membro_attivo,
    puo_coordinare,
)

A = EventoTavolo.Azione
S = SedutaTavolo.Stato


def _per_contribuire(seduta: SedutaTavolo, utente) -> tuple[SedutaTavolo, MembroTavolo | None, bool]:
    """The locked session, the user's membership and whether they coordinate; refuses who may
    not contribute, sessions not held and frozen sessions."""
    seduta = _seduta_bloccata(seduta)
    coordina = puo_coordinare(utente, seduta.tavolo)
    membro = _partecipa(utente, seduta)
    if not (coordina or membro):
        raise PermessoNegato(_("Registrano contributi il coordinatore, l'Ufficio di Piano e i componenti del "
                               "tavolo (del focus-group, per le sue sedute)."))
    if seduta.stato != S.SVOLTA:
        raise TransizioneNonAmmessa(_("I contributi si registrano nelle sedute che si sono svolte."))
    _non_congelata(seduta)
    return seduta, membro, coordina


def _non_congelata(seduta: SedutaTavolo) -> None:
    if _verbale_approvato(seduta):
        raise TransizioneNonAmmessa(_("Il verbale della seduta è approvato: i contributi della seduta non si "
                                      "modificano più."))


def _ente_proprio(ente, membro: MembroTavolo | None, coordina: bool) -> list[str]:
    if coordina or ente is None or (membro is not None and ente.pk == membro.ente_id):
        return []
    return [_("Un componente registra i contributi a nome del proprio ente.")]


def _comuni_del_piano(piano, comuni) -> list[str]:
    ammessi = set(Comune.objects.filter(ambiti__in=_ambiti(piano), pk__in=[c.pk for c in comuni])
                  .values_list("pk", flat=True))
    return [_("%(c)s non è un Comune degli ambiti del piano.") % {"c": c.denominazione}
            for c in comuni if c.pk not in ammessi]


def _obbligatorio(valori: dict, campo: str, messaggio: str) -> list[str]:
    return [] if valori.get(campo) else [messaggio]


def _valida_bisogno(valori: dict, piano) -> list[str]:
    errori = _obbligatorio(valori, "destinatari", _("Indica i destinatari: il gruppo di persone interessato "
                                                    "dal bisogno."))
    errori += _obbligatorio(valori, "descrizione", _("Descrivi il bisogno."))
    if valori.get("priorita") not in LivelloPriorita.values:
        errori.append(_("Scegli la priorità: alta, media o bassa."))
    valori["comuni"] = [c for c in valori.get("comuni") or () if c is not None]
    return errori + _comuni_del_piano(piano, valori["comuni"])


def _valida_offerta(valori: dict, piano) -> list[str]:
    errori = []
    tipo = valori.get("tipo")
    if tipo is None:
        errori.append(_("Scegli il tipo di unità di offerta dal catalogo."))
    elif not tipo.attivo or tipo.regione_id not in (None, _regione_id(piano)):
        errori.append(_("Il tipo «%(t)s» non è nel catalogo in uso nella regione del piano.") % {"t": tipo.nome})
    errori += _obbligatorio(valori, "denominazione", _("Indica la denominazione dell'unità di offerta."))
    if valori.get("comune") is None:
        errori.append(_("Indica il Comune in cui si trova l'unità di offerta."))
    else:
        errori += _comuni_del_piano(piano, [valori["comune"]])
    if valori.get("gestore") is not None and valori.get("gestore_nome"):
        errori.append(_("Scegli l'ente gestore dall'elenco oppure scrivine il nome, non entrambi."))
    capacita = valori.get("capacita")
    if capacita is not None and (isinstance(capacita, bool) or not isinstance(capacita, int) or capacita < 0):
        errori.append(_("La capacità è un numero intero, zero o più."))
    return errori


def _valida_proposta(valori: dict, piano) -> list[str]:
    errori = _obbligatorio(valori, "titolo", _("Indica il titolo della proposta."))
    errori += _obbligatorio(valori, "descrizione", _("Descrivi la proposta."))
    bisogni = [b for b in valori.get("bisogni") or () if b is not None]
    ammessi = set(Bisogno.objects.filter(pk__in=[b.pk for b in bisogni], seduta__tavolo__piano=piano)
                  .values_list("pk", flat=True))
    errori += [_("Il bisogno «%(b)s» non è stato raccolto nei tavoli di questo piano.") % {"b": str(b)}
               for b in bisogni if b.pk not in ammessi]
    valori["bisogni"] = bisogni
    return errori


# model -> (fields a change may touch, the many-to-many ones among them, the check of its own fields)
CONTRIBUTI = {
    Bisogno: (("area", "ente", "proposto_da", "destinatari", "descrizione", "evidenza", "priorita", "comuni"),
              ("comuni",), _valida_bisogno),
    UnitaOfferta: (("area", "ente", "proposto_da", "tipo", "denominazione", "comune", "capacita", "gestore",
                    "gestore_nome", "indirizzo", "note"), (), _valida_offerta),
    Proposta: (("area", "ente", "proposto_da", "titolo", "descrizione", "bisogni"), ("bisogni",), _valida_proposta),
}


def _valida_contributo(modello, valori: dict, piano) -> None:
    """Trim the texts, then check what every contribution shares (an area in use in the plan's
    region, lengths) and the model's own fields; DatiNonValidi lists every problem."""
    for campo in CONTRIBUTI[modello][0]:
        if isinstance(modello._meta.get_field(campo), (models.CharField, models.TextField)):
            valori[campo] = _testo(valori.get(campo))
    errori = []
    area = valori.get("area")
    if area is None:
        errori.append(_("Scegli l'area di intervento."))
    elif area.regione_id != _regione_id(piano) or not area.attiva:
        errori.append(_("L'area «%(a)s» non è tra quelle in uso nella regione del piano.") % {"a": area})
    for campo, valore in valori.items():
        definizione = modello._meta.get_field(campo)
        limite = getattr(definizione, "max_length", None)
        if isinstance(valore, str) and limite and not definizione.choices and len(valore) > limite:
            errori.append(_("«%(c)s» può avere al massimo %(n)s caratteri.")
                          % {"c": str(definizione.verbose_name).capitalize(), "n": limite})
    errori += CONTRIBUTI[modello][2](valori, piano)
    if errori:
        raise DatiNonValidi(*errori)


def _etichetta(contributo) -> str:
    return _("%(tipo)s «%(testo)s»") % {"tipo": str(contributo._meta.verbose_name).capitalize(),
                                        "testo": str(contributo)[:80]}


def _registra_contributo(modello, *, seduta: SedutaTavolo, utente, valori: dict):
    seduta, membro, coordina = _per_contribuire(seduta, utente)
    if valori.get("area") is None:
        valori["area"] = seduta.tavolo.area
    if valori.get("ente") is None and membro is not None:
        valori["ente"] = membro.ente
    errori = _ente_proprio(valori["ente"], membro, coordina)
    if errori:
        raise DatiNonValidi(*errori)
    _valida_contributo(modello, valori, seduta.tavolo.piano)
    multipli = CONTRIBUTI[modello][1]
    contributo = modello.objects.create(seduta=seduta, registrato_da=utente,
                                        **{k: v for k, v in valori.items() if k not in multipli})
    for campo in multipli:
        getattr(contributo, campo).set(valori[campo])
    _registra(seduta.tavolo, A.CONTRIBUTO, utente, seduta=seduta, descrizione=_etichetta(contributo))
    return contributo


@transaction.atomic
def bisogno_registra(*, seduta: SedutaTavolo, utente, area: AreaIntervento | None = None, destinatari: str,
                     descrizione: str, evidenza: str = "", priorita: str = "media", ente: Ente | None = None,
                     proposto_da: str = "", comuni=()) -> Bisogno:
    """``area`` defaults to the tavolo's; ``ente`` defaults to the member's body."""
    return _registra_contributo(Bisogno, seduta=seduta, utente=utente, valori={
        "area": area, "destinatari": destinatari, "descrizione": descrizione, "evidenza": evidenza,
        "priorita": priorita, "ente": ente, "proposto_da": proposto_da, "comuni": list(comuni or ())})


@transaction.atomic
def offerta_registra(*, seduta: SedutaTavolo, utente, tipo, denominazione: str, comune, capacita: int | None = None,
                     gestore: Ente | None = None, gestore_nome: str = "", indirizzo: str = "", note: str = "",
                     area: AreaIntervento | None = None, ente: Ente | None = None,
                     proposto_da: str = "") -> UnitaOfferta:
    """A service on the ground: its kind from the catalogue in use in the plan's region (the
    national one or the region's own), in a Comune of the plan's ambiti."""
    return _registra_contributo(UnitaOfferta, seduta=seduta, utente=utente, valori={
        "tipo": tipo, "denominazione": denominazione, "comune": comune, "capacita": capacita, "gestore": gestore,
        "gestore_nome": gestore_nome, "indirizzo": indirizzo, "note": note, "area": area, "ente": ente,
        "proposto_da": proposto_da})


@transaction.atomic
def proposta_registra(*, seduta: SedutaTavolo, utente, titolo: str, descrizione: str, bisogni=(),
                      area: AreaIntervento | None = None, ente: Ente | None = None,
                      proposto_da: str = "") -> Proposta:
    """A proposal, linked to needs raised in the tavoli of the same plan."""
    return _registra_contributo(Proposta, seduta=seduta, utente=utente, valori={
        "titolo": titolo, "descrizione": descrizione, "bisogni": list(bisogni or ()), "area": area, "ente": ente,
        "proposto_da": proposto_da})


@transaction.atomic
def contributo_modifica(*, contributo, utente, **campi):
    """The author or the coordinator/UdP, while the session's minutes are not approved."""
    modello = type(contributo)
    if modello not in CONTRIBUTI:
        raise DatiNonValidi(_("Questo oggetto non è un contributo di un tavolo."))
    ammessi, multipli, _controllo = CONTRIBUTI[modello]
    contributo = (modello.objects.select_for_update(of=("self",))
                  .select_related("seduta", "seduta__tavolo", "seduta__tavolo__piano").get(pk=contributo.pk))
    seduta = contributo.seduta
    tavolo = seduta.tavolo
    coordina = puo_coordinare(utente, tavolo)
    if not (coordina or (_attivo(utente) and contributo.registrato_da_id == utente.pk)):
        raise PermessoNegato(_("Modificano un contributo solo chi lo ha registrato, il coordinatore e l'Ufficio "
                               "di Piano."))
    sconosciuti = set(campi) - set(ammessi)
    if sconosciuti:
        raise DatiNonValidi(_("Campi non previsti: %(c)s.") % {"c": ", ".join(sorted(sconosciuti))})
    _non_congelata(seduta)
    if "ente" in campi:
        errori = _ente_proprio(campi["ente"], membro_attivo(utente, tavolo), coordina)
        if errori:
            raise DatiNonValidi(*errori)
    valori = {c: (list(getattr(contributo, c).all()) if c in multipli else getattr(contributo, c)) for c in ammessi}
    valori.update(campi)
    _valida_contributo(modello, valori, tavolo.piano)
    for campo in ammessi:
        if campo not in multipli:
            setattr(contributo, campo, valori[campo])
    contributo.save()
    for campo in multipli:
        getattr(contributo, campo).set(valori[campo])
    _registra(tavolo, A.CONTRIBUTO_MODIFICATO, utente, seduta=seduta,
              descrizione=_("%(c)s: %(campi)s.") % {"c": _etichetta(contributo), "campi": ", ".join(sorted(campi))})
    return contributo
