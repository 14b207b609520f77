"""The working draft's services: who may write and read, when, sanitising, concurrency,
citations from the plan's own tavoli, budgets in exact cents, dates inside the cycle."""

import datetime

import pytest

from accordi import selectors_contenuto as sel
from accordi import services_contenuto as sc
from accordi.models import Azione, Indicatore, ModelloSezione, Obiettivo, PianoDiZona, SezionePiano, StanziamentoAzione
from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from ambiti.models import Ente, Incarico
from tavoli.models import Bisogno, UnitaOfferta

from ..factories import (
    ComuneFactory,
    EnteFactory,
    ObiettivoFactory,
    SedutaTavoloFactory,
    TavoloFactory,
    TipoUnitaOffertaFactory,
    utente_con_ruolo,
)

R = Incarico.Ruolo


def bisogno_di(piano, utente) -> Bisogno:
    seduta = SedutaTavoloFactory(tavolo=TavoloFactory(piano=piano))
    return Bisogno.objects.create(seduta=seduta, area=seduta.tavolo.area, registrato_da=utente,
                                  destinatari="Anziani soli", descrizione="Mancano posti di sollievo.")


def offerta_di(piano, utente) -> UnitaOfferta:
    seduta = SedutaTavoloFactory(tavolo=TavoloFactory(piano=piano))
    return UnitaOfferta.objects.create(seduta=seduta, area=seduta.tavolo.area, registrato_da=utente,
                                       tipo=TipoUnitaOffertaFactory(), denominazione="SAD comunale",
                                       comune=ComuneFactory())


def metti_stato(piano, stato):
    """Tests only: put the plan in a state bypassing the iter."""
    PianoDiZona.objects.filter(pk=piano.pk).update(stato=stato)


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


@pytest.fixture
def sezione(mondo):
    return sc.sezioni_garantisci(mondo.piano)[0]


# --- template and sections -----------------------------------------------------------------


def test_il_modello_del_ciclo_nasce_con_le_sezioni_tipiche_una_volta_sola(mondo):
    modelli = sc.modelli_garantisci(mondo.piano.ciclo)
    assert [m.codice for m in modelli][:2] == ["esiti-piano-precedente", "contesto-popolazione"]
    assert all(m.guida for m in modelli)
    assert {"monitoraggio-valutazione", "integrazione-socio-sanitaria", "governance"} <= {m.codice for m in modelli}
    sc.modelli_garantisci(mondo.piano.ciclo)
    assert ModelloSezione.objects.filter(ciclo=mondo.piano.ciclo).count() == len(modelli)


def test_le_sezioni_del_piano_nascono_dal_modello_e_non_si_duplicano(mondo):
    prime = sc.sezioni_garantisci(mondo.piano)
    assert len(prime) == len(sc.MODELLO_PREDEFINITO)
    sc.sezioni_garantisci(mondo.piano)
    assert SezionePiano.objects.filter(piano=mondo.piano).count() == len(prime)


def test_solo_la_regione_modifica_il_modello(mondo, udp):
    ciclo = mondo.piano.ciclo
    nuovo = sc.modello_salva(ciclo=ciclo, utente=mondo.regionale, codice="casa", titolo="Politiche abitative")
    assert nuovo.ordine == len(sc.MODELLO_PREDEFINITO) + 1 or ModelloSezione.objects.filter(ciclo=ciclo).count() == 1
    with pytest.raises(PermessoNegato):
        sc.modello_salva(ciclo=ciclo, utente=udp, codice="altro", titolo="Altro")
    with pytest.raises(DatiNonValidi, match="codice"):
        sc.modello_salva(ciclo=ciclo, utente=mondo.regionale, codice="Con Spazi", titolo="X")


def test_il_modello_si_riordina(mondo):
    modelli = sc.modelli_garantisci(mondo.piano.ciclo)
    sc.modello_sposta(modello=modelli[1], utente=mondo.regionale, su=True)
    assert [m.pk for m in sc.modelli_garantisci(mondo.piano.ciclo)][:2] == [modelli[1].pk, modelli[0].pk]


# --- sanitising ----------------------------------------------------------------------------


def test_il_sanificatore_toglie_script_eventi_stili_e_link_javascript():
    sporco = ('<p style="color:red" onclick="alert(1)">Ciao<script>alert(2)</script></p>'
              '<a href="javascript:alert(3)">x</a><img src=x onerror="alert(4)"><iframe src="//e.vil"></iframe>'
              '<style>p{}</style><span class="c">testo</span>')
    pulito = sc.sanifica(sporco)
    for vietato in ("script", "alert", "style", "onclick", "onerror", "javascript", "img", "iframe", "span",
                    "class"):
        assert vietato not in pulito
    assert "<p>Ciao</p>" in pulito and "testo" in pulito


