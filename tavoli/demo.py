"""Demo tavoli for a plan: two tavoli of the Pavia district, a focus-group that already met
(register, needs, offer, a proposal, approved minutes) and a session convened for next
month. Everything goes through the services, so the demo's logs read like real ones.
Called by ``accordi.demo``; does nothing if the plan already has tavoli."""

from __future__ import annotations

import datetime

from django.utils import timezone

from . import services_contributi as sc
from . import services_membri_tavolo as sm
from . import services_sedute_tavolo as sst
from . import services_tavoli as st
from . import services_verbali as sv
from .models import Tavolo, TipoUnitaOfferta


def carica_tavoli_demo(*, piano, utenti: dict, enti: dict, comuni: dict) -> None:
    if Tavolo.objects.filter(piano=piano).exists():
        return
    udp, coordinatore = utenti["udp.pavia"], utenti["operatore.pavia"]
    terzo, componente, asl = utenti["terzosettore"], utenti["tavolo.pavia"], utenti["asl.pavia"]
    aree = {a.codice: a for a in st.aree_della_regione(piano.ambiti.first().asl.regione)}

    anziani = st.tavolo_crea(
        piano=piano, area=aree["anziani"], coordinatore=coordinatore, utente=udp,
        mandato="Ricostruire i bisogni degli anziani soli e l'offerta di domiciliarità del distretto "
                "entro la stesura della bozza.")
    minori = st.tavolo_crea(
        piano=piano, area=aree["minori-famiglia"], coordinatore=coordinatore, utente=udp,
        mandato="Mappare i servizi per la prima infanzia e la tutela minori.")
    for tavolo in (anziani, minori):
        invito = sm.membro_invita(tavolo=tavolo, invitato=terzo, ente=enti["coop"], utente=coordinatore)
        sm.invito_rispondi(membro=invito, utente=terzo, accetta=True)
    membri = [sm.membro_invita(tavolo=anziani, invitato=componente, ente=None, utente=coordinatore),
              sm.membro_invita(tavolo=anziani, invitato=asl, ente=enti["asl"], utente=coordinatore)]
    for membro in membri:
        sm.invito_rispondi(membro=membro, utente=membro.utente, accetta=True)
    attivi = list(anziani.membri.filter(stato="attivo"))
    focus = st.focus_group_crea(tavolo=anziani, nome="Domiciliarità", tema="Assistenza domiciliare e dimissioni "
                                "protette", referente=terzo, membri=attivi, utente=coordinatore)

    adesso = timezone.localtime()
    tenuta = sst.seduta_crea(
        tavolo=anziani, focus_group=focus, utente=coordinatore, luogo="Sala riunioni del Comune di Pavia",
        data=(adesso - datetime.timedelta(days=10)).replace(hour=15, minute=0, second=0, microsecond=0),
        ordine_del_giorno="Bisogni degli anziani soli\nOfferta di assistenza domiciliare\nProposte per il piano")
    sst.presenze_registra(seduta=tenuta, utente=coordinatore, membri=attivi,
                          ospiti=[{"nominativo": "Maria Sala", "ente_nome": "Auser Pavia"}])
    solitudine = sc.bisogno_registra(
        seduta=tenuta, utente=terzo, destinatari="Anziani soli non autosufficienti",
        descrizione="Dimissioni ospedaliere senza una rete familiare: il rientro a casa non è accompagnato.",
        evidenza="Segnalazioni dei servizi sociali comunali, 40 casi nel 2011.", priorita="alta",
        comuni=[comuni["Pavia"], comuni["Cava Manara"]])
    sc.bisogno_registra(
        seduta=tenuta, utente=componente, destinatari="Familiari che assistono (caregiver)",
        descrizione="Mancano momenti di sollievo per chi assiste un familiare non autosufficiente.",
        evidenza="Incontri con le associazioni di familiari.", priorita="media", ente=None,
        proposto_da="Davide Fontana")
    tipi = {t.codice: t for t in TipoUnitaOfferta.objects.filter(codice__in=["sad", "cdi"], regione=None)}
    sc.offerta_registra(seduta=tenuta, utente=terzo, tipo=tipi["sad"], denominazione="SAD distrettuale",
                        comune=comuni["Pavia"], capacita=120, gestore=enti["coop"])
    sc.offerta_registra(seduta=tenuta, utente=coordinatore, tipo=tipi["cdi"],
                        denominazione="Centro diurno integrato San Martino", comune=comuni["San Martino Siccomario"],
                        capacita=25, gestore_nome="Fondazione San Martino", ente=enti["asl"])
    sc.proposta_registra(
        seduta=tenuta, utente=terzo, titolo="Dimissioni protette con il SAD",
        descrizione="Un'équipe tra ospedale, servizi sociali e SAD che prepara il rientro a casa.",
        bisogni=[solitudine])
    verbale = sv.verbale_garantisci(seduta=tenuta, utente=coordinatore)
    testi = [
        "Il gruppo conferma che gli anziani soli dimessi dall'ospedale sono il bisogno più urgente.",
        "Il SAD distrettuale segue 120 persone; il centro diurno integrato ha 25 posti, sempre occupati.",
        "Si propone un percorso di dimissioni protette tra ospedale, Comuni e cooperativa.",
    ]
    verbale = sv.verbale_salva(
        verbale=verbale, utente=coordinatore, versione=verbale.versione,
        discussione=[{"punto": p["punto"], "testo": t} for p, t in zip(verbale.discussione, testi, strict=True)],
        decisioni="Portare la proposta di dimissioni protette al tavolo plenario.",
        prossimi_passi="Raccogliere i dati dei servizi sociali di tutti i Comuni entro la prossima seduta.")
    verbale = sv.verbale_invia(verbale=verbale, utente=coordinatore)
    sv.osservazione_aggiungi(verbale=verbale, utente=asl,
                             testo="Aggiungere i dati delle dimissioni dell'ospedale San Matteo.")
    sv.verbale_approva(verbale=verbale, utente=coordinatore, modalita="coordinatore")

    prossima = sst.seduta_crea(
        tavolo=minori, utente=coordinatore, collegamento="https://meet.example.it/tavolo-minori",
        data=(adesso + datetime.timedelta(days=30)).replace(hour=10, minute=0, second=0, microsecond=0),
        ordine_del_giorno="Mappa dei servizi per la prima infanzia\nTutela minori: i dati del 2011")
    sst.seduta_convoca(seduta=prossima, utente=coordinatore)
