"""What the API returns, field by field, with Italian names like the models'. Read-only: no
serializer here validates input except the list filters."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accordi.models import AccordoDiProgramma, ParteAccordo, PianoDiZona, RichiestaAdesione, RisorsaAdesione
from accordi.models.piano import CicloProgrammazione, Stato, TransizionePiano
from ambiti.models import ASL, Ambito, Ente, Regione

from ..models import AmbitoSpesa, FonteRisorsa, TipoImporto

# Ids travel as 64-bit integers: beyond that a value cannot name a row.
MAX_ID = 2**63 - 1


def euro_decimale(centesimi: int | None) -> str:
    """Cents as a decimal string with a dot and two decimals ("1234.56"): exact, unlike a float,
    and readable by any program (the pages' "1.234,56" is for people)."""
    centesimi = int(centesimi or 0)
    segno = "-" if centesimi < 0 else ""
    centesimi = abs(centesimi)
    return f"{segno}{centesimi // 100}.{centesimi % 100:02d}"


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+\.\d{2}$", "example": "1234.56",
                      "description": "Importo in euro, stringa decimale con il punto e due decimali."})
class EuroField(serializers.Field):
    """An amount in cents shown in euro as a decimal string."""

    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return euro_decimale(value)


_DATA = serializers.DateField()
_ISTANTE = serializers.DateTimeField()


def _data(valore):
    return None if valore is None else _DATA.to_representation(valore)


def _istante(valore):
    return None if valore is None else _ISTANTE.to_representation(valore)


class _Rapida:
    """The lists' serializers write their dict directly (``rappresenta``) instead of walking a
    field object per value: on a page of 50 plans with nested cycle, region and ambiti that
    walk was most of the API's time. The declared fields stay, so the OpenAPI schema is the
    same, and ``tests/risorse/test_api_viste.py`` checks the dicts equal DRF's own output.
    A subclass that adds fields (the detail serializers) goes back to DRF's walk."""

    def to_representation(self, instance):
        if "rappresenta" in type(self).__dict__:
            return self.rappresenta(instance)
        return super().to_representation(instance)

    def rappresentazione_drf(self, instance):
        return super().to_representation(instance)


def _regione(r) -> dict:
    return {"id": r.pk, "codice_istat": r.codice_istat, "nome": r.nome}


def _ciclo(c) -> dict:
    return {"id": c.pk, "regione": _regione(c.regione), "anno_inizio": c.anno_inizio, "anno_fine": c.anno_fine,
            "atto_linee_indirizzo": c.atto_linee_indirizzo, "scadenza_approvazione": _data(c.scadenza_approvazione),
            "validita_inizio": _data(c.validita_inizio), "validita_fine": _data(c.validita_fine)}


# --- registry ------------------------------------------------------------------------------------

class RegioneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regione
        fields = ["id", "codice_istat", "nome"]


class ASLSerializer(serializers.ModelSerializer):
    class Meta:
        model = ASL
        fields = ["id", "nome", "tipo"]


class AmbitoBreveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ambito
        fields = ["id", "codice", "nome"]


class AmbitoSerializer(_Rapida, serializers.ModelSerializer):
    """Un ambito territoriale: i Comuni che programmano insieme (dati anagrafici pubblici)."""

    asl = ASLSerializer(help_text="L'azienda sanitaria del territorio.")
    regione = RegioneSerializer(source="asl.regione", help_text="La regione dell'ambito (quella della sua ASL).")
    numero_comuni = serializers.IntegerField(help_text="Quanti Comuni compongono l'ambito.")
    popolazione = serializers.IntegerField(
        allow_null=True, help_text="Somma della popolazione dei Comuni dell'ambito (null se non nota)."
    )

    class Meta:
        model = Ambito
        fields = ["id", "codice", "nome", "asl", "regione", "numero_comuni", "popolazione"]

    def rappresenta(self, a) -> dict:
        asl = a.asl
        return {"id": a.pk, "codice": a.codice, "nome": a.nome,
                "asl": {"id": asl.pk, "nome": asl.nome, "tipo": asl.tipo}, "regione": _regione(asl.regione),
                "numero_comuni": int(a.numero_comuni),
                "popolazione": None if a.popolazione is None else int(a.popolazione)}


class EnteBreveSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ente
        fields = ["id", "denominazione", "tipo"]


class EnteAderenteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ente
        fields = ["id", "denominazione", "forma_giuridica", "sede"]


# --- plans ---------------------------------------------------------------------------------------

class CicloSerializer(serializers.ModelSerializer):
    regione = RegioneSerializer()

    class Meta:
        model = CicloProgrammazione
        fields = ["id", "regione", "anno_inizio", "anno_fine", "atto_linee_indirizzo", "scadenza_approvazione",
                  "validita_inizio", "validita_fine"]


class _PianoBase(_Rapida, serializers.ModelSerializer):
    stato = serializers.ChoiceField(choices=Stato.choices, help_text="Stato dell'iter (ITER.md).")
    stato_etichetta = serializers.CharField(source="get_stato_display", help_text="Lo stato, in parole.")
    ciclo = CicloSerializer(help_text="Il ciclo di programmazione regionale del piano.")
    ambiti = AmbitoBreveSerializer(many=True, help_text="Gli ambiti del piano (più d'uno se sovra-distrettuale).")

    @staticmethod
    def _comune(p) -> dict:
        """What every plan shows: id, title, state, cycle and ambiti (as the fields above)."""
        c = p.ciclo
        return {
            "id": p.pk, "titolo": p.titolo, "stato": p.stato, "stato_etichetta": p.get_stato_display(),
            "ciclo": _ciclo(c),
            "ambiti": [{"id": a.pk, "codice": a.codice, "nome": a.nome} for a in p.ambiti.all()],
        }


class PianoPubblicoSerializer(_PianoBase):
    """Un Piano di Zona approvato (in vigore o concluso)."""

    class Meta:
        model = PianoDiZona
        fields = ["id", "titolo", "stato", "stato_etichetta", "vigente_dal", "revisione_vigente", "ciclo", "ambiti"]

    def rappresenta(self, p) -> dict:
        d = self._comune(p)
        return {k: d[k] for k in ("id", "titolo", "stato", "stato_etichetta")} | {
            "vigente_dal": _data(p.vigente_dal), "revisione_vigente": p.revisione_vigente,
            "ciclo": d["ciclo"], "ambiti": d["ambiti"]}


class TransizionePubblicaSerializer(serializers.ModelSerializer):
    class Meta:
        model = TransizionePiano
        fields = ["da_stato", "a_stato", "quando", "ruolo"]


class PianoPubblicoDettaglioSerializer(PianoPubblicoSerializer):
    transizioni = TransizionePubblicaSerializer(
        many=True, help_text="I passi dell'iter, in ordine: da quale stato a quale, quando, in quale ruolo."
    )

    class Meta(PianoPubblicoSerializer.Meta):
        fields = [*PianoPubblicoSerializer.Meta.fields, "transizioni"]


class PianoSerializer(_PianoBase):
    """Un Piano di Zona con il suo stato nell'iter, il ciclo, gli ambiti e le date."""

    class Meta:
        model = PianoDiZona
        fields = ["id", "titolo", "stato", "stato_etichetta", "revisione", "vigente_dal", "revisione_vigente",
                  "ciclo", "ambiti", "creato_il", "aggiornato_il"]

    def rappresenta(self, p) -> dict:
        d = self._comune(p)
        return {k: d[k] for k in ("id", "titolo", "stato", "stato_etichetta")} | {
            "revisione": p.revisione, "vigente_dal": _data(p.vigente_dal), "revisione_vigente": p.revisione_vigente,
            "ciclo": d["ciclo"], "ambiti": d["ambiti"], "creato_il": _istante(p.creato_il),
            "aggiornato_il": _istante(p.aggiornato_il)}


class TransizioneSerializer(serializers.ModelSerializer):
    """Un passo del registro dell'iter: chi ha spostato il piano, da dove a dove, quando e con quale nota."""

    utente = serializers.SerializerMethodField(help_text="Chi ha eseguito il passo (null se automatico).")

    class Meta:
        model = TransizionePiano
        fields = ["id", "nome", "da_stato", "a_stato", "quando", "utente", "ruolo", "nota", "revisione",
                  "versione_documento"]

    def get_utente(self, obj) -> str | None:
        if obj.utente is None:
            return None
        return obj.utente.get_full_name() or obj.utente.get_username()