def test_il_sanificatore_tiene_i_tag_ammessi_e_protegge_i_link():
    html = ('<h3>Titolo</h3><h4>Sotto</h4><p><strong>a</strong><b>b</b><em>c</em><i>d</i><u>e</u><s>f</s><br></p>'
            '<ul><li>uno</li></ul><ol><li>due</li></ol><blockquote>cit</blockquote>'
            '<table><caption>T</caption><thead><tr><th>h</th></tr></thead><tbody><tr><td>d</td></tr></tbody>'
            '</table><p><a href="https://www.regione.lombardia.it" title="Regione">R</a>'
            '<a href="mailto:udp@comune.it">M</a></p>')
    pulito = sc.sanifica(html)
    for tag in ("<h3>", "<h4>", "<strong>", "<b>", "<em>", "<i>", "<u>", "<s>", "<br>", "<ul>", "<ol>", "<li>",
                "<blockquote>", "<table>", "<caption>", "<thead>", "<tbody>", "<tr>", "<th>", "<td>"):
        assert tag in pulito
    assert 'href="https://www.regione.lombardia.it"' in pulito and 'title="Regione"' in pulito
    assert 'rel="noopener noreferrer"' in pulito and 'href="mailto:udp@comune.it"' in pulito


def test_il_testo_dell_editor_diventa_paragrafi_e_titoli_ammessi():
    assert sc.sanifica("<div>Uno</div><h1>Titolo</h1><del>via</del>") == "<p>Uno</p><h3>Titolo</h3><s>via</s>"
    assert sc.sanifica("<div><br></div>") == ""


# --- saving a section ----------------------------------------------------------------------


def test_l_ufficio_di_piano_salva_il_testo_sanificato_e_le_citazioni(mondo, udp, sezione):
    b, o = bisogno_di(mondo.piano, udp), offerta_di(mondo.piano, udp)
    salvata = sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>Ok<script>x</script></p>", versione=1,
                               bisogni=[b.pk], offerta=[o])
    assert salvata.testo == "<p>Ok</p>" and salvata.versione == 2 and salvata.aggiornata_da == udp
    assert list(salvata.bisogni.all()) == [b] and list(salvata.offerta.all()) == [o]


def test_un_salvataggio_su_una_versione_vecchia_non_salva_nulla(mondo, udp, sezione):
    sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>Prima</p>", versione=1)
    b = bisogno_di(mondo.piano, udp)
    with pytest.raises(StatoCambiato, match="versione 2"):
        sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>Seconda</p>", versione=1, bisogni=[b])
    sezione.refresh_from_db()
    assert sezione.testo == "<p>Prima</p>" and sezione.versione == 2 and not sezione.bisogni.exists()


def test_non_si_citano_bisogni_o_offerta_di_un_altro_piano(mondo, udp, sezione):
    altrui_b = bisogno_di(mondo.piano_altro, mondo.udp_altro)
    altrui_o = offerta_di(mondo.piano_altro, mondo.udp_altro)
    with pytest.raises(DatiNonValidi, match="bisogni emersi nei tavoli di questo piano"):
        sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>x</p>", versione=1, bisogni=[altrui_b.pk])
    with pytest.raises(DatiNonValidi, match="unità di offerta"):
        sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>x</p>", versione=1, offerta=[altrui_o.pk])
    sezione.refresh_from_db()
    assert sezione.versione == 1 and sezione.testo == ""


@pytest.mark.parametrize("stato", ["parere_sindacati", "intesa_asl", "vigente"])
def test_mentre_sindacati_o_asl_leggono_e_dopo_la_bozza_non_si_modifica(mondo, udp, sezione, stato):
    metti_stato(mondo.piano, stato)
    with pytest.raises(TransizioneNonAmmessa, match="rinviato alla stesura"):
        sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>x</p>", versione=1)
    with pytest.raises(TransizioneNonAmmessa):
        sc.obiettivo_crea(piano=mondo.piano, utente=udp, tipo="strategico", titolo="X")


@pytest.mark.parametrize("stato", ["avvio", "indirizzo", "istruttoria", "bozza", "approvazione"])
def test_la_bozza_si_scrive_dall_avvio_alla_stesura_e_durante_l_approvazione(mondo, udp, sezione, stato):
    metti_stato(mondo.piano, stato)
    assert sc.sezione_salva(sezione=sezione, utente=udp, testo="<p>x</p>", versione=1).versione == 2


