"""Forms of the Accordo di Programma's pages. They only shape and parse the input (Italian
numbers, percentages and amounts); the rules (who, when, dates inside the cycle, shares adding
to 100, users given for a users' share) are the services' (``accordi.services_accordo``).
Querysets and the lists of years and Comuni come from the views."""

from __future__ import annotations

import re

from django import forms
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from tavoli.forms import StileItalia

from .exceptions import DatiNonValidi
from .models import CENTO_PER_CENTO, VoceOnere
from .ripartizione import percentuale_da_testo
from .services_contenuto import importo_in_centesimi

_NUMERO_INTERO = re.compile(r"\d{1,3}(?:\.\d{3})+|\d+")


def _aiuto(form: forms.Form, nome: str, testo) -> None:
    """Help text decided at run time (StileItalia links only the help known when it runs)."""
    campo = form.fields[nome]
    campo.help_text = testo
    campo.widget.attrs["aria-describedby"] = f"aiuto-id_{form.add_prefix(nome)}"


def _data(etichetta, **kwargs) -> forms.DateField:
    campo = forms.DateField(label=etichetta, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)
    campo.widget.format = "%Y-%m-%d"
    return campo


class InteroItaliano(forms.CharField):
    """A whole number as Italians write it: "12345" or "12.345" (dots for the thousands)."""

    default_error_messages = {
        "invalid": _("«%(v)s» non è un numero intero: scrivilo senza decimali, per esempio 12.345."),
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": "15",
                                  "class": "form-control text-end"})

    def to_python(self, value):
        testo = (super().to_python(value) or "").replace(" ", "").replace("\u00a0", "")
        if not testo:
            return None
        if len(testo) > 15 or not _NUMERO_INTERO.fullmatch(testo):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid", params={"v": value.strip()})
        return int(testo.replace(".", ""))


def intero_testo(numero: int | None) -> str:
    """The number as the fields above show it back ("12.345")."""
    if numero is None:
        return ""
    return formats.number_format(numero, 0, use_l10n=True, force_grouping=True)


class AccordoDatiForm(StileItalia, forms.Form):
    data_inizio = _data(_("In vigore dal"), required=False)
    data_fine = _data(_("In vigore fino al"), required=False)
    modalita_aggiornamento = forms.CharField(
        label=_("Modalità di aggiornamento"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Come e da chi l'Accordo può essere aggiornato nel triennio (per esempio: con deliberazione "
                    "dell'Assemblea dei Sindaci, sentita l'ASL)."),
    )
    data_popolazione = _data(_("Popolazione alla data"), required=False)

    def __init__(self, *args, ciclo, **kwargs):
        super().__init__(*args, **kwargs)
        finestra = _("Entro la validità degli Accordi del ciclo: dal %(da)s al %(a)s.") % {
            "da": formats.date_format(ciclo.validita_inizio, "d/m/Y"),
            "a": formats.date_format(ciclo.validita_fine, "d/m/Y")}
        _aiuto(self, "data_inizio", finestra)
        _aiuto(self, "data_fine", finestra)
        _aiuto(self, "data_popolazione", _("La data a cui si riferisce la popolazione usata per ripartire gli oneri "
                                           "(per esempio l'ultimo dato ISTAT disponibile)."))


