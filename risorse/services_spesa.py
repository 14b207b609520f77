"""Writing each Comune's social spending and the part conferred to the Ufficio di Piano.

Who: the Ufficio di Piano of the ambito (``gestisci_piano``). How: a whole year's table at
once, from the page's form or from an imported file (``importa_spesa``); every row is checked
first and every wrong one named, then everything is written in one transaction, or nothing.
The ambito's row is locked meanwhile, so that two saves of the same table do not interleave."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from accordi.services_contenuto import importo_in_centesimi
from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.models import Ambito, Comune
from ambiti.ruoli import Permessi
from ambiti.segnali import aggiunte

from .models import SpesaSocialeComune

ANNO_MINIMO = 2000
ANNO_MASSIMO = 2100
LUNGHEZZA_NOTA = SpesaSocialeComune._meta.get_field("nota").max_length


@dataclass(frozen=True)
class Valori:
    """A Comune's checked figures for a year, in cents."""

    comune: Comune
    anno: int
    spesa: int
    conferita: int
    nota: str


def puo_scrivere(utente, ambito: Ambito) -> bool:
    return Permessi(utente).ha("gestisci_piano", ambito)


def verifica_permesso(utente, ambito: Ambito) -> None:
    if not puo_scrivere(utente, ambito):
        raise PermessoNegato(_("Solo l'Ufficio di Piano dell'ambito inserisce la spesa sociale dei Comuni."))


def anno_valido(anno) -> int:
    """The year as an integer inside the accepted range, or DatiNonValidi."""
    try:
        valore = int(str(anno).strip())
    except (TypeError, ValueError):
        raise DatiNonValidi(_("«%(v)s» non è un anno.") % {"v": anno}) from None
    if not ANNO_MINIMO <= valore <= ANNO_MASSIMO:
        raise DatiNonValidi(_("L'anno va dal %(da)s al %(a)s.") % {"da": ANNO_MINIMO, "a": ANNO_MASSIMO})
    return valore


def valori_comune(comune: Comune, anno: int, spesa_testo: str, conferita_testo: str, nota: str = "") -> Valori:
    """Parse and check one Comune's row (amounts in the Italian "1.234,56"). Raises
    DatiNonValidi with every reason, each naming the Comune."""
    errori, importi = [], {}
    for chiave, testo, etichetta in (("spesa", spesa_testo, _("spesa sociale")),
                                     ("conferita", conferita_testo, _("parte conferita all'Ufficio di Piano"))):
        try:
            importi[chiave] = importo_in_centesimi(testo)
        except DatiNonValidi as exc:
            errori.extend(_("%(comune)s, %(campo)s: %(errore)s") % {"comune": comune.denominazione,
                                                                    "campo": etichetta, "errore": m}
                          for m in exc.messaggi)
            importi[chiave] = None
            continue
        if importi[chiave] is None:
            errori.append(_("%(comune)s: manca la %(campo)s.") % {"comune": comune.denominazione, "campo": etichetta})
    nota = (nota or "").strip()
    if len(nota) > LUNGHEZZA_NOTA:
        errori.append(_("%(comune)s: la nota supera i %(n)s caratteri.") % {"comune": comune.denominazione,
                                                                             "n": LUNGHEZZA_NOTA})
    spesa, conferita = importi.get("spesa"), importi.get("conferita")
    if spesa is not None and conferita is not None and conferita > spesa:
        errori.append(_("%(comune)s: la parte conferita all'Ufficio di Piano (%(c)s €) supera la spesa sociale "
                        "del Comune (%(s)s €).") % {"comune": comune.denominazione, "c": conferita_testo.strip(),
                                                    "s": spesa_testo.strip()})
    if errori:
        raise DatiNonValidi(*errori)
    return Valori(comune=comune, anno=anno, spesa=spesa, conferita=conferita, nota=nota)


