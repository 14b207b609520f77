"""Importing the Comuni's social spending from a CSV or XLSX file, with a preview.

The file has the columns ``anno;codice_istat;comune;spesa_totale;conferita_udp;nota`` (the
export's layout, so that an exported file imports back unchanged). The ISTAT code identifies
the Comune, which must belong to the ambito; the name is there for people, and one that does
not match the code is an error (it usually means a shifted row). Every wrong row is named with
its number and reason, and nothing is saved until the file is clean. The uploaded bytes wait
in the cache, keyed by their SHA-256, between the preview and the confirmation, and are checked
again at confirmation: the data may have changed meanwhile."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from ambiti.exceptions import DatiNonValidi
from ambiti.models import Ambito

from .models import ImportazioneRisorse, SpesaSocialeComune
from .selectors_spesa import COLONNE
from .services_spesa import Valori, anno_valido, scrivi_righe, valori_comune, verifica_permesso
from .tabelle import TabellaIllegibile, impronta, leggi_tabella

MAX_ERRORI_MOSTRATI = 200


@dataclass
class Cambio:
    valori: Valori
    prima: SpesaSocialeComune | None  # None: a new row


@dataclass
class Analisi:
    """What the file would change. ``errori`` empty means it may be imported."""

    nome_file: str
    impronta: str
    righe: int = 0
    errori: list[str] = field(default_factory=list)
    nuove: list[Cambio] = field(default_factory=list)
    cambiate: list[Cambio] = field(default_factory=list)
    invariate: int = 0

    @property
    def valori(self) -> list[Valori]:
        return [c.valori for c in self.nuove + self.cambiate]

    @property
    def anni(self) -> set[int]:
        return {c.valori.anno for c in self.nuove + self.cambiate}



def _codice(testo: str) -> str:
    """An ISTAT code as six digits: spreadsheets drop the leading zeros of "001001"."""
    testo = testo.strip()
    return testo.zfill(6) if testo.isdigit() and len(testo) < 6 else testo


def analizza(ambito: Ambito, contenuto: bytes, nome_file: str = "") -> Analisi:
    """Read and check the file against the ambito's Comuni and its current figures (three
    queries, whatever the number of rows)."""
    analisi = Analisi(nome_file=nome_file, impronta=impronta(contenuto))
    try:
        righe = leggi_tabella(contenuto, nome_file, colonne=COLONNE)
    except TabellaIllegibile as exc:
        analisi.errori.append(str(exc))
        return analisi
    if not righe:
        analisi.errori.append(_("Il file ha le intestazioni ma nessuna riga di dati."))
        return analisi
    analisi.righe = len(righe)
    comuni = {c.codice_istat: c for c in ambito.comuni.all()}
    letti: list[tuple[int, Valori]] = []
    viste: dict[tuple[str, int], int] = {}
    for riga in righe:
        v, n = riga.valori, riga.numero
        errori = []
        try:
            anno = anno_valido(v["anno"])
        except DatiNonValidi as exc:
            errori.extend(exc.messaggi)
            anno = None
        codice = _codice(v["codice_istat"])
        comune = comuni.get(codice)
        if not codice:
            errori.append(_("manca il codice ISTAT del Comune."))
        elif comune is None:
            errori.append(_("il codice ISTAT «%(c)s» non è di un Comune di questo ambito.") % {"c": codice})
        elif v["comune"] and v["comune"].casefold() != comune.denominazione.casefold():
            errori.append(_("il codice ISTAT %(c)s è del Comune di %(nome)s, non di «%(letto)s»: controlla la riga.")
                          % {"c": codice, "nome": comune.denominazione, "letto": v["comune"]})
        if comune is not None and anno is not None:
            prima = viste.setdefault((codice, anno), n)
            if prima != n:
                errori.append(_("il Comune di %(nome)s per il %(anno)s compare già alla riga %(riga)s.")
                              % {"nome": comune.denominazione, "anno": anno, "riga": prima})
            else:
                try:
                    valori = valori_comune(comune, anno, v["spesa_totale"], v["conferita_udp"], v["nota"])
                except DatiNonValidi as exc:
                    errori.extend(exc.messaggi)
                else:
                    if not errori:
                        letti.append((n, valori))
        analisi.errori.extend(_("Riga %(n)s: %(errore)s") % {"n": n, "errore": e} for e in errori)
    if analisi.errori:
        return analisi
    _confronta(ambito, analisi, letti)
    return analisi


def _confronta(ambito: Ambito, analisi: Analisi, letti: list[tuple[int, Valori]]) -> None:
    anni = {v.anno for _n, v in letti}
    esistenti = {(s.comune_id, s.anno): s for s in SpesaSocialeComune.objects.filter(
        comune__in={v.comune.pk for _n, v in letti}, anno__in=anni)}
    for n, v in letti:
        s = esistenti.get((v.comune.pk, v.anno))
        if s is None:
            analisi.nuove.append(Cambio(v, None))
        elif s.ambito_id != ambito.pk:
            analisi.errori.append(_("Riga %(n)s: la spesa del Comune di %(nome)s per il %(anno)s è registrata in un "
                                    "altro ambito.") % {"n": n, "nome": v.comune.denominazione, "anno": v.anno})
        elif (s.spesa_totale_centesimi, s.conferita_udp_centesimi, s.nota) != (v.spesa, v.conferita, v.nota):
            analisi.cambiate.append(Cambio(v, s))
        else:
            analisi.invariate += 1


def spesa_importa(*, ambito: Ambito, utente, contenuto: bytes, nome_file: str) -> Analisi:
    """Check the file again and write it: all its rows or none. Records the import (even when
    nothing changes: the Ufficio di Piano confirmed that file). Rows of the ambito the file
    does not mention stay as they are."""
    verifica_permesso(utente, ambito)
    with transaction.atomic():
        ambito = Ambito.objects.select_for_update().get(pk=ambito.pk)
        analisi = analizza(ambito, contenuto, nome_file)
        if analisi.errori:
            raise DatiNonValidi(*analisi.errori[:MAX_ERRORI_MOSTRATI])
        scrivi_righe(ambito, utente, analisi.valori, anni=analisi.anni)
        ImportazioneRisorse.objects.create(
            piano=None, ambito=ambito, oggetto=ImportazioneRisorse.Oggetto.SPESA_COMUNI,
            nome_file=(nome_file or "")[:255], impronta=analisi.impronta, righe=analisi.righe, utente=utente)
    return analisi
