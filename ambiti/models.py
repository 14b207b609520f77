"""Territory, bodies and people: the registry every plan is built on."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import validators


class Utente(AbstractUser):
    """A person who signs in. Their codice fiscale ties them to the qualified certificates they
    sign with; what they may do comes from their Incarichi, never from this row."""

    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validators.codice_fiscale_persona]
    )

    class Meta:
        verbose_name = _("utente")
        verbose_name_plural = _("utenti")
        ordering = ["last_name", "first_name", "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class Regione(models.Model):
    """An Italian region, which issues the guidelines of each planning cycle."""

    codice_istat = models.CharField(_("codice ISTAT"), max_length=2, unique=True)
    nome = models.CharField(_("nome"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("regione")
        verbose_name_plural = _("regioni")
        ordering = ["nome"]
        permissions = [("consulta_regione", _("Consulta tutti gli ambiti della regione"))]

    def __str__(self):
        return self.nome


class Provincia(models.Model):
    """A province (or metropolitan city) of a region."""

    codice_istat = models.CharField(_("codice ISTAT"), max_length=3, unique=True)
    sigla = models.CharField(_("sigla"), max_length=2)
    nome = models.CharField(_("nome"), max_length=100)
    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="province")

    class Meta:
        verbose_name = _("provincia")
        verbose_name_plural = _("province")
        ordering = ["nome"]

    def __str__(self):
        return f"{self.nome} ({self.sigla})"


class Comune(models.Model):
    """A municipality, identified by its ISTAT code; its population is always quoted with the
    date it refers to, because votes and cost sharing are weighted by it."""

    codice_istat = models.CharField(_("codice ISTAT"), max_length=6, unique=True)
    codice_catastale = models.CharField(_("codice catastale"), max_length=4, blank=True, db_index=True)
    denominazione = models.CharField(_("denominazione"), max_length=150, db_index=True)
    provincia = models.ForeignKey(Provincia, on_delete=models.PROTECT, related_name="comuni")
    popolazione = models.PositiveIntegerField(_("popolazione"), null=True, blank=True)
    popolazione_al = models.DateField(_("popolazione alla data"), null=True, blank=True)

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["denominazione"]
        constraints = [
            models.CheckConstraint(
                condition=Q(popolazione__isnull=True) | Q(popolazione_al__isnull=False),
                name="comune_popolazione_con_data",
            )
        ]

    def __str__(self):
        return f"{self.denominazione} ({self.provincia.sigla})"


class ASL(models.Model):
    """The health authority of a territory: gives the intesa on the plan and signs the Accordo."""

    class Tipo(models.TextChoices):
        ASL = "ASL", _("ASL – Azienda Sanitaria Locale")
        ATS = "ATS", _("ATS – Agenzia di Tutela della Salute")
        ASST = "ASST", _("ASST – Azienda Socio-Sanitaria Territoriale")

    nome = models.CharField(_("nome"), max_length=200, unique=True)
    tipo = models.CharField(_("tipo"), max_length=4, choices=Tipo.choices, default=Tipo.ASL)
    regione = models.ForeignKey(Regione, on_delete=models.PROTECT, related_name="asl")
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validators.codice_fiscale_ente]
    )

    class Meta:
        verbose_name = _("azienda sanitaria")
        verbose_name_plural = _("aziende sanitarie")
        ordering = ["nome"]

    def __str__(self):
        return self.nome


class Ambito(models.Model):
    """An ambito territoriale (social-health district): the Comuni that plan together.
    Object permissions on an Ambito are how roles are granted (see ``ambiti.ruoli``)."""

    nome = models.CharField(_("nome"), max_length=200)
    codice = models.CharField(_("codice"), max_length=20, unique=True)
    asl = models.ForeignKey(ASL, on_delete=models.PROTECT, related_name="ambiti", verbose_name="ASL")
    comuni = models.ManyToManyField(Comune, related_name="ambiti", blank=True)

    class Meta:
        verbose_name = _("ambito territoriale")
        verbose_name_plural = _("ambiti territoriali")
        ordering = ["nome"]
        permissions = [
            ("consulta_ambito", _("Consulta i dati riservati dell'ambito")),
            ("gestisci_piano", _("Ufficio di Piano: redige il piano e gestisce l'iter")),
            ("presiedi_assemblea", _("Presiede l'Assemblea dei Sindaci")),
            ("vota_assemblea", _("Vota nell'Assemblea dei Sindaci")),
            ("esprimi_intesa", _("Esprime l'intesa dell'ASL")),
            ("esprimi_parere", _("Esprime il parere dell'organizzazione sindacale")),
            ("partecipa_tavoli", _("Partecipa ai tavoli tematici")),
        ]

    def __str__(self):
        return self.nome

    @property
    def regione(self):
        return self.asl.regione


class Ente(models.Model):
    """Every body that takes part in a plan: Comuni, the ASL, the Provincia, consortia, trade
    unions, Terzo Settore bodies. A public body links to its registry row (Comune, ASL,
    Provincia); identifiers are validated with python-stdnum."""

    class Tipo(models.TextChoices):
        COMUNE = "comune", _("Comune")
        ASL = "asl", _("ASL / ATS / ASST")
        PROVINCIA = "provincia", _("Provincia")
        AZIENDA_CONSORTILE = "azienda_consortile", _("Azienda consortile / ente associato")
        SINDACATO = "sindacato", _("Organizzazione sindacale")
        TERZO_SETTORE = "terzo_settore", _("Ente del Terzo Settore")
        ALTRO_PUBBLICO = "altro_pubblico", _("Altro ente pubblico")
        ALTRO = "altro", _("Altro soggetto")

    class FormaGiuridica(models.TextChoices):
        ODV = "odv", _("Organizzazione di volontariato (ODV)")
        APS = "aps", _("Associazione di promozione sociale (APS)")
        IMPRESA_SOCIALE = "impresa_sociale", _("Impresa sociale")
        COOPERATIVA_SOCIALE = "cooperativa_sociale", _("Cooperativa sociale")
        ENTE_FILANTROPICO = "ente_filantropico", _("Ente filantropico")
        RETE_ASSOCIATIVA = "rete_associativa", _("Rete associativa")
        MUTUO_SOCCORSO = "mutuo_soccorso", _("Società di mutuo soccorso")
        ALTRO_ETS = "altro_ets", _("Altro ente del Terzo Settore")

    class SezioneRUNTS(models.TextChoices):
        A = "a", _("a) Organizzazioni di volontariato")
        B = "b", _("b) Associazioni di promozione sociale")
        C = "c", _("c) Enti filantropici")
        D = "d", _("d) Imprese sociali, incluse le cooperative sociali")
        E = "e", _("e) Reti associative")
        F = "f", _("f) Società di mutuo soccorso")
        G = "g", _("g) Altri enti del Terzo Settore")

    class Livello(models.TextChoices):
        PROVINCIALE = "provinciale", _("Provinciale")
        PENSIONATI = "pensionati", _("Pensionati")
        ALTRO = "altro", _("Altro")

    denominazione = models.CharField(_("denominazione"), max_length=255, db_index=True)
    tipo = models.CharField(_("tipo"), max_length=30, choices=Tipo.choices)
    codice_fiscale = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, validators=[validators.codice_fiscale_ente]
    )
    partita_iva = models.CharField(
        _("partita IVA"), max_length=11, blank=True, validators=[validators.partita_iva]
    )
    comune = models.OneToOneField(
        Comune, on_delete=models.PROTECT, null=True, blank=True, related_name="ente"
    )
    asl = models.OneToOneField(ASL, on_delete=models.PROTECT, null=True, blank=True, related_name="ente")
    provincia = models.OneToOneField(
        Provincia, on_delete=models.PROTECT, null=True, blank=True, related_name="ente"
    )
    ambiti = models.ManyToManyField(
        Ambito, related_name="enti", blank=True, verbose_name=_("ambiti in cui opera")
    )
    forma_giuridica = models.CharField(
        _("forma giuridica (D.Lgs. 117/2017)"), max_length=30, choices=FormaGiuridica.choices, blank=True
    )
    sezione_runts = models.CharField(
        _("sezione RUNTS"), max_length=1, choices=SezioneRUNTS.choices, blank=True
    )
    numero_runts = models.CharField(_("numero di iscrizione RUNTS"), max_length=30, blank=True)
    livello_sindacale = models.CharField(
        _("livello (organizzazioni sindacali)"), max_length=20, choices=Livello.choices, blank=True
    )
    sede = models.CharField(_("sede"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    pec = models.EmailField(_("PEC"), blank=True)

    class Meta:
        verbose_name = _("ente")
        verbose_name_plural = _("enti")
        ordering = ["denominazione"]
        constraints = [
            models.UniqueConstraint(
                fields=["codice_fiscale"],
                condition=~Q(codice_fiscale=""),
                name="ente_codice_fiscale_unico",
            )
        ]

    def __str__(self):
        return self.denominazione

    def clean(self):
        errors = {}
        if self.tipo == self.Tipo.TERZO_SETTORE:
            if not self.forma_giuridica:
                errors["forma_giuridica"] = _("Indicare la forma giuridica dell'ente del Terzo Settore.")
            if not self.codice_fiscale:
                errors["codice_fiscale"] = _("Il codice fiscale è obbligatorio per gli enti del Terzo Settore.")
        elif self.forma_giuridica or self.sezione_runts or self.numero_runts:
            errors["forma_giuridica"] = _("Forma giuridica e dati RUNTS valgono solo per il Terzo Settore.")
        if self.numero_runts and not self.sezione_runts:
            errors["sezione_runts"] = _("Indicare la sezione RUNTS del numero di iscrizione.")
        if self.tipo == self.Tipo.COMUNE and not self.comune_id:
            errors["comune"] = _("Un ente di tipo Comune deve essere collegato al Comune dell'anagrafe.")
        if self.tipo == self.Tipo.ASL and not self.asl_id:
            errors["asl"] = _("Un ente di tipo ASL deve essere collegato all'azienda sanitaria.")
        if self.tipo == self.Tipo.PROVINCIA and not self.provincia_id:
            errors["provincia"] = _("Un ente di tipo Provincia deve essere collegato alla provincia.")
        if errors:
            raise ValidationError(errors)


class Incarico(models.Model):
    """A person's role, in an ambito (and for a body) or in a region, for a period. Incarichi
    are the source of truth for permissions: the services that create and end them grant and
    revoke the matching django-guardian object permissions."""

    class Ruolo(models.TextChoices):
        RESPONSABILE_UDP = "responsabile_udp", _("Responsabile dell'Ufficio di Piano")
        OPERATORE_UDP = "operatore_udp", _("Operatore dell'Ufficio di Piano")
        PRESIDENTE_ASSEMBLEA = "presidente_assemblea", _("Presidente dell'Assemblea dei Sindaci")
        SINDACO = "sindaco", _("Sindaco")
        REFERENTE_ASL = "referente_asl", _("Referente ASL")
        REFERENTE_SINDACATO = "referente_sindacato", _("Referente organizzazione sindacale")
        REFERENTE_TERZO_SETTORE = "referente_terzo_settore", _("Referente Terzo Settore")
        COMPONENTE_TAVOLO = "componente_tavolo", _("Componente di tavolo")
        OPERATORE_REGIONALE = "operatore_regionale", _("Operatore regionale")

    utente = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="incarichi"
    )
    ruolo = models.CharField(_("ruolo"), max_length=30, choices=Ruolo.choices)
    ambito = models.ForeignKey(
        Ambito, on_delete=models.PROTECT, null=True, blank=True, related_name="incarichi"
    )
    regione = models.ForeignKey(
        Regione, on_delete=models.PROTECT, null=True, blank=True, related_name="incarichi"
    )
    ente = models.ForeignKey(
        Ente, on_delete=models.PROTECT, null=True, blank=True, related_name="incarichi",
        help_text=_("L'ente per cui la persona agisce (il Comune del sindaco, l'ASL, il sindacato…)."),
    )
    dal = models.DateField(_("dal"))
    al = models.DateField(_("al"), null=True, blank=True)
    attivo = models.BooleanField(_("attivo"), default=True)

    class Meta:
        verbose_name = _("incarico")
        verbose_name_plural = _("incarichi")
        ordering = ["utente", "ruolo"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(ruolo="operatore_regionale", regione__isnull=False, ambito__isnull=True)
                    | (~Q(ruolo="operatore_regionale") & Q(ambito__isnull=False, regione__isnull=True))
                ),
                name="incarico_ambito_o_regione",
            ),
            models.CheckConstraint(
                condition=Q(al__isnull=True) | Q(al__gte=models.F("dal")),
                name="incarico_date_ordinate",
            ),
        ]

    def __str__(self):
        dove = self.ambito or self.regione
        return f"{self.utente} – {self.get_ruolo_display()} – {dove}"
