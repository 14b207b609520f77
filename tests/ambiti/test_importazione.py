"""Import of the comuni: the shipped list, ISTAT's own file, bad rows and files that are not
a list of comuni at all."""

import csv
import datetime
import io
import random

import pytest
from django.core.management import CommandError, call_command

from ambiti.importazione import (
    DATA_CENSIMENTO_2011,
    FILE_PREDEFINITO,
    FileNonValido,
    importa_comuni,
)
from ambiti.models import Comune, Provincia, Regione

INTESTAZIONE = (
    "codice_istat,denominazione,codice_catastale,sigla_provincia,codice_provincia,provincia,"
    "codice_regione,regione,popolazione_censimento_2011"
)
AGLIE = "001001,Agliè,A074,TO,001,Torino,01,Piemonte,2644"
AIRASCA = "001002,Airasca,A109,TO,001,Torino,01,Piemonte,3819"
ALA_DI_STURA = "001003,Ala di Stura,A117,TO,001,Torino,01,Piemonte,462"

# ISTAT's header as published, in its order, with the line breaks inside the quoted cells
# (both LF and CR LF occur in the wild) and columns the import does not use.
INTESTAZIONE_ISTAT = [
    "Codice Regione",
    "Codice dell'Unità territoriale sovracomunale \n(valida a fini statistici)",
    "Codice Provincia (Storico)(1)",
    "Progressivo del Comune (2)",
    "Codice Comune formato alfanumerico",
    "Denominazione (Italiana e straniera)",
    "Denominazione in italiano",
    "Denominazione altra lingua",
    "Codice Ripartizione Geografica",
    "Ripartizione geografica",
    "Denominazione Regione",
    "Denominazione dell'Unità territoriale sovracomunale \r\n(valida a fini statistici)",
    "Tipologia di Unità territoriale sovracomunale ",
    "Flag Comune capoluogo di provincia/città metropolitana/libero consorzio",
    "Sigla automobilistica",
    "Codice Comune formato numerico",
    "Codice Catastale del comune",
    "Popolazione legale 2011 (09/10/2011)",
]
RIGHE_ISTAT = [
    ["01", "201", "001", "001", "001001", "Agliè", "Agliè", "", "1", "Nord-ovest", "Piemonte",
     "Torino", "3", "0", "TO", "1001", "A074", "2644"],
    ["01", "201", "001", "272", "001272", "Torino", "Torino", "", "1", "Nord-ovest", "Piemonte",
     "Torino", "3", "1", "TO", "1272", "L219", "872.367"],
    ["04", "021", "021", "008", "021008", "Bolzano/Bozen", "Bolzano", "Bozen", "2", "Nord-est",
     "Trentino-Alto Adige/Südtirol", "Bolzano/Bozen", "2", "1", "BZ", "21008", "A952", "102575"],
    ["08", "040", "040", "012", "040012", "Forlì", "Forlì", "", "2", "Nord-est",
     "Emilia-Romagna", "Forlì-Cesena", "1", "1", "FC", "40012", "D704", "116434"],
]


def scrivi(tmp_path, contenuto: str, nome="comuni.csv", encoding="utf-8"):
    percorso = tmp_path / nome
    percorso.write_bytes(contenuto.encode(encoding))
    return percorso


def file_istat(tmp_path, righe=RIGHE_ISTAT, popolazione=True):
    """ISTAT's file as it is downloaded: Windows-1252, semicolons, CR LF."""
    intestazione = INTESTAZIONE_ISTAT if popolazione else INTESTAZIONE_ISTAT[:-1]
    testo = io.StringIO(newline="")
    writer = csv.writer(testo, delimiter=";", lineterminator="\r\n")
    writer.writerow(intestazione)
    writer.writerows(riga if popolazione else riga[:-1] for riga in righe)
    percorso = tmp_path / "Elenco-comuni-italiani.csv"
    percorso.write_bytes(testo.getvalue().encode("cp1252"))
    return percorso


def test_il_file_di_prova_istat_e_davvero_nel_formato_istat(tmp_path):
    dati = file_istat(tmp_path).read_bytes()
    assert "Agliè".encode("cp1252") in dati and b"\r\n" in dati
    with pytest.raises(UnicodeDecodeError):
        dati.decode("utf-8")
    assert b"\xe0 territoriale sovracomunale \n(valida" in dati  # "Unità", quoted LF
    assert b"territoriale sovracomunale \r\n(valida" in dati
    assert len(dati.splitlines()) == 3 + len(RIGHE_ISTAT)


