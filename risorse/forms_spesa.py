"""Forms of the Comuni's social spending. They only shape the input: amounts stay text as typed
("1.234,56") and ``services_spesa`` parses and checks every row, naming each wrong one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accordi.selectors_contenuto import euro
from accordi.services_contenuto import importo_in_centesimi
from ambiti.exceptions import DatiNonValidi
from tavoli.forms import StileItalia

from .selectors_spesa import TabellaSpesa
from .services_spesa import LUNGHEZZA_NOTA
from .tabelle import file_caricato_valido


def _importo(etichetta: str) -> forms.CharField:
    return forms.CharField(label=etichetta, required=False, max_length=30, widget=forms.TextInput(attrs={
        "class": "form-control text-end", "inputmode": "decimal", "autocomplete": "off"}))


class SpesaAnnoForm(StileItalia, forms.Form):
    """A year's table: per Comune of the ambito, its social spending, the part conferred to the
    Ufficio di Piano and a note (``s_<id>``, ``c_<id>``, ``n_<id>``). Every label names the
    Comune, so that each input is identified on its own (screen readers, error list)."""

    def __init__(self, *args, tabella: TabellaSpesa, **kwargs):
        self.tabella = tabella
        iniziale = {}
        for r in tabella.righe:
            if not r.mancante:
                iniziale.update({f"s_{r.comune.pk}": euro(r.spesa), f"c_{r.comune.pk}": euro(r.conferita),
                                 f"n_{r.comune.pk}": r.nota})
        super().__init__(*args, initial=iniziale, **kwargs)
        for r in tabella.righe:
            nome = r.comune.denominazione
            self.fields[f"s_{r.comune.pk}"] = _importo(_("%(comune)s: spesa sociale in euro") % {"comune": nome})
            self.fields[f"c_{r.comune.pk}"] = _importo(
                _("%(comune)s: parte conferita all'Ufficio di Piano in euro") % {"comune": nome})
            self.fields[f"n_{r.comune.pk}"] = forms.CharField(
                label=_("%(comune)s: nota") % {"comune": nome}, required=False, max_length=LUNGHEZZA_NOTA,
                widget=forms.TextInput(attrs={"class": "form-control"}))

    def clean(self):
        """Tie each wrong amount to its own field (the service checks everything again and
        names the Comune in its messages; here the user sees which input to fix)."""
        dati = super().clean()
        for r in self.tabella.righe:
            importi = {}
            for prefisso in ("s", "c"):
                nome = f"{prefisso}_{r.comune.pk}"
                try:
                    importi[prefisso] = importo_in_centesimi(dati.get(nome, ""))
                except DatiNonValidi as exc:
                    self.add_error(nome, exc.messaggi[0])
                    importi[prefisso] = None
            spesa, conferita = importi["s"], importi["c"]
            if (spesa is None) != (conferita is None) and not self.has_error(f"s_{r.comune.pk}") \
                    and not self.has_error(f"c_{r.comune.pk}"):
                vuoto = f"c_{r.comune.pk}" if conferita is None else f"s_{r.comune.pk}"
                self.add_error(vuoto, _("Scrivi entrambi gli importi, o lascia vuoti entrambi per togliere il dato."))
            elif spesa is not None and conferita is not None and conferita > spesa:
                self.add_error(f"c_{r.comune.pk}", _("La parte conferita supera la spesa sociale del Comune."))
        return dati

    def righe_campi(self):
        """(Comune, spending field, conferred field, note field) for the template."""
        return [(r.comune, self[f"s_{r.comune.pk}"], self[f"c_{r.comune.pk}"], self[f"n_{r.comune.pk}"])
                for r in self.tabella.righe]

    def righe(self) -> dict[int, tuple[str, str, str]]:
        """What the service takes: Comune id -> (spending, conferred, note) as typed."""
        return {r.comune.pk: (self.cleaned_data.get(f"s_{r.comune.pk}", ""),
                              self.cleaned_data.get(f"c_{r.comune.pk}", ""),
                              self.cleaned_data.get(f"n_{r.comune.pk}", ""))
                for r in self.tabella.righe}


class AnnoForm(StileItalia, forms.Form):
    """The year to show or to fill in (GET)."""

    anno = forms.IntegerField(label=_("Anno"), min_value=2000, max_value=2100)


class ImportaSpesaForm(StileItalia, forms.Form):
    file = forms.FileField(
        label=_("File della spesa sociale (CSV o XLSX)"),
        help_text=_("Colonne: anno, codice_istat, comune, spesa_totale, conferita_udp, nota (le stesse del file "
                    "esportato). Al più 5 MB. I Comuni e gli anni che il file non contiene restano come sono."))

    def clean_file(self):
        return file_caricato_valido(self.cleaned_data["file"], (".csv", ".xlsx", ".txt"))


class ConfermaForm(forms.Form):
    impronta = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