class ParteForm(StileItalia, forms.Form):
    impegni = forms.CharField(
        label=_("Impegni"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Che cosa l'ente si impegna a fare o a mettere a disposizione per attuare il piano."),
    )
    firmatario = forms.ModelChoiceField(label=_("Chi firma per l'ente"), queryset=None, required=False,
                                        empty_label=_("— nessuno —"))

    def __init__(self, *args, firmatari, descrizioni: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        campo = self.fields["firmatario"]
        campo.queryset = firmatari
        campo.label_from_instance = lambda u: descrizioni.get(u.pk) or str(u)
        _aiuto(self, "firmatario", _("Le persone con un incarico attivo per l'ente. Per firmare serve il codice "
                                     "fiscale, che identifica chi firma nel certificato di firma digitale."))


class ParteNuovaForm(StileItalia, forms.Form):
    ente = forms.ModelChoiceField(label=_("Ente"), queryset=None, empty_label=_("— scegli —"))
    firma_obbligatoria = forms.BooleanField(
        label=_("La sua firma è necessaria perché l'Accordo entri in vigore"), required=False, initial=True,
        help_text=_("Per la Provincia la firma è sempre necessaria (art. 34 del D.Lgs. 267/2000)."),
    )

    def __init__(self, *args, enti, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ente"].queryset = enti
        self.fields["ente"].label_from_instance = lambda e: f"{e.denominazione} ({e.get_tipo_display()})"
        _aiuto(self, "ente", _("La Provincia, un'azienda consortile o un altro ente pubblico dell'ambito o della "
                               "provincia dei suoi Comuni. I Comuni e l'ASL sono già parti dell'Accordo."))


class PopolazioneForm(StileItalia, forms.Form):
    """The reference date and one field per Comune (``c_<comune id>``)."""

    data_popolazione = _data(_("Popolazione alla data"))

    def __init__(self, *args, comuni, **kwargs):
        super().__init__(*args, **kwargs)
        self.comuni = list(comuni)
        for comune in self.comuni:
            self.fields[self.nome(comune)] = InteroItaliano(label=comune.denominazione, required=False)

    @staticmethod
    def nome(comune) -> str:
        return f"c_{comune.pk}"

    def campi_comuni(self):
        return [self[self.nome(c)] for c in self.comuni]

    def abitanti(self) -> dict[int, int | None]:
        """Comune id -> inhabitants (None for an empty field: the figure is removed)."""
        return {c.pk: self.cleaned_data[self.nome(c)] for c in self.comuni}


class VoceForm(StileItalia, forms.Form):
    """A cost item: its name and rule, the three shares (only for the mixed rule), the total per
    year of the cycle (``i_<anno>``) and the users served per Comune (``u_<comune id>``)."""

    denominazione = forms.CharField(label=_("Voce di costo"), max_length=200,
                                    help_text=_("Per esempio: Servizio di assistenza domiciliare, Tutela minori, "
                                                "Ufficio di Piano."))
    criterio = forms.ChoiceField(label=_("Criterio di ripartizione"), choices=VoceOnere.Criterio.choices,
                                 widget=forms.RadioSelect, initial=VoceOnere.Criterio.PER_ABITANTE)
    quota_popolazione = forms.CharField(label=_("Quota per popolazione (%)"), required=False, max_length=10)
    quota_utenti = forms.CharField(label=_("Quota per utenti serviti (%)"), required=False, max_length=10)
    quota_parti_uguali = forms.CharField(label=_("Quota in parti uguali (%)"), required=False, max_length=10)

    QUOTE = ("quota_popolazione", "quota_utenti", "quota_parti_uguali")

    def __init__(self, *args, anni: list[int], comuni, **kwargs):
        super().__init__(*args, **kwargs)
        self.anni, self.comuni = list(anni), list(comuni)
        self.fields["criterio"].widget.attrs["class"] = "form-check-input"
        for nome in self.QUOTE:
            self.fields[nome].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off",
                                                   "class": "form-control text-end", "data-quota": nome})
        for anno in self.anni:
            self.fields[self.nome_anno(anno)] = forms.CharField(
                label=str(anno), required=False, max_length=30,
                widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal",
                                              "autocomplete": "off"}))
        for comune in self.comuni:
            self.fields[self.nome_comune(comune)] = InteroItaliano(label=comune.denominazione, required=False)

    @staticmethod
    def nome_anno(anno: int) -> str:
        return f"i_{anno}"

    @staticmethod
    def nome_comune(comune) -> str:
        return f"u_{comune.pk}"

    def campi_quote(self):
        return [self[n] for n in self.QUOTE]

    def campi_anni(self):
        return [self[self.nome_anno(a)] for a in self.anni]

    def campi_utenti(self):
        return [self[self.nome_comune(c)] for c in self.comuni]

    def _percentuale(self, nome: str) -> int:
        testo = (self.data.get(self.add_prefix(nome)) or "").strip()
        if not testo:
            return 0
        try:
            return percentuale_da_testo(testo)
        except ValueError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def clean(self):
        dati = super().clean()
        if dati.get("criterio") == VoceOnere.Criterio.PER_ABITANTE:
            # The whole amount follows the population: the shares (hidden with JavaScript) do not count.
            dati.update(quota_popolazione=CENTO_PER_CENTO, quota_utenti=0, quota_parti_uguali=0)
        else:
            for nome in self.QUOTE:
                try:
                    dati[nome] = self._percentuale(nome)
                except forms.ValidationError as exc:
                    self.add_error(nome, exc)
        for anno in self.anni:
            nome = self.nome_anno(anno)
            try:
                dati[nome] = importo_in_centesimi(dati.get(nome))
            except DatiNonValidi as exc:
                self.add_error(nome, " ".join(exc.messaggi))
        return dati

    def dati_servizio(self) -> dict:
        """The keyword arguments of ``services_accordo.voce_salva`` (without accordo, utente, voce)."""
        d = self.cleaned_data
        return {
            "denominazione": d["denominazione"], "criterio": d["criterio"],
            "quota_popolazione": d["quota_popolazione"], "quota_utenti": d["quota_utenti"],
            "quota_parti_uguali": d["quota_parti_uguali"],
            "importi": {a: d[self.nome_anno(a)] for a in self.anni if d.get(self.nome_anno(a)) is not None},
            "utenti": {c.pk: d[self.nome_comune(c)] for c in self.comuni if d.get(self.nome_comune(c)) is not None},
        }
