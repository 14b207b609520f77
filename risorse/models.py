"""Money and knowledge of the plan (seed 004): the quadro unitario delle risorse, each Comune's
social spending and the share conferred to the Ufficio di Piano, and the monitoring of the
plan's actions. ``risorse`` reads ``accordi`` and ``ambiti``; it points at them by string."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ambiti.sola_aggiunta import SolaAggiunta


class FonteRisorsa(models.Model):
    """A funding source of the quadro unitario (FNPS, FNA, own funds of the Comuni…). The list
    is configurable; a source in use is retired, never deleted. ``categoria`` groups the
    sources as seed 004's table 1.1 does (Stato, Regione, Comuni, Province, Utenti, INPS…)."""

    class Categoria(models.TextChoices):
        STATO = "stato", _("Stato")
        REGIONE = "regione", _("Regione")
        COMUNI = "comuni", _("Comuni")
        PROVINCE = "province", _("Province")
        ASL = "asl", _("ASL")
        UTENTI = "utenti", _("Utenti")
        INPS = "inps", _("INPS")
        TERZO_SETTORE = "terzo_settore", _("Terzo Settore e privati")
        ALTRO = "altro", _("Altro")

    codice = models.SlugField(_("codice"), max_length=30, unique=True)
    nome = models.CharField(_("nome"), max_length=200)
    categoria = models.CharField(_("categoria"), max_length=20, choices=Categoria.choices)
    ordine = models.PositiveSmallIntegerField(_("ordine"), default=0)
    attiva = models.BooleanField(_("in uso"), default=True)

    class Meta:
        verbose_name = _("fonte di finanziamento")
        verbose_name_plural = _("fonti di finanziamento")
        ordering = ["ordine", "nome"]

    def __str__(self):
        return self.nome


class AmbitoSpesa(models.TextChoices):
    SOCIALE = "sociale", _("Sociale")
    SOCIOSANITARIO = "sociosanitario", _("Sociosanitario")


class TipoImporto(models.TextChoices):
    PREVISTO = "previsto", _("Previsto")
    CONSUNTIVO = "consuntivo", _("Consuntivo")


class VoceRisorsa(models.Model):
    """One cell of the plan's quadro unitario delle risorse: the amount, in euro cents, of one
    year × funding source × area (none: across areas) × sociale/sociosanitario × planned/actual.
    A cell appears once."""

    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, related_name="voci_risorse")
    anno = models.PositiveSmallIntegerField(_("anno"))
    fonte = models.ForeignKey(FonteRisorsa, on_delete=models.PROTECT, related_name="voci",
                              verbose_name=_("fonte di finanziamento"))
    area = models.ForeignKey("tavoli.AreaIntervento", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="+", verbose_name=_("area di intervento"))
    ambito_spesa = models.CharField(_("ambito di spesa"), max_length=16, choices=AmbitoSpesa.choices)
    tipo = models.CharField(_("previsto o consuntivo"), max_length=12, choices=TipoImporto.choices)
    importo_centesimi = models.BigIntegerField(_("importo (centesimi di euro)"))
    aggiornata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    aggiornata_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("voce del quadro delle risorse")
        verbose_name_plural = _("voci del quadro delle risorse")
        ordering = ["anno", "fonte__ordine", "area__ordine", "ambito_spesa", "tipo"]
        constraints = [
            models.CheckConstraint(condition=Q(importo_centesimi__gte=0), name="voce_risorsa_importo_non_negativo"),
            # NULL areas are distinct in a plain unique constraint: one constraint per case.
            models.UniqueConstraint(fields=["piano", "anno", "fonte", "area", "ambito_spesa", "tipo"],
                                    condition=Q(area__isnull=False), name="voce_risorsa_unica_per_area"),
            models.UniqueConstraint(fields=["piano", "anno", "fonte", "ambito_spesa", "tipo"],
                                    condition=Q(area__isnull=True), name="voce_risorsa_unica_trasversale"),
        ]
        indexes = [models.Index(fields=["piano", "anno"])]

    def __str__(self):
        return f"{self.anno} {self.fonte} {self.get_ambito_spesa_display()} {self.get_tipo_display()}"


