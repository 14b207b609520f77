"""A national-scale dataset to measure the dashboards and the API on: every Italian comune
grouped into about 600 ambiti (one ASL per province), three planning cycles per region with a
plan per ambito and cycle at various states of the iter, 20,000 Terzo Settore bodies (some of
them adherents of the Accordi in force), the quadro delle risorse of every plan and year and
the social spending of every comune and year.

Deterministic (``random.Random(seme)``): the same seed and scale give the same rows. Written
with ``bulk_create`` only, so a full run takes seconds, not hours; ``bulk_create`` skips
``full_clean``, so every value is built valid (codici fiscali with their check digit,
consistent RUNTS sections, cents within the constraints).

The generated rows carry a mark, so that a second run recognises them (and does nothing) and
``reset`` removes exactly them: ambiti coded ``SC-…``, bodies and ASL with a codice fiscale of
office 099, cycles whose act ends with ``MARCA``, users ``scala.…``. The comuni registry and
the Comune bodies (one per comune, as the Accordo needs) are kept: they are the registry, not
generated data. Comuni already in an ambito (the demo's) are left where they are.

Omitted on purpose, because neither the dashboards nor the API list read them: documents,
versions and content of the plans, signatures, tavoli. The iter's log (``TransizionePiano``)
is written, one row per step up to the plan's state; its ``quando`` is the generation time
(``auto_now_add``), so the dates to read are the plan's ``vigente_dal`` and the cycle's."""

from __future__ import annotations

import csv
import datetime
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Count
from stdnum import luhn

from accordi.models import (
    AccordoDiProgramma,
    CicloProgrammazione,
    PianoAmbito,
    PianoDiZona,
    RichiestaAdesione,
    RisorsaAdesione,
    Stato,
    TransizionePiano,
)
from ambiti.importazione import FILE_PREDEFINITO
from ambiti.models import ASL, Ambito, Comune, Ente, Incarico, Provincia
from ambiti.services import incarico_assegna

from . import scala_denaro
from .models import SpesaSocialeComune, VoceRisorsa
from .scala_denaro import ANNO_CORRENTE, CELLE, CICLI, CON_ACCORDO, LOTTO, _lotti  # noqa: F401

PREFISSO_AMBITO = "SC-"
UFFICIO_CF = "099"  # the office code of the generated codici fiscali: no factory or demo uses it
MARCA = "(dati di scala)"
PREFISSO_UTENTE = "scala."
ENTI_TERZO_SETTORE = 20_000
POPOLAZIONE_AMBITO = 70_000  # 59 million inhabitants, big cities whole: about 600 ambiti
MAX_COMUNI_AMBITO = 25

# Three cycles per region (CICLI); the last one is under way (ITER.md): its plans are spread
# over the iter, and in half of the regions its deadline has passed.
SCADENZA_PASSATA = datetime.date(2026, 6, 30)
SCADENZA_FUTURA = datetime.date(2027, 3, 31)

# The iter's steps in order: (transition, from, to).
PASSI = [
    ("approva_atto_indirizzo", Stato.AVVIO, Stato.INDIRIZZO),
    ("avvia_istruttoria", Stato.INDIRIZZO, Stato.ISTRUTTORIA),
    ("avvia_stesura", Stato.ISTRUTTORIA, Stato.BOZZA),
    ("invia_ai_sindacati", Stato.BOZZA, Stato.PARERE_SINDACATI),
    ("chiudi_consultazione", Stato.PARERE_SINDACATI, Stato.APPROVAZIONE),
    ("licenzia", Stato.APPROVAZIONE, Stato.INTESA_ASL),
    ("registra_intesa", Stato.INTESA_ASL, Stato.ACCORDO),
    ("apri_sottoscrizione", Stato.ACCORDO, Stato.SOTTOSCRIZIONE),
    ("dichiara_vigente", Stato.SOTTOSCRIZIONE, Stato.VIGENTE),
    ("concludi", Stato.VIGENTE, Stato.CONCLUSO),
]
ORDINE_STATI = [Stato.AVVIO] + [a for _n, _d, a in PASSI]
STATI_CORRENTI = [  # (state, weight) of the current cycle's plans
    (Stato.AVVIO, 5), (Stato.INDIRIZZO, 5), (Stato.ISTRUTTORIA, 10), (Stato.BOZZA, 15),
    (Stato.PARERE_SINDACATI, 8), (Stato.APPROVAZIONE, 8), (Stato.INTESA_ASL, 7), (Stato.ACCORDO, 7),
    (Stato.SOTTOSCRIZIONE, 10), (Stato.VIGENTE, 25),
]

