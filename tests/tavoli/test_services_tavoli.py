"""The tavoli tematici as a specification: the region's areas, who sets a tavolo up, who
reads and runs it, and its focus-groups."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accordi.models import PianoDiZona, Stato
from ambiti.exceptions import DatiNonValidi, PermessoNegato, TransizioneNonAmmessa
from tavoli import services_membri_tavolo as sm
from tavoli import services_tavoli as st
from tavoli.models import AreaIntervento, EventoTavolo, MembroTavolo, Tavolo

from ..factories import AreaInterventoFactory, RegioneFactory, UtenteFactory
from . import conftest_services_tavoli
from .conftest_services_tavoli import A, R

scena = conftest_services_tavoli.scena  # the fixture, for this module


# --- areas and tavoli --------------------------------------------------------------------------

def test_a_region_gets_the_default_areas_once(db):
    regione = RegioneFactory(codice_istat="09", nome="Toscana")
    aree = st.aree_della_regione(regione)
    assert [a.nome for a in aree][:3] == ["Anziani", "Disabilità", "Minori e famiglia"]
    AreaIntervento.objects.filter(regione=regione, codice="giovani").update(attiva=False)
    assert len(st.aree_della_regione(regione)) == len(aree) - 1
    assert AreaIntervento.objects.filter(regione=regione).count() == len(aree)


def test_only_the_udp_of_the_plan_sets_up_a_tavolo(mondo):
    area = st.aree_della_regione(mondo.ambito.asl.regione)[1]
    for estraneo in (mondo.udp_altro, mondo[R.PRESIDENTE_ASSEMBLEA], mondo[R.REFERENTE_TERZO_SETTORE]):
        with pytest.raises(PermessoNegato):
            st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=estraneo, utente=estraneo)
    assert not Tavolo.objects.exists()


def test_the_coordinator_becomes_an_active_member_and_creation_is_logged(scena):
    riga = MembroTavolo.objects.get(tavolo=scena.tavolo, utente=scena.coordinatore)
    assert riga.stato == MembroTavolo.Stato.ATTIVO
    assert scena.tavolo.nome == "Tavolo Anziani"
    assert EventoTavolo.objects.filter(tavolo=scena.tavolo, azione=A.TAVOLO_CREATO, utente=scena.udp).exists()


def test_one_tavolo_per_plan_and_area(scena):
    with pytest.raises(DatiNonValidi, match="ha già un tavolo per l'area «Anziani»"):
        st.tavolo_crea(piano=scena.mondo.piano, area=scena.area, coordinatore=scena.coordinatore, utente=scena.udp)


def test_the_area_must_be_one_of_the_plan_s_region(mondo):
    estranea = AreaInterventoFactory(regione=RegioneFactory(codice_istat="09", nome="Toscana"), nome="Anziani")
    with pytest.raises(DatiNonValidi, match="regione del piano"):
        st.tavolo_crea(piano=mondo.piano, area=estranea, coordinatore=mondo[R.OPERATORE_UDP],
                       utente=mondo[R.RESPONSABILE_UDP])


def test_tavoli_are_set_up_only_while_the_plan_is_prepared(mondo):
    PianoDiZona.objects.filter(pk=mondo.piano.pk).update(stato=Stato.PARERE_SINDACATI)
    area = st.aree_della_regione(mondo.ambito.asl.regione)[0]
    with pytest.raises(TransizioneNonAmmessa, match="Parere dei sindacati"):
        st.tavolo_crea(piano=mondo.piano, area=area, coordinatore=mondo[R.OPERATORE_UDP],
                       utente=mondo[R.RESPONSABILE_UDP])


@pytest.mark.parametrize(("chi", "legge"), [
    (R.RESPONSABILE_UDP, True), (R.SINDACO, True), (R.PRESIDENTE_ASSEMBLEA, True), (R.REFERENTE_ASL, True),
    (R.REFERENTE_SINDACATO, False), (R.COMPONENTE_TAVOLO, False),
])
def test_who_reads_a_tavolo_by_role_in_the_ambito(scena, chi, legge):
    assert st.puo_leggere(scena.mondo[chi], scena.tavolo) is legge


def test_members_coordinator_and_regional_officers_read_outsiders_do_not(scena):
    assert st.puo_leggere(scena.referente, scena.tavolo)
    assert st.puo_leggere(scena.coordinatore, scena.tavolo)
    assert st.puo_leggere(scena.mondo.regionale, scena.tavolo)
    assert not st.puo_leggere(scena.mondo.udp_altro, scena.tavolo)
    assert not st.puo_leggere(AnonymousUser(), scena.tavolo)


def test_the_udp_of_another_ambito_may_not_run_the_tavolo(scena):
    altro = scena.mondo.udp_altro
    assert not st.puo_coordinare(altro, scena.tavolo)
    with pytest.raises(PermessoNegato):
        sm.membro_invita(tavolo=scena.tavolo, invitato=altro, ente=None, utente=altro)
    with pytest.raises(PermessoNegato):
        scena.seduta(utente=altro)


def test_only_the_udp_names_another_coordinator_or_closes_the_tavolo(scena):
    st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.coordinatore, mandato="Nuovo mandato")
    with pytest.raises(PermessoNegato):
        st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.coordinatore, chiuso=True)
    st.tavolo_modifica(tavolo=scena.tavolo, utente=scena.udp, coordinatore=scena.referente, chiuso=True)
    scena.tavolo.refresh_from_db()
    assert (scena.tavolo.mandato, scena.tavolo.coordinatore, scena.tavolo.attivo) == (
        "Nuovo mandato", scena.referente, False)
    with pytest.raises(TransizioneNonAmmessa, match="chiuso"):
        scena.seduta(utente=scena.udp)



# --- focus-groups ------------------------------------------------------------------------------

def test_focus_group_members_must_be_active_members_of_the_tavolo(scena):
    invitata = UtenteFactory()
    in_attesa = sm.membro_invita(tavolo=scena.tavolo, invitato=invitata, ente=None, utente=scena.coordinatore)
    with pytest.raises(DatiNonValidi, match="non è un componente attivo"):
        st.focus_group_crea(tavolo=scena.tavolo, nome="Caregiver", tema="", referente=None,
                            membri=[scena.membro, in_attesa], utente=scena.coordinatore)
    assert not scena.tavolo.focus_group.exists()
