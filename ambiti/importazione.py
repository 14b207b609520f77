"""Import of the Italian comuni, with their regioni and province, from a CSV list.

Two layouts are understood, told apart by their header rather than by the file name:

* the project's own ``ambiti/data/comuni_istat.csv`` (UTF-8, comma separated);
* ISTAT's "Elenco-comuni-italiani.csv" (semicolon separated, Windows-1252, CRLF, header cells
  broken over two lines), whose columns move between editions and are therefore found by
  their header text.

Everything is keyed by ISTAT codes, so running the import again with the same file changes
nothing, and running it with a newer edition updates names, provinces and populations in
place. Comuni missing from the file are never deleted: Ambiti and Enti point at them.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Comune, Provincia, Regione

# Sent after an import has written Regioni, Province and Comuni (in bulk: no per-row signal).
anagrafe_aggiornata = Signal()

FILE_PREDEFINITO = Path(__file__).resolve().parent / "data" / "comuni_istat.csv"

# Both known sources carry the legal population of the 2011 census, counted on this day.
DATA_CENSIMENTO_2011 = datetime.date(2011, 10, 9)

# Large enough to keep the statement count low, small enough for PostgreSQL to plan the
# CASE expressions of bulk_update quickly; SQLite lowers it further to its variable limit.
BATCH_SIZE = 1000

# The upper bound of PositiveIntegerField on every backend: beyond it the bulk insert would
# fail for the whole file instead of for one row.
POPOLAZIONE_MASSIMA = 2_147_483_647

FORMATO_PROGETTO = "CSV del progetto"
FORMATO_ISTAT = "elenco ISTAT"


class FileNonValido(Exception):
    """The file is not a list of comuni at all: nothing has been imported."""


class ErroreRiga(NamedTuple):
    """A row that was skipped; ``numero_riga`` is the physical line in the file, header
    included, so that it matches what an editor shows."""

    numero_riga: int
    messaggio: str

    def __str__(self) -> str:
        return _("riga %(numero)d: %(messaggio)s") % {
            "numero": self.numero_riga,
            "messaggio": self.messaggio,
        }


@dataclass
class Conteggi:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class EsitoImportazione:
    """What an import did. The top-level counts are about comuni."""

    formato: str
    codifica: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    regioni: Conteggi = field(default_factory=Conteggi)
    province: Conteggi = field(default_factory=Conteggi)
    errori: list[ErroreRiga] = field(default_factory=list)
    # Comuni already in the registry whose code the file does not mention (e.g. merged into
    # another comune): reported so that someone can look at them, never deleted.
    comuni_assenti: int = 0


class _Colonna(NamedTuple):
    progetto: str
    istat: str
    obbligatoria: bool


COLONNE: dict[str, _Colonna] = {
    "codice_istat": _Colonna("codice_istat", "Codice Comune formato alfanumerico", True),
    "denominazione": _Colonna("denominazione", "Denominazione in italiano", True),
    "codice_catastale": _Colonna("codice_catastale", "Codice Catastale del comune", False),
    "sigla_provincia": _Colonna("sigla_provincia", "Sigla automobilistica", True),
    "codice_provincia": _Colonna(
        "codice_provincia",
        "Codice dell'Unità territoriale sovracomunale (valida a fini statistici)",
        True,
    ),
    "provincia": _Colonna(
        "provincia",
        "Denominazione dell'Unità territoriale sovracomunale (valida a fini statistici)",
        True,
    ),
    "codice_regione": _Colonna("codice_regione", "Codice Regione", True),
    "regione": _Colonna("regione", "Denominazione Regione", True),
    "popolazione": _Colonna(
        "popolazione_censimento_2011", "Popolazione legale 2011 (09/10/2011)", False
    ),
}

# Lazy: translating them for each of 7,904 valid rows, only to discard them, was a
# noticeable share of the import time.
_ETICHETTE = {
    "codice_istat": gettext_lazy("codice ISTAT"),
    "denominazione": gettext_lazy("denominazione"),
    "codice_provincia": gettext_lazy("codice della provincia"),
    "provincia": gettext_lazy("nome della provincia"),
    "codice_regione": gettext_lazy("codice della regione"),
    "regione": gettext_lazy("nome della regione"),
}

_SEPARATORI = (",", ";")
_SEI_CIFRE = re.compile(r"[0-9]{6}")
_TRE_CIFRE = re.compile(r"[0-9]{3}")
_DUE_CIFRE = re.compile(r"[0-9]{2}")
_SIGLA = re.compile(r"[A-Z]{2}")
_CODICE_CATASTALE = re.compile(r"[A-Z][0-9]{3}")
# Spreadsheets re-saving ISTAT's list like to add thousands separators.
_POPOLAZIONE = re.compile(r"[0-9]+|[0-9]{1,3}(?:[. \u00a0][0-9]{3})+")


def _normalizza(intestazione: str) -> str:
    # ISTAT breaks long header cells with CR LF inside the quotes and leaves trailing
    # blanks; editors may turn the apostrophe into a typographic one.
    return " ".join(intestazione.replace("\u2019", "'").split()).lower()


_ALIAS = {
    _normalizza(nome): chiave
    for chiave, colonna in COLONNE.items()
    for nome in (colonna.progetto, colonna.istat)
}


@dataclass(frozen=True, slots=True)
class _Riga:
    numero: int
    codice_istat: str
    denominazione: str
    codice_catastale: str | None
    sigla_provincia: str
    codice_provincia: str
    provincia: str
    codice_regione: str
    regione: str
    popolazione: int | None


class _Tracciato(NamedTuple):
    formato: str
    indici: dict[str, int]
    numero_colonne: int


def importa_comuni(percorso_o_file: str | os.PathLike | IO = FILE_PREDEFINITO) -> EsitoImportazione:
    """Create or update regioni, province and comuni from a CSV list, by ISTAT code.

    Unreadable rows are skipped and listed in the result; the rest is written in a single
    transaction. Raise ``FileNonValido``, having written nothing, when the file is not a
    list of comuni."""
    testo, codifica = _decodifica(_leggi(percorso_o_file))
    tracciato, righe_csv = _apri_csv(testo)
    esito = EsitoImportazione(formato=tracciato.formato, codifica=codifica)

    righe: list[_Riga] = []
    codici_nel_file: set[str] = set()
    try:
        for numero, celle in righe_csv:
            riga, problemi = _interpreta(numero, celle, tracciato)
            if riga is None:
                esito.errori.append(ErroreRiga(numero, "; ".join(problemi)))
            else:
                righe.append(riga)
            if len(celle) > tracciato.indici["codice_istat"]:
                codici_nel_file.add(celle[tracciato.indici["codice_istat"]].strip())
    except csv.Error as exc:
        raise FileNonValido(
            _("Il file non è un CSV leggibile (dopo la riga %(riga)d: %(errore)s).")
            % {"riga": righe_csv.ultima_riga, "errore": exc}
        ) from exc
    if not righe and not esito.errori:
        raise FileNonValido(_("Il file contiene l'intestazione ma nessun comune."))

    colonne_presenti = set(tracciato.indici)
    with transaction.atomic():
        righe = _scarta_incoerenti(righe, esito)
        regioni_pk = _salva_regioni(righe, esito)
        province_pk = _salva_province(righe, regioni_pk, esito)
        _salva_comuni(righe, province_pk, colonne_presenti, codici_nel_file, esito)
    # Written in bulk, without a signal per row: whoever keeps figures of the registry hears it here.
    anagrafe_aggiornata.send(sender=Comune, esito=esito)
    esito.errori.sort()
    return esito


# --- Reading the file ----------------------------------------------------------------------


def _leggi(percorso_o_file) -> bytes | str:
    if isinstance(percorso_o_file, str | os.PathLike):
        percorso = Path(percorso_o_file)
        try:
            return percorso.read_bytes()
        except FileNotFoundError as exc:
            raise FileNonValido(
                _("Il file «%(percorso)s» non esiste.") % {"percorso": percorso}
            ) from exc
        except OSError as exc:
            raise FileNonValido(
                _("Impossibile leggere «%(percorso)s»: %(errore)s.")
                % {"percorso": percorso, "errore": exc.strerror or exc}
            ) from exc
    try:
        return percorso_o_file.read()
    except UnicodeDecodeError as exc:
        # A file object opened in text mode with the wrong encoding fails while reading.
        raise FileNonValido(
            _("Il file non è un testo leggibile nella codifica con cui è stato aperto.")
        ) from exc


def _decodifica(dati: bytes | str) -> tuple[str, str]:
    if isinstance(dati, str):
        testo, codifica = dati.removeprefix("\ufeff"), "testo già decodificato"
    elif b"\x00" in dati:
        # No text encoding we accept has NUL bytes; UTF-16 (Excel's "Unicode text") does.
        raise FileNonValido(
            _("Il file non è un CSV di testo: contiene byte nulli (file binario o in UTF-16).")
        )
    else:
        try:
            testo, codifica = dati.decode("utf-8-sig"), "UTF-8"
        except UnicodeDecodeError:
            # ISTAT publishes in Windows-1252. Latin-1 is not tried: it decodes any bytes
            # at all, so it would turn binary garbage into "text".
            try:
                testo, codifica = dati.decode("cp1252"), "Windows-1252"
            except UnicodeDecodeError as exc:
                raise FileNonValido(
                    _("Il file non è un testo leggibile: non è codificato né in UTF-8 né in "
                      "Windows-1252.")
                ) from exc
    if not testo.strip():
        raise FileNonValido(_("Il file è vuoto."))
    return testo, codifica


class _RigheCsv:
    """Data records with the physical line each starts on, blank lines skipped.

    ``csv.reader.line_num`` counts source lines, so a record starts one line after the
    previous one ended, however many lines quoted cells spanned."""

    def __init__(self, reader, ultima_riga: int):
        self._reader = reader
        self.ultima_riga = ultima_riga

    def __iter__(self):
        for celle in self._reader:
            numero, self.ultima_riga = self.ultima_riga + 1, self._reader.line_num
            if any(cella.strip() for cella in celle):
                yield numero, celle


def _apri_csv(testo: str) -> tuple[_Tracciato, _RigheCsv]:
    migliore: tuple[int, list[str]] | None = None
    for separatore in _SEPARATORI:
        # newline="" keeps CR LF inside quoted cells for the csv module to handle.
        reader = csv.reader(io.StringIO(testo, newline=""), delimiter=separatore)
        try:
            intestazione = next(reader, [])
        except csv.Error:
            continue
        indici: dict[str, int] = {}
        for posizione, nome in enumerate(intestazione):
            chiave = _ALIAS.get(_normalizza(nome))
            if chiave is not None:
                indici.setdefault(chiave, posizione)
        mancanti = [k for k, c in COLONNE.items() if c.obbligatoria and k not in indici]
        if not mancanti:
            istat = _normalizza(intestazione[indici["codice_istat"]]) == _normalizza(
                COLONNE["codice_istat"].istat
            )
            tracciato = _Tracciato(
                FORMATO_ISTAT if istat else FORMATO_PROGETTO, indici, len(intestazione)
            )
            return tracciato, _RigheCsv(reader, reader.line_num)
        if migliore is None or len(indici) > migliore[0]:
            intestazione_istat = any(
                _normalizza(intestazione[i]) == _normalizza(COLONNE[k].istat)
                for k, i in indici.items()
            )
            nomi = [
                COLONNE[k].istat if intestazione_istat else COLONNE[k].progetto for k in mancanti
            ]
            migliore = (len(indici), nomi)
    nomi = migliore[1] if migliore else [c.progetto for c in COLONNE.values() if c.obbligatoria]
    raise FileNonValido(
        _("Il file non è un elenco dei comuni: mancano le colonne %(colonne)s. Sono accettati "
          "il CSV del progetto (ambiti/data/comuni_istat.csv) e l'elenco dei comuni "
          "pubblicato dall'ISTAT.")
        % {"colonne": ", ".join(f"«{nome}»" for nome in nomi)}
    )


def _interpreta(numero: int, celle: list[str], tracciato: _Tracciato):
    """Return the row, or None and the reasons it cannot be read."""
    if len(celle) != tracciato.numero_colonne:
        # A different count means an unquoted separator or a truncated line: the cells no
        # longer sit under their headers, so none of them can be trusted.
        return None, [
            _("la riga ha %(campi)d campi, l'intestazione ne ha %(attesi)d")
            % {"campi": len(celle), "attesi": tracciato.numero_colonne}
        ]

    def cella(chiave: str) -> str:
        indice = tracciato.indici.get(chiave)
        return "" if indice is None else celle[indice].strip()

    problemi: list[str] = []

    def codice(chiave: str, schema: re.Pattern, cosa: str, cifre: int) -> str:
        valore = cella(chiave)
        if not valore:
            problemi.append(_("%(cosa)s mancante") % {"cosa": cosa})
        elif not schema.fullmatch(valore):
            problemi.append(
                _("%(cosa)s «%(valore)s» non valido (servono %(cifre)d cifre)")
                % {"cosa": cosa, "valore": valore, "cifre": cifre}
            )
        return valore

    def nome(chiave: str, cosa: str, lunghezza: int) -> str:
        # Line breaks and doubled blanks come from hand edits, never from the names.
        valore = " ".join(cella(chiave).split())
        if not valore:
            problemi.append(_("%(cosa)s mancante") % {"cosa": cosa})
        elif len(valore) > lunghezza:
            problemi.append(
                _("%(cosa)s di %(caratteri)d caratteri (al massimo %(lunghezza)d)")
                % {"cosa": cosa, "caratteri": len(valore), "lunghezza": lunghezza}
            )
        return valore

    codice_istat = codice("codice_istat", _SEI_CIFRE, _ETICHETTE["codice_istat"], 6)
    denominazione = nome("denominazione", _ETICHETTE["denominazione"], 150)

    codice_catastale = cella("codice_catastale").upper() or None
    if codice_catastale and not _CODICE_CATASTALE.fullmatch(codice_catastale):
        problemi.append(
            _("codice catastale «%(valore)s» non valido (servono una lettera e 3 cifre, "
              "come A074)") % {"valore": codice_catastale}
        )

    sigla = cella("sigla_provincia").upper()
    if not sigla:
        problemi.append(_("sigla della provincia mancante"))
    elif not _SIGLA.fullmatch(sigla):
        problemi.append(
            _("sigla della provincia «%(valore)s» non valida (servono 2 lettere)")
            % {"valore": sigla}
        )
    codice_provincia = codice("codice_provincia", _TRE_CIFRE, _ETICHETTE["codice_provincia"], 3)
    provincia = nome("provincia", _ETICHETTE["provincia"], 100)
    codice_regione = codice("codice_regione", _DUE_CIFRE, _ETICHETTE["codice_regione"], 2)
    regione = nome("regione", _ETICHETTE["regione"], 100)

    popolazione = None
    testo_popolazione = cella("popolazione")
    if testo_popolazione:
        if _POPOLAZIONE.fullmatch(testo_popolazione):
            popolazione = int(re.sub(r"[^0-9]", "", testo_popolazione))
        if popolazione is None or popolazione > POPOLAZIONE_MASSIMA:
            problemi.append(
                _("popolazione «%(valore)s» non valida (serve un numero intero di abitanti)")
                % {"valore": testo_popolazione}
            )

    if problemi:
        return None, problemi
    riga = _Riga(
        numero=numero,
        codice_istat=codice_istat,
        denominazione=denominazione,
        codice_catastale=codice_catastale,
        sigla_provincia=sigla,
        codice_provincia=codice_provincia,
        provincia=provincia,
        codice_regione=codice_regione,
        regione=regione,
        popolazione=popolazione,
    )
    return riga, []


# --- Cross-row checks ----------------------------------------------------------------------


def _scarta_incoerenti(righe: list[_Riga], esito: EsitoImportazione) -> list[_Riga]:
    """Keep the rows that agree with the earlier ones.

    The first row naming a regione or a provincia defines it; a later row describing it
    differently is skipped rather than silently renaming it halfway through the file.
    Regione names are unique in the database, so a name already taken by another code
    would abort the whole transaction: those rows are skipped here instead."""
    regioni: dict[str, tuple[str, int]] = {}
    for riga in righe:
        regioni.setdefault(riga.codice_regione, (riga.regione, riga.numero))

    # Regioni the file does not mention keep their names.
    proprietari: dict[str, tuple[str, int | None]] = {
        nome: (codice, None)
        for codice, nome in Regione.objects.values_list("codice_istat", "nome")
        if codice not in regioni
    }
    regioni_rifiutate: dict[str, str] = {}
    for codice, (nome, numero) in regioni.items():
        altro = proprietari.get(nome)
        if altro is None:
            proprietari[nome] = (codice, numero)
            continue
        if altro[1] is None:
            motivo = _("il nome «%(nome)s» è già della regione %(codice)s in anagrafe")
        else:
            motivo = _("il nome «%(nome)s» è già della regione %(codice)s (riga %(riga)d)")
        regioni_rifiutate[codice] = motivo % {"nome": nome, "codice": altro[0], "riga": altro[1]}

    province: dict[str, tuple[tuple[str, str, str], int]] = {}
    accettati: dict[str, int] = {}
    buone: list[_Riga] = []
    for riga in righe:
        motivo = None
        dati_provincia = (riga.sigla_provincia, riga.provincia, riga.codice_regione)
        nome_regione, riga_regione = regioni[riga.codice_regione]
        if riga.codice_istat in accettati:
            motivo = _("codice ISTAT %(codice)s già presente alla riga %(riga)d") % {
                "codice": riga.codice_istat,
                "riga": accettati[riga.codice_istat],
            }
        elif riga.codice_regione in regioni_rifiutate:
            motivo = regioni_rifiutate[riga.codice_regione]
        elif riga.regione != nome_regione:
            motivo = _("la regione %(codice)s è «%(nome)s» alla riga %(riga)d, qui «%(qui)s»") % {
                "codice": riga.codice_regione,
                "nome": nome_regione,
                "riga": riga_regione,
                "qui": riga.regione,
            }
        elif province.get(riga.codice_provincia, (dati_provincia,))[0] != dati_provincia:
            (sigla, nome, regione), riga_provincia = province[riga.codice_provincia]
            motivo = _(
                "la provincia %(codice)s è «%(nome)s (%(sigla)s)» della regione %(regione)s "
                "alla riga %(riga)d, qui «%(qui)s (%(sigla_qui)s)» della regione %(regione_qui)s"
            ) % {
                "codice": riga.codice_provincia,
                "nome": nome,
                "sigla": sigla,
                "regione": regione,
                "riga": riga_provincia,
                "qui": riga.provincia,
                "sigla_qui": riga.sigla_provincia,
                "regione_qui": riga.codice_regione,
            }
        if motivo is not None:
            esito.errori.append(ErroreRiga(riga.numero, motivo))
            continue
        province.setdefault(riga.codice_provincia, (dati_provincia, riga.numero))
        accettati[riga.codice_istat] = riga.numero
        buone.append(riga)
    return buone


# --- Writing -------------------------------------------------------------------------------


def _salva_regioni(righe: list[_Riga], esito: EsitoImportazione) -> dict[str, int]:
    nomi = {riga.codice_regione: riga.regione for riga in righe}
    esistenti = Regione.objects.in_bulk(list(nomi), field_name="codice_istat")
    nuove, modificate = [], []
    for codice, nome in nomi.items():
        regione = esistenti.get(codice)
        if regione is None:
            nuove.append(Regione(codice_istat=codice, nome=nome))
        elif regione.nome != nome:
            regione.nome = nome
            modificate.append(regione)
        else:
            esito.regioni.unchanged += 1
    Regione.objects.bulk_create(nuove, batch_size=BATCH_SIZE)
    Regione.objects.bulk_update(modificate, ["nome"], batch_size=BATCH_SIZE)
    esito.regioni.created, esito.regioni.updated = len(nuove), len(modificate)
    # Re-read rather than trust bulk_create to set primary keys: not every backend does.
    return dict(Regione.objects.filter(codice_istat__in=nomi).values_list("codice_istat", "pk"))


def _salva_province(
    righe: list[_Riga], regioni_pk: dict[str, int], esito: EsitoImportazione
) -> dict[str, int]:
    dati = {
        riga.codice_provincia: (
            riga.sigla_provincia, riga.provincia, regioni_pk[riga.codice_regione]
        )
        for riga in righe
    }
    esistenti = Provincia.objects.in_bulk(list(dati), field_name="codice_istat")
    nuove, modificate = [], []
    for codice, (sigla, nome, regione_id) in dati.items():
        provincia = esistenti.get(codice)
        if provincia is None:
            nuove.append(
                Provincia(codice_istat=codice, sigla=sigla, nome=nome, regione_id=regione_id)
            )
        elif (provincia.sigla, provincia.nome, provincia.regione_id) != (sigla, nome, regione_id):
            provincia.sigla, provincia.nome, provincia.regione_id = sigla, nome, regione_id
            modificate.append(provincia)
        else:
            esito.province.unchanged += 1
    Provincia.objects.bulk_create(nuove, batch_size=BATCH_SIZE)
    Provincia.objects.bulk_update(modificate, ["sigla", "nome", "regione"], batch_size=BATCH_SIZE)
    esito.province.created, esito.province.updated = len(nuove), len(modificate)
    return dict(Provincia.objects.filter(codice_istat__in=dati).values_list("codice_istat", "pk"))


def _salva_comuni(
    righe: list[_Riga],
    province_pk: dict[str, int],
    colonne_presenti: set[str],
    codici_nel_file: set[str],
    esito: EsitoImportazione,
) -> None:
    esistenti = {comune.codice_istat: comune for comune in Comune.objects.all()}
    con_catastale = "codice_catastale" in colonne_presenti
    con_popolazione = "popolazione" in colonne_presenti
    nuovi: list[Comune] = []
    modificati: list[Comune] = []
    campi_modificati: set[str] = set()
    for riga in righe:
        valori = {
            "denominazione": riga.denominazione,
            "provincia_id": province_pk[riga.codice_provincia],
        }
        # An empty cell, or a column the file lacks, means "not known here": it must not
        # wipe what the registry already holds.
        if con_catastale and riga.codice_catastale:
            valori["codice_catastale"] = riga.codice_catastale
        comune = esistenti.get(riga.codice_istat)
        if con_popolazione and riga.popolazione is not None and (
            comune is None
            or comune.popolazione_al is None
            # A more recent figure, entered by hand or by a later source, outranks the
            # 2011 census: re-importing the shipped file must not roll it back.
            or comune.popolazione_al <= DATA_CENSIMENTO_2011
        ):
            valori["popolazione"] = riga.popolazione
            valori["popolazione_al"] = DATA_CENSIMENTO_2011
        if comune is None:
            nuovi.append(Comune(codice_istat=riga.codice_istat, **valori))
            continue
        cambiati = {campo for campo, valore in valori.items() if getattr(comune, campo) != valore}
        if not cambiati:
            esito.unchanged += 1
            continue
        for campo in cambiati:
            setattr(comune, campo, valori[campo])
        campi_modificati |= cambiati
        modificati.append(comune)
    Comune.objects.bulk_create(nuovi, batch_size=BATCH_SIZE)
    if modificati:
        # bulk_update wants field names, not attnames.
        campi = sorted(campo.removesuffix("_id") for campo in campi_modificati)
        Comune.objects.bulk_update(modificati, campi, batch_size=BATCH_SIZE)
    esito.created, esito.updated = len(nuovi), len(modificati)
    esito.comuni_assenti = len(esistenti.keys() - codici_nel_file)
