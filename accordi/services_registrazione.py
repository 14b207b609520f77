"""A Terzo Settore body registers itself on the portal: the request, the confirmation by e-mail
and the purge of requests nobody confirmed.

Decision: **the browser never tells anything; outcomes reach only the mailbox given.** Whoever
fills in the public form always gets the same answer ("controlla la tua casella di posta"),
whether the e-mail address already belongs to an account, whether the body's codice fiscale is
already registered, or whether the request was kept at all. Only the mailbox learns more:
- a new address receives a confirmation link (signed, valid 72 hours) even when the codice
  fiscale is already taken: the outcome is decided when the link is used;
- an address that already belongs to an account receives "hai già un account: accedi o
  reimposta la password", and nothing is stored.
Both paths hash the password and queue one e-mail, so that they also take the same time.

Until the link is used nothing exists but a ``RichiestaRegistrazione`` (the form's fields, the
password only as a hash). Using the link creates, in one transaction, the referent's account,
the body (an ``Ente`` of the Terzo Settore) and its ``RegistrazioneEnte``. If meanwhile the
address or the codice fiscale has been registered, nothing is created, the request is deleted
and the body's current referents are told that someone tried to register it. Requests not
confirmed within ``CONSERVAZIONE`` are deleted every day (Celery beat).

E-mails never repeat what the form's author typed (the body's name, a person's name): the
form would otherwise send any text to any address."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from typing import NoReturn

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ambiti.models import Ambito, Ente, Incarico

from .exceptions import DatiNonValidi
from .models import RegistrazioneEnte, RichiestaRegistrazione

SALE = "accordi.portale.registrazione"
VALIDITA_LINK = datetime.timedelta(hours=72)
CONSERVAZIONE = datetime.timedelta(days=7)

# The form's fields that a request keeps (``password`` is added as a hash).
CAMPI = (
    "denominazione", "forma_giuridica", "codice_fiscale", "partita_iva", "sezione_runts", "numero_runts", "sede",
    "ambiti", "legale_rappresentante", "legale_rappresentante_cf", "nome", "cognome", "codice_fiscale_referente",
    "email",
)


class LinkNonValido(DatiNonValidi):
    """The link was altered, has expired, or its request no longer exists."""


class GiaConfermata(DatiNonValidi):
    """The link was already used: the account exists."""


class NonCompletabile(DatiNonValidi):
    """The address or the codice fiscale was registered after the request: nothing created."""


@dataclass
class Registrazione:
    utente: object
    ente: Ente


def _url(nome: str, *args) -> str:
    return settings.PIANOZONA_SITE_URL.rstrip("/") + reverse(nome, args=args)


def _invia(oggetto: str, testo: str, indirizzi: list[str]) -> None:
    from .tasks_portale import invia_posta

    transaction.on_commit(lambda: invia_posta.delay(oggetto, testo, indirizzi))


def _email_in_uso(email: str) -> bool:
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()


# --- the request ------------------------------------------------------------------------------

def registrazione_richiedi(*, dati: dict, password: str) -> None:
    """Receive a valid form (``dati``: the fields of ``CAMPI``, already checked by the form).
    Returns nothing on purpose: the caller must answer the same way whatever happened here."""
    email = dati["email"].strip()
    hash_password = make_password(password)  # in every path: the same work, the same time
    if _email_in_uso(email):
        _invia(_("PianoZona: hai già un account"), render_to_string("accordi/portale/email_account_esistente.txt", {
            "accedi": _url("login"), "reimposta": _url("password_reset"), "portale": _url("accordi:portale"),
        }), [email])
        return
    richiesta = RichiestaRegistrazione.objects.create(
        email=email,
        dati={**{campo: dati.get(campo) for campo in CAMPI}, "email": email, "password": hash_password,
              "nonce": secrets.token_urlsafe(12)},
    )
    _invia(_("PianoZona: conferma la registrazione dell'ente"), render_to_string(
        "accordi/portale/email_conferma.txt", {
            "link": _url("accordi:registrazione_conferma", token_per(richiesta)),
            "ore": int(VALIDITA_LINK.total_seconds() // 3600), "giorni": CONSERVAZIONE.days,
        }), [email])


def token_per(richiesta: RichiestaRegistrazione) -> str:
    """The confirmation token: the request and its random nonce (a purged request's number reused
    by a later one does not make an old link valid), signed with a salt of its own."""
    return signing.dumps({"r": richiesta.pk, "n": richiesta.dati.get("nonce", "")}, salt=SALE, compress=True)


def _leggi_token(token: str) -> dict:
    try:
        return signing.loads(token, salt=SALE, max_age=VALIDITA_LINK)
    except signing.SignatureExpired as exc:
        raise LinkNonValido(_("Il collegamento è scaduto: era valido %(ore)s ore.") % {
            "ore": int(VALIDITA_LINK.total_seconds() // 3600)}) from exc
    except signing.BadSignature as exc:
        raise LinkNonValido(_("Il collegamento non è valido: forse è stato copiato solo in parte.")) from exc


def richiesta_da_token(token: str) -> RichiestaRegistrazione:
    """The request a link confirms; raises LinkNonValido or GiaConfermata."""
    contenuto = _leggi_token(token)
    richiesta = RichiestaRegistrazione.objects.filter(pk=contenuto.get("r")).first()
    if richiesta is None or not secrets.compare_digest(str(richiesta.dati.get("nonce", "")), str(contenuto.get("n"))):
        raise LinkNonValido(_("Il collegamento non è più valido: la richiesta non esiste più."))
    if richiesta.confermata_il:
        raise GiaConfermata(_("Questa registrazione è già stata confermata."))
    return richiesta


# --- the confirmation ---------------------------------------------------------------------------

class _Conflitto(Exception):
    def __init__(self, ente: Ente | None):
        self.ente = ente


def registrazione_conferma(*, token: str) -> Registrazione:
    """Use a confirmation link: create the account, the body and its registration in one
    transaction. Raises LinkNonValido, GiaConfermata or NonCompletabile (nothing created)."""
    richiesta = richiesta_da_token(token)
    try:
        with transaction.atomic():
            bloccata = RichiestaRegistrazione.objects.select_for_update().filter(pk=richiesta.pk).first()
            if bloccata is None:  # a concurrent use of the same link found it could not succeed
                raise LinkNonValido(_("Il collegamento non è più valido: la richiesta non esiste più."))
            if bloccata.confermata_il:
                raise GiaConfermata(_("Questa registrazione è già stata confermata."))
            return _crea(bloccata)
    except _Conflitto as conflitto:
        ente = conflitto.ente
    except (IntegrityError, ValidationError):
        # Someone registered the same address or codice fiscale in the same instant.
        ente = Ente.objects.filter(codice_fiscale=richiesta.dati["codice_fiscale"]).first()
    _non_completabile(richiesta, ente)


def _crea(richiesta: RichiestaRegistrazione) -> Registrazione:
    d = richiesta.dati
    ente_esistente = Ente.objects.filter(codice_fiscale=d["codice_fiscale"]).first()
    if ente_esistente is not None or _email_in_uso(richiesta.email):
        raise _Conflitto(ente_esistente)
    adesso = timezone.now()
    utente = get_user_model()(
        username=richiesta.email.lower(), email=richiesta.email, first_name=d["nome"], last_name=d["cognome"],
        codice_fiscale=d["codice_fiscale_referente"], password=d["password"], is_active=True,
    )
    utente.full_clean(validate_unique=False)
    utente.save()
    ente = Ente(
        tipo=Ente.Tipo.TERZO_SETTORE, denominazione=d["denominazione"], forma_giuridica=d["forma_giuridica"],
        codice_fiscale=d["codice_fiscale"], partita_iva=d.get("partita_iva") or "",
        sezione_runts=d.get("sezione_runts") or "", numero_runts=d.get("numero_runts") or "",
        sede=d.get("sede") or "", email=richiesta.email,
    )
    ente.full_clean()
    ente.save()
    ente.ambiti.set(Ambito.objects.filter(pk__in=d.get("ambiti") or []))
    RegistrazioneEnte.objects.create(
        ente=ente, referente=utente, legale_rappresentante=d["legale_rappresentante"],
        legale_rappresentante_cf=d["legale_rappresentante_cf"], email_confermata_il=adesso,
    )
    richiesta.confermata_il = adesso
    richiesta.ente = ente
    richiesta.save(update_fields=["confermata_il", "ente"])
    return Registrazione(utente=utente, ente=ente)


def referenti_dell_ente(ente: Ente) -> list[str]:
    """The addresses of the people who act for a body: its registered referent and the active
    Terzo Settore referents' roles."""
    indirizzi = set(RegistrazioneEnte.objects.filter(ente=ente).values_list("referente__email", flat=True))
    indirizzi |= set(Incarico.objects.filter(ente=ente, attivo=True, ruolo=Incarico.Ruolo.REFERENTE_TERZO_SETTORE,
                                             utente__is_active=True).values_list("utente__email", flat=True))
    return sorted(i for i in indirizzi if i)