def scrivi_righe(ambito: Ambito, utente, valori: Iterable[Valori], togli: Iterable[Comune] = (), *,
            anni: set[int]) -> tuple[int, int]:
    """Upsert the checked rows and delete the Comuni's figures in ``togli``, inside the caller's
    transaction. Refuses rows a Comune has under another ambito (a Comune that moved): that
    figure belongs to the other ambito's table. Returns (written, removed)."""
    valori, togli = list(valori), list(togli)
    comuni = {v.comune.pk for v in valori} | {c.pk for c in togli}
    esistenti = {(s.comune_id, s.anno): s for s in SpesaSocialeComune.objects.select_for_update()
                 .filter(comune__in=comuni, anno__in=anni).select_related("comune")}
    altrui = sorted({s.comune.denominazione for s in esistenti.values() if s.ambito_id != ambito.pk})
    if altrui:
        raise DatiNonValidi(*[_("%(comune)s: la spesa di quell'anno è registrata in un altro ambito.")
                              % {"comune": c} for c in altrui])
    nuovi, cambiati = [], []
    for v in valori:
        s = esistenti.get((v.comune.pk, v.anno))
        if s is None:
            nuovi.append(SpesaSocialeComune(comune=v.comune, ambito=ambito, anno=v.anno, spesa_totale_centesimi=v.spesa,
                                            conferita_udp_centesimi=v.conferita, nota=v.nota, aggiornata_da=utente))
        elif (s.spesa_totale_centesimi, s.conferita_udp_centesimi, s.nota) != (v.spesa, v.conferita, v.nota):
            s.spesa_totale_centesimi, s.conferita_udp_centesimi, s.nota = v.spesa, v.conferita, v.nota
            s.aggiornata_da = utente
            cambiati.append(s)
    aggiunte(SpesaSocialeComune, nuovi)
    for s in cambiati:  # save(): auto_now stamps aggiornata_il, which bulk_update would not
        s.save(update_fields=["spesa_totale_centesimi", "conferita_udp_centesimi", "nota", "aggiornata_da",
                              "aggiornata_il"])
    da_togliere = [esistenti[(c.pk, a)].pk for c in togli for a in anni if (c.pk, a) in esistenti]
    SpesaSocialeComune.objects.filter(pk__in=da_togliere).delete()
    return len(nuovi) + len(cambiati), len(da_togliere)


def spesa_salva(*, ambito: Ambito, utente, anno, righe: Mapping[int, tuple[str, str, str]]) -> tuple[int, int]:
    """Save a year's table from the page's form: ``righe`` maps each Comune id of the ambito to
    its (spending, conferred part, note) as typed. A row with both amounts empty removes that
    Comune's figure for the year; one amount without the other is refused. Any wrong row:
    nothing saved, every wrong row named. Returns (rows written or changed, rows removed)."""
    verifica_permesso(utente, ambito)
    anno = anno_valido(anno)
    comuni = {c.pk: c for c in ambito.comuni.all()}
    estranei = [pk for pk in righe if pk not in comuni]
    if estranei:
        raise DatiNonValidi(_("Alcune righe non riguardano Comuni di questo ambito: ricarica la pagina."))
    valori, togli, errori = [], [], []
    for comune in sorted(comuni.values(), key=lambda c: (c.denominazione, c.pk)):
        if comune.pk not in righe:
            continue
        spesa, conferita, nota = (str(x or "") for x in righe[comune.pk])
        if not spesa.strip() and not conferita.strip():
            togli.append(comune)
            continue
        try:
            valori.append(valori_comune(comune, anno, spesa, conferita, nota))
        except DatiNonValidi as exc:
            errori.extend(exc.messaggi)
    if errori:
        raise DatiNonValidi(*errori)
    with transaction.atomic():
        ambito = Ambito.objects.select_for_update().get(pk=ambito.pk)
        return scrivi_righe(ambito, utente, valori, togli, anni={anno})
