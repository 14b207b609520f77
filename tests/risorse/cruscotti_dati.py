"""A small region for the dashboards' tests, with figures that are easy to compute by hand.

Region «Lombardia» (the factories' one), cycle 2025-2027 with its deadline on 31/03/2026:
- Ambito Alfa (ASL Uno, province PV; Comuni of 1.000 and 2.000 inhabitants): plan at signature,
  resources planned 10.000 € FNPS sociale + 5.000 € Comuni sociale + 3.000 € regional
  sociosanitario (and 1.000 € actual FNPS, not counted when planned amounts are shown);
  spending 2025: 200 € of which 100 € conferred (50%, the middle class), 2024: 100 € of which
  80 € conferred; two adherent bodies (500 € money + 3 volunteers worth 0; 100 hours worth
  2.000 €), one request waiting, one draft, one refused.
- Ambito Beta (ASL Due, province MI; one Comune of 4.000): plan in force since 1/2/2026,
  8.000 € FNPS sociale; spending 2025: 200 € of which 20 € conferred (10%, below 16%).
- Ambito Gamma (ASL Due, province MI; one Comune of 1.000): no plan, no spending.
"""

import datetime
from dataclasses import dataclass

from accordi.models import PianoDiZona, RisorsaAdesione
from ambiti.models import ASL, Ambito, Incarico

from ..factories import (
    AmbitoFactory,
    CicloFactory,
    ComuneFactory,
    ProvinciaFactory,
    RegioneFactory,
    RichiestaAdesioneFactory,
    SpesaSocialeComuneFactory,
    VoceRisorsaFactory,
    accordo_in_sottoscrizione,
    crea_piano,
    ente_terzo_settore,
    fonte,
    utente_con_ruolo,
)

OGGI = datetime.date(2026, 3, 21)  # 10 days before the deadline


@dataclass
class Regione:
    regione: object
    ciclo: object
    alfa: Ambito
    beta: Ambito
    gamma: Ambito
    piano_alfa: PianoDiZona
    piano_beta: PianoDiZona
    asl_uno: ASL
    asl_due: ASL
    milano: object


