"""Roles as object permissions: granted with the Incarico, revoked when it ends."""

import pytest
from django.core.exceptions import ValidationError

from ambiti.models import Ente, Incarico
from ambiti.ruoli import Permessi
from ambiti.services import incarico_assegna, incarico_termina

from ..factories import AmbitoFactory, EnteFactory, RegioneFactory, UtenteFactory, ente_per

R = Incarico.Ruolo
pytestmark = pytest.mark.django_db


def test_il_ruolo_concede_i_permessi_solo_nel_proprio_ambito():
    a, b = AmbitoFactory(), AmbitoFactory()
    utente = UtenteFactory()
    incarico_assegna(utente=utente, ruolo=R.RESPONSABILE_UDP, ambito=a)
    p = Permessi(utente)
    assert p.ha("gestisci_piano", a) and p.ha("consulta_ambito", a)
    assert not p.ha("gestisci_piano", b) and not p.ha("presiedi_assemblea", a)


def test_terminare_l_incarico_revoca_i_permessi_ma_conserva_la_storia():
    a = AmbitoFactory()
    utente = UtenteFactory()
    incarico = incarico_assegna(utente=utente, ruolo=R.OPERATORE_UDP, ambito=a)
    incarico_termina(incarico=incarico)
    assert not Permessi(UtenteFactory._meta.model.objects.get(pk=utente.pk)).ha("gestisci_piano", a)
    assert Incarico.objects.filter(pk=incarico.pk, attivo=False).exists()


def test_revoca_conserva_cio_che_un_altro_incarico_concede():
    a = AmbitoFactory()
    utente = UtenteFactory()
    presidente = incarico_assegna(utente=utente, ruolo=R.PRESIDENTE_ASSEMBLEA, ambito=a)
    incarico_assegna(utente=utente, ruolo=R.SINDACO, ambito=a, ente=ente_per(R.SINDACO, a))
    incarico_termina(incarico=presidente)
    p = Permessi(type(utente).objects.get(pk=utente.pk))
    assert p.ha("consulta_ambito", a) and p.ha("vota_assemblea", a)
    assert not p.ha("presiedi_assemblea", a)


def test_il_sindaco_deve_essere_di_un_comune_dell_ambito():
    a, b = AmbitoFactory(), AmbitoFactory()
    with pytest.raises(ValidationError, match="non fa parte dell'ambito"):
        incarico_assegna(utente=UtenteFactory(), ruolo=R.SINDACO, ambito=a, ente=ente_per(R.SINDACO, b))
    with pytest.raises(ValidationError, match="richiede un ente di tipo"):
        incarico_assegna(utente=UtenteFactory(), ruolo=R.SINDACO, ambito=a, ente=EnteFactory())


def test_operatore_regionale_per_regione():
    with pytest.raises(ValidationError):
        incarico_assegna(utente=UtenteFactory(), ruolo=R.OPERATORE_REGIONALE, ambito=AmbitoFactory())
    utente = UtenteFactory()
    incarico_assegna(utente=utente, ruolo=R.OPERATORE_REGIONALE, regione=RegioneFactory())
    a = AmbitoFactory()
    p = Permessi(utente)
    assert p.legge([a]) and not p.ha("gestisci_piano", a)


def test_utente_disattivato_non_ha_permessi():
    a = AmbitoFactory()
    utente = UtenteFactory()
    incarico_assegna(utente=utente, ruolo=R.RESPONSABILE_UDP, ambito=a)
    utente.is_active = False
    utente.save()
    assert not Permessi(utente).ha("gestisci_piano", a)


def test_validazione_enti_terzo_settore():
    ente = Ente(denominazione="APS Esempio", tipo=Ente.Tipo.TERZO_SETTORE, codice_fiscale="12345678901")
    with pytest.raises(ValidationError) as exc:
        ente.full_clean()
    assert "forma_giuridica" in exc.value.message_dict
    assert "codice_fiscale" in exc.value.message_dict  # wrong check digit
    ente = EnteFactory.build(tipo=Ente.Tipo.TERZO_SETTORE, forma_giuridica=Ente.FormaGiuridica.ODV,
                             sezione_runts=Ente.SezioneRUNTS.A, numero_runts="42", partita_iva="")
    ente.full_clean()


def test_partita_iva_non_valida():
    ente = EnteFactory.build(partita_iva="01234567890")
    with pytest.raises(ValidationError) as exc:
        ente.full_clean()
    assert "Partita IVA non valida" in str(exc.value)
