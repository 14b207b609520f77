"""Plan versions: the snapshot of the working draft, freezing it into numbered versions with
their PDF act, and the comparison of two snapshots (pure functions, hand-built snapshots)."""

import datetime

import pytest

from accordi.confronto import confronta, formatta_euro
from accordi.exceptions import PermessoNegato, TransizioneNonAmmessa
from accordi.models import Documento, PianoDiZona, VersionePiano
from accordi.services_versioni import (
    bozza_modificata,
    impronta,
    istantanea,
    versione_congela,
    versione_ultima,
)
from ambiti.models import Incarico
from tavoli.models import Bisogno, UnitaOfferta

from ..factories import (
    AreaInterventoFactory,
    AzioneFactory,
    EnteFactory,
    IndicatoreFactory,
    ObiettivoFactory,
    SedutaTavoloFactory,
    SezionePianoFactory,
    StanziamentoAzioneFactory,
    TavoloFactory,
    TipoUnitaOffertaFactory,
)

R = Incarico.Ruolo


def _bozza(piano, n_obiettivi=1, n_azioni=1, n_sezioni=1):
    """Sections citing a need and a service, objectives with actions, budgets, indicators and partners."""
    regione = piano.ambiti.select_related("asl__regione").first().asl.regione
    area = AreaInterventoFactory(regione=regione, nome=f"Anziani {piano.pk}")
    tavolo = TavoloFactory(piano=piano, area=area, nome="Tavolo anziani")
    seduta = SedutaTavoloFactory(tavolo=tavolo)
    comune = piano.ambiti.first().comuni.first()
    for _ in range(n_sezioni):
        sezione = SezionePianoFactory(piano=piano)
        ente = EnteFactory(denominazione="Cooperativa Aurora")
        bisogno = Bisogno.objects.create(seduta=seduta, area=area, ente=ente, destinatari="Anziani soli",
                                         descrizione="Solitudine", priorita="alta", registrato_da=tavolo.coordinatore)
        unita = UnitaOfferta.objects.create(seduta=seduta, area=area, tipo=TipoUnitaOffertaFactory(nome="CDI"),
                                            denominazione="Centro diurno", comune=comune, capacita=20,
                                            gestore_nome="Fondazione Rossi", registrato_da=tavolo.coordinatore)
        sezione.bisogni.add(bisogno)
        sezione.offerta.add(unita)
    for _ in range(n_obiettivi):
        obiettivo = ObiettivoFactory(piano=piano, area=area)
        for _ in range(n_azioni):
            azione = AzioneFactory(obiettivo=obiettivo, area=area,
                                   capofila=EnteFactory(denominazione="Comune capofila"),
                                   inizio=datetime.date(2025, 1, 1), fine=datetime.date(2027, 12, 31))
            azione.partner.add(EnteFactory(denominazione="Zeta"), EnteFactory(denominazione="Alfa"))
            StanziamentoAzioneFactory(azione=azione, anno=2026, fonte="fna", importo_centesimi=250_050)
            StanziamentoAzioneFactory(azione=azione, anno=2025, fonte="fnps", importo_centesimi=1_000_000)
            IndicatoreFactory(azione=azione)
    return piano


@pytest.fixture
def udp(mondo):
    return mondo[R.RESPONSABILE_UDP]


# --- snapshot ---------------------------------------------------------------------------------


def test_istantanea_di_un_piano_senza_contenuto_ha_liste_vuote(mondo):
    assert istantanea(mondo.piano) == {"titolo": "Piano di Pavia", "sezioni": [], "obiettivi": []}


def test_istantanea_segue_il_formato_documentato(mondo):
    piano = _bozza(mondo.piano)
    contenuto = istantanea(piano)
    sezione = contenuto["sezioni"][0]
    assert list(sezione) == ["codice", "titolo", "testo", "bisogni", "offerta"]
    assert sezione["testo"] == "<p>Testo della sezione.</p>"
    bisogno = sezione["bisogni"][0]
    assert {k: bisogno[k] for k in ("destinatari", "descrizione", "priorita", "tavolo", "ente")} == {
        "destinatari": "Anziani soli", "descrizione": "Solitudine", "priorita": "alta",
        "tavolo": "Tavolo anziani", "ente": "Cooperativa Aurora"}
    offerta = sezione["offerta"][0]
    assert (offerta["tipo"], offerta["denominazione"], offerta["capacita"], offerta["gestore"]) == (
        "CDI", "Centro diurno", "20", "Fondazione Rossi")
    azione = contenuto["obiettivi"][0]["azioni"][0]
    assert azione["partner"] == ["Alfa", "Zeta"]
    assert (azione["inizio"], azione["fine"], azione["capofila"]) == ("2025-01-01", "2027-12-31", "Comune capofila")
    assert azione["stanziamenti"] == [
        {"anno": 2025, "fonte": "fnps", "importo_centesimi": 1_000_000},
        {"anno": 2026, "fonte": "fna", "importo_centesimi": 250_050},
    ]
    assert azione["indicatori"][0]["valore_base"] == "10.00"
    assert azione["indicatori"][0]["valore_obiettivo"] == "25.00"


