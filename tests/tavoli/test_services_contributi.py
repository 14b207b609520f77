"""Contributions of a tavolo as a specification: what needs, offer and proposals are accepted,
from whom, and until when they may be edited."""

import pytest
from django.utils import timezone

from ambiti.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from tavoli import services_contributi as sc
from tavoli import services_sedute_tavolo as sst
from tavoli import services_tavoli as st
from tavoli import services_verbali as sv
from tavoli.models import Bisogno, EventoTavolo, SedutaTavolo, Tavolo

from ..factories import AreaInterventoFactory, ComuneFactory, EnteFactory, RegioneFactory, TipoUnitaOffertaFactory
from . import conftest_services_tavoli
from .conftest_services_tavoli import A, R, ente_di

scena = conftest_services_tavoli.scena  # the fixture, for this module


# --- contributions -----------------------------------------------------------------------------

def test_contributions_only_in_held_sessions_and_by_its_participants(scena):
    prevista = scena.seduta()
    with pytest.raises(TransizioneNonAmmessa, match="svolte"):
        sc.bisogno_registra(seduta=prevista, utente=scena.referente, destinatari="Anziani soli",
                            descrizione="Solitudine")
    svolta = scena.svolta()
    assert not st.puo_contribuire(scena.mondo[R.SINDACO], svolta)
    with pytest.raises(PermessoNegato):
        sc.bisogno_registra(seduta=svolta, utente=scena.mondo[R.SINDACO], destinatari="Anziani soli",
                            descrizione="Solitudine")


def test_a_need_defaults_to_the_tavolo_s_area_and_the_member_s_body(scena):
    seduta = scena.svolta()
    comune = scena.mondo.ambito.comuni.first()
    bisogno = sc.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari=" Anziani soli ",
                                  descrizione="Mancano pasti a domicilio nel fine settimana.", priorita="alta",
                                  comuni=[comune])
    assert (bisogno.area, bisogno.ente, bisogno.destinatari) == (scena.area, ente_di(scena.referente), "Anziani soli")
    assert list(bisogno.comuni.all()) == [comune]
    assert EventoTavolo.objects.filter(seduta=seduta, azione=A.CONTRIBUTO, utente=scena.referente).exists()


def test_contributions_stay_within_the_plan_s_region_and_comuni(scena):
    seduta = scena.svolta()
    toscana = RegioneFactory(codice_istat="09", nome="Toscana")
    with pytest.raises(DatiNonValidi) as errore:
        sc.bisogno_registra(seduta=seduta, utente=scena.coordinatore, destinatari="Anziani", descrizione="x",
                            area=AreaInterventoFactory(regione=toscana), comuni=[ComuneFactory(denominazione="Siena")],
                            priorita="urgentissima")
    assert len(errore.value.messaggi) == 3
    with pytest.raises(DatiNonValidi, match="catalogo in uso"):
        sc.offerta_registra(seduta=seduta, utente=scena.coordinatore, tipo=TipoUnitaOffertaFactory(regione=toscana),
                            denominazione="Centro diurno", comune=scena.mondo.ambito.comuni.first())
    unita = sc.offerta_registra(seduta=seduta, utente=scena.coordinatore, tipo=TipoUnitaOffertaFactory(),
                                denominazione="Centro diurno", comune=scena.mondo.ambito.comuni.first(), capacita=20)
    assert unita.capacita == 20
    assert Bisogno.objects.count() == 0


def test_a_member_records_contributions_only_for_their_own_body(scena):
    seduta = scena.svolta()
    with pytest.raises(DatiNonValidi, match="proprio ente"):
        sc.proposta_registra(seduta=seduta, utente=scena.referente, titolo="Custode sociale",
                             descrizione="Un custode per condominio.", ente=EnteFactory())
    assert sc.proposta_registra(seduta=seduta, utente=scena.coordinatore, titolo="Custode sociale",
                                descrizione="Un custode per condominio.", ente=EnteFactory()).pk


def test_a_contribution_is_edited_by_its_author_or_the_coordinator(scena):
    seduta = scena.svolta()
    altro = scena.aggiungi_membro()
    bisogno = sc.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani soli",
                                  descrizione="Solitudine")
    with pytest.raises(PermessoNegato):
        sc.contributo_modifica(contributo=bisogno, utente=altro.utente, descrizione="Altro")
    with pytest.raises(DatiNonValidi, match="seduta"):
        sc.contributo_modifica(contributo=bisogno, utente=scena.referente, seduta=None)
    sc.contributo_modifica(contributo=bisogno, utente=scena.referente, priorita="alta")
    sc.contributo_modifica(contributo=bisogno, utente=scena.coordinatore, descrizione="Solitudine e isolamento")
    bisogno.refresh_from_db()
    assert (bisogno.priorita, bisogno.descrizione) == ("alta", "Solitudine e isolamento")
    assert EventoTavolo.objects.filter(azione=A.CONTRIBUTO_MODIFICATO).count() == 2


def test_approved_minutes_freeze_the_session_s_contributions_and_attendance(scena):
    seduta = scena.svolta()
    bisogno = sc.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani", descrizione="x")
    verbale = sv.verbale_garantisci(seduta=seduta, utente=scena.coordinatore)
    sv.verbale_approva(verbale=verbale, utente=scena.coordinatore, modalita="coordinatore")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        sc.contributo_modifica(contributo=bisogno, utente=scena.coordinatore, descrizione="y")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        sc.bisogno_registra(seduta=seduta, utente=scena.referente, destinatari="Anziani", descrizione="z")
    with pytest.raises(TransizioneNonAmmessa, match="approvato"):
        sst.presenze_registra(seduta=seduta, utente=scena.coordinatore, membri=[scena.membro], ospiti=[])
    bisogno.refresh_from_db()
    assert bisogno.descrizione == "x" and Bisogno.objects.count() == 1


def test_a_proposal_answers_needs_of_the_same_plan_only(scena):
    seduta = scena.svolta()
    altrui = Bisogno.objects.create(
        seduta=SedutaTavolo.objects.create(
            tavolo=Tavolo.objects.create(piano=scena.mondo.piano_altro, area=scena.area, nome="Altro",
                                         coordinatore=scena.udp, creato_da=scena.udp),
            numero=1, data=timezone.now(), luogo="Sala", ordine_del_giorno="x", creata_da=scena.udp),
        area=scena.area, registrato_da=scena.udp, destinatari="Minori", descrizione="x")
    with pytest.raises(DatiNonValidi, match="non è stato raccolto"):
        sc.proposta_registra(seduta=seduta, utente=scena.coordinatore, titolo="T", descrizione="D", bisogni=[altrui])
