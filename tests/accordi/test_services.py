"""The iter as a specification: every transition, who may make it, what it needs."""

import datetime

import pytest
from django.core import mail

from accordi import guardie
from accordi.exceptions import (
    DatiNonValidi,
    GuardieNonSoddisfatte,
    PermessoNegato,
    PianoCambiato,
    TransizioneNonAmmessa,
)
from accordi.iter import TRANSIZIONI
from accordi.models import PianoDiZona, Stato, TransizionePiano
from accordi.services import concludi_piani_scaduti, esegui_transizione, piano_crea
from ambiti.models import Incarico

from ..factories import AmbitoFactory, ASLFactory, CicloFactory, crea_piano, utente_con_ruolo

R = Incarico.Ruolo

# transition -> (source state, target state, role that makes it, guard names it depends on)
PERCORSO = {
    "approva_atto_indirizzo": ("avvio", "indirizzo", R.RESPONSABILE_UDP, ["atto_di_indirizzo"]),
    "avvia_istruttoria": ("indirizzo", "istruttoria", R.OPERATORE_UDP,
                          ["ufficio_di_piano_costituito", "almeno_un_tavolo"]),
    "avvia_stesura": ("istruttoria", "bozza", R.RESPONSABILE_UDP, ["verbali_approvati"]),
    "invia_ai_sindacati": ("bozza", "parere_sindacati", R.RESPONSABILE_UDP,
                           ["bozza_congelata", "sindacati_indicati"]),
    "chiudi_consultazione": ("parere_sindacati", "approvazione", R.RESPONSABILE_UDP, ["pareri_o_scadenza"]),
    "licenzia": ("approvazione", "intesa_asl", R.PRESIDENTE_ASSEMBLEA, ["licenziamento"]),
    "registra_intesa": ("intesa_asl", "accordo", R.REFERENTE_ASL, ["intesa_positiva"]),
    "apri_sottoscrizione": ("accordo", "sottoscrizione", R.RESPONSABILE_UDP,
                            ["capofila_designato", "accordo_completo"]),
    "dichiara_vigente": ("sottoscrizione", "vigente", R.RESPONSABILE_UDP, ["firme_obbligatorie"]),
}


@pytest.fixture
def guardie_soddisfatte():
    """Complete every capability guard with a check that holds, as the later capabilities do,
    and restore the registry afterwards."""
    prima = dict(guardie._REGISTRO)
    nomi = {n for _, _, _, elenco in PERCORSO.values() for n in elenco}
    for nome in nomi:
        guardie._REGISTRO[nome] = lambda piano: []
    yield
    guardie._REGISTRO.clear()
    guardie._REGISTRO.update(prima)


def _piano_in(mondo, stato):
    return crea_piano(mondo.ambito, stato=stato, ciclo=CicloFactory(anno_inizio=2030, anno_fine=2032))


@pytest.fixture
def nessuna_capacita():
    """An installation where no capability has completed its guards yet."""
    prima = dict(guardie._REGISTRO)
    for nome in {n for _, _, _, elenco in PERCORSO.values() for n in elenco}:
        guardie._REGISTRO.pop(nome, None)
    yield
    guardie._REGISTRO.clear()
    guardie._REGISTRO.update(prima)


@pytest.mark.parametrize("nome", list(PERCORSO))
def test_transizione_bloccata_finche_manca_la_capacita(mondo, nessuna_capacita, nome):
    da, _a, ruolo, nomi_guardie = PERCORSO[nome]
    piano = _piano_in(mondo, da)
    with pytest.raises(GuardieNonSoddisfatte) as exc:
        esegui_transizione(piano=piano, nome=nome, utente=mondo[ruolo], stato_atteso=da)
    assert len(exc.value.messaggi) == len(nomi_guardie)
    assert all("non ancora disponibil" in m and "in questa installazione." in m for m in exc.value.messaggi)
    assert not any("attiva la funzione" in m for m in exc.value.messaggi)
    piano.refresh_from_db()
    assert piano.stato == da
    assert not TransizionePiano.objects.filter(piano=piano).exists()