FORME = [  # legal form, RUNTS section, name prefix, weight
    (Ente.FormaGiuridica.ODV, Ente.SezioneRUNTS.A, "Associazione di volontariato", 30),
    (Ente.FormaGiuridica.APS, Ente.SezioneRUNTS.B, "Associazione", 30),
    (Ente.FormaGiuridica.COOPERATIVA_SOCIALE, Ente.SezioneRUNTS.D, "Cooperativa sociale", 25),
    (Ente.FormaGiuridica.IMPRESA_SOCIALE, Ente.SezioneRUNTS.D, "Impresa sociale", 5),
    (Ente.FormaGiuridica.ENTE_FILANTROPICO, Ente.SezioneRUNTS.C, "Fondazione", 4),
    (Ente.FormaGiuridica.RETE_ASSOCIATIVA, Ente.SezioneRUNTS.E, "Rete", 2),
    (Ente.FormaGiuridica.MUTUO_SOCCORSO, Ente.SezioneRUNTS.F, "Società di mutuo soccorso", 2),
    (Ente.FormaGiuridica.ALTRO_ETS, Ente.SezioneRUNTS.G, "Ente", 2),
]
NOMI = ["Aurora", "Il Ponte", "La Rete", "Arcobaleno", "Il Sorriso", "Insieme", "Solidarietà", "La Quercia",
        "Il Girasole", "Mano Amica", "Orizzonti", "La Bussola", "Il Faro", "Nuovi Passi", "L'Approdo",
        "Radici", "Il Melograno", "La Casa Aperta", "Stella Polare", "Il Germoglio"]


def cf_ente(numero: int) -> str:
    """A valid 11-digit codice fiscale of a body, office 099 (the generator's mark)."""
    base = f"{numero % 9_999_999 + 1:07d}{UFFICIO_CF}"
    return base + luhn.calc_check_digit(base)


@dataclass
class Esito:
    conteggi: dict[str, int] = field(default_factory=dict)
    secondi: float = 0.0
    gia_presenti: bool = False


def presenti() -> bool:
    return Ambito.objects.filter(codice__startswith=PREFISSO_AMBITO).exists()


def genera(*, scala: float = 1.0, seme: int = 2026, reset: bool = False) -> Esito:
    """Build the dataset; with data already generated do nothing unless ``reset``, which
    removes the generated rows first."""
    inizio = time.perf_counter()
    if not 0 < scala <= 1:
        raise ValueError("La scala deve essere compresa tra 0 (escluso) e 1.")
    if _comuni_mancanti():
        call_command("import_comuni", verbosity=0)
    if presenti():
        if not reset:
            return Esito(conteggi=conta(), secondi=time.perf_counter() - inizio, gia_presenti=True)
        cancella()
    with transaction.atomic():
        # a seeded generator of synthetic data, no secret (bandit B311 answered)
        _Generatore(random.Random(seme), scala).esegui()  # nosec B311
    # Fresh statistics for the planner: after a bulk load PostgreSQL's autovacuum may not have
    # analysed the tables yet, and the first measurements would read the plans of empty ones.
    with connection.cursor() as cursore:
        cursore.execute("ANALYZE")
    # Written in bulk, without Django's signals: every cached figure and page is out of date.
    from .versioni import dati_cambiati

    dati_cambiati()
    return Esito(conteggi=conta(), secondi=time.perf_counter() - inizio)


def _comuni_mancanti() -> bool:
    """Whether a comune of the distributed list is missing from the registry (an empty one, or
    one holding only a few comuni); a complete registry is not touched."""
    with open(FILE_PREDEFINITO, encoding="utf-8", newline="") as file:
        codici = {riga["codice_istat"] for riga in csv.DictReader(file)}
    return Comune.objects.filter(codice_istat__in=codici).count() < len(codici)


