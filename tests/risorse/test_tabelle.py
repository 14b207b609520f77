"""Reading and writing the tables users import and export."""

import pytest

from risorse.tabelle import TabellaIllegibile, leggi_tabella, scrivi_csv, scrivi_xlsx


def test_csv_con_punto_e_virgola_e_bom_letto_per_intestazione():
    righe = leggi_tabella("\ufeffAnno;Fonte;Importo\r\n2025;fnps;1.234,50\r\n\r\n2026; fna ;7\r\n".encode())
    assert [r.numero for r in righe] == [2, 4]
    assert righe[0].valori == {"anno": "2025", "fonte": "fnps", "importo": "1.234,50"}
    assert righe[1].valori["fonte"] == "fna"


def test_csv_con_virgola_e_latin1():
    righe = leggi_tabella("comune,nota\nForlì,ok\n".encode("latin-1"))
    assert righe[0].valori == {"comune": "Forlì", "nota": "ok"}


def test_colonne_mancanti_dette_per_nome():
    with pytest.raises(TabellaIllegibile, match="importo"):
        leggi_tabella(b"anno;fonte\n2025;fnps\n", colonne=["anno", "fonte", "importo"])


@pytest.mark.parametrize("contenuto", [b"", b"\n\n", b"PK\x03\x04rotto", b"\x00\x01\x02;\n"])
def test_file_illeggibili(contenuto):
    with pytest.raises(TabellaIllegibile):
        leggi_tabella(contenuto, "dati.csv")


def test_xlsx_andata_e_ritorno_come_il_csv():
    intestazione = ["anno", "fonte", "importo"]
    dati = [[2025, "fnps", "1.234,50"], [2026, "fna", "7,00"]]
    da_xlsx = leggi_tabella(scrivi_xlsx(intestazione, dati), "quadro.xlsx")
    da_csv = leggi_tabella(scrivi_csv(intestazione, dati), "quadro.csv")
    assert [r.valori for r in da_xlsx] == [r.valori for r in da_csv]
    assert da_xlsx[1].valori == {"anno": "2026", "fonte": "fna", "importo": "7,00"}
