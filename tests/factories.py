"""All test factories in one place."""

import datetime
import itertools

import factory
from stdnum import luhn
from stdnum.it import codicefiscale

from accordi.models import CicloProgrammazione, PianoAmbito, PianoDiZona
from ambiti.models import ASL, Ambito, Comune, Ente, Incarico, Provincia, Regione, Utente
from ambiti.services import incarico_assegna

_seq = itertools.count(1)


def cf_ente(n: int) -> str:
    """A valid 11-digit codice fiscale / partita IVA: company number, office code 018, Luhn."""
    base = f"{n % 9_999_999 + 1:07d}018"
    return base + luhn.calc_check_digit(base)


def cf_persona(n: int) -> str:
    mesi = "ABCDEHLMPRST"
    base = f"RSSMRA{70 + n % 30:02d}{mesi[n % 12]}{1 + n % 28:02d}G388"
    return base + codicefiscale.calc_check_digit(base)


class RegioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Regione
        django_get_or_create = ["codice_istat"]

    codice_istat = "03"
    nome = "Lombardia"


class ProvinciaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provincia
        django_get_or_create = ["codice_istat"]

    codice_istat = "018"
    sigla = "PV"
    nome = "Pavia"
    regione = factory.SubFactory(RegioneFactory)


class ComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comune

    codice_istat = factory.Sequence(lambda n: f"{900000 + n:06d}")
    codice_catastale = factory.Sequence(lambda n: f"Z{n % 1000:03d}")
    denominazione = factory.Sequence(lambda n: f"Comune {n}")
    provincia = factory.SubFactory(ProvinciaFactory)
    popolazione = 1000
    popolazione_al = datetime.date(2011, 10, 9)


class ASLFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ASL
        django_get_or_create = ["nome"]

    nome = "ASL della Provincia di Pavia"
    tipo = ASL.Tipo.ASL
    regione = factory.SubFactory(RegioneFactory)


class AmbitoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ambito
        skip_postgeneration_save = True

    nome = factory.Sequence(lambda n: f"Ambito {n}")
    codice = factory.Sequence(lambda n: f"AMB-{n}")
    asl = factory.SubFactory(ASLFactory)

    @factory.post_generation
    def comuni(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = ComuneFactory.create_batch(3)
        self.comuni.add(*extracted)


class EnteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ente

    denominazione = factory.Sequence(lambda n: f"Ente {n}")
    tipo = Ente.Tipo.ALTRO
    codice_fiscale = factory.Sequence(lambda n: cf_ente(1000 + n))


class UtenteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Utente
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"utente{n}")
    first_name = "Nome"
    last_name = factory.Sequence(lambda n: f"Cognome{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.it")
    codice_fiscale = factory.Sequence(cf_persona)
    password = factory.PostGenerationMethodCall("set_password", "password-di-prova")

    @factory.post_generation
    def salva(self, create, extracted, **kwargs):
        if create:
            self.save()


class CicloFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CicloProgrammazione
        django_get_or_create = ["regione", "anno_inizio"]

    regione = factory.SubFactory(RegioneFactory)
    anno_inizio = 2025
    anno_fine = 2027
    atto_linee_indirizzo = "DGR XII/0000 del 01/01/2025"
    scadenza_approvazione = datetime.date(2099, 3, 31)
    validita_inizio = datetime.date(2025, 4, 1)
    validita_fine = datetime.date(2099, 12, 31)


def crea_piano(*ambiti, stato="avvio", ciclo=None, **campi) -> PianoDiZona:
    """A plan in any state, bypassing the iter (tests only)."""
    ciclo = ciclo or CicloFactory()
    piano = PianoDiZona.objects.create(
        ciclo=ciclo, titolo=campi.pop("titolo", f"Piano {next(_seq)}"), stato=stato, **campi
    )
    for ambito in ambiti:
        PianoAmbito.objects.create(piano=piano, ambito=ambito, ciclo=ciclo)
    return piano


def ente_per(ruolo, ambito):
    R = Incarico.Ruolo
    if ruolo == R.SINDACO:
        comune = ambito.comuni.first()
        ente, _ = Ente.objects.get_or_create(
            comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"}
        )
        return ente
    if ruolo == R.REFERENTE_ASL:
        ente, _ = Ente.objects.get_or_create(
            asl=ambito.asl, defaults={"tipo": Ente.Tipo.ASL, "denominazione": ambito.asl.nome}
        )
        return ente
    if ruolo == R.REFERENTE_SINDACATO:
        return EnteFactory(tipo=Ente.Tipo.SINDACATO, livello_sindacale=Ente.Livello.PROVINCIALE)
    if ruolo == R.REFERENTE_TERZO_SETTORE:
        return EnteFactory(tipo=Ente.Tipo.TERZO_SETTORE, forma_giuridica=Ente.FormaGiuridica.APS)
    return None


def utente_con_ruolo(ruolo, ambito=None, regione=None, **campi) -> Utente:
    utente = UtenteFactory(**campi)
    incarico_assegna(
        utente=utente, ruolo=ruolo, ambito=ambito, regione=regione,
        ente=ente_per(ruolo, ambito) if ambito else None,
    )
    return utente