def _non_completabile(richiesta: RichiestaRegistrazione, ente: Ente | None) -> NoReturn:
    """Nothing was created: delete the request (it can no longer succeed, and its link must not
    notify the body twice) and tell the body's referents, if the codice fiscale was the cause."""
    with transaction.atomic():
        RichiestaRegistrazione.objects.filter(pk=richiesta.pk, confermata_il__isnull=True).delete()
        if ente is not None:
            indirizzi = [i for i in referenti_dell_ente(ente) if i.lower() != richiesta.email.lower()]
            if indirizzi:
                _invia(_("PianoZona: tentativo di registrazione del vostro ente"), render_to_string(
                    "accordi/portale/email_tentativo.txt", {
                        "ente": ente.denominazione, "email": richiesta.email, "portale": _url("accordi:portale"),
                    }), indirizzi)
    raise NonCompletabile(_("Non è possibile completare la registrazione con questi dati."))


# --- the purge --------------------------------------------------------------------------------

def registrazioni_scadute_elimina(*, adesso: datetime.datetime | None = None) -> int:
    """Delete the requests nobody confirmed within ``CONSERVAZIONE``; returns how many."""
    limite = (adesso or timezone.now()) - CONSERVAZIONE
    eliminate, _dettaglio = RichiestaRegistrazione.objects.filter(
        confermata_il__isnull=True, creata_il__lt=limite).delete()
    return eliminate
