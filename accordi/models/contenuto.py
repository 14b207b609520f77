"""The plan's content: sections from the cycle's template (sanitised rich text, citing the
tavoli's knowledge base), objectives and actions with budgets per year and source and
indicators; the numbered frozen versions sent to unions, Assemblea and ASL; the unions'
pareri with their observations and the Ufficio di Piano's answers; the ASL's intesa."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ambiti.models import Ente

from .piano import CicloProgrammazione, PianoDiZona


class ModelloSezione(models.Model):
    """A section of the template set of a cycle (the regional guidelines' table of contents).
    A plan's sections are created from it; the region may change it before plans start."""

    ciclo = models.ForeignKey(CicloProgrammazione, on_delete=models.PROTECT, related_name="modelli_sezione")
    codice = models.SlugField(_("codice"), max_length=40)
    titolo = models.CharField(_("titolo"), max_length=200)
    guida = models.TextField(_("che cosa scrivere"), blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("sezione del modello di piano")
        verbose_name_plural = _("sezioni del modello di piano")
        ordering = ["ciclo", "ordine"]
        constraints = [models.UniqueConstraint(fields=["ciclo", "codice"], name="modello_sezione_unico")]

    def __str__(self):
        return self.titolo


class SezionePiano(models.Model):
    """One section of a plan's working draft. ``testo`` is HTML sanitised on the server;
    ``versione`` counts saves, so that two people editing the same section cannot overwrite
    each other unknowingly. Cited needs and offer appear in the section as tables."""

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="sezioni")
    codice = models.SlugField(_("codice"), max_length=40)
    titolo = models.CharField(_("titolo"), max_length=200)
    guida = models.TextField(_("che cosa scrivere"), blank=True)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)
    testo = models.TextField(_("testo"), blank=True)
    bisogni = models.ManyToManyField("tavoli.Bisogno", blank=True, related_name="+",
                                     verbose_name=_("bisogni citati"))
    offerta = models.ManyToManyField("tavoli.UnitaOfferta", blank=True, related_name="+",
                                     verbose_name=_("unità di offerta citate"))
    versione = models.PositiveIntegerField(default=1)
    aggiornata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    aggiornata_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("sezione del piano")
        verbose_name_plural = _("sezioni del piano")
        ordering = ["piano", "ordine"]
        constraints = [models.UniqueConstraint(fields=["piano", "codice"], name="sezione_piano_unica")]

    def __str__(self):
        return self.titolo


class Obiettivo(models.Model):
    """An objective of the plan: strategic, of the system, or shared with the ASL
    (social-health integration)."""

    class Tipo(models.TextChoices):
        STRATEGICO = "strategico", _("Strategico")
        SISTEMA = "sistema", _("Di sistema")
        CONDIVISO_ASL = "condiviso_asl", _("Condiviso con l'ASL")

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="obiettivi")
    tipo = models.CharField(_("tipo"), max_length=16, choices=Tipo.choices)
    codice = models.CharField(_("codice"), max_length=20, blank=True, help_text=_("Per esempio: OB1."))
    titolo = models.CharField(_("titolo"), max_length=255)
    descrizione = models.TextField(_("descrizione"), blank=True)
    area = models.ForeignKey("tavoli.AreaIntervento", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("area di intervento"))
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("obiettivo")
        verbose_name_plural = _("obiettivi")
        ordering = ["piano", "ordine", "pk"]

    def __str__(self):
        return f"{self.codice} {self.titolo}".strip()


class FonteFinanziamento(models.TextChoices):
    """The funds that finance the plan's actions (DOMAIN.md, Money)."""

    FNPS = "fnps", _("Fondo Nazionale Politiche Sociali (FNPS)")
    FNA = "fna", _("Fondo Non Autosufficienze (FNA)")
    FONDO_SOCIALE_REGIONALE = "fsr", _("Fondo Sociale Regionale")
    FONDO_POVERTA = "poverta", _("Fondo Povertà (quota servizi)")
    DOPO_DI_NOI = "dopo_di_noi", _("Dopo di Noi")
    PNRR = "pnrr", _("PNRR")
    COMUNI = "comuni", _("Fondi propri dei Comuni")
    ASL = "asl", _("Risorse dell'ASL")
    COMPARTECIPAZIONE = "compartecipazione", _("Compartecipazione degli utenti")
    TERZO_SETTORE = "terzo_settore", _("Terzo Settore e privati")
    ALTRO = "altro", _("Altre fonti")