@pytest.mark.parametrize("chi", [R.PRESIDENTE_ASSEMBLEA, R.SINDACO, R.REFERENTE_SINDACATO, R.REFERENTE_TERZO_SETTORE])
def test_solo_l_ufficio_di_piano_scrive(mondo, sezione, chi):
    with pytest.raises(PermessoNegato):
        sc.sezione_salva(sezione=sezione, utente=mondo[chi], testo="<p>x</p>", versione=1)


def test_l_ufficio_di_piano_di_un_altro_ambito_non_scrive(mondo, sezione):
    with pytest.raises(PermessoNegato):
        sc.sezione_salva(sezione=sezione, utente=mondo.udp_altro, testo="<p>x</p>", versione=1)
    assert not sc.puo_leggere(mondo.udp_altro, mondo.piano)


def test_chi_legge_la_bozza_di_lavoro(mondo):
    piano = mondo.piano
    for chi in (R.RESPONSABILE_UDP, R.PRESIDENTE_ASSEMBLEA, R.SINDACO, R.REFERENTE_ASL):
        assert sc.puo_leggere(mondo[chi], piano), chi
    assert sc.puo_leggere(mondo.regionale, piano)
    # Unions read only the versions sent to them.
    assert not sc.puo_leggere(mondo[R.REFERENTE_SINDACATO], piano)
    assert not sc.puo_leggere(mondo.presidente_altro, piano)


# --- objectives and actions ----------------------------------------------------------------


def _dati(**campi):
    dati = {"titolo": "Sportello unico per la non autosufficienza", "destinatari": "Anziani e famiglie"}
    dati.update(campi)
    return dati


def test_importi_in_euro_all_italiana():
    assert sc.importo_in_centesimi("1.234,56") == 123456
    assert sc.importo_in_centesimi("1234,5") == 123450
    assert sc.importo_in_centesimi("1234") == 123400
    assert sc.importo_in_centesimi("€ 1.000.000") == 100_000_000
    assert sc.importo_in_centesimi("  ") is None
    with pytest.raises(DatiNonValidi, match="due decimali"):
        sc.importo_in_centesimi("12,345")
    with pytest.raises(DatiNonValidi, match="negativo"):
        sc.importo_in_centesimi("-5")
    with pytest.raises(DatiNonValidi, match="1.234,56"):
        sc.importo_in_centesimi("12.34")
    with pytest.raises(DatiNonValidi):
        sc.importo_in_centesimi("mille")


def test_azione_con_stanziamenti_e_totali_esatti(mondo, udp):
    ob = sc.obiettivo_crea(piano=mondo.piano, utente=udp, tipo="strategico", titolo="Domiciliarità")
    a1 = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(), stanziamenti={
        (2025, "fnps"): "0,10", (2025, "fna"): "0,20", (2026, "fnps"): "1.234,56", (2027, "comuni"): ""})
    a2 = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(titolo="Sollievo"),
                        stanziamenti={(2025, "fnps"): "0,70"})
    assert StanziamentoAzione.objects.filter(azione=a1).count() == 3
    r = sel.riepilogo(mondo.piano)
    assert [a.totale for a in r.obiettivi[0].azioni] == [123486, 70]
    assert r.obiettivi[0].totale == 123556 and r.totale == 123556
    assert r.per_anno == {2025: 100, 2026: 123456}
    assert {c: t for c, _e, t in r.per_fonte} == {"fnps": 123536, "fna": 20}
    assert r.totale_euro == "1.235,56" and r.obiettivi[0].azioni[1].totale_euro == "0,70"
    assert a2.pk


def test_gli_stanziamenti_si_sostituiscono_tutti_o_nessuno(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    azione = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(), stanziamenti={(2025, "fnps"): "100"})
    with pytest.raises(DatiNonValidi) as exc:
        sc.azione_modifica(azione=azione, utente=udp, dati=_dati(titolo="Nuovo"),
                           stanziamenti={(2025, "fnps"): "200", (2026, "fna"): "1,234", (2027, "asl"): "-3"})
    assert any("Fondo Non Autosufficienze (FNA), 2026" in m for m in exc.value.messaggi)
    assert any("negativo" in m for m in exc.value.messaggi)
    azione.refresh_from_db()
    assert azione.titolo != "Nuovo"
    assert list(StanziamentoAzione.objects.filter(azione=azione).values_list("importo_centesimi", flat=True)) == [
        10000]
    sc.azione_modifica(azione=azione, utente=udp, dati=_dati(), stanziamenti={(2026, "asl"): "5,5"})
    assert list(StanziamentoAzione.objects.filter(azione=azione).values_list("anno", "fonte", "importo_centesimi")) \
        == [(2026, "asl", 550)]


