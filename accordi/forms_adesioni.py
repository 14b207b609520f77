"""Forms of the adesioni pages: they parse input (Italian numbers and amounts included); the
services decide (accordi/services_adesioni.py)."""

import re
from decimal import Decimal

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tavoli.forms import StileItalia
from tavoli.forms_tavoli import SceltaMultipla

from .exceptions import DatiNonValidi
from .models import AllegatoAdesione, RisorsaAdesione
from .services_contenuto import importo_in_centesimi

# "12", "1.234", "1.234,5", "0,50": dots group thousands, the comma starts the decimals.
_QUANTITA = re.compile(r"(?P<intero>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<decimali>\d+))?")
MAX_RISORSE = 50
MAX_QUANTITA = Decimal("9999999999.99")


def max_allegato() -> int:
    return getattr(settings, "PIANOZONA_ADESIONE_MAX_ALLEGATO", 10 * 1024 * 1024)


def quantita_da_testo(testo: str) -> Decimal | None:
    """A quantity written the Italian way as a Decimal; None when empty."""
    valore = (testo or "").replace("\u00a0", "").replace(" ", "").strip()
    if not valore:
        return None
    trovato = _QUANTITA.fullmatch(valore)
    if trovato is None:
        raise forms.ValidationError(
            _("«%(v)s» non è una quantità: scrivila in cifre, con la virgola per i decimali (per esempio 12 "
              "oppure 2,5).") % {"v": testo.strip()})
    decimali = trovato["decimali"] or ""
    if len(decimali) > 2:
        raise forms.ValidationError(_("«%(v)s»: indica al più due decimali.") % {"v": testo.strip()})
    quantita = Decimal(f"{trovato['intero'].replace('.', '')}.{decimali or '0'}")
    if quantita <= 0:
        raise forms.ValidationError(_("La quantità deve essere maggiore di zero."))
    if quantita > MAX_QUANTITA:
        raise forms.ValidationError(_("«%(v)s»: la quantità è troppo grande.") % {"v": testo.strip()})
    return quantita


def quantita_in_testo(quantita: Decimal) -> str:
    """The reverse of ``quantita_da_testo`` for a form's initial value: "2,5", "1.200"."""
    intero, _sep, decimali = f"{quantita.normalize():f}".partition(".")
    gruppi = f"{int(intero):,}".replace(",", ".")
    return f"{gruppi},{decimali}" if decimali else gruppi


class RichiestaForm(StileItalia, forms.Form):
    """What the body states: its statement, the areas and the tavoli it took part in."""

    dichiarazione = forms.CharField(
        label=_("Dichiarazione dell'ente"), required=False, max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Perché l'ente aderisce all'Accordo e come ha contribuito alla stesura del piano. "
                    "Obbligatoria per inviare la richiesta."))
    aree = forms.ModelMultipleChoiceField(
        label=_("Aree di intervento in cui l'ente opera"), queryset=None, required=False, widget=SceltaMultipla)
    tavoli = forms.ModelMultipleChoiceField(
        label=_("Tavoli tematici del piano a cui l'ente ha partecipato"), queryset=None, required=False,
        widget=SceltaMultipla,
        help_text=_("L'Ufficio di Piano confronta quanto dichiarato con i registri delle presenze."))
    versione = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, aree, tavoli, presenze=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aree"].queryset = aree
        self.fields["tavoli"].queryset = tavoli
        presenze = presenze or {}

        def etichetta_tavolo(tavolo) -> str:
            p = presenze.get(tavolo.pk) or {}
            if p.get("presenze"):
                return ngettext("%(t)s – nei registri: presente a %(p)d seduta su %(s)d",
                                "%(t)s – nei registri: presente a %(p)d sedute su %(s)d", p["presenze"]) % {
                    "t": tavolo.nome, "p": p["presenze"], "s": p["sedute"]}
            return _("%(t)s – nei registri: nessuna presenza dell'ente") % {"t": tavolo.nome}

        self.fields["tavoli"].label_from_instance = etichetta_tavolo


