"""Demo data: the seed's world (Regione Lombardia, ASL di Pavia, the Pavia district and its
neighbour, the 2012-2014 cycle) with one user for every role of ITER.md. Pavia's plan is at its
start, with its tavoli at work; Certosa's has walked the whole iter and its Accordo di Programma
is open for signature (``accordi.demo_iter``). Idempotent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from stdnum import luhn
from stdnum.it import codicefiscale

from ambiti.models import ASL, Ambito, Comune, Ente, Incarico, Regione, Utente
from ambiti.services import incarico_assegna
from tavoli.demo import carica_tavoli_demo
from tavoli.models import RegolaVoto
from tavoli.services_assemblea import assemblea_garantisci, regola_modifica

from .demo_iter import persone_certosa, porta_alla_firma
from .models import CicloProgrammazione, PianoAmbito
from .services import piano_crea

# the demo users' password, published in the README (bandit B105 answered)
PASSWORD_DEMO = "PianoZona-demo-2026"  # nosec B105
R = Incarico.Ruolo

# Real comuni of the two districts (ISTAT denominations, province of Pavia).
COMUNI_PAVIA = [
    "Pavia", "Borgarello", "Carbonara al Ticino", "Cava Manara", "San Genesio ed Uniti",
    "San Martino Siccomario", "Sommo", "Torre d'Isola", "Travacò Siccomario", "Valle Salimbene",
    "Linarolo", "Zerbolò", "Villanova d'Ardenghi",
]
COMUNI_CERTOSA = [
    "Certosa di Pavia", "Giussago", "Bornasco", "Ceranova", "Lardirago", "Marzano", "Roncaro",
    "Vidigulfo", "Zeccone", "Landriano", "Siziano", "Sant'Alessio con Vialone",
    "Cura Carpignano", "Albuzzano", "Torre d'Arese", "Vistarino",
]


def _cf_persona(prefisso15: str) -> str:
    return prefisso15 + codicefiscale.calc_check_digit(prefisso15)


def _cf_ente(prefisso10: str) -> str:
    return prefisso10 + luhn.calc_check_digit(prefisso10)


@dataclass
class UtenteDemo:
    username: str
    nome: str
    cognome: str
    cf: str
    ruolo: str
    ambito: str | None = None  # "pavia" / "certosa"
    ente: str | None = None
    regione: bool = False


UTENTI = [
    UtenteDemo("udp.pavia", "Giulia", "Ferrari", "FRRGLI75C41G388", R.RESPONSABILE_UDP, "pavia"),
    UtenteDemo("operatore.pavia", "Marco", "Colombo", "CLMMRC80A01G388", R.OPERATORE_UDP, "pavia"),
    UtenteDemo("presidente.pavia", "Anna", "Bianchi", "BNCNNA62E45G388", R.PRESIDENTE_ASSEMBLEA, "pavia"),
    UtenteDemo("sindaco.pavia", "Luca", "Rossi", "RSSLCU68H12G388", R.SINDACO, "pavia", "Pavia"),
    UtenteDemo("sindaco.borgarello", "Paola", "Galli", "GLLPLA70M50A989", R.SINDACO, "pavia", "Borgarello"),
    UtenteDemo("sindaco.cavamanara", "Stefano", "Ricci", "RCCSFN66B10C360", R.SINDACO, "pavia", "Cava Manara"),
    UtenteDemo("asl.pavia", "Roberto", "Marino", "MRNRRT60D15G388", R.REFERENTE_ASL, "pavia", "asl"),
    UtenteDemo("cgil.pavia", "Elena", "Greco", "GRCLNE72S48G388", R.REFERENTE_SINDACATO, "pavia", "cgil"),
    UtenteDemo("spi.pavia", "Franco", "Conti", "CNTFNC50L20G388", R.REFERENTE_SINDACATO, "pavia", "spi"),
    UtenteDemo("terzosettore", "Chiara", "Moretti", "MRTCHR85P60G388", R.REFERENTE_TERZO_SETTORE, "pavia", "coop"),
    UtenteDemo("tavolo.pavia", "Davide", "Fontana", "FNTDVD78R05G388", R.COMPONENTE_TAVOLO, "pavia"),
    UtenteDemo("regione.lombardia", "Silvia", "Barbieri", "BRBSLV74T55F205", R.OPERATORE_REGIONALE, regione=True),
    UtenteDemo("udp.certosa", "Paolo", "Lombardi", "LMBPLA71C20C541", R.RESPONSABILE_UDP, "certosa"),
]


def _comuni(nomi: list[str]) -> list[Comune]:
    trovati = {c.denominazione: c for c in Comune.objects.filter(
        denominazione__in=nomi, provincia__sigla="PV").select_related("provincia")}
    mancanti = sorted(set(nomi) - set(trovati))
    if mancanti:
        raise RuntimeError("Comuni assenti dall'anagrafe: " + ", ".join(mancanti))
    return [trovati[n] for n in nomi]


def carica_demo() -> list[tuple[str, str]]:
    """Load the demo world; returns (username, description) pairs for the printed logins.

    The e-mails the services send while the demo is loaded (every step of Certosa's iter
    notifies the people of the ambito: hundreds of messages) are not delivered: the console
    shows the logins, not a flood of notifications nobody is waiting for."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _carica()