class Azione(models.Model):
    """An action that pursues an objective: who it is for, who leads it and with whom, when,
    with which money per year and source, measured by which indicators."""

    obiettivo = models.ForeignKey(Obiettivo, on_delete=models.PROTECT, related_name="azioni")
    codice = models.CharField(_("codice"), max_length=20, blank=True, help_text=_("Per esempio: A1.2."))
    titolo = models.CharField(_("titolo"), max_length=255)
    descrizione = models.TextField(_("descrizione"), blank=True)
    area = models.ForeignKey("tavoli.AreaIntervento", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("area di intervento"))
    destinatari = models.CharField(_("destinatari"), max_length=255, blank=True)
    capofila = models.ForeignKey(Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("ente responsabile"))
    partner = models.ManyToManyField(Ente, blank=True, related_name="+", verbose_name=_("partner"))
    inizio = models.DateField(_("inizio"), null=True, blank=True)
    fine = models.DateField(_("fine"), null=True, blank=True)
    bisogni = models.ManyToManyField("tavoli.Bisogno", blank=True, related_name="+",
                                     verbose_name=_("bisogni a cui risponde"))
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("azione")
        verbose_name_plural = _("azioni")
        ordering = ["obiettivo", "ordine", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fine__isnull=True) | Q(inizio__isnull=True) | Q(fine__gte=models.F("inizio")),
                name="azione_date_ordinate"),
        ]

    def __str__(self):
        return f"{self.codice} {self.titolo}".strip()


class StanziamentoAzione(models.Model):
    """The money of an action for one year from one source, in euro cents (sums are exact)."""

    azione = models.ForeignKey(Azione, on_delete=models.CASCADE, related_name="stanziamenti")
    anno = models.PositiveSmallIntegerField(_("anno"))
    fonte = models.CharField(_("fonte di finanziamento"), max_length=20, choices=FonteFinanziamento.choices)
    importo_centesimi = models.BigIntegerField(_("importo (centesimi di euro)"))

    class Meta:
        verbose_name = _("stanziamento")
        verbose_name_plural = _("stanziamenti")
        ordering = ["azione", "anno", "fonte"]
        constraints = [
            models.UniqueConstraint(fields=["azione", "anno", "fonte"], name="stanziamento_unico"),
            models.CheckConstraint(condition=Q(importo_centesimi__gte=0), name="stanziamento_non_negativo"),
        ]

    def __str__(self):
        return f"{self.anno} {self.get_fonte_display()}: {self.importo_centesimi / 100:.2f}"


class Indicatore(models.Model):
    """How an action is measured: from a baseline to a target, in a unit."""

    azione = models.ForeignKey(Azione, on_delete=models.CASCADE, related_name="indicatori")
    descrizione = models.CharField(_("indicatore"), max_length=255)
    unita = models.CharField(_("unità di misura"), max_length=60)
    valore_base = models.DecimalField(_("valore di partenza"), max_digits=14, decimal_places=2, null=True,
                                      blank=True)
    valore_obiettivo = models.DecimalField(_("valore atteso"), max_digits=14, decimal_places=2)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)

    class Meta:
        verbose_name = _("indicatore")
        verbose_name_plural = _("indicatori")
        ordering = ["azione", "ordine", "pk"]

    def __str__(self):
        return self.descrizione


class VersionePiano(models.Model):
    """A numbered, frozen copy of the whole draft (sections, objectives, actions, budgets,
    indicators) taken when it is sent to the unions, to the Assemblea or to the ASL. It never
    changes; ``contenuto`` holds the snapshot, ``documento`` its PDF."""

    class Motivo(models.TextChoices):
        SINDACATI = "sindacati", _("Inviata ai sindacati per il parere")
        ASSEMBLEA = "assemblea", _("Sottoposta all'Assemblea dei Sindaci")
        ASL = "asl", _("Inviata all'ASL per l'intesa")
        ALTRO = "altro", _("Congelata dall'Ufficio di Piano")

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="versioni")
    numero = models.PositiveIntegerField(_("numero"))
    motivo = models.CharField(_("motivo"), max_length=12, choices=Motivo.choices)
    nota = models.TextField(_("nota"), blank=True)
    contenuto = models.JSONField(_("contenuto"))
    impronta = models.CharField(_("impronta SHA-256 del contenuto"), max_length=64)
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)
    documento = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+", verbose_name=_("atto in PDF"))

    class Meta:
        verbose_name = _("versione del piano")
        verbose_name_plural = _("versioni del piano")
        ordering = ["piano", "-numero"]
        constraints = [models.UniqueConstraint(fields=["piano", "numero"], name="versione_piano_unica")]

    def __str__(self):
        return _("Versione %(n)s") % {"n": self.numero}