def test_istantanea_e_stabile_e_la_sua_impronta_non_cambia(mondo):
    piano = _bozza(mondo.piano)
    a, b = istantanea(piano), istantanea(piano)
    assert a == b and impronta(a) == impronta(b) and len(impronta(a)) == 64
    # The stored JSON (key order may change in the database) keeps the same fingerprint.
    riordinato = {"obiettivi": a["obiettivi"], "sezioni": a["sezioni"], "titolo": a["titolo"]}
    assert impronta(riordinato) == impronta(a)


def test_istantanea_in_un_numero_costante_di_query(mondo, django_assert_max_num_queries, django_assert_num_queries):
    piano = _bozza(mondo.piano)
    with django_assert_num_queries(8) as piccola:
        istantanea(piano)
    grande = _bozza(mondo.piano_altro, n_obiettivi=3, n_azioni=3, n_sezioni=3)
    with django_assert_max_num_queries(len(piccola.captured_queries)):
        contenuto = istantanea(grande)
    assert len(contenuto["obiettivi"]) == 3 and len(contenuto["obiettivi"][0]["azioni"]) == 3


# --- freezing ---------------------------------------------------------------------------------


def test_congelare_numera_le_versioni_e_non_duplica_se_nulla_cambia(mondo, udp):
    piano = _bozza(mondo.piano)
    assert bozza_modificata(piano) and versione_ultima(piano) is None
    v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati", nota="Prima stesura")
    assert (v1.numero, v1.motivo, v1.nota, v1.creata_da) == (1, "sindacati", "Prima stesura", udp)
    assert v1.contenuto == istantanea(piano) and v1.impronta == impronta(v1.contenuto)
    assert not bozza_modificata(piano)
    assert versione_congela(piano=piano, utente=udp, motivo="altro") == v1
    assert VersionePiano.objects.filter(piano=piano).count() == 1
    ObiettivoFactory(piano=piano, titolo="Nuovo obiettivo")
    assert bozza_modificata(piano)
    v2 = versione_congela(piano=piano, utente=udp, motivo="assemblea")
    assert v2.numero == 2 and versione_ultima(piano) == v2
    assert v1.contenuto != v2.contenuto


def test_congelare_richiede_l_atto_una_sola_volta(mondo, udp, django_capture_on_commit_callbacks, monkeypatch):
    accodati = []
    monkeypatch.setattr("accordi.services_documenti._accoda", accodati.append)
    piano = _bozza(mondo.piano)
    with django_capture_on_commit_callbacks(execute=True):
        v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
        versione_congela(piano=piano, utente=udp, motivo="sindacati")
    documento = v1.documento
    assert documento.tipo == Documento.Tipo.PIANO_BOZZA and documento.versione == 1
    assert documento.chiave == f"versione-piano:{v1.pk}" and documento.ambito == mondo.ambito
    assert documento.piano == piano and "versione 1" in documento.titolo
    assert Documento.objects.filter(piano=piano).count() == 1 and accodati == [documento.pk]


@pytest.mark.parametrize("ruolo", [R.PRESIDENTE_ASSEMBLEA, R.SINDACO, R.REFERENTE_SINDACATO, R.REFERENTE_ASL])
def test_solo_l_ufficio_di_piano_congela(mondo, ruolo):
    with pytest.raises(PermessoNegato):
        versione_congela(piano=mondo.piano, utente=mondo[ruolo], motivo="altro")
    assert not VersionePiano.objects.exists()


def test_l_ufficio_di_piano_di_un_altro_ambito_non_congela(mondo):
    with pytest.raises(PermessoNegato):
        versione_congela(piano=mondo.piano, utente=mondo.udp_altro, motivo="altro")


@pytest.mark.parametrize("stato", ["concluso", "annullato"])
def test_un_piano_concluso_o_annullato_non_si_congela(mondo, udp, stato):
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=stato)
    piano = PianoDiZona.objects.get(pk=mondo.piano.pk)
    with pytest.raises(TransizioneNonAmmessa):
        versione_congela(piano=piano, utente=udp, motivo="altro")
    assert not VersionePiano.objects.exists() and not Documento.objects.exists()