@transaction.atomic
def _carica() -> list[tuple[str, str]]:
    lombardia = Regione.objects.get(codice_istat="03")
    asl, _ = ASL.objects.get_or_create(
        nome="ASL della Provincia di Pavia",
        defaults={"tipo": ASL.Tipo.ASL, "regione": lombardia, "codice_fiscale": _cf_ente("0216069018")},
    )
    pavia, _ = Ambito.objects.get_or_create(
        codice="PV-PAVIA", defaults={"nome": "Ambito distrettuale di Pavia", "asl": asl})
    pavia.comuni.add(*_comuni(COMUNI_PAVIA))
    certosa, _ = Ambito.objects.get_or_create(
        codice="PV-CERTOSA", defaults={"nome": "Ambito distrettuale di Certosa di Pavia", "asl": asl})
    certosa.comuni.add(*_comuni(COMUNI_CERTOSA))
    ambiti = {"pavia": pavia, "certosa": certosa}

    enti: dict[str, Ente] = {}
    for comune in _comuni(COMUNI_PAVIA + COMUNI_CERTOSA):
        ente, _ = Ente.objects.get_or_create(
            comune=comune, defaults={"tipo": Ente.Tipo.COMUNE, "denominazione": f"Comune di {comune.denominazione}"})
        ente.ambiti.add(pavia if comune.denominazione in COMUNI_PAVIA else certosa)
        enti[comune.denominazione] = ente
    enti["asl"], _ = Ente.objects.get_or_create(
        asl=asl, defaults={"tipo": Ente.Tipo.ASL, "denominazione": asl.nome})
    enti["asl"].ambiti.add(pavia, certosa)
    for chiave, nome, livello, cf in [
        ("cgil", "CGIL Camera del Lavoro di Pavia", Ente.Livello.PROVINCIALE, _cf_ente("8000123018")),
        ("spi", "SPI CGIL Pavia (pensionati)", Ente.Livello.PENSIONATI, _cf_ente("8000456018")),
    ]:
        enti[chiave], _ = Ente.objects.get_or_create(
            codice_fiscale=cf,
            defaults={"tipo": Ente.Tipo.SINDACATO, "denominazione": nome, "livello_sindacale": livello})
        enti[chiave].ambiti.add(pavia)
    enti["coop"], _ = Ente.objects.get_or_create(
        codice_fiscale=_cf_ente("0198765018"),
        defaults={
            "tipo": Ente.Tipo.TERZO_SETTORE, "denominazione": "Cooperativa sociale Il Ponte",
            "forma_giuridica": Ente.FormaGiuridica.COOPERATIVA_SOCIALE,
            "sezione_runts": Ente.SezioneRUNTS.D, "numero_runts": "123456", "sede": "Pavia",
        })
    enti["coop"].ambiti.add(pavia)

    dal = datetime.date(2011, 11, 16)
    # One hash for every demo user: PBKDF2 per user took most of the demo's load time.
    password = make_password(PASSWORD_DEMO)
    accessi = []
    for u in UTENTI:
        utente, creato = Utente.objects.get_or_create(
            username=u.username,
            defaults={"first_name": u.nome, "last_name": u.cognome, "codice_fiscale": _cf_persona(u.cf),
                      "email": f"{u.username}@demo.pianozona.it"},
        )
        if creato:
            utente.password = password
            utente.save(update_fields=["password"])
        incarico_assegna(
            utente=utente, ruolo=u.ruolo, ambito=ambiti.get(u.ambito) if u.ambito else None,
            regione=lombardia if u.regione else None, ente=enti.get(u.ente) if u.ente else None, dal=dal,
        )
        dove = f"{ambiti[u.ambito].nome}" if u.ambito else lombardia.nome
        per = f" ({enti[u.ente]})" if u.ente else ""
        accessi.append((u.username, f"{R(u.ruolo).label}{per} – {dove}"))

    # Certosa's Presidente, ASL referent, unions and the sixteen mayors, who walk its plan.
    persone, accessi_certosa = persone_certosa(ambito=certosa, enti=enti, password=password, dal=dal)
    accessi += accessi_certosa

    ciclo, _ = CicloProgrammazione.objects.get_or_create(
        regione=lombardia, anno_inizio=2012,
        defaults={
            "anno_fine": 2014, "atto_linee_indirizzo": "DGR IX/2505 del 16/11/2011",
            "data_atto": datetime.date(2011, 11, 16),
            "scadenza_approvazione": datetime.date(2012, 3, 31),
            "validita_inizio": datetime.date(2012, 4, 1), "validita_fine": datetime.date(2014, 12, 31),
        },
    )
    for chiave, titolo, responsabile in [
        ("pavia", "Piano di Zona 2012-2014 – Ambito di Pavia", "udp.pavia"),
        ("certosa", "Piano di Zona 2012-2014 – Ambito di Certosa di Pavia", "udp.certosa"),
    ]:
        if not PianoAmbito.objects.filter(ambito=ambiti[chiave], ciclo=ciclo).exists():
            piano_crea(ciclo=ciclo, ambiti=[ambiti[chiave]], titolo=titolo,
                       utente=Utente.objects.get(username=responsabile))

    # The Assemblee: Pavia's regulation weighs each Comune by its population (the city holds
    # most of the ambito's inhabitants); Certosa keeps one vote per Comune.
    for ambito in ambiti.values():
        assemblea_garantisci(ambito)
    assemblea = pavia.assemblea
    if assemblea.regole.count() == 1:
        regola_modifica(
            assemblea=assemblea, utente=Utente.objects.get(username="udp.pavia"),
            modalita=RegolaVoto.Modalita.PONDERATO, maggioranza=RegolaVoto.Maggioranza.ASSOLUTA,
            riferimento="Regolamento dell'Assemblea dei Sindaci, art. 5",
        )

    # Pavia's tavoli: one focus-group already met and approved its minutes.
    carica_tavoli_demo(
        piano=PianoAmbito.objects.get(ambito=pavia, ciclo=ciclo).piano,
        utenti={u.username: u for u in Utente.objects.filter(username__in=[x.username for x in UTENTI])},
        enti=enti, comuni={c.denominazione: c for c in _comuni(COMUNI_PAVIA)},
    )

    # Certosa's plan walks the whole iter: its Accordo di Programma is open for signature.
    porta_alla_firma(
        piano=PianoAmbito.objects.get(ambito=certosa, ciclo=ciclo).piano, ambito=certosa, enti=enti,
        utenti={**persone, **{u.username: u for u in Utente.objects.filter(username__in=["udp.certosa",
                                                                                        "terzosettore"])}},
    )

    admin, creato = Utente.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Amministratore",
                                    "email": "admin@demo.pianozona.it"})
    if creato:
        admin.password = password
        admin.save(update_fields=["password"])
    accessi.append(("admin", "Amministratore di sistema (pannello /admin/)"))
    return accessi