class Consultazione(models.Model):
    """The sending of a frozen version to the named trade unions, with the deadline for their
    parere. When the deadline passes, a union that did not answer is recorded as silent."""

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="consultazioni")
    versione = models.ForeignKey(VersionePiano, on_delete=models.PROTECT, related_name="consultazioni")
    scadenza = models.DateTimeField(_("termine per il parere"))
    inviata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inviata_il = models.DateTimeField(auto_now_add=True)
    chiusa_il = models.DateTimeField(_("chiusa il"), null=True, blank=True)

    class Meta:
        verbose_name = _("consultazione dei sindacati")
        verbose_name_plural = _("consultazioni dei sindacati")
        ordering = ["piano", "-inviata_il"]

    def __str__(self):
        return _("Consultazione sulla versione %(n)s") % {"n": self.versione.numero}


class Parere(models.Model):
    """A union's parere on the version it was sent: awaited until it answers or the deadline
    passes (then recorded as silence)."""

    class Esito(models.TextChoices):
        ATTESO = "atteso", _("In attesa")
        FAVOREVOLE = "favorevole", _("Favorevole")
        CON_OSSERVAZIONI = "con_osservazioni", _("Favorevole con osservazioni")
        CONTRARIO = "contrario", _("Contrario")
        SILENZIO = "silenzio", _("Non espresso entro il termine")

    consultazione = models.ForeignKey(Consultazione, on_delete=models.PROTECT, related_name="pareri")
    sindacato = models.ForeignKey(Ente, on_delete=models.PROTECT, related_name="pareri",
                                  verbose_name=_("organizzazione sindacale"))
    esito = models.CharField(_("esito"), max_length=20, choices=Esito.choices, default=Esito.ATTESO)
    testo = models.TextField(_("testo del parere"), blank=True)
    allegato = models.FileField(_("parere firmato"), upload_to="pareri/%Y/", max_length=255, blank=True)
    espresso_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    espresso_il = models.DateTimeField(_("espresso il"), null=True, blank=True)

    class Meta:
        verbose_name = _("parere sindacale")
        verbose_name_plural = _("pareri sindacali")
        ordering = ["consultazione", "sindacato__denominazione"]
        constraints = [models.UniqueConstraint(fields=["consultazione", "sindacato"], name="parere_unico")]

    def __str__(self):
        return f"{self.sindacato}: {self.get_esito_display()}"


class OsservazioneParere(models.Model):
    """One observation of a parere, and the Ufficio di Piano's answer to it."""

    class Risposta(models.TextChoices):
        ACCOLTA = "accolta", _("Accolta")
        PARZIALMENTE = "parzialmente", _("Accolta in parte")
        NON_ACCOLTA = "non_accolta", _("Non accolta")

    parere = models.ForeignKey(Parere, on_delete=models.CASCADE, related_name="osservazioni")
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)
    sezione = models.CharField(_("sezione a cui si riferisce"), max_length=40, blank=True)
    testo = models.TextField(_("osservazione"))
    risposta = models.CharField(_("risposta"), max_length=14, choices=Risposta.choices, blank=True)
    motivazione = models.TextField(_("motivazione della risposta"), blank=True)
    risposto_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    risposto_il = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("osservazione sindacale")
        verbose_name_plural = _("osservazioni sindacali")
        ordering = ["parere", "ordine", "pk"]

    def __str__(self):
        return self.testo[:80]


class Intesa(models.Model):
    """The ASL's intesa on a version of the plan: positive (the plan moves to the Accordo) or
    negative with the reasons (back to drafting)."""

    class Esito(models.TextChoices):
        POSITIVA = "positiva", _("Positiva")
        NEGATIVA = "negativa", _("Negativa")

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="intese")
    versione = models.ForeignKey(VersionePiano, on_delete=models.PROTECT, related_name="intese")
    esito = models.CharField(_("esito"), max_length=10, choices=Esito.choices)
    motivazione = models.TextField(_("motivazione"), blank=True)
    allegato = models.FileField(_("atto dell'ASL"), upload_to="intese/%Y/", max_length=255, blank=True)
    espressa_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    espressa_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("intesa dell'ASL")
        verbose_name_plural = _("intese dell'ASL")
        ordering = ["piano", "-espressa_il"]
        constraints = [
            models.CheckConstraint(condition=Q(esito="positiva") | ~Q(motivazione=""),
                                   name="intesa_negativa_motivata"),
        ]

    def __str__(self):
        return f"{self.piano}: {self.get_esito_display()}"