def test_stanziamenti_fuori_dagli_anni_del_ciclo_rifiutati(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    with pytest.raises(DatiNonValidi, match="anni del ciclo"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(), stanziamenti={(2030, "fnps"): "1"})
    assert not Azione.objects.filter(obiettivo=ob).exists()


def test_le_date_dell_azione_stanno_nel_ciclo_e_in_ordine(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    with pytest.raises(DatiNonValidi, match="dal 2025 al 2027"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(inizio=datetime.date(2024, 12, 1)))
    with pytest.raises(DatiNonValidi, match="precedere"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(inizio=datetime.date(2026, 5, 1),
                                                             fine=datetime.date(2026, 1, 1)))
    ok = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(inizio=datetime.date(2025, 1, 1),
                                                              fine=datetime.date(2027, 12, 31)))
    assert ok.fine.year == 2027


def test_enti_e_bisogni_dell_azione_vengono_dal_piano(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    comune = Ente.objects.get(comune=mondo.ambito.comuni.first())  # the mayor's Comune
    coop = EnteFactory()
    coop.ambiti.add(mondo.ambito)
    estraneo = EnteFactory()
    estraneo.ambiti.add(mondo.altro_ambito)
    azione = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(capofila=comune.pk, partner=[coop],
                                                                  bisogni=[bisogno_di(mondo.piano, udp)]))
    assert azione.capofila == comune and list(azione.partner.all()) == [coop]
    with pytest.raises(DatiNonValidi, match="ente responsabile"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(capofila=estraneo.pk))
    with pytest.raises(DatiNonValidi, match="partner"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(partner=[estraneo.pk]))
    with pytest.raises(DatiNonValidi, match="bisogni"):
        sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(bisogni=[bisogno_di(mondo.piano_altro, udp).pk]))


def test_indicatori_sostituiti_righe_vuote_ignorate(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    azione = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(), indicatori=[
        {"descrizione": "Utenti presi in carico", "unita": "persone", "valore_base": "10", "valore_obiettivo": "25,5"},
        {"descrizione": "", "unita": "", "valore_base": None, "valore_obiettivo": None}])
    assert [(i.descrizione, str(i.valore_obiettivo)) for i in Indicatore.objects.filter(azione=azione)] == [
        ("Utenti presi in carico", "25.50")]
    with pytest.raises(DatiNonValidi, match="manca il valore atteso"):
        sc.azione_modifica(azione=azione, utente=udp, dati=_dati(),
                           indicatori=[{"descrizione": "Ore", "unita": "ore", "valore_obiettivo": ""}])
    assert Indicatore.objects.filter(azione=azione).count() == 1


def test_l_area_dell_obiettivo_e_della_regione_del_piano(mondo, udp):
    from tavoli.models import AreaIntervento
    from tavoli.services_tavoli import aree_della_regione

    area = aree_della_regione(mondo.ambito.asl.regione)[0]
    ob = sc.obiettivo_crea(piano=mondo.piano, utente=udp, tipo="condiviso_asl", titolo="Integrazione", area=area)
    assert ob.area == area
    from ambiti.models import Regione
    altra = AreaIntervento.objects.create(regione=Regione.objects.create(codice_istat="99", nome="Altra"),
                                          codice="x", nome="X")
    with pytest.raises(DatiNonValidi, match="area di intervento"):
        sc.obiettivo_modifica(obiettivo=ob, utente=udp, tipo="strategico", titolo="Y", area=altra.pk)
    with pytest.raises(DatiNonValidi, match="tipo"):
        sc.obiettivo_crea(piano=mondo.piano, utente=udp, tipo="boh", titolo="Z")


def test_un_obiettivo_con_azioni_non_si_elimina(mondo, udp):
    ob = ObiettivoFactory(piano=mondo.piano)
    azione = sc.azione_crea(obiettivo=ob, utente=udp, dati=_dati(), stanziamenti={(2025, "fnps"): "1"})
    with pytest.raises(DatiNonValidi, match="elimina prima le azioni"):
        sc.obiettivo_elimina(obiettivo=ob, utente=udp)
    sc.azione_elimina(azione=azione, utente=udp)
    sc.obiettivo_elimina(obiettivo=ob, utente=udp)
    assert not Obiettivo.objects.filter(pk=ob.pk).exists()
    assert not StanziamentoAzione.objects.exists()


def test_chi_non_e_dell_ufficio_di_piano_non_crea_obiettivi(mondo):
    for utente in (mondo.udp_altro, mondo[R.REFERENTE_SINDACATO], mondo.regionale,
                   utente_con_ruolo(R.SINDACO, mondo.ambito)):
        with pytest.raises(PermessoNegato):
            sc.obiettivo_crea(piano=mondo.piano, utente=utente, tipo="strategico", titolo="X")
    assert not Obiettivo.objects.exists()