# --- comparison (hand-built snapshots, no database) -------------------------------------------


def _azione(**campi):
    azione = {"id": 10, "codice": "A1", "titolo": "Assistenza domiciliare", "descrizione": "", "area": "Anziani",
              "destinatari": "Anziani soli", "capofila": "Comune di Pavia", "partner": ["Coop. Aurora"],
              "inizio": "2025-01-01", "fine": "2027-12-31",
              "stanziamenti": [{"anno": 2025, "fonte": "fnps", "importo_centesimi": 1_000_000}],
              "indicatori": [{"descrizione": "Utenti seguiti", "unita": "persone", "valore_base": "10.00",
                              "valore_obiettivo": "25.00"}]}
    azione.update(campi)
    return azione


def _istantanea(testo="<p>Uno due tre</p>", azioni=None, obiettivi=None, sezioni=None):
    return {
        "titolo": "Piano",
        "sezioni": sezioni if sezioni is not None else [
            {"codice": "contesto", "titolo": "Contesto", "testo": testo, "bisogni": [], "offerta": []}],
        "obiettivi": obiettivi if obiettivi is not None else [
            {"id": 1, "codice": "OB1", "tipo": "strategico", "titolo": "Domiciliarità", "descrizione": "",
             "area": "Anziani", "azioni": azioni if azioni is not None else [_azione()]}],
    }


def test_testi_uguali_non_sono_cambiati():
    confronto = confronta(_istantanea(), _istantanea(), da=1, a=2)
    assert not confronto.cambiato and (confronto.da, confronto.a) == (1, 2)
    assert [s.stato for s in confronto.sezioni] == ["invariata"]
    assert confronto.sezioni[0].campi["testo"].html == "<p>Uno due tre</p>"


def test_parole_inserite_e_tolte_sono_marcate_e_nominate():
    confronto = confronta(_istantanea("<p>Uno due tre</p>"), _istantanea("<p>Uno <b>quattro</b> tre cinque</p>"))
    testo = confronto.sezioni[0].campi["testo"]
    assert testo.cambiato and confronto.sezioni[0].stato == "modificata"
    assert testo.html == (
        '<p>Uno <del><span class="visually-hidden">rimosso: </span>due</del> '
        '<ins><span class="visually-hidden">aggiunto: </span>quattro</ins> tre '
        '<ins><span class="visually-hidden">aggiunto: </span>cinque</ins></p>')
    # Side by side: the old column shows only removals, the new one only additions.
    assert "<ins>" not in testo.prima and "<del>" in testo.prima
    assert "<del>" not in testo.dopo and testo.dopo.count("<ins>") == 2


def test_i_paragrafi_restano_separati():
    testo = confronta(_istantanea("<p>Primo paragrafo</p><p>Secondo</p>"),
                      _istantanea("<h2>Primo paragrafo</h2><ul><li>Secondo</li><li>Terzo punto</li></ul>")
                      ).sezioni[0].campi["testo"]
    assert testo.html == ('<p>Primo paragrafo</p><p>Secondo</p>'
                          '<p><ins><span class="visually-hidden">aggiunto: </span>Terzo punto</ins></p>')