class SpesaSocialeComune(models.Model):
    """A Comune's social spending in a year and the part of it conferred to the Ufficio di Piano
    or managed jointly in the ambito: seed 004's measure of how much the Comuni share."""

    comune = models.ForeignKey("ambiti.Comune", on_delete=models.PROTECT, related_name="spese_sociali")
    ambito = models.ForeignKey("ambiti.Ambito", on_delete=models.PROTECT, related_name="spese_sociali_comuni")
    anno = models.PositiveSmallIntegerField(_("anno"))
    spesa_totale_centesimi = models.BigIntegerField(_("spesa sociale del Comune (centesimi di euro)"))
    conferita_udp_centesimi = models.BigIntegerField(
        _("parte conferita all'Ufficio di Piano o gestita in forma associata (centesimi di euro)"))
    nota = models.CharField(_("nota"), max_length=255, blank=True)
    aggiornata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="+")
    aggiornata_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("spesa sociale di un Comune")
        verbose_name_plural = _("spesa sociale dei Comuni")
        ordering = ["anno", "comune__denominazione"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "anno"], name="spesa_sociale_una_per_comune_e_anno"),
            models.CheckConstraint(condition=Q(spesa_totale_centesimi__gte=0) & Q(conferita_udp_centesimi__gte=0)
                                   & Q(conferita_udp_centesimi__lte=F("spesa_totale_centesimi")),
                                   name="spesa_sociale_quota_udp_nei_limiti"),
        ]
        indexes = [models.Index(fields=["ambito", "anno"])]

    def __str__(self):
        return f"{self.comune} {self.anno}"


class ImportazioneRisorse(SolaAggiunta):
    """The record of a file imported into a plan's quadro or spending: who, when, which file
    and how many rows. Written once."""

    class Oggetto(models.TextChoices):
        QUADRO = "quadro", _("Quadro delle risorse")
        SPESA_COMUNI = "spesa_comuni", _("Spesa sociale dei Comuni")

    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="importazioni_risorse")
    ambito = models.ForeignKey("ambiti.Ambito", on_delete=models.PROTECT, related_name="importazioni_risorse")
    oggetto = models.CharField(_("oggetto"), max_length=16, choices=Oggetto.choices)
    nome_file = models.CharField(_("file"), max_length=255)
    impronta = models.CharField(_("impronta SHA-256 del file"), max_length=64)
    righe = models.PositiveIntegerField(_("righe"))
    utente = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    quando = models.DateTimeField(_("quando"), auto_now_add=True)

    class Meta:
        verbose_name = _("importazione")
        verbose_name_plural = _("importazioni")
        ordering = ["-quando"]


class Misurazione(models.Model):
    """A periodic measurement of an action's indicator, entered by the Ufficio di Piano, with a
    qualitative note. One per indicator and date."""

    indicatore = models.ForeignKey("accordi.Indicatore", on_delete=models.PROTECT, related_name="misurazioni")
    data_rilevazione = models.DateField(_("data della rilevazione"))
    valore = models.DecimalField(_("valore rilevato"), max_digits=14, decimal_places=2)
    nota = models.TextField(_("nota qualitativa"), blank=True)
    inserita_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    inserita_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("misurazione")
        verbose_name_plural = _("misurazioni")
        ordering = ["indicatore", "data_rilevazione"]
        constraints = [
            models.UniqueConstraint(fields=["indicatore", "data_rilevazione"], name="misurazione_una_per_data"),
        ]

    def __str__(self):
        return f"{self.indicatore} {self.data_rilevazione:%d/%m/%Y}: {self.valore}"


class AttuazioneAzione(models.Model):
    """How an action of the plan is going in a year: its state of implementation and the
    Ufficio di Piano's qualitative assessment."""

    class Stato(models.TextChoices):
        NON_AVVIATA = "non_avviata", _("Non avviata")
        IN_CORSO = "in_corso", _("In corso")
        CONCLUSA = "conclusa", _("Conclusa")
        SOSPESA = "sospesa", _("Sospesa")

    azione = models.ForeignKey("accordi.Azione", on_delete=models.PROTECT, related_name="attuazioni")
    anno = models.PositiveSmallIntegerField(_("anno"))
    stato = models.CharField(_("stato di attuazione"), max_length=12, choices=Stato.choices)
    nota = models.TextField(_("valutazione"), blank=True)
    aggiornata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    aggiornata_il = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attuazione di un'azione")
        verbose_name_plural = _("attuazione delle azioni")
        ordering = ["anno", "azione"]
        constraints = [models.UniqueConstraint(fields=["azione", "anno"], name="attuazione_una_per_anno")]

    def __str__(self):
        return f"{self.azione} {self.anno}: {self.get_stato_display()}"


class RelazioneMonitoraggio(models.Model):
    """The yearly monitoring report of a plan: a summary written by the Ufficio di Piano and the
    PDF act generated from the year's figures, measurements and assessments."""

    piano = models.ForeignKey("accordi.PianoDiZona", on_delete=models.PROTECT, related_name="relazioni_monitoraggio")
    anno = models.PositiveSmallIntegerField(_("anno"))
    sintesi = models.TextField(_("sintesi"), blank=True)
    documento = models.ForeignKey("accordi.Documento", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    creata_da = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    creata_il = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relazione di monitoraggio")
        verbose_name_plural = _("relazioni di monitoraggio")
        ordering = ["piano", "anno"]
        constraints = [models.UniqueConstraint(fields=["piano", "anno"], name="relazione_una_per_anno")]

    def __str__(self):
        return f"{self.piano} {self.anno}"