def sindaco_di(comune, ambito, **campi) -> Utente:
    """The mayor of ``comune`` (one per Comune; ``utente_con_ruolo`` picks the first Comune)."""
    ente, _ = Ente.objects.get_or_create(
        comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"}
    )
    utente = UtenteFactory(**campi)
    incarico_assegna(utente=utente, ruolo=Incarico.Ruolo.SINDACO, ambito=ambito, ente=ente)
    return utente


# --- tavoli tematici ------------------------------------------------------------------------


class AreaInterventoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tavoli.AreaIntervento"
        django_get_or_create = ["regione", "codice"]

    regione = factory.SubFactory(RegioneFactory)
    codice = factory.Sequence(lambda n: f"area-{n}")
    nome = factory.Sequence(lambda n: f"Area {n}")
    ordine = factory.Sequence(lambda n: n)


class TipoUnitaOffertaFactory(factory.django.DjangoModelFactory):
    """A kind of service of the national catalogue (``regione`` empty) unless told otherwise."""

    class Meta:
        model = "tavoli.TipoUnitaOfferta"

    regione = None
    codice = factory.Sequence(lambda n: f"tipo-{n}")
    nome = factory.Sequence(lambda n: f"Servizio {n}")
    unita_capacita = "posti"


def _regione_del_piano(piano):
    return piano.ambiti.select_related("asl__regione").first().asl.regione


class TavoloFactory(factory.django.DjangoModelFactory):
    """A tavolo written straight to the database (tests only): its coordinator is not made a
    member; the services do that."""

    class Meta:
        model = "tavoli.Tavolo"

    piano = factory.LazyFunction(lambda: crea_piano(AmbitoFactory()))
    area = factory.LazyAttribute(lambda o: AreaInterventoFactory(regione=_regione_del_piano(o.piano)))
    nome = factory.Sequence(lambda n: f"Tavolo {n}")
    coordinatore = factory.SubFactory(UtenteFactory)
    creato_da = factory.SelfAttribute("coordinatore")


class MembroTavoloFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tavoli.MembroTavolo"

    tavolo = factory.SubFactory(TavoloFactory)
    utente = factory.SubFactory(UtenteFactory)
    stato = "attivo"
    proposto_da = factory.SelfAttribute("tavolo.coordinatore")


class FocusGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tavoli.FocusGroup"

    tavolo = factory.SubFactory(TavoloFactory)
    nome = factory.Sequence(lambda n: f"Focus-group {n}")


class SedutaTavoloFactory(factory.django.DjangoModelFactory):
    """A session a week from now, in preparation; pass ``stato`` and ``data`` for others."""

    class Meta:
        model = "tavoli.SedutaTavolo"

    tavolo = factory.SubFactory(TavoloFactory)
    numero = factory.Sequence(lambda n: n + 1)
    data = factory.LazyFunction(lambda: datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=7))
    luogo = "Sala riunioni dell'Ufficio di Piano"
    ordine_del_giorno = "Comunicazioni\nAnalisi dei bisogni"
    creata_da = factory.SelfAttribute("tavolo.coordinatore")


# --- plan content and versions ----------------------------------------------------------------


class SezionePianoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accordi.SezionePiano"

    piano = factory.LazyFunction(lambda: crea_piano(AmbitoFactory()))
    codice = factory.Sequence(lambda n: f"sezione-{n}")
    titolo = factory.Sequence(lambda n: f"Sezione {n}")
    ordine = factory.Sequence(lambda n: n)
    testo = "<p>Testo della sezione.</p>"


class ObiettivoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accordi.Obiettivo"

    piano = factory.LazyFunction(lambda: crea_piano(AmbitoFactory()))
    tipo = "strategico"
    codice = factory.Sequence(lambda n: f"OB{n}")
    titolo = factory.Sequence(lambda n: f"Obiettivo {n}")
    ordine = factory.Sequence(lambda n: n)


class AzioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accordi.Azione"

    obiettivo = factory.SubFactory(ObiettivoFactory)
    codice = factory.Sequence(lambda n: f"A{n}")
    titolo = factory.Sequence(lambda n: f"Azione {n}")
    destinatari = "Anziani soli"
    ordine = factory.Sequence(lambda n: n)


class StanziamentoAzioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accordi.StanziamentoAzione"

    azione = factory.SubFactory(AzioneFactory)
    anno = 2025
    fonte = "fnps"
    importo_centesimi = 1_000_000


class IndicatoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accordi.Indicatore"

    azione = factory.SubFactory(AzioneFactory)
    descrizione = factory.Sequence(lambda n: f"Indicatore {n}")
    unita = "utenti"
    valore_base = "10.00"
    valore_obiettivo = "25.00"


# --- consultazione dei sindacati e intesa dell'ASL ----------------------------------------------