@pytest.mark.parametrize("nome", list(PERCORSO))
def test_transizione_riuscita_con_ruolo_e_guardie(mondo, guardie_soddisfatte, nome):
    da, a, ruolo, _ = PERCORSO[nome]
    piano = _piano_in(mondo, da)
    voce = esegui_transizione(piano=piano, nome=nome, utente=mondo[ruolo], nota="ok", stato_atteso=da)
    piano.refresh_from_db()
    assert piano.stato == a
    assert (voce.da_stato, voce.a_stato, voce.utente, voce.nota) == (da, a, mondo[ruolo], "ok")
    assert voce.revisione == piano.revisione


@pytest.mark.parametrize("nome", list(PERCORSO))
def test_transizione_rifiutata_agli_altri_ruoli(mondo, guardie_soddisfatte, nome):
    da, _a, ruolo, _ = PERCORSO[nome]
    autorizzati = {ruolo}
    if ruolo in (R.RESPONSABILE_UDP, R.OPERATORE_UDP):
        autorizzati = {R.RESPONSABILE_UDP, R.OPERATORE_UDP}
    piano = _piano_in(mondo, da)
    for altro in set(mondo.utenti) - autorizzati:
        with pytest.raises(PermessoNegato):
            esegui_transizione(piano=piano, nome=nome, utente=mondo[altro], stato_atteso=da)
    for estraneo in (mondo.udp_altro, mondo.presidente_altro, mondo.regionale):
        with pytest.raises(PermessoNegato):
            esegui_transizione(piano=piano, nome=nome, utente=estraneo, stato_atteso=da)
    piano.refresh_from_db()
    assert piano.stato == da


def test_una_guardia_completata_che_non_regge_spiega_cosa_manca(mondo, guardie_soddisfatte):
    guardie._REGISTRO["atto_di_indirizzo"] = lambda piano: ["Manca la deliberazione n. 1/2026."]
    with pytest.raises(GuardieNonSoddisfatte) as exc:
        esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=mondo[R.RESPONSABILE_UDP])
    assert exc.value.messaggi == ["Manca la deliberazione n. 1/2026."]


def test_transizione_da_stato_sbagliato(mondo, guardie_soddisfatte):
    with pytest.raises(TransizioneNonAmmessa):
        esegui_transizione(piano=mondo.piano, nome="avvia_stesura", utente=mondo[R.RESPONSABILE_UDP])


def test_transizione_sconosciuta(mondo):
    with pytest.raises(TransizioneNonAmmessa):
        esegui_transizione(piano=mondo.piano, nome="salta_tutto", utente=mondo[R.RESPONSABILE_UDP])


def test_piano_cambiato_nel_frattempo(mondo, guardie_soddisfatte):
    udp = mondo[R.RESPONSABILE_UDP]
    esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=udp, stato_atteso="avvio")
    with pytest.raises(PianoCambiato) as exc:
        esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=udp, stato_atteso="avvio")
    assert "cambiato nel frattempo" in str(exc.value)
    assert TransizionePiano.objects.filter(piano=mondo.piano, nome="approva_atto_indirizzo").count() == 1


@pytest.mark.parametrize(("da", "ruolo"), [
    ("parere_sindacati", R.RESPONSABILE_UDP),
    ("approvazione", R.RESPONSABILE_UDP),
    ("approvazione", R.PRESIDENTE_ASSEMBLEA),
    ("intesa_asl", R.REFERENTE_ASL),
    ("intesa_asl", R.OPERATORE_UDP),
])
def test_rinvia_alla_stesura(mondo, da, ruolo):
    piano = _piano_in(mondo, da)
    voce = esegui_transizione(piano=piano, nome="rinvia_alla_stesura", utente=mondo[ruolo],
                              nota="Osservazioni della CGIL sull'area anziani", stato_atteso=da)
    piano.refresh_from_db()
    assert piano.stato == Stato.BOZZA
    assert voce.nota == "Osservazioni della CGIL sull'area anziani"


@pytest.mark.parametrize(("da", "ruolo"), [
    ("parere_sindacati", R.REFERENTE_ASL),
    ("parere_sindacati", R.PRESIDENTE_ASSEMBLEA),
    ("approvazione", R.REFERENTE_ASL),
    ("intesa_asl", R.PRESIDENTE_ASSEMBLEA),
    ("intesa_asl", R.REFERENTE_SINDACATO),
])
def test_rinvia_alla_stesura_rifiutato_a_chi_non_ne_ha_titolo(mondo, da, ruolo):
    piano = _piano_in(mondo, da)
    with pytest.raises(PermessoNegato):
        esegui_transizione(piano=piano, nome="rinvia_alla_stesura", utente=mondo[ruolo], nota="x")