def conta() -> dict[str, int]:
    ambiti = Ambito.objects.filter(codice__startswith=PREFISSO_AMBITO)
    piani = PianoDiZona.objects.filter(partecipazioni__ambito__in=ambiti).distinct()
    return {
        "ambiti": ambiti.count(),
        "comuni negli ambiti": Ambito.comuni.through.objects.filter(ambito__in=ambiti).count(),
        "ASL": ASL.objects.filter(codice_fiscale__regex=rf"^\d{{7}}{UFFICIO_CF}\d$").count(),
        "cicli": CicloProgrammazione.objects.filter(atto_linee_indirizzo__endswith=MARCA).count(),
        "piani": piani.count(),
        "transizioni": TransizionePiano.objects.filter(piano__in=piani).count(),
        "enti del Terzo Settore": _enti_generati().filter(tipo=Ente.Tipo.TERZO_SETTORE).count(),
        "Accordi": AccordoDiProgramma.objects.filter(piano__in=piani).count(),
        "richieste di adesione": RichiestaAdesione.objects.filter(accordo__piano__in=piani).count(),
        "voci del quadro": VoceRisorsa.objects.filter(piano__in=piani).count(),
        "spese dei Comuni": SpesaSocialeComune.objects.filter(ambito__in=ambiti).count(),
    }


def _enti_generati():
    return Ente.objects.filter(codice_fiscale__regex=rf"^\d{{7}}{UFFICIO_CF}\d$")


@transaction.atomic
def cancella() -> None:
    """Remove the generated rows, children first. The iter's log is append-only for the
    application; here whole generated plans go, so their log goes with them (raw delete). Where
    the database itself refuses (a trigger on PostgreSQL), nothing is removed and the message
    says to recreate the database."""
    ambiti = Ambito.objects.filter(codice__startswith=PREFISSO_AMBITO)
    piani = PianoDiZona.objects.filter(partecipazioni__ambito__in=ambiti)
    id_piani = list(piani.values_list("pk", flat=True).distinct())
    RisorsaAdesione.objects.filter(richiesta__accordo__piano__in=id_piani).delete()
    RichiestaAdesione.objects.filter(accordo__piano__in=id_piani).delete()
    AccordoDiProgramma.objects.filter(piano__in=id_piani).delete()  # cascades to the parties
    VoceRisorsa.objects.filter(piano__in=id_piani).delete()
    SpesaSocialeComune.objects.filter(ambito__in=ambiti).delete()
    log = TransizionePiano.objects.filter(piano__in=id_piani)
    try:
        with transaction.atomic():
            log._raw_delete(log.db)
    except DatabaseError as exc:  # a trigger that keeps the log append-only in the database
        raise ValueError("Il registro dell'iter è protetto dal database: per rigenerare i dati di scala "
                         "ricreare il database (nulla è stato cancellato).") from exc
    PianoDiZona.objects.filter(pk__in=id_piani).delete()  # cascades to PianoAmbito
    enti = _enti_generati()
    Ente.ambiti.through.objects.filter(ambito__in=ambiti).delete()
    enti.filter(tipo=Ente.Tipo.TERZO_SETTORE).delete()
    enti.filter(tipo=Ente.Tipo.ASL).delete()
    Ambito.comuni.through.objects.filter(ambito__in=ambiti).delete()
    utenti = get_user_model().objects.filter(username__startswith=PREFISSO_UTENTE)
    Incarico.objects.filter(utente__in=utenti).delete()
    Incarico.objects.filter(ambito__in=ambiti).delete()
    ambiti.delete()
    utenti.delete()
    ASL.objects.filter(codice_fiscale__regex=rf"^\d{{7}}{UFFICIO_CF}\d$").delete()
    CicloProgrammazione.objects.filter(atto_linee_indirizzo__endswith=MARCA).annotate(
        n=Count("piani")).filter(n=0).delete()


