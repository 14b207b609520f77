"""Tables in and out: read an uploaded CSV or XLSX into rows of text, write rows back as CSV or
XLSX in the same layout, so that what a user exports can be edited and imported again.

Reading never trusts the file: size and row limits, a clear Italian message for what cannot be
read, and every cell returned as stripped text (parsing numbers and codes is the caller's job,
row by row, so that each bad row gets its own reason).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext as _

from accordi.services_documenti import sha256

MAX_BYTES = 5 * 1024 * 1024
MAX_RIGHE = 20_000
XLSX_MAGIC = b"PK\x03\x04"


class TabellaIllegibile(ValueError):
    """The file as a whole cannot be read (its message is in Italian, for the user)."""


@dataclass(frozen=True)
class Riga:
    numero: int  # as the user sees it in the file (the header being the first non-blank row)
    valori: dict[str, str]


def file_caricato_valido(caricato, estensioni: tuple[str, ...] = (".csv", ".xlsx")):
    """The upload form's check of a table file, before it is read: its size and its kind."""
    from django import forms

    if caricato.size > MAX_BYTES:
        raise forms.ValidationError(_("Il file supera i 5 MB: dividilo in più file."))
    if not caricato.name.lower().endswith(estensioni):
        raise forms.ValidationError(_("Carica un file CSV o XLSX."))
    return caricato


def leggi_tabella(contenuto: bytes, nome_file: str = "", colonne: list[str] | None = None) -> list[Riga]:
    """The data rows of a CSV (comma or semicolon, UTF-8 with or without BOM, or Latin-1) or
    XLSX (first sheet) file, keyed by the header's column names in lower case. ``colonne``, when
    given, are required in the header (in any order; extra columns are ignored)."""
    if not contenuto:
        raise TabellaIllegibile(_("Il file è vuoto."))
    if len(contenuto) > MAX_BYTES:
        raise TabellaIllegibile(_("Il file supera i 5 MB: dividilo in più file."))
    if contenuto.startswith(XLSX_MAGIC) or nome_file.lower().endswith(".xlsx"):
        righe = _righe_xlsx(contenuto)
    else:
        righe = _righe_csv(contenuto)
    # Blank rows are skipped but keep their place: row numbers are those the user sees.
    numerate = [(n, r) for n, r in enumerate(righe, start=1) if any(c.strip() for c in r)]
    if not numerate:
        raise TabellaIllegibile(_("Il file non contiene righe."))
    intestazione = [c.strip().lower() for c in numerate[0][1]]
    if colonne:
        mancanti = [c for c in colonne if c not in intestazione]
        if mancanti:
            raise TabellaIllegibile(
                _("Nella prima riga mancano le colonne: %(colonne)s. Scarica il modello ed usa le sue intestazioni.")
                % {"colonne": ", ".join(mancanti)})
    if len(numerate) - 1 > MAX_RIGHE:
        raise TabellaIllegibile(_("Il file ha più di %(n)s righe: dividilo in più file.") % {"n": MAX_RIGHE})
    risultato = []
    for numero, valori in numerate[1:]:
        risultato.append(Riga(numero, {nome: (valori[i].strip() if i < len(valori) else "")
                                       for i, nome in enumerate(intestazione) if nome}))
    return risultato


def _righe_csv(contenuto: bytes) -> list[list[str]]:
    for codifica in ("utf-8-sig", "latin-1"):
        try:
            testo = contenuto.decode(codifica)
            break
        except UnicodeDecodeError:
            continue
    if "\x00" in testo:
        raise TabellaIllegibile(_("Il file non è un CSV né un foglio XLSX."))
    prima = testo.split("\n", 1)[0]
    separatore = ";" if prima.count(";") >= prima.count(",") and ";" in prima else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(testo), delimiter=separatore)]
    except csv.Error as exc:
        raise TabellaIllegibile(_("Il CSV non è leggibile: %(errore)s.") % {"errore": exc}) from exc


def _righe_xlsx(contenuto: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        libro = load_workbook(io.BytesIO(contenuto), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged or foreign file
        raise TabellaIllegibile(_("Il foglio XLSX non è leggibile: salvalo di nuovo come .xlsx o come CSV.")) from exc
    try:
        foglio = libro.worksheets[0]
        righe = []
        for n, riga in enumerate(foglio.iter_rows(values_only=True)):
            if n > MAX_RIGHE + 1:
                raise TabellaIllegibile(_("Il file ha più di %(n)s righe: dividilo in più file.") % {"n": MAX_RIGHE})
            righe.append([_testo_cella(c) for c in riga])
        return righe
    finally:
        libro.close()


def _testo_cella(valore) -> str:
    if valore is None:
        return ""
    if isinstance(valore, float) and valore.is_integer():
        return str(int(valore))
    if isinstance(valore, float):
        # Spreadsheets store amounts as binary floats: write them back the way a person types them.
        return f"{valore:.2f}".replace(".", ",")
    if hasattr(valore, "strftime"):
        return valore.strftime("%d/%m/%Y")
    return str(valore)


def scrivi_csv(intestazione: list[str], righe: list[list]) -> bytes:
    """Semicolon-separated UTF-8 with BOM: what Italian spreadsheets open without asking."""
    buffer = io.StringIO()
    scrittore = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    scrittore.writerow(intestazione)
    scrittore.writerows(righe)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def scrivi_xlsx(intestazione: list[str], righe: list[list], titolo: str = "Dati") -> bytes:
    from openpyxl import Workbook

    libro = Workbook(write_only=True)
    foglio = libro.create_sheet(title=titolo[:31])
    foglio.append(intestazione)
    for riga in righe:
        foglio.append(riga)
    buffer = io.BytesIO()
    libro.save(buffer)
    return buffer.getvalue()


# --- an uploaded file between its preview and its confirmation ------------------------------------
#
# Nothing is saved until the user confirms the preview; meanwhile the file waits in the shared
# cache under its SHA-256, for one user and one place (a plan's quadro, an ambito's spending):
# a hash seen by someone else, or elsewhere, confirms nothing. At confirmation it is read again.

DURATA_ANTEPRIMA = 60 * 60  # seconds the file waits for its confirmation


def impronta(contenuto: bytes) -> str:
    return sha256(contenuto)


def _chiave(dove: str, utente, sha: str) -> str:
    return f"risorse:importa:{dove}:{utente.pk}:{sha}"


def conserva_file(dove: str, utente, contenuto: bytes, nome_file: str) -> str:
    sha = impronta(contenuto)
    cache.set(_chiave(dove, utente, sha), (contenuto, nome_file), DURATA_ANTEPRIMA)
    return sha


def file_conservato(dove: str, utente, sha: str) -> tuple[bytes, str] | None:
    """The kept file and its name, or None (expired, or not this user's); its hash is checked again."""
    trovato = cache.get(_chiave(dove, utente, sha))
    if trovato is None or impronta(trovato[0]) != sha:
        return None
    return trovato


def dimentica_file(dove: str, utente, sha: str) -> None:
    cache.delete(_chiave(dove, utente, sha))