class PianoDettaglioSerializer(PianoSerializer):
    transizioni = TransizioneSerializer(many=True, help_text="Il registro delle transizioni dell'iter, in ordine.")

    class Meta(PianoSerializer.Meta):
        fields = [*PianoSerializer.Meta.fields, "motivo_annullamento", "transizioni"]


# --- resources -----------------------------------------------------------------------------------

class FonteAggregataSerializer(serializers.Serializer):
    codice = serializers.CharField(source="fonte__codice", help_text="Codice della fonte di finanziamento.")
    nome = serializers.CharField(source="fonte__nome")
    categoria = serializers.ChoiceField(source="fonte__categoria", choices=FonteRisorsa.Categoria.choices,
                                        help_text="Raggruppamento della fonte (tabella 1.1: Stato, Regione…).")


class RisorsaAggregataSerializer(serializers.Serializer):
    """Una riga del quadro delle risorse sommato: anno × fonte × ambito di spesa × tipo."""

    anno = serializers.IntegerField()
    fonte = FonteAggregataSerializer(source="*")
    ambito_spesa = serializers.ChoiceField(choices=AmbitoSpesa.choices, help_text="Sociale o sociosanitario.")
    tipo = serializers.ChoiceField(choices=TipoImporto.choices, help_text="Previsto o consuntivo.")
    totale_centesimi = serializers.IntegerField(help_text="Somma delle voci (tutte le aree), in centesimi.")
    totale_euro = EuroField(source="totale_centesimi")
    voci = serializers.IntegerField(help_text="Quante voci del quadro sono sommate.")


# --- Accordi and adesioni ------------------------------------------------------------------------

class RisorsaAdesioneSerializer(serializers.ModelSerializer):
    valore_euro = EuroField(source="valore_centesimi")

    class Meta:
        model = RisorsaAdesione
        fields = ["tipo", "descrizione", "quantita", "valore_centesimi", "valore_euro"]


class _ValoreTotale:
    """The total value of a request's (prefetched) resources."""

    @extend_schema_field(serializers.IntegerField(help_text="Valore complessivo delle risorse, in centesimi."))
    def get_valore_centesimi(self, obj) -> int:
        return sum(r.valore_centesimi for r in obj.risorse.all())

    @extend_schema_field(EuroField(help_text="Valore complessivo delle risorse, in euro."))
    def get_valore_euro(self, obj) -> str:
        return euro_decimale(self.get_valore_centesimi(obj))


class AderenteSerializer(_ValoreTotale, serializers.ModelSerializer):
    """Un ente del Terzo Settore che ha sottoscritto l'adesione all'Accordo, con le risorse che mette a
    disposizione e il loro valore complessivo."""

    ente = EnteAderenteSerializer()
    risorse = RisorsaAdesioneSerializer(many=True)
    valore_centesimi = serializers.SerializerMethodField()
    valore_euro = serializers.SerializerMethodField()

    class Meta:
        model = RichiestaAdesione
        fields = ["id", "ente", "sottoscritta_il", "valore_centesimi", "valore_euro", "risorse"]


class ParteSerializer(serializers.ModelSerializer):
    ente = EnteBreveSerializer()

    class Meta:
        model = ParteAccordo
        fields = ["ente", "ruolo", "impegni"]


class PianoBreveSerializer(serializers.ModelSerializer):
    ciclo = CicloSerializer()
    ambiti = AmbitoBreveSerializer(many=True)

    class Meta:
        model = PianoDiZona
        fields = ["id", "titolo", "ciclo", "ambiti"]


_QUANTITA = serializers.DecimalField(max_digits=12, decimal_places=2)  # as DRF maps RisorsaAdesione.quantita


