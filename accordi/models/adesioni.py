"""The Terzo Settore portal: a body's self-registration (confirmed by e-mail), its requests to
adhere to an Accordo stating the resources it brings (seed 000: "con l'indicazione del concorso
di risorse proprie"), their review by the Ufficio di Piano and the adesione act the body's
legal representative signs."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from ambiti.models import Ente
from ambiti.sola_aggiunta import SolaAggiunta

from .accordo import AccordoDiProgramma
from .documenti import Documento


class RichiestaRegistrazione(models.Model):
    """A registration waiting for its e-mail to be confirmed. Nothing else exists until then:
    the body and the referent's account are created by the confirmation, so an unconfirmed
    request holds no codice fiscale and no address. ``dati`` keeps the form's fields (the
    password only as a hash); unconfirmed requests expire."""

    email = models.EmailField(_("e-mail"))
    dati = models.JSONField()
    creata_il = models.DateTimeField(auto_now_add=True, db_index=True)
    confermata_il = models.DateTimeField(null=True, blank=True)
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("richiesta di registrazione")
        verbose_name_plural = _("richieste di registrazione")
        ordering = ["-creata_il"]

    def __str__(self):
        return self.email


class RegistrazioneEnte(models.Model):
    """A Terzo Settore body registered through the portal: its referent's account and its
    legal representative (who signs the adesione act)."""

    ente = models.OneToOneField(Ente, on_delete=models.PROTECT, related_name="registrazione")
    referente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                  related_name="enti_registrati")
    legale_rappresentante = models.CharField(_("legale rappresentante"), max_length=200)
    legale_rappresentante_cf = models.CharField(_("codice fiscale del legale rappresentante"), max_length=16)
    email_confermata_il = models.DateTimeField(_("e-mail confermata il"))
    creata_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("registrazione di ente del Terzo Settore")
        verbose_name_plural = _("registrazioni di enti del Terzo Settore")
        ordering = ["ente__denominazione"]

    def __str__(self):
        return str(self.ente)


class StatoAdesione(models.TextChoices):
    BOZZA = "bozza", _("Bozza")
    INVIATA = "inviata", _("Inviata")
    IN_ISTRUTTORIA = "in_istruttoria", _("In istruttoria")
    INTEGRAZIONE_RICHIESTA = "integrazione", _("Integrazione richiesta")
    ACCOLTA = "accolta", _("Accolta – in attesa di firma")
    RESPINTA = "respinta", _("Respinta")
    SOTTOSCRITTA = "sottoscritta", _("Sottoscritta")
    RITIRATA = "ritirata", _("Ritirata")


APERTE = [StatoAdesione.BOZZA, StatoAdesione.INVIATA, StatoAdesione.IN_ISTRUTTORIA,
          StatoAdesione.INTEGRAZIONE_RICHIESTA]


class RichiestaAdesione(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """A body's request to adhere to an Accordo open for signature or in force. The body edits it
    while it is a draft or while more information is asked; the Ufficio di Piano reviews it
    (*inviata → in istruttoria → integrazione richiesta → accolta / respinta*); once accepted the
    adesione act is signed by the body's legal representative and the body becomes an adherent."""

    accordo = models.ForeignKey(AccordoDiProgramma, on_delete=models.PROTECT, related_name="adesioni")
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="adesioni")
    stato = FSMField(_("stato"), default=StatoAdesione.BOZZA, choices=StatoAdesione.choices, protected=True,
                     db_index=True)
    dichiarazione = models.TextField(_("dichiarazione"), blank=True)
    aree = models.ManyToManyField("tavoli.AreaIntervento", blank=True, related_name="+",
                                  verbose_name=_("aree di intervento"))
    tavoli = models.ManyToManyField("tavoli.Tavolo", blank=True, related_name="+",
                                    verbose_name=_("tavoli a cui l'ente ha partecipato"))
    documento = models.ForeignKey(Documento, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                  verbose_name=_("atto di adesione"))
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)
    inviata_il = models.DateTimeField(_("inviata il"), null=True, blank=True)
    decisa_il = models.DateTimeField(_("decisa il"), null=True, blank=True)
    sottoscritta_il = models.DateTimeField(_("sottoscritta il"), null=True, blank=True)
    aggiornata_il = models.DateTimeField(auto_now=True)
    versione = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("richiesta di adesione")
        verbose_name_plural = _("richieste di adesione")
        ordering = ["-creata_il"]
        constraints = [
            # One living request per body and Accordo: a refused or withdrawn one may be followed
            # by a new one.
            models.UniqueConstraint(
                fields=["accordo", "ente"], condition=~Q(stato__in=["respinta", "ritirata"]),
                name="una_adesione_viva_per_ente",
            ),
        ]

    def __str__(self):
        return f"{self.ente} → {self.accordo}"

    @property
    def modificabile(self) -> bool:
        return self.stato in (StatoAdesione.BOZZA, StatoAdesione.INTEGRAZIONE_RICHIESTA)

    # The graph; accordi.services_adesioni tells the story of each step.
    @transition(field=stato, source=StatoAdesione.BOZZA, target=StatoAdesione.INVIATA)
    def invia(self):
        pass

    @transition(field=stato, source=StatoAdesione.INVIATA, target=StatoAdesione.IN_ISTRUTTORIA)
    def prendi_in_carico(self):
        pass

    @transition(field=stato, source=StatoAdesione.IN_ISTRUTTORIA, target=StatoAdesione.INTEGRAZIONE_RICHIESTA)
    def richiedi_integrazione(self):
        pass

    @transition(field=stato, source=StatoAdesione.INTEGRAZIONE_RICHIESTA, target=StatoAdesione.IN_ISTRUTTORIA)
    def integra(self):
        pass

    @transition(field=stato, source=StatoAdesione.IN_ISTRUTTORIA, target=StatoAdesione.ACCOLTA)
    def accogli(self):
        pass

    @transition(field=stato, source=StatoAdesione.IN_ISTRUTTORIA, target=StatoAdesione.RESPINTA)
    def respingi(self):
        pass

    @transition(field=stato, source=StatoAdesione.ACCOLTA, target=StatoAdesione.SOTTOSCRITTA)
    def sottoscrivi(self):
        pass

    @transition(field=stato, source=APERTE, target=StatoAdesione.RITIRATA)
    def ritira(self):
        pass