@pytest.mark.django_db
def test_il_file_distribuito_importa_tutta_italia_e_una_seconda_volta_non_cambia_nulla(
    django_assert_max_num_queries,
):
    # One query per row would be about 8,000; SQLite's variable limit splits the inserts
    # into some fifty batches.
    with django_assert_max_num_queries(100):
        esito = importa_comuni()

    assert (esito.created, esito.updated, esito.unchanged) == (7904, 0, 0)
    assert (esito.regioni.created, esito.province.created) == (20, 107)
    assert esito.errori == []
    assert esito.formato == "CSV del progetto"
    assert (Comune.objects.count(), Regione.objects.count(), Provincia.objects.count()) == (
        7904, 20, 107,
    )
    aglie = Comune.objects.select_related("provincia__regione").get(codice_istat="001001")
    assert (aglie.denominazione, aglie.codice_catastale) == ("Agliè", "A074")
    assert aglie.popolazione == 2644
    assert aglie.popolazione_al == datetime.date(2011, 10, 9)
    assert (aglie.provincia.codice_istat, aglie.provincia.sigla, aglie.provincia.nome) == (
        "001", "TO", "Torino",
    )
    regione = aglie.provincia.regione
    assert (regione.codice_istat, regione.nome) == ("01", "Piemonte")
    assert not Comune.objects.filter(popolazione__isnull=True).exists()

    di_nuovo = importa_comuni(FILE_PREDEFINITO)

    assert (di_nuovo.created, di_nuovo.updated, di_nuovo.unchanged) == (0, 0, 7904)
    assert (di_nuovo.regioni.created, di_nuovo.regioni.updated, di_nuovo.regioni.unchanged) == (
        0, 0, 20,
    )
    assert (di_nuovo.province.created, di_nuovo.province.updated, di_nuovo.province.unchanged) == (
        0, 0, 107,
    )
    assert Comune.objects.count() == 7904


@pytest.mark.django_db
def test_una_popolazione_cambiata_nel_file_aggiorna_il_comune(tmp_path):
    importa_comuni(scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE, AIRASCA, ALA_DI_STURA])))

    corretto = AGLIE.replace(",2644", ",2650").replace("Agliè", "Agliè Canavese")
    esito = importa_comuni(
        scrivi(tmp_path, "\n".join([INTESTAZIONE, corretto, AIRASCA, ALA_DI_STURA]))
    )

    assert (esito.created, esito.updated, esito.unchanged) == (0, 1, 2)
    aglie = Comune.objects.get(codice_istat="001001")
    assert (aglie.popolazione, aglie.denominazione) == (2650, "Agliè Canavese")
    assert Comune.objects.get(codice_istat="001002").popolazione == 3819


@pytest.mark.django_db
def test_una_popolazione_piu_recente_non_torna_a_quella_del_2011(tmp_path):
    percorso = scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE]))
    importa_comuni(percorso)
    Comune.objects.filter(codice_istat="001001").update(
        popolazione=2580, popolazione_al=datetime.date(2024, 1, 1)
    )

    esito = importa_comuni(percorso)

    assert esito.unchanged == 1
    aglie = Comune.objects.get(codice_istat="001001")
    assert (aglie.popolazione, aglie.popolazione_al) == (2580, datetime.date(2024, 1, 1))


@pytest.mark.django_db
def test_importa_l_elenco_pubblicato_dall_istat(tmp_path):
    esito = importa_comuni(file_istat(tmp_path))

    assert esito.errori == []
    assert (esito.formato, esito.codifica) == ("elenco ISTAT", "Windows-1252")
    assert (esito.created, esito.regioni.created, esito.province.created) == (4, 3, 3)
    aglie = Comune.objects.select_related("provincia__regione").get(codice_istat="001001")
    assert (aglie.denominazione, aglie.codice_catastale) == ("Agliè", "A074")
    assert (aglie.popolazione, aglie.popolazione_al) == (2644, DATA_CENSIMENTO_2011)
    # The statistical unit's code, not the historical province code next to it.
    assert (aglie.provincia.codice_istat, aglie.provincia.sigla, aglie.provincia.nome) == (
        "201", "TO", "Torino",
    )
    assert Comune.objects.get(codice_istat="001272").popolazione == 872367
    # "Denominazione in italiano", although "Denominazione (Italiana e straniera)" comes first.
    bolzano = Comune.objects.select_related("provincia__regione").get(codice_istat="021008")
    assert bolzano.denominazione == "Bolzano"
    assert bolzano.provincia.nome == "Bolzano/Bozen"
    assert bolzano.provincia.regione.nome == "Trentino-Alto Adige/Südtirol"
    assert Provincia.objects.get(codice_istat="040").nome == "Forlì-Cesena"

    assert importa_comuni(file_istat(tmp_path)).unchanged == 4


