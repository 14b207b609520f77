"""Sign-in, sign-out, password reset by e-mail, and roles granted from the admin."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ambiti.models import Incarico
from ambiti.ruoli import Permessi

from ..factories import AmbitoFactory, UtenteFactory

pytestmark = pytest.mark.django_db


def test_accesso_e_uscita(client):
    UtenteFactory(username="giulia")
    risposta = client.post(reverse("login"), {"username": "giulia", "password": "password-di-prova"})
    assert risposta.status_code == 302
    assert client.get(reverse("accordi:home")).context["user"].username == "giulia"
    client.post(reverse("logout"))
    assert not client.get(reverse("accordi:home")).context["user"].is_authenticated


def test_credenziali_errate_messaggio_in_italiano(client):
    UtenteFactory(username="giulia")
    risposta = client.post(reverse("login"), {"username": "giulia", "password": "sbagliata"})
    assert risposta.status_code == 200
    assert "Inserisci nome utente e password corretti" in risposta.text


def test_reimpostazione_password_per_email(client):
    utente = UtenteFactory(username="giulia", email="giulia@comune.pv.it")
    client.post(reverse("password_reset"), {"email": "giulia@comune.pv.it"})
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "PianoZona: reimposta la password"
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    pagina = client.get(link, follow=True)
    assert pagina.context["validlink"]
    client.post(pagina.redirect_chain[-1][0] if pagina.redirect_chain else link,
                {"new_password1": "Nuova-password-2026", "new_password2": "Nuova-password-2026"})
    utente.refresh_from_db()
    assert utente.check_password("Nuova-password-2026")


def test_reimpostazione_non_rivela_se_l_email_esiste(client):
    risposta = client.post(reverse("password_reset"), {"email": "nessuno@example.it"}, follow=True)
    assert "Se l'indirizzo corrisponde a un profilo" in risposta.text
    assert mail.outbox == []


def test_incarico_dall_admin_concede_e_revoca_i_permessi(admin_client):
    ambito = AmbitoFactory()
    utente = UtenteFactory()
    url = reverse("admin:ambiti_incarico_add")
    risposta = admin_client.post(url, {
        "utente": utente.pk, "ruolo": Incarico.Ruolo.OPERATORE_UDP, "ambito": ambito.pk,
        "dal": "2026-01-01", "attivo": "on",
    })
    assert risposta.status_code == 302, risposta.content
    assert Permessi(type(utente).objects.get(pk=utente.pk)).ha("gestisci_piano", ambito)
    incarico = Incarico.objects.get(utente=utente)
    risposta = admin_client.post(reverse("admin:ambiti_incarico_change", args=[incarico.pk]), {
        "utente": utente.pk, "ruolo": Incarico.Ruolo.OPERATORE_UDP, "ambito": ambito.pk,
        "dal": "2026-01-01", "al": "2026-06-30",
    })
    assert risposta.status_code == 302
    assert not Permessi(type(utente).objects.get(pk=utente.pk)).ha("gestisci_piano", ambito)


@pytest.mark.parametrize("modello", ["regione", "provincia", "comune", "asl", "ambito", "ente", "incarico", "utente"])
def test_admin_elenchi_con_ricerca(admin_client, modello):
    AmbitoFactory()
    risposta = admin_client.get(reverse(f"admin:ambiti_{modello}_changelist"), {"q": "Pavia"})
    assert risposta.status_code == 200