def sindacato_di(ambito, livello=Ente.Livello.PROVINCIALE, **campi) -> Ente:
    """A trade union operating in ``ambito``."""
    ente = EnteFactory(tipo=Ente.Tipo.SINDACATO, livello_sindacale=livello, **campi)
    ente.ambiti.add(ambito)
    return ente


def referente_di(sindacato, ambito, **campi) -> Utente:
    """An active referent of ``sindacato`` (role held in ``ambito``)."""
    utente = UtenteFactory(**campi)
    incarico_assegna(utente=utente, ruolo=Incarico.Ruolo.REFERENTE_SINDACATO, ambito=ambito, ente=sindacato)
    return utente


def crea_sezione(piano, codice="contesto", titolo="Contesto", testo="<p>Il territorio.</p>", ordine=1):
    from accordi.models import SezionePiano

    return SezionePiano.objects.create(piano=piano, codice=codice, titolo=titolo, testo=testo, ordine=ordine)


# --- Terzo Settore: registered bodies, Accordi open to adesioni, adesione requests ------------------


def ente_terzo_settore(ambito=None, **campi):
    """A Terzo Settore body registered through the portal, with its referent's account:
    ``(ente, referente)``. ``referente``, ``legale_rappresentante`` and
    ``legale_rappresentante_cf`` go to the registration, the rest to the Ente."""
    from django.utils import timezone

    from accordi.models import RegistrazioneEnte

    n = next(_seq)
    referente = campi.pop("referente", None) or UtenteFactory()
    legale = campi.pop("legale_rappresentante", f"Maria Bianchi {n}")
    legale_cf = campi.pop("legale_rappresentante_cf", cf_persona(500 + n))
    valori = {
        "denominazione": f"Associazione di volontariato {n}",
        "tipo": Ente.Tipo.TERZO_SETTORE,
        "codice_fiscale": cf_ente(700_000 + n),
        "forma_giuridica": Ente.FormaGiuridica.ODV,
        "sezione_runts": Ente.SezioneRUNTS.A,
        "numero_runts": f"RUNTS-{n:05d}",
        "sede": "Via Roma 1, 27100 Pavia",
        "email": f"ets{n}@example.it",
        **campi,
    }
    ente = Ente.objects.create(**valori)
    if ambito is not None:
        ente.ambiti.add(ambito)
    RegistrazioneEnte.objects.create(ente=ente, referente=referente, legale_rappresentante=legale,
                                     legale_rappresentante_cf=legale_cf,
                                     email_confermata_il=timezone.now())
    return ente, referente


def accordo_in_sottoscrizione(*ambiti, piano=None, **campi):
    """The Accordo of a plan in ``sottoscrizione`` (open to adesioni): of ``piano`` (moved to
    that state) or of a new plan of ``ambiti``."""
    from accordi.models import AccordoDiProgramma

    if piano is None:
        piano = crea_piano(*(ambiti or (AmbitoFactory(),)), stato="sottoscrizione", **campi)
    else:
        PianoDiZona.objects.filter(pk=piano.pk).update(stato="sottoscrizione")
        piano.refresh_from_db()
    try:
        from accordi.services_accordo import accordo_di
    except ImportError:
        return AccordoDiProgramma.objects.get_or_create(piano=piano, revisione=piano.revisione)[0]
    return accordo_di(piano)


class RichiestaAdesioneFactory(factory.django.DjangoModelFactory):
    """A request of a registered body (a draft unless ``stato`` says otherwise)."""

    class Meta:
        model = "accordi.RichiestaAdesione"

    accordo = factory.LazyFunction(accordo_in_sottoscrizione)
    ente = factory.LazyFunction(lambda: ente_terzo_settore()[0])
    creata_da = factory.LazyAttribute(lambda o: o.ente.registrazione.referente)
    dichiarazione = "L'ente ha partecipato ai tavoli del piano e mette a disposizione i propri volontari."


# --- risorse: quadro delle risorse, spesa dei Comuni, monitoraggio --------------------------------


def fonte(codice="fnps"):
    """One of the default funding sources (risorse migration 0002)."""
    from risorse.models import FonteRisorsa

    return FonteRisorsa.objects.get(codice=codice)


class VoceRisorsaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risorse.VoceRisorsa"

    piano = None  # required: pass the plan
    anno = 2025
    fonte = factory.LazyFunction(fonte)
    area = None
    ambito_spesa = "sociale"
    tipo = "previsto"
    importo_centesimi = 1_000_000


class SpesaSocialeComuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risorse.SpesaSocialeComune"

    comune = factory.SubFactory(ComuneFactory)
    ambito = None  # required: pass the ambito
    anno = 2025
    spesa_totale_centesimi = 100_000_000
    conferita_udp_centesimi = 30_000_000


class MisurazioneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "risorse.Misurazione"

    indicatore = factory.SubFactory(IndicatoreFactory)
    data_rilevazione = factory.Sequence(lambda n: datetime.date(2025, 1, 1) + datetime.timedelta(days=30 * n))
    valore = "15.00"
    inserita_da = factory.SubFactory(UtenteFactory)