def crea_regione() -> Regione:
    regione = RegioneFactory()
    pavia = ProvinciaFactory()
    milano = ProvinciaFactory(codice_istat="015", sigla="MI", nome="Milano", regione=regione)
    asl_uno = ASL.objects.create(nome="ASL Uno", regione=regione)
    asl_due = ASL.objects.create(nome="ASL Due", regione=regione)
    ciclo = CicloFactory(regione=regione, scadenza_approvazione=datetime.date(2026, 3, 31),
                         validita_inizio=datetime.date(2025, 1, 1), validita_fine=datetime.date(2027, 12, 31))
    c1, c2 = ComuneFactory(popolazione=1000, provincia=pavia), ComuneFactory(popolazione=2000, provincia=pavia)
    c3 = ComuneFactory(popolazione=4000, provincia=milano)
    c4 = ComuneFactory(popolazione=1000, provincia=milano)
    alfa = AmbitoFactory(nome="Alfa & <Oltrepò>", asl=asl_uno, comuni=[c1, c2])
    beta = AmbitoFactory(nome="Beta", asl=asl_due, comuni=[c3])
    gamma = AmbitoFactory(nome="Gamma", asl=asl_due, comuni=[c4])
    piano_alfa = crea_piano(alfa, ciclo=ciclo, stato="bozza", titolo="Piano Alfa")
    piano_beta = crea_piano(beta, ciclo=ciclo, stato="vigente", titolo="Piano Beta",
                            vigente_dal=datetime.date(2026, 2, 1))
    for importo, codice, spesa, tipo in ((1_000_000, "fnps", "sociale", "previsto"),
                                         (500_000, "comuni", "sociale", "previsto"),
                                         (300_000, "fsr", "sociosanitario", "previsto"),
                                         (100_000, "fnps", "sociale", "consuntivo")):
        VoceRisorsaFactory(piano=piano_alfa, fonte=fonte(codice), ambito_spesa=spesa, tipo=tipo,
                           importo_centesimi=importo)
    VoceRisorsaFactory(piano=piano_beta, fonte=fonte("fnps"), importo_centesimi=800_000)
    SpesaSocialeComuneFactory(ambito=alfa, comune=c1, anno=2025, spesa_totale_centesimi=10_000,
                              conferita_udp_centesimi=6_000)
    SpesaSocialeComuneFactory(ambito=alfa, comune=c2, anno=2025, spesa_totale_centesimi=10_000,
                              conferita_udp_centesimi=4_000)
    SpesaSocialeComuneFactory(ambito=alfa, comune=c1, anno=2024, spesa_totale_centesimi=10_000,
                              conferita_udp_centesimi=8_000)
    SpesaSocialeComuneFactory(ambito=beta, comune=c3, anno=2025, spesa_totale_centesimi=20_000,
                              conferita_udp_centesimi=2_000)
    accordo = accordo_in_sottoscrizione(piano=piano_alfa)
    piano_alfa.refresh_from_db()
    T = RisorsaAdesione.Tipo
    aderente1 = RichiestaAdesioneFactory(accordo=accordo, ente=ente_terzo_settore(alfa)[0], stato="accolta")
    RisorsaAdesione.objects.create(richiesta=aderente1, tipo=T.DENARO, descrizione="Contributo", quantita=500,
                                   valore_centesimi=50_000)
    RisorsaAdesione.objects.create(richiesta=aderente1, tipo=T.VOLONTARI, descrizione="Volontari", quantita=3,
                                   valore_centesimi=0)
    aderente2 = RichiestaAdesioneFactory(accordo=accordo, ente=ente_terzo_settore(alfa)[0], stato="sottoscritta")
    RisorsaAdesione.objects.create(richiesta=aderente2, tipo=T.ORE_PERSONALE, descrizione="Educatori",
                                   quantita=100, valore_centesimi=200_000)
    RichiestaAdesioneFactory(accordo=accordo, stato="inviata")
    RichiestaAdesioneFactory(accordo=accordo, stato="bozza")
    respinta = RichiestaAdesioneFactory(accordo=accordo, stato="respinta")
    RisorsaAdesione.objects.create(richiesta=respinta, tipo=T.DENARO, descrizione="No", quantita=1,
                                   valore_centesimi=999_900)
    return Regione(regione, ciclo, alfa, beta, gamma, piano_alfa, piano_beta, asl_uno, asl_due, milano)


def funzionario(regione, username="funzionario"):
    return utente_con_ruolo(Incarico.Ruolo.OPERATORE_REGIONALE, regione=regione, username=username)


def altri_ambiti(r: Regione, n: int):
    """``n`` more ambiti with a plan, resources, spending and an adherent each (for the query caps)."""
    for i in range(n):
        ambito = AmbitoFactory(asl=r.asl_due, comuni=[ComuneFactory(popolazione=500 + i, provincia=r.milano)])
        piano = crea_piano(ambito, ciclo=r.ciclo, stato="istruttoria")
        VoceRisorsaFactory(piano=piano, importo_centesimi=100_000 + i)
        SpesaSocialeComuneFactory(ambito=ambito, comune=ambito.comuni.first(), anno=2025,
                                  spesa_totale_centesimi=10_000, conferita_udp_centesimi=100 * i)
        accordo = accordo_in_sottoscrizione(piano=piano)
        richiesta = RichiestaAdesioneFactory(accordo=accordo, ente=ente_terzo_settore(ambito)[0], stato="accolta")
        RisorsaAdesione.objects.create(richiesta=richiesta, tipo=RisorsaAdesione.Tipo.DENARO, descrizione="Soldi",
                                       quantita=10, valore_centesimi=1_000)
