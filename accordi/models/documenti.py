"""Official acts as PDF documents and their signatures."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ambito, Ente
from ambiti.sola_aggiunta import SolaAggiunta, SolaAggiuntaQuerySet

# Crockford-like alphabet: no 0/O, 1/I/L, so that a code read aloud or typed is unambiguous.
_ALFABETO_CODICE = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def nuovo_codice_verifica() -> str:
    return "".join(secrets.choice(_ALFABETO_CODICE) for _ in range(10))


class ContatoreAtti(models.Model):
    """The last number given to an act of an ambito in a year (numbers never repeat)."""

    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="+")
    anno = models.PositiveSmallIntegerField()
    ultimo = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ambito", "anno"], name="contatore_unico")]

    def __str__(self):
        return f"{self.ambito} {self.anno}: {self.ultimo}"


class Documento(models.Model):
    """An official act: numbered per ambito and year, rendered to PDF and sealed by the
    issuing body. Its files never change: each accepted signature adds a new revision, and a
    new rendering of the same act is a new Documento with the next version number."""

    class Tipo(models.TextChoices):
        ATTO_INDIRIZZO = "atto_indirizzo", _("Atto di indirizzo")
        VERBALE_ASSEMBLEA = "verbale_assemblea", _("Verbale di seduta dell'Assemblea")
        DELIBERAZIONE = "deliberazione", _("Deliberazione dell'Assemblea dei Sindaci")
        VERBALE_TAVOLO = "verbale_tavolo", _("Verbale di seduta del tavolo")
        PIANO_BOZZA = "piano_bozza", _("Piano di Zona – bozza")
        PIANO_DEFINITIVO = "piano_definitivo", _("Piano di Zona – testo definitivo")
        ACCORDO = "accordo", _("Accordo di Programma")
        ADESIONE = "adesione", _("Adesione all'Accordo di Programma")
        RELAZIONE_MONITORAGGIO = "relazione_monitoraggio", _("Relazione annuale di monitoraggio")

    class Stato(models.TextChoices):
        IN_CODA = "in_coda", _("In coda")
        IN_CORSO = "in_corso", _("In preparazione")
        PRONTO = "pronto", _("Pronto")
        ERRORE = "errore", _("Errore")

    tipo = models.CharField(_("tipo"), max_length=30, choices=Tipo.choices)
    titolo = models.CharField(_("titolo"), max_length=255)
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="documenti")
    anno = models.PositiveSmallIntegerField(_("anno"))
    numero = models.PositiveIntegerField(_("numero"))
    versione = models.PositiveSmallIntegerField(_("versione"), default=1)
    piano = models.ForeignKey(
        "accordi.PianoDiZona", on_delete=models.PROTECT, null=True, blank=True, related_name="documenti"
    )
    ente_emittente = models.CharField(_("ente emittente"), max_length=255)
    codice_verifica = models.CharField(
        _("codice di verifica"), max_length=12, unique=True, default=nuovo_codice_verifica
    )
    chiave = models.CharField(
        max_length=120, unique=True,
        help_text="Idempotency key: the same request never makes two documents.",
    )
    stato = models.CharField(_("stato"), max_length=10, choices=Stato.choices, default=Stato.IN_CODA)
    errore = models.TextField(_("errore"), blank=True)
    tentativi = models.PositiveSmallIntegerField(default=0)
    sigillato = models.BooleanField(_("sigillato"), default=False)
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    creato_il = models.DateTimeField(_("richiesto il"), auto_now_add=True)
    pronto_il = models.DateTimeField(_("pronto il"), null=True, blank=True)

    class Meta:
        verbose_name = _("documento")
        verbose_name_plural = _("documenti")
        ordering = ["-anno", "-numero"]
        constraints = [
            models.UniqueConstraint(fields=["ambito", "anno", "numero"], name="documento_numero_unico"),
        ]

    def __str__(self):
        return f"{self.titolo} (n. {self.numero}/{self.anno})"

    @property
    def protocollo(self) -> str:
        return f"{self.numero}/{self.anno}"


class RevisioneDocumento(models.Model):
    """One immutable file of a document: revision 0 is the sealed act, each later one is the
    previous bytes plus one more PAdES signature (PDF incremental update)."""

    documento = models.ForeignKey(Documento, on_delete=models.PROTECT, related_name="revisioni")
    numero = models.PositiveSmallIntegerField()
    file = models.FileField(upload_to="documenti/", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    dimensione = models.PositiveIntegerField()
    creata_il = models.DateTimeField(auto_now_add=True)

    objects = SolaAggiuntaQuerySet.as_manager()

    class Meta:
        ordering = ["documento", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["documento", "numero"], name="revisione_unica"),
        ]

    def __str__(self):
        return f"{self.documento} – rev. {self.numero}"


class RichiestaFirma(models.Model):
    """A request that named people sign a document, all at once or in a set order, by a
    deadline. It is complete when every mandatory signer has a verified signature."""

    class Modalita(models.TextChoices):
        PARALLELA = "parallela", _("In parallelo: tutti possono firmare subito")
        SEQUENZIALE = "sequenziale", _("In sequenza: nell'ordine indicato")

    class Stato(models.TextChoices):
        APERTA = "aperta", _("Aperta")
        COMPLETATA = "completata", _("Completata")
        SCADUTA = "scaduta", _("Scaduta")

    documento = models.OneToOneField(Documento, on_delete=models.PROTECT, related_name="richiesta_firma")
    modalita = models.CharField(_("modalità"), max_length=12, choices=Modalita.choices, default=Modalita.PARALLELA)
    scadenza = models.DateField(_("scadenza"))
    stato = models.CharField(_("stato"), max_length=12, choices=Stato.choices, default=Stato.APERTA)
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)
    completata_il = models.DateTimeField(null=True, blank=True)
    ultimo_promemoria = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("richiesta di firma")
        verbose_name_plural = _("richieste di firma")

    def __str__(self):
        return f"{_('Firma di')} {self.documento}"


class Firmatario(models.Model):
    """An expected signer: the person (and codice fiscale the certificate must carry) and the
    body they sign for. Once signed, the verified certificate details are kept here."""

    class Stato(models.TextChoices):
        IN_ATTESA = "in_attesa", _("In attesa")
        FIRMATO = "firmato", _("Firmato")

    class Metodo(models.TextChoices):
        PADES = "pades", _("PDF firmato (PAdES) caricato")
        CADES = "cades", _("Busta .p7m (CAdES) caricata")
        DEMO = "demo", _("Firma nel browser con certificato dimostrativo")

    richiesta = models.ForeignKey(RichiestaFirma, on_delete=models.PROTECT, related_name="firmatari")
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=1)
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="firme_attese")
    codice_fiscale = models.CharField(_("codice fiscale"), max_length=16)
    ente = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    obbligatorio = models.BooleanField(_("obbligatorio"), default=True)
    stato = models.CharField(_("stato"), max_length=10, choices=Stato.choices, default=Stato.IN_ATTESA)
    metodo = models.CharField(_("metodo"), max_length=8, choices=Metodo.choices, blank=True)
    firmato_il = models.DateTimeField(_("firmato il"), null=True, blank=True)
    revisione = models.OneToOneField(
        RevisioneDocumento, on_delete=models.PROTECT, null=True, blank=True, related_name="firmatario"
    )
    busta_p7m = models.FileField(upload_to="firme/", null=True, blank=True, max_length=255)
    certificato_soggetto = models.CharField(max_length=500, blank=True)
    certificato_emittente = models.CharField(max_length=500, blank=True)
    certificato_seriale = models.CharField(max_length=100, blank=True)
    esito = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("firmatario")
        verbose_name_plural = _("firmatari")
        ordering = ["richiesta", "ordine", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["richiesta", "utente"], name="firmatario_unico"),
            models.CheckConstraint(
                condition=Q(stato="in_attesa") | Q(firmato_il__isnull=False), name="firmato_con_data"
            ),
        ]

    def __str__(self):
        return f"{self.utente} ({self.codice_fiscale})"


class EventoFirma(SolaAggiunta):
    """Append-only audit of a signing request: invitations, reminders, accepted and refused
    uploads (with the reason and the hash of what was uploaded; the file is not kept)."""

    class Tipo(models.TextChoices):
        RICHIESTA = "richiesta", _("Richiesta creata")
        INVITO = "invito", _("Invito inviato")
        PROMEMORIA = "promemoria", _("Promemoria inviato")
        FIRMA_ACCETTATA = "accettata", _("Firma accettata")
        FIRMA_RIFIUTATA = "rifiutata", _("Caricamento rifiutato")
        COMPLETATA = "completata", _("Richiesta completata")
        SCADUTA = "scaduta", _("Richiesta scaduta")

    richiesta = models.ForeignKey(RichiestaFirma, on_delete=models.PROTECT, related_name="eventi")
    firmatario = models.ForeignKey(Firmatario, on_delete=models.PROTECT, null=True, blank=True, related_name="eventi")
    tipo = models.CharField(max_length=12, choices=Tipo.choices)
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    quando = models.DateTimeField(auto_now_add=True)
    messaggio = models.TextField(blank=True)
    nome_file = models.CharField(max_length=255, blank=True)
    sha256_file = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["quando", "pk"]

    def __str__(self):
        return f"{self.get_tipo_display()} – {self.quando:%d/%m/%Y %H:%M}"