@pytest.mark.django_db
def test_l_elenco_istat_senza_popolazione_non_la_tocca(tmp_path):
    importa_comuni(scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE])))

    esito = importa_comuni(file_istat(tmp_path, popolazione=False))

    assert (esito.created, esito.updated) == (3, 1)  # Agliè moves to province 201
    aglie = Comune.objects.get(codice_istat="001001")
    assert (aglie.popolazione, aglie.popolazione_al) == (2644, DATA_CENSIMENTO_2011)
    torino = Comune.objects.get(codice_istat="001272")
    assert (torino.popolazione, torino.popolazione_al) == (None, None)


@pytest.mark.django_db
def test_le_righe_illeggibili_sono_scartate_con_il_numero_di_riga(tmp_path):
    contenuto = "\r\n".join([
        INTESTAZIONE,                                              # 1
        AGLIE,                                                     # 2
        "12A,Comune Strano,A000,TO,001,Torino,01,Piemonte,10",     # 3
        "001099,Campo Mancante,A001,TO,001,Torino,01,100",         # 4
        AIRASCA,                                                   # 5
        "",                                                        # 6
        "001098,Popoloso,A002,TO,001,Torino,01,Piemonte,tanti",    # 7
        AGLIE.replace("Agliè", "Agliè bis"),                       # 8
        "001097,Altrove,A003,TU,001,Turin,01,Piemonte,5",          # 9
        '001003,"Ala di',                                          # 10
        'Stura",A117,TO,001,Torino,01,Piemonte,462',               # 11
        "001096,Senza Catastale,,TO,001,Torino,01,Piemonte,",      # 12 (accettata)
        "001095,,Z9999,T0,1,Torino,1,,-3",                         # 13
    ])

    esito = importa_comuni(scrivi(tmp_path, contenuto))

    assert [str(errore) for errore in esito.errori] == [
        "riga 3: codice ISTAT «12A» non valido (servono 6 cifre)",
        "riga 4: la riga ha 8 campi, l'intestazione ne ha 9",
        "riga 7: popolazione «tanti» non valida (serve un numero intero di abitanti)",
        "riga 8: codice ISTAT 001001 già presente alla riga 2",
        "riga 9: la provincia 001 è «Torino (TO)» della regione 01 alla riga 2, "
        "qui «Turin (TU)» della regione 01",
        "riga 13: denominazione mancante; codice catastale «Z9999» non valido (servono una "
        "lettera e 3 cifre, come A074); sigla della provincia «T0» non valida (servono 2 "
        "lettere); codice della provincia «1» non valido (servono 3 cifre); codice della "
        "regione «1» non valido (servono 2 cifre); nome della regione mancante; popolazione "
        "«-3» non valida (serve un numero intero di abitanti)",
    ]
    numero_riga, messaggio = esito.errori[0]
    assert (numero_riga, messaggio) == (3, "codice ISTAT «12A» non valido (servono 6 cifre)")
    assert esito.created == 4
    assert set(Comune.objects.values_list("codice_istat", flat=True)) == {
        "001001", "001002", "001003", "001096",
    }
    assert Comune.objects.get(codice_istat="001001").denominazione == "Agliè"
    assert Comune.objects.get(codice_istat="001003").denominazione == "Ala di Stura"
    senza = Comune.objects.get(codice_istat="001096")
    assert (senza.codice_catastale, senza.popolazione, senza.popolazione_al) == ("", None, None)
    assert Provincia.objects.get().nome == "Torino"


@pytest.mark.django_db
def test_i_numeri_di_riga_contano_le_righe_dell_intestazione_istat(tmp_path):
    righe = [*RIGHE_ISTAT[:2], ["01", "201", "001", "999", "1A999", *RIGHE_ISTAT[0][5:]]]

    esito = importa_comuni(file_istat(tmp_path, righe=righe))

    # The header spans lines 1-3 because of its two line breaks; data starts on line 4.
    assert [tuple(e) for e in esito.errori] == [
        (6, "codice ISTAT «1A999» non valido (servono 6 cifre)")
    ]
    assert esito.created == 2


