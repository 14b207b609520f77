"""Minutes of a tavolo as a specification: how they go from draft, through circulation and
observations, to an approved act."""

import pytest

from accordi.models import Documento
from ambiti.exceptions import DatiNonValidi, PermessoNegato, StatoCambiato, TransizioneNonAmmessa
from tavoli import services_verbali as sv
from tavoli.models import EventoTavolo, VerbaleTavolo

from . import conftest_services_tavoli
from .conftest_services_tavoli import ORDINE, A, R

scena = conftest_services_tavoli.scena  # the fixture, for this module


# --- minutes -----------------------------------------------------------------------------------

def test_minutes_open_only_for_held_sessions_with_one_entry_per_agenda_item(scena):
    with pytest.raises(TransizioneNonAmmessa, match="dopo lo svolgimento"):
        sv.verbale_garantisci(seduta=scena.seduta(), utente=scena.coordinatore)
    seduta = scena.svolta()
    with pytest.raises(PermessoNegato):
        sv.verbale_garantisci(seduta=seduta, utente=scena.referente)
    verbale = sv.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    assert verbale.discussione == [{"punto": p, "testo": ""} for p in ORDINE.splitlines()]
    assert sv.verbale_garantisci(seduta=seduta, utente=scena.udp).pk == verbale.pk


def test_a_stale_save_of_the_minutes_is_refused_and_saves_nothing(scena):
    verbale = sv.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    voci = [{"punto": "Comunicazioni", "testo": "Nessuna."}]
    salvato = sv.verbale_salva(verbale=verbale, utente=scena.udp, versione=1, discussione=voci,
                               decisioni="Mappare i servizi.", prossimi_passi="")
    assert salvato.versione == 2
    with pytest.raises(StatoCambiato, match="Qualcun altro ha salvato il verbale nel frattempo"):
        sv.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=1, discussione=[],
                         decisioni="Sovrascritto", prossimi_passi="Sovrascritto")
    verbale.refresh_from_db()
    assert (verbale.versione, verbale.decisioni, verbale.discussione) == (2, "Mappare i servizi.", voci)


def test_minutes_discussion_must_be_a_list_of_items_with_texts(scena):
    verbale = sv.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    for sbagliata in ({"punto": "x"}, [{"punto": "x", "testo": 3}], [{"punto": "x", "autore": "y"}], ["x"]):
        with pytest.raises(DatiNonValidi, match="formato"):
            sv.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=1, discussione=sbagliata,
                             decisioni="", prossimi_passi="")
    verbale.refresh_from_db()
    assert verbale.versione == 1


def test_circulated_minutes_reach_members_who_may_send_observations(scena, django_capture_on_commit_callbacks,
                                                                    mailoutbox):
    verbale = sv.verbale_garantisci(seduta=scena.svolta(), utente=scena.coordinatore)
    with pytest.raises(TransizioneNonAmmessa):
        sv.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="Manca il punto 2.")
    with django_capture_on_commit_callbacks(execute=True):
        sv.verbale_invia(verbale=verbale, utente=scena.coordinatore)
    assert sorted(m.to[0] for m in mailoutbox) == ["coordinatrice@example.it", "u-referente_terzo_settore@example.it"]
    assert "osservazioni" in mailoutbox[0].body
    with pytest.raises(PermessoNegato):
        sv.osservazione_aggiungi(verbale=verbale, utente=scena.mondo[R.SINDACO], testo="Da fuori")
    with pytest.raises(DatiNonValidi):
        sv.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="  ")
    osservazione = sv.osservazione_aggiungi(verbale=verbale, utente=scena.referente, testo="Manca il punto 2.")
    assert (osservazione.versione, osservazione.autore) == (1, scena.referente)
    assert sv.verbale_riapri(verbale=verbale, utente=scena.coordinatore).stato == VerbaleTavolo.Stato.BOZZA


def test_the_coordinator_approves_and_the_act_is_requested_once(scena):
    seduta = scena.svolta()
    verbale = sv.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    with pytest.raises(PermessoNegato):
        sv.verbale_approva(verbale=verbale, utente=scena.referente, modalita="coordinatore")
    verbale = sv.verbale_approva(verbale=verbale, utente=scena.coordinatore, modalita="coordinatore")
    assert (verbale.stato, verbale.approvato_da, verbale.modalita_approvazione) == (
        VerbaleTavolo.Stato.APPROVATO, scena.coordinatore, "coordinatore")
    documento = verbale.documento
    assert (documento.tipo, documento.chiave, documento.piano) == (
        Documento.Tipo.VERBALE_TAVOLO, f"verbale-tavolo:{seduta.pk}", scena.mondo.piano)
    assert documento.ente_emittente == "Tavolo Anziani – Ambito di Pavia"
    with pytest.raises(StatoCambiato):
        sv.verbale_approva(verbale=verbale, utente=scena.udp, modalita="coordinatore")
    with pytest.raises(TransizioneNonAmmessa):
        sv.verbale_salva(verbale=verbale, utente=scena.coordinatore, versione=verbale.versione, discussione=[],
                         decisioni="", prossimi_passi="")
    assert Documento.objects.filter(tipo=Documento.Tipo.VERBALE_TAVOLO).count() == 1


def test_approval_at_a_session_needs_a_later_held_session_of_the_same_tavolo(scena):
    prima = scena.svolta(giorni_fa=10)
    verbale = sv.verbale_garantisci(seduta=prima, utente=scena.coordinatore)
    precedente = scena.svolta(giorni_fa=20)
    non_svolta = scena.seduta()
    for sbagliata, messaggio in ((None, "Indica la seduta"), (precedente, "successiva"),
                                 (non_svolta, "essersi svolta")):
        with pytest.raises(DatiNonValidi, match=messaggio):
            sv.verbale_approva(verbale=verbale, utente=scena.udp, modalita="seduta", seduta_approvazione=sbagliata)
    verbale.refresh_from_db()
    assert verbale.stato == VerbaleTavolo.Stato.BOZZA and verbale.documento is None
    seconda = scena.svolta(giorni_fa=1)
    verbale = sv.verbale_approva(verbale=verbale, utente=scena.udp, modalita="seduta", seduta_approvazione=seconda)
    assert (verbale.approvato_in, verbale.modalita_approvazione) == (seconda, "seduta")
    assert EventoTavolo.objects.filter(seduta=prima, azione=A.VERBALE_APPROVATO, utente=scena.udp).exists()