class AccordoPubblicoSerializer(_Rapida, serializers.ModelSerializer):
    """Un Accordo di Programma in vigore, nella revisione in vigore del suo piano."""

    piano = PianoBreveSerializer()
    ente_capofila = EnteBreveSerializer(allow_null=True)
    parti = ParteSerializer(many=True, help_text="Le parti dell'Accordo e i loro impegni.")
    aderenti = AderenteSerializer(many=True, help_text="Gli enti del Terzo Settore che hanno sottoscritto "
                                                       "l'adesione, con le risorse che mettono a disposizione.")

    class Meta:
        model = AccordoDiProgramma
        fields = ["id", "piano", "revisione", "ente_capofila", "data_inizio", "data_fine", "parti", "aderenti"]

    def rappresenta(self, a) -> dict:
        """``a`` as ``selectors.con_dettagli`` returns it."""
        p, c, capofila = a.piano, a.piano.ciclo, a.ente_capofila
        return {
            "id": a.pk,
            "piano": {"id": p.pk, "titolo": p.titolo, "ciclo": _ciclo(c), "ambiti": a.ambiti_piano},
            "revisione": a.revisione,
            "ente_capofila": None if capofila is None else {
                "id": capofila.pk, "denominazione": capofila.denominazione, "tipo": capofila.tipo},
            "data_inizio": _data(a.data_inizio), "data_fine": _data(a.data_fine),
            "parti": [{"ente": {"id": x["ente_id"], "denominazione": x["denominazione"], "tipo": x["tipo"]},
                       "ruolo": x["ruolo"], "impegni": x["impegni"]} for x in a.parti_dati],
            "aderenti": [self._aderente(r) for r in a.aderenti_dati],
        }

    @staticmethod
    def _aderente(r: dict) -> dict:
        risorse = r["risorse"]
        valore = sum(x["valore_centesimi"] for x in risorse)
        return {
            "id": r["id"],
            "ente": {"id": r["ente_id"], "denominazione": r["denominazione"],
                     "forma_giuridica": r["forma_giuridica"], "sede": r["sede"]},
            "sottoscritta_il": _istante(r["sottoscritta_il"]), "valore_centesimi": valore,
            "valore_euro": euro_decimale(valore),
            "risorse": [{"tipo": x["tipo"], "descrizione": x["descrizione"],
                         "quantita": _QUANTITA.to_representation(x["quantita"]),
                         "valore_centesimi": x["valore_centesimi"], "valore_euro": euro_decimale(x["valore_centesimi"])}
                        for x in risorse],
        }


class AccordoBreveSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccordoDiProgramma
        fields = ["id", "revisione"]


class AdesioneSerializer(_ValoreTotale, serializers.ModelSerializer):
    """Una richiesta di adesione di un ente del Terzo Settore a un Accordo del piano, con il suo stato e
    le risorse che l'ente mette a disposizione."""

    accordo = AccordoBreveSerializer()
    ente = EnteAderenteSerializer()
    risorse = RisorsaAdesioneSerializer(many=True)
    valore_centesimi = serializers.SerializerMethodField()
    valore_euro = serializers.SerializerMethodField()

    class Meta:
        model = RichiestaAdesione
        fields = ["id", "accordo", "ente", "stato", "dichiarazione", "creata_il", "inviata_il", "decisa_il",
                  "sottoscritta_il", "valore_centesimi", "valore_euro", "risorse"]


# --- filters -------------------------------------------------------------------------------------

def _id(nome: str, aiuto: str) -> serializers.IntegerField:
    messaggio = f"Il filtro «{nome}» deve essere un identificativo numerico intero e positivo."
    return serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text=aiuto,
        error_messages={"invalid": messaggio, "min_value": messaggio, "max_value": messaggio,
                        "max_string_length": messaggio, "null": messaggio},
    )


class FiltriPianiSerializer(serializers.Serializer):
    """The filters of the plan lists, from the query string."""

    ciclo = _id("ciclo", "Solo i piani di questo ciclo di programmazione (id).")
    stato = serializers.ChoiceField(
        required=False, choices=Stato.choices, help_text="Solo i piani in questo stato dell'iter.",
        error_messages={"invalid_choice": "«{input}» non è uno stato del piano. Stati possibili: "
                                          + ", ".join(Stato.values) + "."},
    )
    regione = _id("regione", "Solo i piani dei cicli di questa regione (id).")
    ambito = _id("ambito", "Solo i piani di cui fa parte questo ambito territoriale (id).")


class FiltriAmbitiSerializer(serializers.Serializer):
    regione = _id("regione", "Solo gli ambiti di questa regione (id).")
