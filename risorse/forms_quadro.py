"""Forms of the quadro delle risorse. They only shape the input: amounts stay text as typed
("1.234,56") and the service parses and checks every cell, naming each bad one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accordi.selectors_contenuto import euro
from tavoli.forms import StileItalia
from tavoli.models import AreaIntervento

from .models import AmbitoSpesa, FonteRisorsa, TipoImporto
from .tabelle import file_caricato_valido

# The grid's columns: (ambito di spesa, tipo), planned first.
COLONNE_GRIGLIA = [(a, t) for t in TipoImporto.values for a in AmbitoSpesa.values]


def _campo_importo(etichetta: str) -> forms.CharField:
    return forms.CharField(label=etichetta, required=False, max_length=30, widget=forms.TextInput(attrs={
        "class": "form-control text-end", "inputmode": "decimal", "autocomplete": "off"}))


class GrigliaAnnoForm(forms.Form):
    """One year of the quadro: a row per source across areas, plus a row for every source and
    area the year already has; four cells per row (planned and actual, sociale and
    sociosanitario)."""

    def __init__(self, *args, anno: int, fonti, aree, esistenti: dict[tuple, int], **kwargs):
        self.anno = anno
        per_area = {a.pk: a for a in aree}
        # Rows: (fonte, area) — every source in use across areas, then the per-area rows in use.
        chiavi = {(f.pk, None) for f in fonti if f.attiva}
        chiavi |= {(f, a) for (f, a, _s, _t) in esistenti}
        ordine_fonte = {f.pk: i for i, f in enumerate(fonti)}
        per_fonte = {f.pk: f for f in fonti}
        ordine_area = {a.pk: i for i, a in enumerate(aree)}
        self.chiavi_righe = sorted((k for k in chiavi if k[0] in per_fonte and (k[1] is None or k[1] in per_area)),
                                   key=lambda k: (ordine_fonte[k[0]], k[1] is not None, ordine_area.get(k[1], 0)))
        self._fonti, self._aree = per_fonte, per_area
        iniziale = {self.nome(f, a, s, t): euro(c) for (f, a, s, t), c in esistenti.items()}
        super().__init__(*args, initial=iniziale, prefix=f"a{anno}", **kwargs)
        etichette_ambito, etichette_tipo = dict(AmbitoSpesa.choices), dict(TipoImporto.choices)
        for f, a in self.chiavi_righe:
            riga = self.etichetta_riga(f, a)
            for s, t in COLONNE_GRIGLIA:
                self.fields[self.nome(f, a, s, t)] = _campo_importo(
                    f"{riga}, {etichette_ambito[s].lower()}, {etichette_tipo[t].lower()}, {anno}")

    @staticmethod
    def nome(fonte_id: int, area_id: int | None, ambito: str, tipo: str) -> str:
        return f"c_{fonte_id}_{area_id or 0}_{ambito}_{tipo}"

    def etichetta_riga(self, fonte_id, area_id) -> str:
        fonte = self._fonti[fonte_id]
        return f"{fonte} – {self._aree[area_id]}" if area_id else str(fonte)

    def righe(self):
        """(source, area, [bound field per column]) for the template."""
        return [(self._fonti[f], self._aree.get(a), [self[self.nome(f, a, s, t)] for s, t in COLONNE_GRIGLIA])
                for f, a in self.chiavi_righe]

    def celle(self) -> dict[tuple, str]:
        """What the service takes: every cell of the grid, as typed."""
        return {(f, a, s, t): self.cleaned_data.get(self.nome(f, a, s, t), "")
                for f, a in self.chiavi_righe for s, t in COLONNE_GRIGLIA}


class CellaForm(StileItalia, forms.Form):
    """One cell, to add a source's amount for one area of intervention (or correct any cell)."""

    fonte = forms.ModelChoiceField(label=_("Fonte di finanziamento"), queryset=None)
    area = forms.ModelChoiceField(label=_("Area di intervento"), queryset=None, required=False,
                                  empty_label=_("Trasversale a tutte le aree"))
    ambito_spesa = forms.ChoiceField(label=_("Ambito di spesa"), choices=AmbitoSpesa.choices)
    tipo = forms.ChoiceField(label=_("Previsto o consuntivo"), choices=TipoImporto.choices)
    importo = forms.CharField(label=_("Importo in euro"), required=False, max_length=30,
                              help_text=_("Per esempio 1.234,56. Zero o vuoto toglie la cella."))

    def __init__(self, *args, fonti, aree, anno: int, **kwargs):
        super().__init__(*args, prefix=f"cella{anno}", **kwargs)
        self.fields["fonte"].queryset = FonteRisorsa.objects.filter(pk__in=[f.pk for f in fonti if f.attiva])
        self.fields["area"].queryset = AreaIntervento.objects.filter(pk__in=[a.pk for a in aree])
        # The choices come from the lists already read by the view: no query to draw them.
        self.fields["fonte"].choices = [("", "---------")] + [(f.pk, f.nome) for f in fonti if f.attiva]
        self.fields["area"].choices = [("", _("Trasversale a tutte le aree"))] + [(a.pk, a.nome) for a in aree]
        self.fields["importo"].widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})


class ImportaForm(StileItalia, forms.Form):
    file = forms.FileField(
        label=_("File del quadro (CSV o XLSX)"),
        help_text=_("Colonne: anno, fonte, area, ambito, tipo, importo (scarica il modello). Al più 5 MB. "
                    "Il file sostituisce gli anni che contiene; gli altri anni restano come sono."))

    def clean_file(self):
        return file_caricato_valido(self.cleaned_data["file"])


class ConfermaForm(forms.Form):
    token = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
