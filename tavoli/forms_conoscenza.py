"""Forms of the knowledge base (filters), of the regional areas of intervention and of the
region's own kinds of service. They only read and clean input: services write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import StileItalia
from .models import AreaFNPS, AreaISTAT, LivelloPriorita
from .selectors_conoscenza import ELENCHI, Filtri


class FiltriConoscenzaForm(StileItalia, forms.Form):
    """The GET form above the lists; it works without JavaScript."""

    elenco = forms.ChoiceField(choices=[(e, e) for e in ELENCHI], required=False, widget=forms.HiddenInput)
    q = forms.CharField(label=_("Cerca nel testo"), max_length=200, required=False)
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None, required=False,
                                  empty_label=_("Tutte le aree"))
    priorita = forms.ChoiceField(label=_("Priorità del bisogno"), required=False,
                                 choices=[("", _("Tutte le priorità")), *LivelloPriorita.choices])
    tipo = forms.ModelChoiceField(label=_("Tipo di unità di offerta"), queryset=None, required=False,
                                  empty_label=_("Tutti i tipi"))
    comune = forms.ModelChoiceField(label=_("Comune"), queryset=None, required=False,
                                    empty_label=_("Tutti i Comuni"))
    tavolo = forms.ModelChoiceField(label=_("Tavolo"), queryset=None, required=False,
                                    empty_label=_("Tutti i tavoli"))
    voce = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, aree, tipi, comuni, tavoli, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = aree
        self.fields["tipo"].queryset = tipi
        self.fields["comune"].queryset = comuni
        self.fields["tavolo"].queryset = tavoli
        for nome in ("area", "tipo", "comune", "tavolo"):
            self.fields[nome].error_messages["invalid_choice"] = _(
                "Il valore scelto non è tra quelli disponibili: il filtro è stato ignorato.")
        self.fields["priorita"].error_messages["invalid_choice"] = _(
            "Priorità non valida: il filtro è stato ignorato.")

    def filtri(self) -> Filtri:
        """The valid filters (an invalid one is ignored and its error shown)."""
        self.is_valid()
        d = self.cleaned_data
        return Filtri(area=d.get("area"), priorita=d.get("priorita") or "", tipo=d.get("tipo"),
                      comune=d.get("comune"), tavolo=d.get("tavolo"), testo=(d.get("q") or "").strip(),
                      voce=d.get("voce"))

    def attivi(self) -> bool:
        f = self.filtri()
        return any([f.area, f.priorita, f.tipo, f.comune, f.tavolo, f.testo, f.voce])


class AreaForm(StileItalia, forms.Form):
    nome = forms.CharField(label=_("Nome"), max_length=120,
                           error_messages={"required": _("Indica il nome dell'area.")})
    descrizione = forms.CharField(label=_("Descrizione"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    area_fnps = forms.ChoiceField(label=_("Area FNPS"), required=False,
                                  choices=[("", _("Nessuna corrispondenza")), *AreaFNPS.choices],
                                  help_text=_("L'area del Fondo Nazionale Politiche Sociali a cui corrisponde."))
    area_istat = forms.ChoiceField(label=_("Area di utenza ISTAT"), required=False,
                                   choices=[("", _("Nessuna corrispondenza")), *AreaISTAT.choices],
                                   help_text=_("L'area di utenza dell'indagine ISTAT sulla spesa sociale dei "
                                               "Comuni."))
    ordine = forms.IntegerField(label=_("Ordine nell'elenco"), min_value=0, max_value=32767, initial=0)


class AreaModificaForm(AreaForm):
    attiva = forms.BooleanField(label=_("In uso (proponibile per nuovi tavoli)"), required=False)


class TipoOffertaForm(StileItalia, forms.Form):
    nome = forms.CharField(label=_("Nome"), max_length=160,
                           error_messages={"required": _("Indica il nome del tipo di unità di offerta.")})
    sigla = forms.CharField(label=_("Sigla"), max_length=20, required=False)
    area_istat = forms.ChoiceField(label=_("Area di utenza ISTAT"), required=False,
                                   choices=[("", _("Nessuna corrispondenza")), *AreaISTAT.choices])
    unita_capacita = forms.CharField(label=_("Capacità espressa in"), max_length=40, required=False,
                                     help_text=_("Per esempio: posti, utenti, ore settimanali."))
