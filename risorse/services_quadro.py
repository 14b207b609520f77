"""Writing a plan's quadro unitario delle risorse: one cell, the grid of one year, a whole file.

Who and when (the rule):
- only the Ufficio di Piano of one of the plan's ambiti (``gestisci_piano``) writes;
- the quadro is writable in every state of the plan except *annullato* and *concluso*: planned
  figures (*previsto*) are revised as the plan is drafted and updated, actual figures
  (*consuntivo*) are entered during the plan's life;
- an actual figure is accepted only for a year already begun (``anno <= current year``): actual
  spending of a future year does not exist yet;
- years are those of the plan's cycle; sources are those of the configurable list (a retired
  source can still be zeroed, not filled); areas those of the plan's region.

A cell at zero (or empty) does not exist: writing zero deletes it. Every writing function locks
the plan row and runs in one transaction: one bad cell, nothing saved, every bad cell named.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext as _

from accordi.models import PianoDiZona, Stato
from accordi.services_contenuto import importo_in_centesimi
from ambiti.exceptions import DatiNonValidi, PermessoNegato
from ambiti.ruoli import Permessi
from ambiti.segnali import aggiunte

from . import importa_quadro as modulo_import
from .models import AmbitoSpesa, FonteRisorsa, ImportazioneRisorse, TipoImporto, VoceRisorsa
from .selectors_quadro import aree_della_regione, celle_del_piano

STATI_CHIUSI = (Stato.ANNULLATO, Stato.CONCLUSO)


def puo_scrivere(utente, piano: PianoDiZona) -> bool:
    return Permessi(utente).ha_su_alcuno("gestisci_piano", piano.ambiti.all())


def modificabile(piano: PianoDiZona) -> bool:
    return piano.stato not in STATI_CHIUSI


def _verifica(piano: PianoDiZona, utente) -> PianoDiZona:
    """Permission, then the plan's state; returns the plan locked for the transaction."""
    if not puo_scrivere(utente, piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano modifica il quadro delle risorse del piano."))
    # Only the plan's row is locked (PostgreSQL would otherwise lock the cycle too).
    bloccato = PianoDiZona.objects.select_for_update(of=("self",)).select_related("ciclo").get(pk=piano.pk)
    if not modificabile(bloccato):
        raise DatiNonValidi(_("Il piano è %(stato)s: il quadro delle risorse resta consultabile e non si modifica.")
                            % {"stato": bloccato.get_stato_display().lower()})
    return bloccato


def _applica(piano: PianoDiZona, utente, celle: Mapping[tuple, int], anni_sostituiti=()) -> dict[str, int]:
    """Write ``{(anno, fonte_id, area_id, ambito, tipo): cents}``: create, update, delete zeros.
    Every cell of ``anni_sostituiti`` not in ``celle`` is deleted too. Counts per outcome."""
    anni = {k[0] for k in celle} | set(anni_sostituiti)
    esistenti = {(v.anno, v.fonte_id, v.area_id, v.ambito_spesa, v.tipo): v
                 for v in VoceRisorsa.objects.filter(piano=piano, anno__in=anni)}
    conti = {"nuove": 0, "cambiate": 0, "tolte": 0, "invariate": 0}
    nuove, cambiate, tolte = [], [], []
    for chiave, centesimi in celle.items():
        voce = esistenti.get(chiave)
        if not centesimi:
            if voce is not None:
                tolte.append(voce.pk)
        elif voce is None:
            anno, fonte, area, ambito, tipo = chiave
            nuove.append(VoceRisorsa(piano=piano, anno=anno, fonte_id=fonte, area_id=area, ambito_spesa=ambito,
                                     tipo=tipo, importo_centesimi=centesimi, aggiornata_da=utente))
        elif voce.importo_centesimi != centesimi:
            voce.importo_centesimi, voce.aggiornata_da = centesimi, utente
            cambiate.append(voce)
        else:
            conti["invariate"] += 1
    tolte += [v.pk for k, v in esistenti.items() if k[0] in anni_sostituiti and k not in celle]
    VoceRisorsa.objects.filter(pk__in=tolte).delete()
    for voce in cambiate:  # save(): aggiornata_il is auto_now
        voce.save(update_fields=["importo_centesimi", "aggiornata_da", "aggiornata_il"])
    aggiunte(VoceRisorsa, nuove)
    conti.update(nuove=len(nuove), cambiate=len(cambiate), tolte=len(tolte))
    return conti


def _controlla(piano: PianoDiZona, anno, fonte: FonteRisorsa, area, ambito_spesa, tipo, centesimi) -> list[str]:
    """Why this cell cannot be written (empty list: it can)."""
    errori = []
    if not piano.ciclo.anno_inizio <= anno <= piano.ciclo.anno_fine:
        errori.append(_("Il %(anno)s è fuori dal ciclo del piano (%(da)s-%(a)s).")
                      % {"anno": anno, "da": piano.ciclo.anno_inizio, "a": piano.ciclo.anno_fine})
    if area is not None and area.regione_id != piano.ciclo.regione_id:
        errori.append(_("L'area «%(a)s» non è un'area di intervento della regione del piano.") % {"a": area})
    if ambito_spesa not in AmbitoSpesa.values:
        errori.append(_("L'ambito di spesa è sociale o sociosanitario."))
    if tipo not in TipoImporto.values:
        errori.append(_("L'importo è previsto o consuntivo."))
    elif tipo == TipoImporto.CONSUNTIVO and centesimi and not modulo_import.anno_consuntivabile(anno):
        errori.append(_("Il consuntivo del %(anno)s non si può ancora inserire: l'anno non è iniziato.")
                      % {"anno": anno})
    if centesimi and not fonte.attiva:
        errori.append(_("La fonte «%(f)s» non è più in uso: si può solo azzerare.") % {"f": fonte})
    if centesimi is not None and centesimi < 0:
        errori.append(_("Un importo non può essere negativo."))
    return errori


def imposta_cella(*, piano: PianoDiZona, utente, anno: int, fonte: FonteRisorsa, area=None, ambito_spesa: str,
                  tipo: str, importo) -> VoceRisorsa | None:
    """Set one cell (``importo``: cents or Italian text). Zero or empty deletes it. Returns the
    cell, or None when deleted."""
    with transaction.atomic():
        bloccato = _verifica(piano, utente)
        centesimi = importo if isinstance(importo, int) else importo_in_centesimi(importo)
        errori = _controlla(bloccato, anno, fonte, area, ambito_spesa, tipo, centesimi)
        if errori:
            raise DatiNonValidi(*errori)
        chiave = (anno, fonte.pk, area.pk if area else None, ambito_spesa, tipo)
        _applica(bloccato, utente, {chiave: centesimi or 0})
    return VoceRisorsa.objects.filter(piano=piano, anno=anno, fonte=fonte, area=area, ambito_spesa=ambito_spesa,
                                      tipo=tipo).first()


def imposta_anno(*, piano: PianoDiZona, utente, anno: int, celle: Mapping[tuple, object]) -> dict[str, int]:
    """Save the grid of one year: ``{(fonte_id, area_id | None, ambito_spesa, tipo): "1.234,56" |
    cents | ""}``. Cells not in the mapping are left as they are; an empty or zero cell is
    deleted. Any bad cell: nothing saved, each one named (source, area, ambito, type)."""
    with transaction.atomic():
        bloccato = _verifica(piano, utente)
        fonti = {f.pk: f for f in FonteRisorsa.objects.all()}
        aree = {a.pk: a for a in aree_della_regione(bloccato)}
        etichette_ambito, etichette_tipo = dict(AmbitoSpesa.choices), dict(TipoImporto.choices)
        errori, pronte = [], {}
        esistenti = celle_esistenti(bloccato, anno)
        if not bloccato.ciclo.anno_inizio <= anno <= bloccato.ciclo.anno_fine:
            raise DatiNonValidi(_("Il %(anno)s è fuori dal ciclo del piano (%(da)s-%(a)s).")
                                % {"anno": anno, "da": bloccato.ciclo.anno_inizio, "a": bloccato.ciclo.anno_fine})
        for (fonte_id, area_id, ambito, tipo), valore in celle.items():
            fonte, area = fonti.get(fonte_id), aree.get(area_id) if area_id else None
            if fonte is None or (area_id and area is None):
                errori.append(_("Una cella indica una fonte o un'area che non esiste più: ricarica la pagina."))
                continue
            nome = _("%(fonte)s%(area)s, %(ambito)s, %(tipo)s") % {
                "fonte": fonte, "area": f" – {area}" if area else "",
                "ambito": str(etichette_ambito.get(ambito, ambito)).lower(),
                "tipo": str(etichette_tipo.get(tipo, tipo)).lower()}
            try:
                centesimi = valore if isinstance(valore, int) else importo_in_centesimi(valore)
            except DatiNonValidi as exc:
                errori.append(_("%(cella)s: %(errore)s") % {"cella": nome, "errore": " ".join(exc.messaggi)})
                continue
            if (centesimi or 0) == esistenti.get((fonte_id, area_id or None, ambito, tipo), 0):
                continue  # unchanged: a retired source's old figure goes back as it came
            motivi = _controlla(bloccato, anno, fonte, area, ambito, tipo, centesimi)
            if motivi:
                errori.append(_("%(cella)s: %(errore)s") % {"cella": nome, "errore": " ".join(motivi)})
                continue
            pronte[(anno, fonte_id, area_id or None, ambito, tipo)] = centesimi or 0
        if errori:
            raise DatiNonValidi(*errori)
        return _applica(bloccato, utente, pronte)


def importa_quadro(*, piano: PianoDiZona, utente, contenuto: bytes, nome_file: str,
                   conferma: bool) -> modulo_import.Anteprima:
    """Read a CSV or XLSX file of the quadro and say what it would change (``conferma`` False:
    nothing is written, the preview lists bad rows too); with ``conferma`` the file is read and
    checked again and, when clean, the years it contains are replaced by it (see
    ``importa_quadro`` module) and the import is recorded. A file with bad rows is refused
    whole (``DatiNonValidi`` with every bad row)."""
    if not puo_scrivere(utente, piano):
        raise PermessoNegato(_("Solo l'Ufficio di Piano importa il quadro delle risorse del piano."))
    if not conferma:
        if not modificabile(piano):
            raise DatiNonValidi(_("Il piano è %(stato)s: il quadro delle risorse resta consultabile e non si "
                                  "modifica.") % {"stato": piano.get_stato_display().lower()})
        return modulo_import.anteprima(piano, contenuto, nome_file)
    with transaction.atomic():
        bloccato = _verifica(piano, utente)
        risultato = modulo_import.anteprima(bloccato, contenuto, nome_file)
        if risultato.errori:
            raise DatiNonValidi(*risultato.errori)
        _applica(bloccato, utente, risultato.celle, anni_sostituiti=risultato.anni)
        ImportazioneRisorse.objects.create(
            piano=bloccato, ambito=bloccato.ambiti.order_by("pk").first(), oggetto=ImportazioneRisorse.Oggetto.QUADRO,
            nome_file=nome_file[:255], impronta=risultato.impronta, righe=risultato.righe, utente=utente)
    return risultato


def celle_esistenti(piano: PianoDiZona, anno: int) -> dict[tuple, int]:
    """The year's cells keyed as ``imposta_anno`` takes them (for the grid's initial values)."""
    return {(f, a, s, t): c for (_anno, f, a, s, t), c in celle_del_piano(piano, [anno]).items()}