@pytest.mark.django_db
def test_un_nome_di_regione_gia_usato_da_un_altro_codice_scarta_le_righe(tmp_path):
    Regione.objects.create(codice_istat="99", nome="Lombardia")
    contenuto = "\n".join([
        INTESTAZIONE,
        AGLIE,
        "012001,Agra,A085,VA,012,Varese,03,Lombardia,385",
        "097001,Abbadia Lariana,A005,LC,097,Lecco,02,Piemonte,3262",
        "001002,Airasca,A109,TO,001,Torino,01,Piemonte d'Italia,3819",
    ])

    esito = importa_comuni(scrivi(tmp_path, contenuto))

    assert [str(e) for e in esito.errori] == [
        "riga 3: il nome «Lombardia» è già della regione 99 in anagrafe",
        "riga 4: il nome «Piemonte» è già della regione 01 (riga 2)",
        "riga 5: la regione 01 è «Piemonte» alla riga 2, qui «Piemonte d'Italia»",
    ]
    assert esito.created == 1
    assert dict(Regione.objects.values_list("codice_istat", "nome")) == {
        "01": "Piemonte", "99": "Lombardia",
    }


@pytest.mark.django_db
def test_accetta_un_file_gia_aperto_e_il_bom_utf8():
    contenuto = "\ufeff" + "\r\n".join([INTESTAZIONE, AGLIE]) + "\r\n"

    esito = importa_comuni(io.BytesIO(contenuto.encode("utf-8")))

    assert (esito.created, esito.codifica) == (1, "UTF-8")
    assert Comune.objects.get().denominazione == "Agliè"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("contenuto", "messaggio"),
    [
        pytest.param(b"", "vuoto", id="vuoto"),
        pytest.param(b"\r\n \r\n", "vuoto", id="solo-righe-vuote"),
        pytest.param(
            b"nome,cognome,email\nMario,Rossi,mario@example.org\n",
            "mancano le colonne «codice_istat»",
            id="altro-csv",
        ),
        pytest.param(
            "Codice Regione;Denominazione Regione\r\n01;Piemonte\r\n".encode("cp1252"),
            "mancano le colonne «Codice Comune formato alfanumerico»",
            id="altro-file-istat",
        ),
        pytest.param(INTESTAZIONE.encode() + b"\n", "nessun comune", id="solo-intestazione"),
        pytest.param(random.Random(1).randbytes(4096), "binario", id="binario"),
        pytest.param(bytes(range(0x80, 0x100)) * 8, "UTF-8", id="binario-senza-byte-nulli"),
        pytest.param(INTESTAZIONE.encode("utf-16"), "UTF-16", id="utf-16"),
    ],
)
def test_un_file_che_non_e_un_elenco_di_comuni_non_importa_nulla(tmp_path, contenuto, messaggio):
    percorso = tmp_path / "dati.csv"
    percorso.write_bytes(contenuto)

    with pytest.raises(FileNonValido, match=messaggio):
        importa_comuni(percorso)

    assert not Comune.objects.exists()
    assert not Regione.objects.exists()
    assert not Provincia.objects.exists()


def test_un_file_inesistente_e_segnalato(tmp_path):
    with pytest.raises(FileNonValido, match="non esiste"):
        importa_comuni(tmp_path / "manca.csv")


@pytest.mark.django_db
def test_il_comando_stampa_il_riepilogo_e_le_righe_scartate(tmp_path):
    sbagliata = "12A,X,A000,TO,001,Torino,01,Piemonte,1"
    percorso = scrivi(tmp_path, "\n".join([INTESTAZIONE, AGLIE, sbagliata]))
    out, err = io.StringIO(), io.StringIO()

    call_command("import_comuni", str(percorso), stdout=out, stderr=err)

    assert "Comuni: 1 creati, 0 aggiornati, 0 invariati" in out.getvalue()
    assert "Regioni: 1 create, 0 aggiornate, 0 invariate" in out.getvalue()
    assert "Province: 1 create, 0 aggiornate, 0 invariate" in out.getvalue()
    assert "Righe scartate: 1" in out.getvalue()
    assert "riga 3: codice ISTAT «12A» non valido (servono 6 cifre)" in err.getvalue()


@pytest.mark.django_db
def test_il_comando_senza_percorso_importa_il_file_distribuito():
    out = io.StringIO()

    call_command("import_comuni", stdout=out)

    assert "Comuni: 7904 creati, 0 aggiornati, 0 invariati" in out.getvalue()
    assert "Regioni: 20 create" in out.getvalue()
    assert "Province: 107 create" in out.getvalue()


@pytest.mark.django_db
def test_il_comando_fallisce_su_un_file_non_valido(tmp_path):
    percorso = scrivi(tmp_path, "nome,cognome\nMario,Rossi\n")

    with pytest.raises(CommandError, match="non è un elenco dei comuni.*Non è stato importato"):
        call_command("import_comuni", str(percorso), stdout=io.StringIO())

    assert not Comune.objects.exists()
