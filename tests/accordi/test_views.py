"""Plan pages with object permissions across two ambiti."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accordi import guardie
from accordi.models import Stato, TransizionePiano
from ambiti.models import Incarico

from ..factories import AmbitoFactory, CicloFactory, RegioneFactory, crea_piano, utente_con_ruolo

R = Incarico.Ruolo


def url_piano(piano):
    return reverse("accordi:piano", args=[piano.pk])


def url_transizione(piano, nome):
    return reverse("accordi:transizione", args=[piano.pk, nome])


@pytest.mark.parametrize("ruolo", [r for r in R.values if r != R.OPERATORE_REGIONALE])
def test_ogni_ruolo_dell_ambito_vede_il_piano(client, mondo, ruolo):
    client.force_login(mondo[ruolo])
    risposta = client.get(url_piano(mondo.piano))
    assert risposta.status_code == 200
    assert "Piano di Pavia" in risposta.text


def test_l_altro_ambito_riceve_404(client, mondo):
    for utente in (mondo.udp_altro, mondo.presidente_altro):
        client.force_login(utente)
        assert client.get(url_piano(mondo.piano)).status_code == 404
        risposta = client.post(url_transizione(mondo.piano, "annulla"),
                               {"stato_atteso": "avvio", "nota": "intrusione"})
        assert risposta.status_code == 404
    assert not TransizionePiano.objects.filter(piano=mondo.piano, nome="annulla").exists()


def test_elenco_mostra_solo_i_piani_propri(client, mondo):
    client.force_login(mondo[R.SINDACO])
    testo = client.get(reverse("accordi:piani")).text
    assert "Piano di Pavia" in testo and "Piano di Certosa" not in testo


def test_operatore_regionale_legge_ogni_ambito_della_regione(client, mondo):
    client.force_login(mondo.regionale)
    testo = client.get(reverse("accordi:piani")).text
    assert "Piano di Pavia" in testo and "Piano di Certosa" in testo
    pagina = client.get(url_piano(mondo.piano))
    assert pagina.status_code == 200
    assert pagina.context["azioni"] == []  # reads, never acts


def test_anonimo_rimandato_all_accesso(client, mondo):
    risposta = client.get(url_piano(mondo.piano))
    assert risposta.status_code == 302 and reverse("login") in risposta["Location"]
    risposta = client.post(url_transizione(mondo.piano, "annulla"), {"stato_atteso": "avvio", "nota": "x"})
    assert risposta.status_code == 302
    mondo.piano.refresh_from_db()
    assert mondo.piano.stato == "avvio"


def test_il_udp_vede_solo_le_sue_transizioni_con_cosa_manca(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    risposta = client.get(url_piano(mondo.piano))
    nomi = [a.transizione.nome for a in risposta.context["azioni"]]
    assert nomi == ["approva_atto_indirizzo"]  # annulla belongs to the Assemblea
    assert 'data-testid="azione-annulla"' not in risposta.text
    assert "non ha ancora approvato l&#x27;atto di indirizzo" in risposta.text


def test_il_presidente_vede_annulla(client, mondo):
    client.force_login(mondo[R.PRESIDENTE_ASSEMBLEA])
    risposta = client.get(url_piano(mondo.piano))
    assert [a.transizione.nome for a in risposta.context["azioni"]] == ["annulla"]
    assert 'data-testid="azione-annulla"' in risposta.text


def test_post_forgiato_rifiutato_con_403(client, mondo):
    client.force_login(mondo[R.SINDACO])
    risposta = client.post(url_transizione(mondo.piano, "annulla"), {"stato_atteso": "avvio", "nota": "x"})
    assert risposta.status_code == 403
    mondo.piano.refresh_from_db()
    assert mondo.piano.stato == "avvio"


def test_transizione_eseguita_dalla_pagina(client, mondo):
    piano = crea_piano(mondo.ambito, stato="parere_sindacati", ciclo=CicloFactory(anno_inizio=2030, anno_fine=2032))
    client.force_login(mondo[R.RESPONSABILE_UDP])
    risposta = client.post(url_transizione(piano, "rinvia_alla_stesura"),
                           {"stato_atteso": "parere_sindacati", "nota": "Osservazioni SPI"}, follow=True)
    assert risposta.status_code == 200
    assert "Fatto: il piano è ora nello stato «Stesura della bozza»" in risposta.text
    assert "Osservazioni SPI" in risposta.text  # in the timeline
    piano.refresh_from_db()
    assert piano.stato == Stato.BOZZA


def test_guardia_non_soddisfatta_spiegata_in_italiano(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    risposta = client.post(url_transizione(mondo.piano, "approva_atto_indirizzo"),
                           {"stato_atteso": "avvio", "nota": ""}, follow=True)
    assert "Non è ancora possibile" in risposta.text
    assert "Assemblea dei Sindaci" in risposta.text
    mondo.piano.refresh_from_db()
    assert mondo.piano.stato == "avvio"


def test_piano_cambiato_nel_frattempo_in_pagina(client, mondo):
    piano = crea_piano(mondo.ambito, stato="bozza", ciclo=CicloFactory(anno_inizio=2030, anno_fine=2032))
    client.force_login(mondo[R.PRESIDENTE_ASSEMBLEA])
    risposta = client.post(url_transizione(piano, "annulla"),
                           {"stato_atteso": "parere_sindacati", "nota": "x"}, follow=True)
    assert "cambiato nel frattempo" in risposta.text
    piano.refresh_from_db()
    assert piano.stato == "bozza"


def test_nota_obbligatoria_mancante(client, mondo):
    client.force_login(mondo[R.PRESIDENTE_ASSEMBLEA])
    risposta = client.post(url_transizione(mondo.piano, "annulla"), {"stato_atteso": "avvio", "nota": ""}, follow=True)
    assert "Motivo dell&#x27;annullamento" in risposta.text
    mondo.piano.refresh_from_db()
    assert mondo.piano.stato == "avvio"


def test_get_sulla_transizione_non_ammesso(client, mondo):
    client.force_login(mondo[R.PRESIDENTE_ASSEMBLEA])
    assert client.get(url_transizione(mondo.piano, "annulla")).status_code == 405


def test_home_mostra_cosa_fare(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    testo = client.get(reverse("accordi:home")).text
    assert "Da fare" in testo and "Approva atto di indirizzo" in testo and "Piano di Pavia" in testo
    assert "Piano di Certosa" not in testo
    assert "Responsabile dell&#x27;Ufficio di Piano" in testo  # role in the header


def test_home_pubblica(client, mondo):
    testo = client.get(reverse("accordi:home")).text
    assert "Accedi" in testo and "Piano di Pavia" not in testo


def test_creazione_piano_dalla_pagina(client, mondo):
    ambito = AmbitoFactory(asl=mondo.ambito.asl, nome="Ambito Nuovo")
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, ambito)
    client.force_login(udp)
    ciclo = mondo.piano.ciclo
    risposta = client.post(reverse("accordi:piano_nuovo"),
                           {"ciclo": ciclo.pk, "ambiti": [ambito.pk], "titolo": "PdZ Ambito Nuovo"})
    assert risposta.status_code == 302
    risposta = client.post(reverse("accordi:piano_nuovo"),
                           {"ciclo": ciclo.pk, "ambiti": [ambito.pk], "titolo": "Secondo"})
    assert risposta.status_code == 200 and "ha già un piano" in risposta.text
    risposta = client.post(reverse("accordi:piano_nuovo"),
                           {"ciclo": ciclo.pk, "ambiti": [mondo.altro_ambito.pk], "titolo": "Altrui"})
    assert risposta.status_code == 200  # not offered: a form error, nothing created
    assert "Altrui" not in [p.titolo for p in ambito.piani.all()]


def test_creazione_piano_negata_a_chi_non_e_udp(client, mondo):
    client.force_login(mondo[R.SINDACO])
    assert client.get(reverse("accordi:piano_nuovo")).status_code == 403


def test_pagine_pubbliche_solo_piani_approvati(client, mondo):
    vigente = crea_piano(AmbitoFactory(asl=mondo.ambito.asl), stato="vigente",
                         titolo="Piano approvato", vigente_dal="2025-05-01")
    elenco = client.get(reverse("accordi:pubblico_piani")).text
    assert "Piano approvato" in elenco and "Piano di Pavia" not in elenco
    assert client.get(reverse("accordi:pubblico_piano", args=[vigente.pk])).status_code == 200
    assert client.get(reverse("accordi:pubblico_piano", args=[mondo.piano.pk])).status_code == 404


def test_la_pagina_pubblica_del_piano_porta_al_suo_accordo_in_vigore(client, mondo):
    from accordi.models import AccordoDiProgramma

    vigente = crea_piano(AmbitoFactory(asl=mondo.ambito.asl), stato="vigente",
                         titolo="Piano approvato", vigente_dal="2025-05-01")
    url = reverse("accordi:pubblico_piano", args=[vigente.pk])
    assert "Leggi l'Accordo di Programma in vigore" not in client.get(url).text
    vigente.revisione_vigente = vigente.revisione
    vigente.save(update_fields=["revisione_vigente"])
    accordo = AccordoDiProgramma.objects.create(piano=vigente, revisione=vigente.revisione)
    assert reverse("accordi:accordo_pubblico", args=[accordo.pk]) in client.get(url).text


def test_pagina_in_inglese(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    testo = client.get(reverse("accordi:piano", args=[mondo.piano.pk])).text
    assert '<html lang="en">' in testo
    assert "What you can do" in testo


def test_query_costanti_nell_elenco(client, mondo, django_assert_max_num_queries):
    client.force_login(mondo.regionale)
    for _ in range(15):
        crea_piano(AmbitoFactory(asl=mondo.ambito.asl))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("accordi:piani")).status_code == 200


def test_query_costanti_nella_scrivania(client, mondo, django_assert_max_num_queries):
    udp = mondo[R.RESPONSABILE_UDP]
    client.force_login(udp)
    from ambiti.services import incarico_assegna
    for _ in range(10):
        ambito = AmbitoFactory(asl=mondo.ambito.asl)
        incarico_assegna(utente=udp, ruolo=R.RESPONSABILE_UDP, ambito=ambito)
        crea_piano(ambito, ciclo=mondo.piano.ciclo)
    # 26: the desk's own queries plus the Terzo Settore and adesioni blocks. Known limit: the
    # guard of each plan's next step still reads its deliberation once per plan shown (bounded by
    # the plans a person follows); batching the guards is work for the hardening of the iter.
    with django_assert_max_num_queries(26):
        assert client.get(reverse("accordi:home")).status_code == 200


def test_query_costanti_nella_pagina_del_piano(client, mondo, django_assert_max_num_queries):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    prima = guardie._REGISTRO.get("atto_di_indirizzo")
    guardie._REGISTRO["atto_di_indirizzo"] = lambda p: []
    try:
        from accordi.services import esegui_transizione
        esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=mondo[R.RESPONSABILE_UDP])
    finally:
        guardie._REGISTRO["atto_di_indirizzo"] = prima
    with django_assert_max_num_queries(15):
        assert client.get(url_piano(mondo.piano)).status_code == 200


# --- cicli di programmazione --------------------------------------------------------------

def _dati_ciclo(regione, **extra):
    dati = {
        "regione": regione.pk, "anno_inizio": 2028, "anno_fine": 2030,
        "atto_linee_indirizzo": "DGR XII/1234 del 01/12/2027", "data_atto": "2027-12-01",
        "scadenza_approvazione": "2028-03-31", "validita_inizio": "2028-04-01", "validita_fine": "2030-12-31",
    }
    dati.update(extra)
    return dati


def test_l_operatore_regionale_crea_e_modifica_un_ciclo(client, mondo):
    from accordi.models import CicloProgrammazione

    regione = mondo.ambito.asl.regione
    client.force_login(mondo.regionale)
    assert 'href="/cicli/"' in client.get(reverse("accordi:home")).text
    risposta = client.post(reverse("accordi:ciclo_nuovo"), _dati_ciclo(regione))
    assert risposta.status_code == 302
    ciclo = CicloProgrammazione.objects.get(regione=regione, anno_inizio=2028)
    risposta = client.post(reverse("accordi:ciclo", args=[ciclo.pk]), _dati_ciclo(regione, anno_fine=2029,
                           validita_fine="2029-12-31"))
    assert risposta.status_code == 302
    ciclo.refresh_from_db()
    assert ciclo.anno_fine == 2029
    elenco = client.get(reverse("accordi:cicli")).text
    assert "2028-2029" in elenco
    assert f'href="{reverse("accordi:modello_ciclo", args=[ciclo.pk])}"' in elenco


def test_ciclo_con_dati_errati_spiegati(client, mondo):
    from accordi.models import CicloProgrammazione

    regione = mondo.ambito.asl.regione
    client.force_login(mondo.regionale)
    risposta = client.post(reverse("accordi:ciclo_nuovo"), _dati_ciclo(
        regione, anno_fine=2027, validita_fine="2028-01-01"))
    assert risposta.status_code == 200
    assert "L&#x27;ultimo anno non può precedere il primo." in risposta.text
    assert "La fine della validità deve seguire l&#x27;inizio." in risposta.text
    risposta = client.post(reverse("accordi:ciclo_nuovo"), _dati_ciclo(regione, anno_inizio=2025, anno_fine=2027,
                           validita_fine="2027-12-31"))
    assert "La regione ha già un ciclo che inizia in quell&#x27;anno." in risposta.text
    assert CicloProgrammazione.objects.filter(anno_inizio__in=[2028]).count() == 0


def test_cicli_negati_a_chi_non_e_regionale(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    assert client.get(reverse("accordi:cicli")).status_code == 403
    assert client.post(reverse("accordi:ciclo_nuovo"), _dati_ciclo(mondo.ambito.asl.regione)).status_code == 403
    assert 'href="/cicli/"' not in client.get(reverse("accordi:home")).text


# --- aree di intervento e catalogo, dalla scrivania e dai cicli ---------------------------------

def _collegamento_aree(regione) -> str:
    return f'href="{reverse("tavoli:aree", args=[regione.pk])}"'


def test_l_operatore_regionale_raggiunge_aree_e_catalogo_dalla_scrivania_e_dai_cicli(client, mondo):
    regione = mondo.ambito.asl.regione
    client.force_login(mondo.regionale)
    for pagina in ("accordi:home", "accordi:cicli"):
        testo = client.get(reverse(pagina)).text
        assert _collegamento_aree(regione) in testo
        assert f"Aree di intervento e catalogo dei servizi – {regione.nome}" in testo
    assert client.get(reverse("tavoli:aree", args=[regione.pk])).status_code == 200


def test_l_ufficio_di_piano_non_vede_aree_e_catalogo_della_regione(client, mondo):
    client.force_login(mondo[R.RESPONSABILE_UDP])
    testo = client.get(reverse("accordi:home")).text
    assert _collegamento_aree(mondo.ambito.asl.regione) not in testo
    assert "Aree di intervento e catalogo dei servizi" not in testo


def test_un_collegamento_per_ogni_regione_consultata_a_query_costanti(client, mondo):
    from ambiti.services import incarico_assegna

    client.force_login(mondo.regionale)
    with CaptureQueriesContext(connection) as una:
        client.get(reverse("accordi:home"))
    toscana = RegioneFactory(codice_istat="09", nome="Toscana")
    incarico_assegna(utente=mondo.regionale, ruolo=R.OPERATORE_REGIONALE, regione=toscana)
    with CaptureQueriesContext(connection) as due:
        testo = client.get(reverse("accordi:home")).text
    assert _collegamento_aree(mondo.ambito.asl.regione) in testo and _collegamento_aree(toscana) in testo
    assert len(due) == len(una)
