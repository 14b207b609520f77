"""Forms of the plan's working draft. They only shape the input: the rules (who, when,
sanitising, budget formats, dates inside the cycle, citations from the plan's own tavoli) are
the services' (``accordi.services_contenuto``). Querysets come from the views."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tavoli.forms import StileItalia
from tavoli.forms_tavoli import SceltaMultipla

from .models import FonteFinanziamento, Obiettivo


class SezioneForm(forms.Form):
    """The section's text (HTML from the editor, or plain text without JavaScript), the
    version the editor loaded, and the cited needs and offer (checkboxes grouped by the
    template)."""

    testo = forms.CharField(label=_("Testo della sezione"), required=False,
                            widget=forms.Textarea(attrs={"rows": 16, "class": "form-control"}))
    versione = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    bisogni = forms.TypedMultipleChoiceField(coerce=int, required=False)
    offerta = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args, bisogni, offerta, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["bisogni"].choices = [(b.pk, str(b.pk)) for b in bisogni]
        self.fields["offerta"].choices = [(o.pk, str(o.pk)) for o in offerta]
        self.fields["bisogni"].error_messages["invalid_choice"] = _(
            "Uno dei bisogni scelti non è più nell'analisi del piano: ricarica la pagina.")
        self.fields["offerta"].error_messages["invalid_choice"] = _(
            "Una delle unità di offerta scelte non è più nell'analisi del piano: ricarica la pagina.")


class ObiettivoForm(StileItalia, forms.Form):
    tipo = forms.ChoiceField(label=_("Tipo di obiettivo"), choices=Obiettivo.Tipo.choices)
    codice = forms.CharField(label=_("Codice"), max_length=20, required=False, help_text=_("Per esempio: OB1."))
    titolo = forms.CharField(label=_("Titolo"), max_length=255)
    descrizione = forms.CharField(label=_("Descrizione"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None, required=False)

    def __init__(self, *args, aree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = aree


class AzioneForm(StileItalia, forms.Form):
    codice = forms.CharField(label=_("Codice"), max_length=20, required=False, help_text=_("Per esempio: A1.2."))
    titolo = forms.CharField(label=_("Titolo"), max_length=255)
    descrizione = forms.CharField(label=_("Descrizione"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None, required=False)
    destinatari = forms.CharField(label=_("Destinatari"), max_length=255, required=False)
    capofila = forms.ModelChoiceField(label=_("Ente responsabile"), queryset=None, required=False)
    partner = forms.ModelMultipleChoiceField(label=_("Partner"), queryset=None, required=False,
                                             widget=SceltaMultipla)
    inizio = forms.DateField(label=_("Inizio"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                             help_text=_("Negli anni del ciclo."))
    fine = forms.DateField(label=_("Fine"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                           help_text=_("Negli anni del ciclo."))
    bisogni = forms.ModelMultipleChoiceField(label=_("Bisogni a cui risponde"), queryset=None, required=False,
                                             widget=SceltaMultipla)

    def __init__(self, *args, aree, enti, bisogni, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = aree
        self.fields["capofila"].queryset = enti
        self.fields["partner"].queryset = enti
        self.fields["bisogni"].queryset = bisogni
        self.fields["bisogni"].label_from_instance = lambda b: f"{b.area.nome}: {b.destinatari} – {b.descrizione[:80]}"
        for nome in ("inizio", "fine"):
            self.fields[nome].widget.format = "%Y-%m-%d"


class GrigliaForm(forms.Form):
    """The action's budget: one text cell per year and source, in euro as typed ("1.234,56");
    the service parses and checks every cell."""

    def __init__(self, *args, anni: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.anni = anni
        for fonte, etichetta in FonteFinanziamento.choices:
            for anno in anni:
                self.fields[self.nome(anno, fonte)] = forms.CharField(
                    label=f"{etichetta}, {anno}", required=False, max_length=30,
                    widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal",
                                                  "autocomplete": "off"}))

    @staticmethod
    def nome(anno: int, fonte: str) -> str:
        return f"s_{anno}_{fonte}"

    def righe(self):
        """(source label, [bound field per year]) for the template."""
        return [(etichetta, [self[self.nome(a, fonte)] for a in self.anni])
                for fonte, etichetta in FonteFinanziamento.choices]

    def stanziamenti(self) -> dict:
        return {(a, fonte): self.cleaned_data.get(self.nome(a, fonte), "")
                for fonte, _e in FonteFinanziamento.choices for a in self.anni}


class IndicatoreForm(StileItalia, forms.Form):
    descrizione = forms.CharField(label=_("Indicatore"), max_length=255, required=False)
    unita = forms.CharField(label=_("Unità di misura"), max_length=60, required=False)
    valore_base = forms.DecimalField(label=_("Valore di partenza"), required=False, max_digits=14, decimal_places=2,
                                     localize=True)
    valore_obiettivo = forms.DecimalField(label=_("Valore atteso"), required=False, max_digits=14, decimal_places=2,
                                          localize=True)


class _IndicatoriBase(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:  # the page tells to tick «Elimina»; Django's own label is «Cancella»
            form.fields["DELETE"].label = _("Elimina")


IndicatoriFormSet = forms.formset_factory(IndicatoreForm, formset=_IndicatoriBase, extra=2, can_delete=True,
                                          max_num=50, absolute_max=60)


class ModelloSezioneForm(StileItalia, forms.Form):
    codice = forms.SlugField(label=_("Codice"), max_length=40,
                             help_text=_("Lettere minuscole, cifre e trattini, per esempio «contesto-famiglie»."))
    titolo = forms.CharField(label=_("Titolo"), max_length=200)
    guida = forms.CharField(label=_("Che cosa scrivere"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
