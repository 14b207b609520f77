"""The plan, its cycle and its iter (ITER.md)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, FSMModelMixin, transition

from ambiti.models import Ambito, Regione
from ambiti.sola_aggiunta import SolaAggiunta


class CicloProgrammazione(models.Model):
    """A regional planning cycle: its guidelines act, the deadline by which plans are approved
    and Accordi signed, and the validity window of the Accordi."""

    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="cicli")
    anno_inizio = models.PositiveSmallIntegerField(_("primo anno"))
    anno_fine = models.PositiveSmallIntegerField(_("ultimo anno"))
    atto_linee_indirizzo = models.CharField(
        _("atto delle linee di indirizzo"), max_length=255, blank=True,
        help_text=_("Es.: DGR IX/2505 del 16/11/2011"),
    )
    data_atto = models.DateField(_("data dell'atto"), null=True, blank=True)
    scadenza_approvazione = models.DateField(
        _("scadenza per l'approvazione e la sottoscrizione"),
    )
    validita_inizio = models.DateField(_("validità degli Accordi dal"))
    validita_fine = models.DateField(_("validità degli Accordi al"))

    class Meta:
        verbose_name = _("ciclo di programmazione")
        verbose_name_plural = _("cicli di programmazione")
        ordering = ["-anno_inizio", "regione"]
        constraints = [
            models.UniqueConstraint(
                fields=["regione", "anno_inizio"], name="ciclo_unico_per_regione",
                violation_error_message=_("La regione ha già un ciclo che inizia in quell'anno."),
            ),
            models.CheckConstraint(condition=Q(anno_fine__gte=models.F("anno_inizio")), name="ciclo_anni_ordinati"),
            models.CheckConstraint(
                condition=Q(validita_fine__gt=models.F("validita_inizio")), name="ciclo_validita_ordinata"
            ),
        ]

    def __str__(self):
        return f"{self.regione} {self.anno_inizio}-{self.anno_fine}"

    def clean(self):
        if self.anno_inizio and self.anno_fine and self.anno_fine - self.anno_inizio > 2:
            raise ValidationError({"anno_fine": _("Un ciclo di programmazione dura al più tre anni.")})
        if self.validita_inizio and self.validita_fine and self.validita_fine <= self.validita_inizio:
            raise ValidationError({"validita_fine": _("La fine della validità deve seguire l'inizio.")})


class Stato(models.TextChoices):
    AVVIO = "avvio", _("Avvio")
    INDIRIZZO = "indirizzo", _("Atto di indirizzo")
    ISTRUTTORIA = "istruttoria", _("Istruttoria")
    BOZZA = "bozza", _("Stesura della bozza")
    PARERE_SINDACATI = "parere_sindacati", _("Parere dei sindacati")
    APPROVAZIONE = "approvazione", _("Approvazione")
    INTESA_ASL = "intesa_asl", _("Intesa ASL")
    ACCORDO = "accordo", _("Accordo di Programma")
    SOTTOSCRIZIONE = "sottoscrizione", _("Sottoscrizione")
    VIGENTE = "vigente", _("Vigente")
    CONCLUSO = "concluso", _("Concluso")
    ANNULLATO = "annullato", _("Annullato")


_ETICHETTE_STATO: dict[str | None, dict[str, str]] = {}


def etichetta_stato(valore: str) -> str:
    """The label of a state in the active language, as ``get_stato_display`` gives it. Django's
    own hashes and translates all twelve choices at every call (a tenth of a millisecond): on a
    list of fifty plans, or a dashboard of a hundred ambiti, that was a good part of the page."""
    lingua = get_language()
    etichette = _ETICHETTE_STATO.get(lingua)
    if etichette is None:
        etichette = _ETICHETTE_STATO[lingua] = {valore: str(nome) for valore, nome in Stato.choices}
    return etichette.get(valore, valore)


PRIMA_DI_VIGENTE = [
    Stato.AVVIO, Stato.INDIRIZZO, Stato.ISTRUTTORIA, Stato.BOZZA, Stato.PARERE_SINDACATI,
    Stato.APPROVAZIONE, Stato.INTESA_ASL, Stato.ACCORDO, Stato.SOTTOSCRIZIONE,
]


class PianoDiZona(ConcurrentTransitionMixin, FSMModelMixin, models.Model):
    """One plan of one ambito (or of several ambiti of the same ASL) for one cycle. Its state
    changes only through ``accordi.services`` (the FSM field is protected); concurrent changes
    are caught by optimistic locking on the state."""

    ciclo = models.ForeignKey(CicloProgrammazione, on_delete=models.PROTECT, related_name="piani")
    titolo = models.CharField(_("titolo"), max_length=255)
    ambiti = models.ManyToManyField(Ambito, through="PianoAmbito", related_name="piani")
    stato = FSMField(_("stato"), default=Stato.AVVIO, choices=Stato.choices, protected=True, db_index=True)
    revisione = models.PositiveSmallIntegerField(
        _("revisione"), default=1,
        help_text=_("Cresce a ogni aggiornamento del piano vigente nel triennio."),
    )
    vigente_dal = models.DateField(_("in vigore dal"), null=True, blank=True)
    revisione_vigente = models.PositiveSmallIntegerField(_("revisione in vigore"), null=True, blank=True)
    motivo_annullamento = models.TextField(_("motivo dell'annullamento"), blank=True)
    creato_da = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    creato_il = models.DateTimeField(_("creato il"), auto_now_add=True)
    aggiornato_il = models.DateTimeField(_("aggiornato il"), auto_now=True)

    class Meta:
        verbose_name = _("Piano di Zona")
        verbose_name_plural = _("Piani di Zona")
        ordering = ["-ciclo__anno_inizio", "titolo"]

    def __str__(self):
        return self.titolo

    def get_stato_display(self) -> str:
        return etichetta_stato(self.stato)

    @property
    def sovra_distrettuale(self) -> bool:
        return len(self.ambiti.all()) > 1

    @property
    def in_vigore(self) -> bool:
        """The version in force stays in force while an update goes through the iter."""
        return self.vigente_dal is not None and self.stato not in (Stato.CONCLUSO, Stato.ANNULLATO)

    # The graph of ITER.md. The services in accordi.services own the story of each step.
    @transition(field=stato, source=Stato.AVVIO, target=Stato.INDIRIZZO)
    def approva_atto_indirizzo(self):
        pass

    @transition(field=stato, source=Stato.INDIRIZZO, target=Stato.ISTRUTTORIA)
    def avvia_istruttoria(self):
        pass

    @transition(field=stato, source=Stato.ISTRUTTORIA, target=Stato.BOZZA)
    def avvia_stesura(self):
        pass

    @transition(field=stato, source=Stato.BOZZA, target=Stato.PARERE_SINDACATI)
    def invia_ai_sindacati(self):
        pass

    @transition(field=stato, source=Stato.PARERE_SINDACATI, target=Stato.APPROVAZIONE)
    def chiudi_consultazione(self):
        pass

    @transition(field=stato, source=Stato.APPROVAZIONE, target=Stato.INTESA_ASL)
    def licenzia(self):
        pass

    @transition(field=stato, source=Stato.INTESA_ASL, target=Stato.ACCORDO)
    def registra_intesa(self):
        pass

    @transition(field=stato, source=Stato.ACCORDO, target=Stato.SOTTOSCRIZIONE)
    def apri_sottoscrizione(self):
        pass

    @transition(field=stato, source=Stato.SOTTOSCRIZIONE, target=Stato.VIGENTE)
    def dichiara_vigente(self):
        pass

    @transition(field=stato, source=Stato.VIGENTE, target=Stato.CONCLUSO)
    def concludi(self):
        pass

    @transition(
        field=stato,
        source=[Stato.PARERE_SINDACATI, Stato.APPROVAZIONE, Stato.INTESA_ASL],
        target=Stato.BOZZA,
    )
    def rinvia_alla_stesura(self):
        pass

    @transition(field=stato, source=Stato.VIGENTE, target=Stato.BOZZA)
    def aggiorna(self):
        pass

    @transition(field=stato, source=PRIMA_DI_VIGENTE, target=Stato.ANNULLATO)
    def annulla(self):
        pass


class PianoAmbito(models.Model):
    """An ambito's part in a plan. The cycle is copied here so the database itself enforces
    one plan per ambito per cycle (ITER.md, state 1)."""

    piano = models.ForeignKey(PianoDiZona, on_delete=models.CASCADE, related_name="partecipazioni")
    ambito = models.ForeignKey(Ambito, on_delete=models.PROTECT, related_name="partecipazioni_piani")
    ciclo = models.ForeignKey(CicloProgrammazione, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("ambito del piano")
        verbose_name_plural = _("ambiti del piano")
        constraints = [
            models.UniqueConstraint(fields=["ambito", "ciclo"], name="un_piano_per_ambito_per_ciclo"),
        ]

    def __str__(self):
        return f"{self.ambito} – {self.piano}"


class TransizionePiano(SolaAggiunta):
    """An entry of the append-only log of the iter: who moved the plan from where to where,
    when, with what note and on which revision. Rows are never updated or deleted."""

    piano = models.ForeignKey(PianoDiZona, on_delete=models.PROTECT, related_name="transizioni")
    nome = models.CharField(_("transizione"), max_length=40)
    da_stato = models.CharField(_("da"), max_length=20, choices=Stato.choices)
    a_stato = models.CharField(_("a"), max_length=20, choices=Stato.choices)
    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("Vuoto quando la transizione è automatica."),
    )
    ruolo = models.CharField(_("in qualità di"), max_length=100, blank=True)
    quando = models.DateTimeField(_("quando"), auto_now_add=True, db_index=True)
    nota = models.TextField(_("nota"), blank=True)
    revisione = models.PositiveSmallIntegerField(_("revisione del piano"))
    versione_documento = models.CharField(_("versione del documento"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("transizione dell'iter")
        verbose_name_plural = _("registro delle transizioni")
        ordering = ["quando", "pk"]

    def __str__(self):
        return f"{self.piano}: {self.da_stato} → {self.a_stato}"

    def get_da_stato_display(self) -> str:
        return etichetta_stato(self.da_stato)

    def get_a_stato_display(self) -> str:
        return etichetta_stato(self.a_stato)