def test_rinvio_senza_osservazioni_rifiutato(mondo):
    piano = _piano_in(mondo, "parere_sindacati")
    with pytest.raises(DatiNonValidi) as exc:
        esegui_transizione(piano=piano, nome="rinvia_alla_stesura", utente=mondo[R.RESPONSABILE_UDP], nota="  ")
    assert "Osservazioni che motivano il rinvio" in str(exc.value)
    piano.refresh_from_db()
    assert piano.stato == "parere_sindacati"


@pytest.mark.parametrize("da", [s for s in Stato.values if s not in ("vigente", "concluso", "annullato")])
def test_annulla_da_ogni_stato_prima_di_vigente(mondo, da):
    piano = _piano_in(mondo, da)
    esegui_transizione(piano=piano, nome="annulla", utente=mondo[R.PRESIDENTE_ASSEMBLEA],
                       nota="Piano sostituito dal piano sovra-distrettuale")
    piano.refresh_from_db()
    assert piano.stato == Stato.ANNULLATO
    assert piano.motivo_annullamento == "Piano sostituito dal piano sovra-distrettuale"
    assert PianoDiZona.objects.filter(pk=piano.pk).exists()  # nothing is deleted


@pytest.mark.parametrize("da", ["vigente", "concluso", "annullato"])
def test_annulla_non_ammesso_da_vigente_in_poi(mondo, da):
    piano = _piano_in(mondo, da)
    with pytest.raises(TransizioneNonAmmessa):
        esegui_transizione(piano=piano, nome="annulla", utente=mondo[R.PRESIDENTE_ASSEMBLEA], nota="x")


def test_annulla_solo_assemblea_e_con_motivo(mondo):
    with pytest.raises(PermessoNegato):
        esegui_transizione(piano=mondo.piano, nome="annulla", utente=mondo[R.RESPONSABILE_UDP], nota="x")
    with pytest.raises(DatiNonValidi):
        esegui_transizione(piano=mondo.piano, nome="annulla", utente=mondo[R.PRESIDENTE_ASSEMBLEA], nota="")


def test_aggiorna_apre_una_nuova_revisione_e_la_vigente_resta(mondo, guardie_soddisfatte):
    piano = _piano_in(mondo, "sottoscrizione")
    udp = mondo[R.RESPONSABILE_UDP]
    esegui_transizione(piano=piano, nome="dichiara_vigente", utente=udp)
    piano.refresh_from_db()
    assert piano.vigente_dal == datetime.date.today() or piano.vigente_dal is not None
    assert piano.revisione_vigente == 1
    esegui_transizione(piano=piano, nome="aggiorna", utente=udp, nota="Aggiornamento annuale 2026")
    piano.refresh_from_db()
    assert (piano.stato, piano.revisione, piano.revisione_vigente) == ("bozza", 2, 1)
    assert piano.in_vigore


def test_aggiorna_rifiutato_dopo_la_fine_della_validita(mondo):
    ciclo = CicloFactory(anno_inizio=2012, anno_fine=2014, validita_inizio=datetime.date(2012, 4, 1),
                         validita_fine=datetime.date(2014, 12, 31), scadenza_approvazione=datetime.date(2012, 3, 31))
    piano = crea_piano(AmbitoFactory(asl=mondo.ambito.asl), stato="vigente", ciclo=ciclo)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, piano.ambiti.get())
    with pytest.raises(GuardieNonSoddisfatte) as exc:
        esegui_transizione(piano=piano, nome="aggiorna", utente=udp, nota="x")
    assert "scaduto il 31/12/2014" in str(exc.value)


def test_concludi_automatico_alla_data_di_fine(mondo):
    scaduto = CicloFactory(anno_inizio=2012, anno_fine=2014, validita_inizio=datetime.date(2012, 4, 1),
                           validita_fine=datetime.date(2014, 12, 31), scadenza_approvazione=datetime.date(2012, 3, 31))
    vecchio = crea_piano(AmbitoFactory(asl=mondo.ambito.asl), stato="vigente", ciclo=scaduto)
    in_corso = _piano_in(mondo, "vigente")
    assert concludi_piani_scaduti() == [vecchio.pk]
    vecchio.refresh_from_db()
    in_corso.refresh_from_db()
    assert (vecchio.stato, in_corso.stato) == ("concluso", "vigente")
    voce = vecchio.transizioni.get()
    assert voce.utente is None and voce.ruolo == "Sistema"