class RisorsaForm(StileItalia, forms.Form):
    """One resource the body brings. A row left empty is not considered."""

    tipo = forms.ChoiceField(label=_("Tipo"), required=False,
                             choices=[("", _("— scegli —"))] + list(RisorsaAdesione.Tipo.choices))
    descrizione = forms.CharField(label=_("Descrizione"), required=False, max_length=255)
    quantita = forms.CharField(label=_("Quantità"), required=False, max_length=20)
    valore = forms.CharField(label=_("Valore in euro"), required=False, max_length=20)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tipo"].widget.attrs["class"] = "form-select"
        self.fields["descrizione"].widget.attrs["size"] = 40
        # One explanation above the table serves every row (templates/accordi/adesioni/_risorse_form.html).
        for nome in ("quantita", "valore"):
            self.fields[nome].widget.attrs.update({
                "inputmode": "decimal", "autocomplete": "off", "size": 12, "aria-describedby": f"aiuto-risorse-{nome}"})

    @property
    def vuota(self) -> bool:
        dati = getattr(self, "cleaned_data", {})
        return not any(dati.get(c) for c in ("tipo", "descrizione", "quantita", "valore"))

    def clean_quantita(self):
        return quantita_da_testo(self.cleaned_data.get("quantita", ""))

    def clean_valore(self):
        try:
            return importo_in_centesimi(self.cleaned_data.get("valore", ""))
        except DatiNonValidi as exc:
            raise forms.ValidationError(exc.messaggi) from exc

    def clean(self):
        dati = super().clean()
        if self.vuota:
            return dati
        tipo, quantita, valore = dati.get("tipo"), dati.get("quantita"), dati.get("valore")
        leggibili = {nome for nome in ("quantita", "valore") if nome not in self.errors}

        def manca(nome, messaggio):
            if nome not in self.errors:
                self.add_error(nome, messaggio)

        if not tipo:
            manca("tipo", _("Scegli il tipo di risorsa."))
        if not dati.get("descrizione"):
            manca("descrizione", _("Descrivi la risorsa."))
        if tipo == RisorsaAdesione.Tipo.DENARO and leggibili == {"quantita", "valore"}:
            if valore is None and quantita is not None:
                valore = int(quantita * 100)
            if valore is None or valore <= 0:
                manca("valore", _("Indica l'importo in euro messo a disposizione."))
            elif quantita is not None and int(quantita * 100) != valore:
                manca("quantita", _("Per le risorse economiche la quantità è l'importo stesso: lasciala vuota o "
                                    "scrivi lo stesso importo del valore."))
            else:
                dati["valore"], dati["quantita"] = valore, Decimal(valore) / 100
        elif tipo and tipo != RisorsaAdesione.Tipo.DENARO:
            if "quantita" in leggibili and quantita is None:
                manca("quantita", _("Indica la quantità."))
            if "valore" in leggibili and valore is None:
                manca("valore", _("Indica il valore stimato in euro (0,00 se non è stimabile)."))
        return dati

    def risorsa(self) -> dict:
        d = self.cleaned_data
        return {"tipo": d["tipo"], "descrizione": d["descrizione"], "quantita": d["quantita"],
                "valore_centesimi": d["valore"]}


class RisorseFormSetBase(forms.BaseFormSet):
    def risorse(self) -> list[dict]:
        return [f.risorsa() for f in self.forms if f.cleaned_data and not f.vuota]


RisorseFormSet = forms.formset_factory(RisorsaForm, formset=RisorseFormSetBase, extra=3, max_num=MAX_RISORSE,
                                       validate_max=True)


def risorse_iniziali(risorse) -> list[dict]:
    from .selectors_contenuto import euro

    # for money the quantity is the amount itself: shown once, as the value
    return [{"tipo": r.tipo, "descrizione": r.descrizione,
             "quantita": "" if r.tipo == RisorsaAdesione.Tipo.DENARO else quantita_in_testo(r.quantita),
             "valore": euro(r.valore_centesimi)} for r in risorse]


class AllegatoForm(StileItalia, forms.Form):
    tipo = forms.ChoiceField(label=_("Tipo di documento"), choices=AllegatoAdesione.Tipo.choices,
                             error_messages={"required": _("Scegli il tipo di documento.")})
    file = forms.FileField(
        label=_("File PDF"), widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
        error_messages={"required": _("Scegli il file PDF da caricare."),
                        "empty": _("Il file è vuoto.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Solo PDF non protetti da password, al massimo %(max)s per file.") % {
            "max": filesizeformat(max_allegato())}
        self.fields["file"].widget.attrs["aria-describedby"] = "aiuto-id_file"

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > max_allegato():
            raise forms.ValidationError(_("Il file supera la dimensione massima di %(max)s.") % {
                "max": filesizeformat(max_allegato())})
        return file


class AzioneForm(forms.Form):
    """A reviewer's step: the state the page showed and the note."""

    stato_atteso = forms.CharField(max_length=20)
    nota = forms.CharField(required=False, max_length=20000)


class RitiroForm(forms.Form):
    nota = forms.CharField(required=False, max_length=5000)