class RisorsaAdesione(models.Model):
    """A resource the body brings: its kind, what it is, how much (in the kind's unit) and its
    value in euro cents (for money, the amount itself)."""

    class Tipo(models.TextChoices):
        DENARO = "denaro", _("Risorse economiche (euro)")
        ORE_PERSONALE = "ore_personale", _("Ore di personale")
        VOLONTARI = "volontari", _("Volontari")
        LOCALI = "locali", _("Locali e spazi")
        ATTREZZATURE = "attrezzature", _("Attrezzature e mezzi")
        SERVIZI = "servizi", _("Servizi e prestazioni in natura")

    richiesta = models.ForeignKey(RichiestaAdesione, on_delete=models.CASCADE, related_name="risorse")
    tipo = models.CharField(_("tipo"), max_length=15, choices=Tipo.choices)
    descrizione = models.CharField(_("descrizione"), max_length=255)
    quantita = models.DecimalField(_("quantità"), max_digits=12, decimal_places=2)
    valore_centesimi = models.BigIntegerField(_("valore (centesimi)"))

    class Meta:
        verbose_name = _("risorsa messa a disposizione")
        verbose_name_plural = _("risorse messe a disposizione")
        ordering = ["richiesta", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantita__gt=0), name="risorsa_quantita_positiva"),
            models.CheckConstraint(condition=Q(valore_centesimi__gte=0), name="risorsa_valore_non_negativo"),
        ]

    def __str__(self):
        return self.descrizione


class AllegatoAdesione(models.Model):
    """A PDF attached to a request (the statute first of all), checked on the server."""

    class Tipo(models.TextChoices):
        STATUTO = "statuto", _("Statuto")
        ATTO_COSTITUTIVO = "atto_costitutivo", _("Atto costitutivo")
        BILANCIO = "bilancio", _("Bilancio o rendiconto")
        ALTRO = "altro", _("Altro documento")

    richiesta = models.ForeignKey(RichiestaAdesione, on_delete=models.CASCADE, related_name="allegati")
    tipo = models.CharField(_("tipo"), max_length=20, choices=Tipo.choices)
    file = models.FileField(upload_to="adesioni/%Y/", max_length=255)
    nome_originale = models.CharField(_("nome del file"), max_length=255)
    sha256 = models.CharField(max_length=64)
    dimensione = models.PositiveIntegerField()
    caricato_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("allegato")
        verbose_name_plural = _("allegati")
        ordering = ["richiesta", "pk"]

    def __str__(self):
        return self.nome_originale


class EventoAdesione(SolaAggiunta):
    """Append-only log of a request: every step, who made it, with which note."""

    richiesta = models.ForeignKey(RichiestaAdesione, on_delete=models.PROTECT, related_name="eventi")
    azione = models.CharField(max_length=30)
    da_stato = models.CharField(max_length=15, blank=True, choices=StatoAdesione.choices)
    a_stato = models.CharField(max_length=15, choices=StatoAdesione.choices)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+")
    nota = models.TextField(blank=True)
    quando = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("evento della richiesta di adesione")
        verbose_name_plural = _("registro delle richieste di adesione")
        ordering = ["quando", "pk"]

    def __str__(self):
        return f"{self.richiesta}: {self.azione}"