def test_le_transizioni_automatiche_soltanto_per_il_sistema(mondo):
    with pytest.raises(PermessoNegato):
        esegui_transizione(piano=mondo.piano, nome="annulla", utente=None, nota="x")


def test_il_registro_non_si_modifica_ne_si_cancella(mondo, guardie_soddisfatte):
    voce = esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=mondo[R.RESPONSABILE_UDP])
    voce.nota = "riscritta"
    with pytest.raises(TypeError):
        voce.save()
    with pytest.raises(TypeError):
        voce.delete()
    with pytest.raises(TypeError):
        TransizionePiano.objects.filter(pk=voce.pk).update(nota="x")
    with pytest.raises(TypeError):
        TransizionePiano.objects.filter(pk=voce.pk).delete()


def test_notifica_per_email_dopo_il_commit(mondo, guardie_soddisfatte, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        esegui_transizione(piano=mondo.piano, nome="approva_atto_indirizzo", utente=mondo[R.RESPONSABILE_UDP])
    destinatari = {m.to[0] for m in mail.outbox}
    assert mondo[R.PRESIDENTE_ASSEMBLEA].email in destinatari
    assert mondo[R.RESPONSABILE_UDP].email not in destinatari  # who acted is not notified
    assert mondo.udp_altro.email not in destinatari  # another ambito is not told
    assert "Atto di indirizzo" in mail.outbox[0].subject


def test_il_catalogo_copre_ogni_transizione_del_modello():
    dal_modello = {t.name for t in PianoDiZona._meta.get_field("stato").get_all_transitions(PianoDiZona)}
    assert dal_modello == set(TRANSIZIONI)


# --- piano_crea ---------------------------------------------------------------------------

def test_piano_crea_registra_l_avvio(mondo):
    nuovo_ambito = AmbitoFactory(asl=mondo.ambito.asl)
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, nuovo_ambito)
    piano = piano_crea(ciclo=mondo.piano.ciclo, ambiti=[nuovo_ambito], titolo="PdZ 2025-2027", utente=udp)
    assert piano.stato == "avvio"
    assert piano.transizioni.get().a_stato == "avvio"


def test_un_solo_piano_per_ambito_per_ciclo(mondo):
    with pytest.raises(DatiNonValidi) as exc:
        piano_crea(ciclo=mondo.piano.ciclo, ambiti=[mondo.ambito], titolo="Doppione", utente=mondo[R.RESPONSABILE_UDP])
    assert "ha già un piano" in str(exc.value)
    assert PianoDiZona.objects.filter(titolo="Doppione").count() == 0


def test_piano_sovradistrettuale_solo_stessa_asl(mondo):
    a1 = AmbitoFactory(asl=mondo.ambito.asl)
    a2 = AmbitoFactory(asl=mondo.ambito.asl)
    a3 = AmbitoFactory(asl=ASLFactory(nome="ASL di Lodi"))
    udp = utente_con_ruolo(R.RESPONSABILE_UDP, a1)
    for a in (a2, a3):
        utente_con_ruolo(R.OPERATORE_UDP, a)
        from ambiti.services import incarico_assegna
        incarico_assegna(utente=udp, ruolo=R.RESPONSABILE_UDP, ambito=a)
    piano = piano_crea(ciclo=mondo.piano.ciclo, ambiti=[a1, a2], titolo="Sovra", utente=udp)
    assert piano.sovra_distrettuale
    with pytest.raises(DatiNonValidi):
        piano_crea(ciclo=CicloFactory(anno_inizio=2028, anno_fine=2030), ambiti=[a1, a3], titolo="X", utente=udp)


def test_piano_crea_solo_per_i_propri_ambiti(mondo):
    with pytest.raises(PermessoNegato):
        piano_crea(ciclo=CicloFactory(anno_inizio=2028, anno_fine=2030), ambiti=[mondo.altro_ambito],
                   titolo="Intruso", utente=mondo[R.RESPONSABILE_UDP])