class _Generatore:
    def __init__(self, rng: random.Random, scala: float):
        self.rng = rng
        self.scala = scala
        self.utente_sistema = None

    def esegui(self):
        province = self._province()
        ambiti = self._ambiti(province)
        enti_comuni = self._enti_comuni(ambiti)
        enti_ts = self._enti_terzo_settore(ambiti)
        self._utenti(ambiti)
        piani = self._piani(ambiti)
        scala_denaro.accordi(self.rng, piani, enti_comuni, enti_ts, self.utente_sistema)
        scala_denaro.risorse(self.rng, piani)
        scala_denaro.spese(self.rng, ambiti)

    # --- territory ----------------------------------------------------------------------------

    def _province(self) -> list[Provincia]:
        tutte = list(Provincia.objects.select_related("regione").order_by("codice_istat"))
        if self.scala >= 1:
            return tutte
        # Fewer provinces, evenly spread over the list (so over several regions).
        quante = max(1, round(len(tutte) * self.scala))
        passo = len(tutte) / quante
        return [tutte[int(i * passo)] for i in range(quante)]

    def _ambiti(self, province):
        gia_in_ambito = set(Ambito.comuni.through.objects.values_list("comune_id", flat=True))
        comuni_per_provincia = defaultdict(list)
        for comune in Comune.objects.filter(provincia__in=province).order_by("codice_istat"):
            if comune.pk not in gia_in_ambito:
                comuni_per_provincia[comune.provincia_id].append(comune)
        asl_esistenti = {a.nome: a for a in ASL.objects.all()}
        nuove_asl, gruppi = [], []  # gruppi: (provincia, [comuni])
        for n, provincia in enumerate(province):
            regione = provincia.regione
            nome = f"Azienda sanitaria di {provincia.nome} {MARCA}"
            if nome not in asl_esistenti:
                tipo = ASL.Tipo.ATS if regione.codice_istat == "03" else ASL.Tipo.ASL
                nuove_asl.append(ASL(nome=nome, tipo=tipo, regione=regione, codice_fiscale=cf_ente(9_000_000 + n)))
            gruppi += [(provincia, g) for g in _raggruppa(comuni_per_provincia[provincia.pk])]
        _lotti(ASL, nuove_asl)
        asl = {a.nome: a for a in ASL.objects.filter(nome__endswith=MARCA)}
        nuovi = []
        for n, (provincia, comuni) in enumerate(gruppi, start=1):
            principale = max(comuni, key=lambda c: (c.popolazione or 0, c.codice_istat))
            nuovi.append(Ambito(nome=f"Ambito distrettuale di {principale.denominazione}",
                                codice=f"{PREFISSO_AMBITO}{provincia.sigla}-{n:03d}",
                                asl=asl[f"Azienda sanitaria di {provincia.nome} {MARCA}"]))
        if not nuovi:
            raise ValueError("Nessun comune libero da raggruppare in ambiti: sono già tutti in un ambito.")
        _lotti(Ambito, nuovi)
        _lotti(Ambito.comuni.through, [Ambito.comuni.through(ambito_id=a.pk, comune_id=c.pk)
                                       for a, (_p, comuni) in zip(nuovi, gruppi, strict=True) for c in comuni])
        return [_AmbitoGenerato(a, p.regione, comuni) for a, (p, comuni) in zip(nuovi, gruppi, strict=True)]

    def _enti_comuni(self, ambiti):
        """One body per Comune (the Accordo's parties) and per ASL; the existing ones are kept."""
        tutti = [c for a in ambiti for c in a.comuni]
        esistenti = set(Ente.objects.filter(comune__in=tutti).values_list("comune_id", flat=True))
        _lotti(Ente, [Ente(tipo=Ente.Tipo.COMUNE, comune=c, denominazione=f"Comune di {c.denominazione}")
                      for c in tutti if c.pk not in esistenti])
        asl = {a.ambito.asl for a in ambiti}
        con_ente = set(Ente.objects.filter(asl__in=asl).values_list("asl_id", flat=True))
        _lotti(Ente, [Ente(tipo=Ente.Tipo.ASL, asl=a, denominazione=a.nome, codice_fiscale=a.codice_fiscale)
                      for a in sorted(asl, key=lambda a: a.pk) if a.pk not in con_ente])
        per_comune = dict(Ente.objects.filter(comune__in=tutti).values_list("comune_id", "pk"))
        per_asl = dict(Ente.objects.filter(asl__in=asl).values_list("asl_id", "pk"))
        legami = [Ente.ambiti.through(ente_id=per_comune[c.pk], ambito_id=a.ambito.pk)
                  for a in ambiti for c in a.comuni]
        legami += [Ente.ambiti.through(ente_id=per_asl[a.ambito.asl_id], ambito_id=a.ambito.pk) for a in ambiti]
        Ente.ambiti.through.objects.bulk_create(legami, batch_size=LOTTO, ignore_conflicts=True)
        return {"comuni": per_comune, "asl": per_asl}

    def _enti_terzo_settore(self, ambiti):
        """Bodies spread over the ambiti by population; one in five also works in the next one."""
        quanti = max(10, round(ENTI_TERZO_SETTORE * self.scala))
        pesi = [a.popolazione for a in ambiti]
        forme = [f for f in FORME for _ in range(f[3])]
        enti, dove = [], []
        for n in range(quanti):
            i = self.rng.choices(range(len(ambiti)), weights=pesi)[0]
            forma, sezione, prefisso, _peso = self.rng.choice(forme)
            sede = self.rng.choice(ambiti[i].comuni)
            enti.append(Ente(
                tipo=Ente.Tipo.TERZO_SETTORE, forma_giuridica=forma, sezione_runts=sezione,
                numero_runts=f"{n + 1:06d}", codice_fiscale=cf_ente(n),
                denominazione=f"{prefisso} {self.rng.choice(NOMI)} – {sede.denominazione} {n + 1}",
                sede=sede.denominazione, email=f"ets{n + 1}@example.org",
            ))
            operano = [i] + ([i + 1] if i + 1 < len(ambiti) and self.rng.random() < 0.2 else [])
            dove.append(operano)
        _lotti(Ente, enti)
        _lotti(Ente.ambiti.through, [Ente.ambiti.through(ente_id=e.pk, ambito_id=ambiti[i].ambito.pk)
                                     for e, operano in zip(enti, dove, strict=True) for i in operano])
        per_ambito = defaultdict(list)
        for e, operano in zip(enti, dove, strict=True):
            for i in operano:
                per_ambito[ambiti[i].ambito.pk].append(e.pk)
        return per_ambito

    def _utenti(self, ambiti):
        """A regional officer per region of the dataset, and the account that files the
        adesioni (the bodies' referents are not generated)."""
        Utente = get_user_model()
        self.utente_sistema, _ = Utente.objects.get_or_create(
            username=f"{PREFISSO_UTENTE}sistema", defaults={"first_name": "Dati", "last_name": "di scala"})
        for regione in sorted({a.regione for a in ambiti}, key=lambda r: r.codice_istat):
            utente, creato = Utente.objects.get_or_create(
                username=f"{PREFISSO_UTENTE}regione.{regione.codice_istat}",
                defaults={"first_name": "Operatore", "last_name": regione.nome})
            if creato:
                utente.set_unusable_password()
                utente.save(update_fields=["password"])
            incarico_assegna(utente=utente, ruolo=Incarico.Ruolo.OPERATORE_REGIONALE, regione=regione,
                             dal=datetime.date(CICLI[0][0] - 1, 1, 1))

    # --- plans ----------------------------------------------------------------------------------

    def _cicli(self, regioni):
        esistenti = {(c.regione_id, c.anno_inizio): c for c in CicloProgrammazione.objects.filter(regione__in=regioni)}
        nuovi = []
        for regione in regioni:
            for inizio, fine in CICLI:
                if (regione.pk, inizio) in esistenti:
                    continue
                if inizio == CICLI[-1][0]:
                    scadenza = SCADENZA_PASSATA if int(regione.codice_istat) % 2 else SCADENZA_FUTURA
                else:
                    scadenza = datetime.date(inizio, 3, 31)
                nuovi.append(CicloProgrammazione(
                    regione=regione, anno_inizio=inizio, anno_fine=fine, scadenza_approvazione=scadenza,
                    atto_linee_indirizzo=f"DGR {regione.codice_istat}/{inizio - 1} {MARCA}",
                    data_atto=datetime.date(inizio - 1, 11, 15),
                    validita_inizio=scadenza + datetime.timedelta(days=1),
                    validita_fine=datetime.date(fine, 12, 31)))
        _lotti(CicloProgrammazione, nuovi)
        return {(c.regione_id, c.anno_inizio): c for c in CicloProgrammazione.objects.filter(regione__in=regioni)}

    def _piani(self, ambiti):
        regioni = sorted({a.regione for a in ambiti}, key=lambda r: r.codice_istat)
        cicli = self._cicli(regioni)
        stati_correnti = [s for s, peso in STATI_CORRENTI for _ in range(peso)]
        piani, gruppi = [], []
        for inizio, _fine in reversed(CICLI):  # the current cycle first: older plans depend on it
            i = 0
            while i < len(ambiti):
                # One plan in twenty joins two neighbouring ambiti of the same ASL.
                gruppo = [ambiti[i]]
                if (i + 1 < len(ambiti) and ambiti[i + 1].ambito.asl_id == ambiti[i].ambito.asl_id
                        and self.rng.random() < 0.05):
                    gruppo.append(ambiti[i + 1])
                i += len(gruppo)
                ciclo = cicli[(gruppo[0].regione.pk, inizio)]
                if inizio == CICLI[-1][0]:
                    stato = self.rng.choice(stati_correnti)
                    for a in gruppo:
                        a.corrente_vigente = stato == Stato.VIGENTE
                elif inizio == CICLI[-2][0]:
                    # A plan stays in force past its cycle until the next one is (half the time).
                    prorogato = not any(a.corrente_vigente for a in gruppo) and self.rng.random() < 0.5
                    stato = Stato.VIGENTE if prorogato else Stato.CONCLUSO
                else:
                    stato = Stato.CONCLUSO
                vigente_dal = None
                if stato in (Stato.VIGENTE, Stato.CONCLUSO):
                    vigente_dal = ciclo.scadenza_approvazione + datetime.timedelta(days=self.rng.randint(-60, 150))
                nomi = " e ".join(a.ambito.nome.removeprefix("Ambito distrettuale di ") for a in gruppo)
                piani.append(PianoDiZona(
                    ciclo=ciclo, titolo=f"Piano di Zona {ciclo.anno_inizio}-{ciclo.anno_fine} – {nomi}",
                    stato=stato, vigente_dal=vigente_dal, revisione_vigente=1 if vigente_dal else None))
                gruppi.append(gruppo)
        _lotti(PianoDiZona, piani)
        _lotti(PianoAmbito, [PianoAmbito(piano=p, ambito=a.ambito, ciclo_id=p.ciclo_id)
                             for p, g in zip(piani, gruppi, strict=True) for a in g])
        log = []
        for p in piani:
            for nome, da, a in PASSI[:ORDINE_STATI.index(p.stato)]:
                log.append(TransizionePiano(piano=p, nome=nome, da_stato=da, a_stato=a, revisione=1,
                                            nota="" if nome != "dichiara_vigente" else "Ultima firma apposta"))
        _lotti(TransizionePiano, log)
        return list(zip(piani, gruppi, strict=True))

class _AmbitoGenerato:
    def __init__(self, ambito, regione, comuni):
        self.ambito = ambito
        self.regione = regione
        self.comuni = comuni
        self.popolazione = sum(c.popolazione or 0 for c in comuni)
        self.corrente_vigente = False


def _raggruppa(comuni: list[Comune]) -> list[list[Comune]]:
    """Contiguous comuni (ISTAT order) until about 70,000 inhabitants or 25 comuni; a small
    remainder joins the province's last ambito."""
    gruppi, corrente, abitanti = [], [], 0
    for comune in comuni:
        corrente.append(comune)
        abitanti += comune.popolazione or 0
        if abitanti >= POPOLAZIONE_AMBITO or len(corrente) >= MAX_COMUNI_AMBITO:
            gruppi.append(corrente)
            corrente, abitanti = [], 0
    if corrente:
        piccolo = abitanti < POPOLAZIONE_AMBITO * 0.4
        if gruppi and piccolo and len(gruppi[-1]) + len(corrente) <= MAX_COMUNI_AMBITO * 1.5:
            gruppi[-1] += corrente
        else:
            gruppi.append(corrente)
    return gruppi