def test_il_testo_e_sempre_escapato():
    testo = confronta(_istantanea("<p>a &lt; b &amp; c</p>"),
                      _istantanea("<p>a &lt; b &amp; c &lt;script&gt;alert(1)&lt;/script&gt;</p>"
                                  "<script>alert(2)</script>")).sezioni[0].campi["testo"]
    assert "<script>" not in testo.html and "alert(2)" not in testo.html
    assert testo.html.startswith("<p>a &lt; b &amp; c <ins>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in testo.html


def test_bisogni_e_offerta_citati_aggiunti_e_tolti():
    bisogno = {"id": 1, "area": "Anziani", "destinatari": "Soli", "descrizione": "Solitudine", "priorita": "alta",
               "tavolo": "T", "ente": ""}
    altro = {**bisogno, "id": 2, "descrizione": "Casa <inadeguata>"}
    prima = _istantanea(sezioni=[{"codice": "c", "titolo": "C", "testo": "", "bisogni": [bisogno], "offerta": []}])
    dopo = _istantanea(sezioni=[{"codice": "c", "titolo": "C", "testo": "", "bisogni": [altro], "offerta": []}])
    bisogni = confronta(prima, dopo).sezioni[0].campi["bisogni"]
    assert bisogni.cambiato
    assert "<del><span class=\"visually-hidden\">rimosso: </span>Anziani – Soli – Solitudine</del>" in bisogni.html
    assert "Casa &lt;inadeguata&gt;</ins>" in bisogni.html


def test_sezioni_aggiunte_e_tolte_per_codice():
    prima = _istantanea(sezioni=[{"codice": "a", "titolo": "A", "testo": "<p>x</p>"},
                                 {"codice": "b", "titolo": "B", "testo": "<p>y</p>"}])
    dopo = _istantanea(sezioni=[{"codice": "b", "titolo": "B", "testo": "<p>y</p>"},
                                {"codice": "c", "titolo": "C", "testo": "<p>z</p>"}])
    assert [(s.chiave, s.stato) for s in confronta(prima, dopo).sezioni] == [
        ("a", "rimossa"), ("b", "invariata"), ("c", "aggiunta")]


def test_azioni_aggiunte_tolte_e_modificate_campo_per_campo():
    prima = _istantanea(azioni=[_azione(), _azione(id=11, codice="A2", titolo="Trasporto")])
    dopo = _istantanea(azioni=[
        _azione(titolo="Assistenza domiciliare integrata", partner=["Coop. Aurora", "Auser"], fine="2026-12-31",
                capofila="Comune di Certosa"),
        _azione(id=12, codice="A3", titolo="Custode sociale"),
    ])
    obiettivo = confronta(prima, dopo).obiettivi[0]
    assert obiettivo.stato == "modificata"
    assert [(a.chiave, a.stato) for a in obiettivo.figli] == [("10", "modificata"), ("11", "rimossa"),
                                                              ("12", "aggiunta")]
    campi = obiettivo.figli[0].campi
    cambiati = {nome for nome, c in campi.items() if c.cambiato}
    assert cambiati == {"titolo", "partner", "fine", "capofila"}
    assert "<ins><span class=\"visually-hidden\">aggiunto: </span>integrata</ins>" in campi["titolo"].html
    assert "<ins><span class=\"visually-hidden\">aggiunto: </span>Auser</ins>" in campi["partner"].html
    assert "2027-12-31</del>" in campi["fine"].html and "2026-12-31</ins>" in campi["fine"].html


def test_un_azione_rinominata_resta_la_stessa_grazie_all_id():
    prima = _istantanea(azioni=[_azione()])
    dopo = _istantanea(azioni=[_azione(codice="A9", titolo="Altro nome")])
    [azione] = confronta(prima, dopo).obiettivi[0].figli
    assert (azione.chiave, azione.stato, azione.titolo) == ("10", "modificata", "A9 Altro nome")


def test_senza_id_le_azioni_si_accoppiano_per_codice():
    prima = _istantanea(azioni=[_azione(id=None)])
    dopo = _istantanea(azioni=[_azione(id=None, destinatari="Famiglie")])
    [azione] = confronta(prima, dopo).obiettivi[0].figli
    assert azione.stato == "modificata" and azione.campi["destinatari"].cambiato


def test_stanziamenti_per_anno_e_fonte_da_vecchio_a_nuovo():
    prima = _istantanea(azioni=[_azione(stanziamenti=[
        {"anno": 2025, "fonte": "fnps", "importo_centesimi": 1_000_000},
        {"anno": 2026, "fonte": "fna", "importo_centesimi": 500_000}])])
    dopo = _istantanea(azioni=[_azione(stanziamenti=[
        {"anno": 2025, "fonte": "fnps", "importo_centesimi": 1_234_567},
        {"anno": 2027, "fonte": "comuni", "importo_centesimi": 100}])])
    [azione] = confronta(prima, dopo).obiettivi[0].figli
    assert azione.stato == "modificata" and azione.campi["stanziamenti"].cambiato
    assert [(r["anno"], r["stato"], r["prima"], r["dopo"]) for r in azione.stanziamenti] == [
        (2025, "modificata", "10.000,00 €", "12.345,67 €"),
        (2026, "rimossa", "5.000,00 €", ""),
        (2027, "aggiunta", "", "1,00 €"),
        ("", "totale", "15.000,00 €", "12.346,67 €"),
    ]
    assert azione.stanziamenti[0]["fonte"] == "Fondo Nazionale Politiche Sociali (FNPS)"
    html = azione.campi["stanziamenti"].html
    assert "10.000,00 €</del> → <ins>" in html


def test_indicatori_cambiati():
    prima = _istantanea(azioni=[_azione()])
    dopo = _istantanea(azioni=[_azione(indicatori=[{"descrizione": "Utenti seguiti", "unita": "persone",
                                                    "valore_base": "10.00", "valore_obiettivo": "30.00"}])])
    [azione] = confronta(prima, dopo).obiettivi[0].figli
    assert {n for n, c in azione.campi.items() if c.cambiato} == {"indicatori"}
    assert "25.00</del>" in azione.campi["indicatori"].html and "30.00</ins>" in azione.campi["indicatori"].html


def test_obiettivi_aggiunti_e_rimossi_e_riepilogo():
    prima = _istantanea()
    dopo = _istantanea(obiettivi=[{"id": 2, "codice": "OB2", "tipo": "sistema", "titolo": "Rete", "descrizione": "",
                                   "area": "", "azioni": [_azione(id=20)]}])
    confronto = confronta(prima, dopo)
    assert [(o.chiave, o.stato) for o in confronto.obiettivi] == [("1", "rimossa"), ("2", "aggiunta")]
    assert confronto.riepilogo["obiettivi"] == {"rimossa": 1, "aggiunta": 1}
    assert confronto.riepilogo["azioni"] == {"rimossa": 1, "aggiunta": 1}


def test_formatta_euro_all_italiana():
    assert formatta_euro(123_456_789) == "1.234.567,89 €"
    assert formatta_euro(5) == "0,05 €"
    assert formatta_euro(None) == ""


# --- the plan as a PDF act from a version -----------------------------------------------------


def _html_atto(documento):
    from django.template.loader import render_to_string

    from accordi.services_documenti import contesto_atto

    return render_to_string("atti/piano.html", contesto_atto(documento))


def test_l_atto_di_una_versione_mostra_il_suo_testo_congelato(mondo, udp):
    piano = _bozza(mondo.piano)
    sezione = piano.sezioni.get()
    sezione.testo = '<p>Testo <strong>congelato</strong></p><script>alert(1)</script>'
    sezione.save()
    v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
    sezione.testo = "<p>Testo cambiato dopo</p>"
    sezione.save()
    html = _html_atto(v1.documento)
    assert "<p>Testo <strong>congelato</strong></p>" in html and "alert(1)" not in html
    assert "Testo cambiato dopo" not in html
    assert "Solitudine" in html and "Centro diurno" in html  # cited need and service
    assert "10.000,00 €" in html and "2.500,50 €" in html and "12.500,50 €" in html  # budget and total
    assert "Indicatore" in html and "25.00" in html
    assert "Il territorio" in html and "L'iter di costruzione del piano" in html  # what it showed before
    assert "Differenze rispetto alla versione inviata ai sindacati" not in html


def test_il_testo_definitivo_congela_una_versione_e_allega_le_differenze(mondo, udp, monkeypatch):
    from accordi.models import Consultazione
    from accordi.services_documenti import documento_richiedi

    monkeypatch.setattr("accordi.services_documenti._accoda", lambda pk: None)
    piano = _bozza(mondo.piano)
    v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
    Consultazione.objects.create(piano=piano, versione=v1, inviata_da=udp,
                                 scadenza=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=20))
    sezione = piano.sezioni.get()
    sezione.testo = "<p>Testo della sezione, accolte le osservazioni &amp; integrato.</p>"
    sezione.save()
    definitivo = documento_richiedi(tipo="piano_definitivo", piano=piano, utente=udp)
    v2 = versione_ultima(piano)
    assert (v2.numero, v2.motivo) == (2, "assemblea")
    assert definitivo.tipo == Documento.Tipo.PIANO_DEFINITIVO and definitivo.versione == 2
    # Unchanged draft: the same version, hence the same act for the Assemblea.
    assert documento_richiedi(tipo="piano_definitivo", piano=piano, utente=udp) == definitivo
    html = _html_atto(definitivo)
    assert "Differenze rispetto alla versione inviata ai sindacati" in html
    assert "versione 1, inviata alle organizzazioni sindacali" in html
    assert "<del>" in html and "<ins>" in html and "integrato.</ins>" in html
    assert "Testo definitivo" in html


def test_il_testo_definitivo_senza_consultazione_non_ha_allegato(mondo, udp, monkeypatch):
    from accordi.services_documenti import documento_richiedi

    monkeypatch.setattr("accordi.services_documenti._accoda", lambda pk: None)
    definitivo = documento_richiedi(tipo="piano_definitivo", piano=_bozza(mondo.piano), utente=udp)
    assert "Differenze rispetto" not in _html_atto(definitivo)


def test_l_atto_della_versione_diventa_un_pdf_sigillato(mondo, udp, pki_attiva, django_capture_on_commit_callbacks):
    piano = _bozza(mondo.piano)
    with django_capture_on_commit_callbacks(execute=True):
        v1 = versione_congela(piano=piano, utente=udp, motivo="sindacati")
    v1.documento.refresh_from_db()
    assert v1.documento.stato == Documento.Stato.PRONTO and v1.documento.revisioni.count() == 1
