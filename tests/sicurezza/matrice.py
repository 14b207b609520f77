"""The expected outcome of every named URL of the project, in one table.

Each route has a category (who passes the view's permission check) and the URL's kwargs. The
test (test_matrice_permessi.py) asks every route as every person of ``mondo.SOGGETTI``, about the
objects of ambito A (where the roles are held), of ambito B (same region) and of ambito C
(another region), and compares the answer with ``atteso``:

- ``ok``: the view let the person through: 2xx, a redirect that is not to the login page (the
  result of a POST with an empty form: done, or refused with a message), or 400/409 (the request
  is understood and refused for what it says, not for who asks);
- ``negato``: 403 or 404, nothing of the object;
- ``login``: a redirect to the login page (the API answers 401 instead).
"""

from __future__ import annotations

from dataclasses import dataclass

from ambiti.models import Incarico

R = Incarico.Ruolo

LETTORI = frozenset(r for r in R.values if r != R.OPERATORE_REGIONALE)  # the plan page (ruoli.PERMESSI_DI_LETTURA)
UDP = frozenset({R.RESPONSABILE_UDP, R.OPERATORE_UDP})
CONSULTA = UDP | {R.PRESIDENTE_ASSEMBLEA, R.SINDACO, R.REFERENTE_ASL}  # consulta_ambito


@dataclass(frozen=True)
class Regola:
    ruoli: frozenset = frozenset()  # roles of ambito A let through on A's objects
    anonimo: str = "login"  # "ok", "login", "negato"
    tutti: bool = False  # every signed-in person, on every ambito's objects
    regionale: bool = False  # the regional officer on the objects of his region
    contenuto_pubblico: bool = False  # the page may name any ambito (public data, capability URL)


CATEGORIE: dict[str, Regola] = {
    # public data: the same page for everybody, it may name every ambito
    "pubblica": Regola(anonimo="ok", tutti=True, regionale=True, contenuto_pubblico=True),
    # open to everybody, but what it shows of the plans is the visitor's own
    "aperta": Regola(anonimo="ok", tutti=True, regionale=True),
    # a plan or an Accordo that is not approved is not public: nobody gets its public page
    "solo_approvati": Regola(anonimo="negato"),
    # every signed-in person (their own things only)
    "accesso": Regola(ruoli=LETTORI, tutti=True, regionale=True),
    "api_accesso": Regola(ruoli=LETTORI, anonimo="login", tutti=True, regionale=True),
    # who may read the plan page: every role of the ambito and the regional officer
    "lettori": Regola(ruoli=LETTORI, regionale=True),
    "api_lettori": Regola(ruoli=LETTORI, regionale=True),
    # the working draft: the ambito's bodies (consulta_ambito), not unions nor Terzo Settore
    "bozza": Regola(ruoli=CONSULTA, regionale=True),
    # the consultation: the bodies; the union's referent is sent on to his opinion
    "consultazione": Regola(ruoli=CONSULTA | {R.REFERENTE_SINDACATO}, regionale=True),
    "parere": Regola(ruoli=CONSULTA | {R.REFERENTE_SINDACATO}, regionale=True),
    # a tavolo: the plan's readers but the unions
    "tavolo": Regola(ruoli=LETTORI - {R.REFERENTE_SINDACATO}, regionale=True),
    # its sessions and focus groups: not unions, not a Terzo Settore body that is no member
    "partecipanti_tavolo": Regola(ruoli=LETTORI - {R.REFERENTE_SINDACATO, R.REFERENTE_TERZO_SETTORE},
                                  regionale=True),
    # contributions to a held session: the coordinator (UdP) and the members
    "contributo": Regola(ruoli=UDP | {R.COMPONENTE_TAVOLO}),
    # the Ufficio di Piano writes; the Regione only reads
    "udp": Regola(ruoli=UDP),
    "udp_senza_regione": Regola(ruoli=UDP),
    "udp_presidente": Regola(ruoli=UDP | {R.PRESIDENTE_ASSEMBLEA}),
    "udp_sindaco": Regola(ruoli=UDP | {R.SINDACO}),
    "presidente": Regola(ruoli=frozenset({R.PRESIDENTE_ASSEMBLEA})),
    # the person named to sign
    "firmatario": Regola(ruoli=frozenset({R.SINDACO})),
    # a Terzo Settore body's own requests, seen and changed only by its referent
    "ente": Regola(ruoli=frozenset({R.REFERENTE_TERZO_SETTORE}), anonimo="login"),
    # the regional officer of the object's region (areas, cycles)
    "regione": Regola(regionale=True),
    # every regional officer, each on his own region's data (regional dashboard, cycles)
    "regioni": Regola(regionale=True),
    # nobody with the request the matrix sends (an empty adesione form names no body)
    "nessuno": Regola(),
}

# Whose objects a regional officer reads, by variant ("-": the route names no object).
REGIONI_DEL_SOGGETTO = {"regionale": {"A", "B", "-"}, "regionale_altra_regione": {"C", "-"}}
# The variants each person may read, for the check of names in the pages.
LEGGIBILI = {"regionale": {"A", "B"}, "regionale_altra_regione": {"C"}}


def atteso(categoria: str, soggetto: str, variante: str, api: bool = False) -> str:
    regola = CATEGORIE[categoria]
    if soggetto == "anonimo":
        return regola.anonimo
    if regola.tutti:
        return "ok"
    if soggetto in REGIONI_DEL_SOGGETTO:
        return "ok" if regola.regionale and variante in REGIONI_DEL_SOGGETTO[soggetto] else "negato"
    if soggetto == "senza_ruolo":
        return "negato"
    return "ok" if variante in ("A", "-") and soggetto in regola.ruoli else "negato"


# route name -> (category, kwargs). A kwarg value starting with "@" names an object of the
# variant's ambito (tests/sicurezza/mondo.py, ``Oggetti.pk``); anything else is literal.
ROTTE: dict[str, tuple[str, dict]] = {
    # --- account (django.contrib.auth) ---
    "login": ("aperta", {}),
    "logout": ("aperta", {}),
    "password_reset": ("aperta", {}),
    "password_reset_done": ("aperta", {}),
    "password_reset_confirm": ("aperta", {"uidb64": "MQ", "token": "set-password"}),
    "password_reset_complete": ("aperta", {}),
    "password_change": ("accesso", {}),
    "password_change_done": ("accesso", {}),
    # --- API ---
    "api:schema": ("pubblica", {}),
    "api:docs": ("pubblica", {}),
    "api:ambiti": ("pubblica", {}),
    "api:ambito": ("pubblica", {"pk": "@ambito"}),
    "api:pubblico_piani": ("pubblica", {}),
    "api:pubblico_piano": ("solo_approvati", {"pk": "@piano"}),
    "api:pubblico_accordi": ("pubblica", {}),
    "api:pubblico_accordo": ("solo_approvati", {"pk": "@accordo"}),
    "api:piani": ("api_accesso", {}),
    "api:piano": ("api_lettori", {"pk": "@piano"}),
    "api:piano_risorse": ("api_lettori", {"pk": "@piano"}),
    "api:piano_adesioni": ("api_lettori", {"pk": "@piano"}),
    # --- Assemblea ---
    "tavoli:assemblea": ("lettori", {"ambito_pk": "@ambito"}),
    "tavoli:regola": ("udp", {"ambito_pk": "@ambito"}),
    "tavoli:seduta_nuova": ("udp_presidente", {"ambito_pk": "@ambito"}),
    "tavoli:delega_nuova": ("udp_sindaco", {"ambito_pk": "@ambito"}),
    "tavoli:ufficio": ("udp_presidente", {"ambito_pk": "@ambito"}),
    "tavoli:seduta": ("lettori", {"pk": "@seduta"}),
    "tavoli:seduta_live": ("lettori", {"pk": "@seduta"}),
    "tavoli:punto_nuovo": ("udp_presidente", {"pk": "@seduta"}),
    "tavoli:presenza": ("lettori", {"pk": "@seduta"}),
    "tavoli:seduta_azione": ("presidente", {"pk": "@seduta", "azione": "convoca"}),
    "tavoli:punto_rimuovi": ("udp_presidente", {"pk": "@punto"}),
    "tavoli:votazione_apri": ("presidente", {"pk": "@punto"}),
    "tavoli:vota": ("lettori", {"pk": "@votazione"}),
    "tavoli:votazione_azione": ("presidente", {"pk": "@votazione", "azione": "chiudi"}),
    "tavoli:deliberazione": ("lettori", {"pk": "@deliberazione"}),
    # --- knowledge base, calendar, areas ---
    "tavoli:conoscenza": ("lettori", {"piano_pk": "@piano"}),
    "tavoli:conoscenza_csv": ("lettori", {"piano_pk": "@piano", "elenco": "bisogni"}),
    "tavoli:calendario": ("lettori", {"ambito_pk": "@ambito"}),
    "tavoli:calendario_personale": ("accesso", {}),
    "tavoli:feed_ics": ("pubblica", {"token": "@feed"}),
    "tavoli:aree": ("regione", {"regione_pk": "@regione"}),
    "tavoli:area_nuova": ("regione", {"regione_pk": "@regione"}),
    "tavoli:tipo_offerta_nuovo": ("regione", {"regione_pk": "@regione"}),
    "tavoli:area_modifica": ("regione", {"pk": "@area"}),
    "tavoli:area_stato": ("regione", {"pk": "@area"}),
    "tavoli:area_elimina": ("regione", {"pk": "@area"}),
    # --- tavoli tematici ---
    "tavoli:tavoli_piano": ("lettori", {"piano_pk": "@piano"}),
    "tavoli:tavolo_nuovo": ("udp", {"piano_pk": "@piano"}),
    "tavoli:tavolo": ("tavolo", {"pk": "@tavolo"}),
    "tavoli:tavolo_modifica": ("udp", {"pk": "@tavolo"}),
    "tavoli:membro_invita": ("udp", {"pk": "@tavolo"}),
    "tavoli:adesione_chiedi": ("tavolo", {"pk": "@tavolo"}),
    "tavoli:membro_azione": ("udp", {"pk": "@membro", "azione": "rimuovi"}),
    "tavoli:focus_group_nuovo": ("udp", {"pk": "@tavolo"}),
    "tavoli:focus_group": ("partecipanti_tavolo", {"pk": "@focus_group"}),
    "tavoli:seduta_tavolo_nuova": ("udp", {"pk": "@tavolo"}),
    "tavoli:seduta_tavolo": ("partecipanti_tavolo", {"pk": "@seduta_tavolo"}),
    "tavoli:presenze_tavolo": ("udp", {"pk": "@seduta_tavolo"}),
    "tavoli:verbale_tavolo": ("partecipanti_tavolo", {"pk": "@seduta_tavolo"}),
    "tavoli:contributo_nuovo": ("contributo", {"pk": "@seduta_tavolo", "tipo": "bisogno"}),
    "tavoli:seduta_tavolo_azione": ("udp", {"pk": "@seduta_tavolo", "azione": "convoca"}),
    "tavoli:contributo_modifica": ("contributo", {"tipo": "bisogno", "pk": "@bisogno"}),
    # --- plans and iter ---
    "accordi:home": ("aperta", {}),
    "accordi:piani": ("accesso", {}),
    "accordi:piano_nuovo": ("udp_senza_regione", {}),
    "accordi:piano": ("lettori", {"pk": "@piano"}),
    "accordi:transizione": ("lettori", {"pk": "@piano", "nome": "approva_atto_indirizzo"}),
    # --- documents and signatures ---
    "accordi:documento_genera": ("udp", {"pk": "@piano", "tipo": "piano_bozza"}),
    "accordi:documento": ("lettori", {"pk": "@documento"}),
    "accordi:documento_stato": ("lettori", {"pk": "@documento"}),
    "accordi:documento_scarica": ("lettori", {"pk": "@documento"}),
    "accordi:richiesta_firma": ("udp", {"pk": "@documento"}),
    "accordi:firma_carica": ("lettori", {"pk": "@firmatario"}),
    "accordi:firma_browser": ("firmatario", {"pk": "@firmatario"}),
    "accordi:firma_busta": ("lettori", {"pk": "@firmatario"}),
    "accordi:verifica": ("aperta", {}),
    "accordi:verifica_codice": ("pubblica", {"codice": "@codice"}),
    "accordi:verifica_scarica": ("pubblica", {"codice": "@codice"}),
    # --- cycles, public plans ---
    "accordi:cicli": ("regioni", {}),
    "accordi:ciclo_nuovo": ("regioni", {}),
    "accordi:ciclo": ("regione", {"pk": "@ciclo"}),
    "accordi:pubblico_piani": ("pubblica", {}),
    "accordi:pubblico_piano": ("solo_approvati", {"pk": "@piano"}),
    # --- plan content ---
    "accordi:contenuto": ("bozza", {"piano_pk": "@piano"}),
    "accordi:contenuto_scheda": ("lettori", {"piano_pk": "@piano"}),
    "accordi:sezione": ("bozza", {"pk": "@sezione"}),
    "accordi:obiettivo_nuovo": ("udp", {"piano_pk": "@piano"}),
    "accordi:obiettivo": ("bozza", {"pk": "@obiettivo"}),
    "accordi:obiettivo_elimina": ("udp", {"pk": "@obiettivo"}),
    "accordi:azione_nuova": ("udp", {"pk": "@obiettivo"}),
    "accordi:azione": ("bozza", {"pk": "@azione"}),
    "accordi:azione_elimina": ("udp", {"pk": "@azione"}),
    "accordi:modello_ciclo": ("regione", {"pk": "@ciclo"}),
    # --- consultation of the unions, ASL's intesa, versions ---
    "accordi:invia_sindacati": ("udp", {"piano_pk": "@piano"}),
    "accordi:consultazione": ("consultazione", {"pk": "@consultazione"}),
    "accordi:consultazione_chiudi": ("udp", {"pk": "@consultazione"}),
    "accordi:consultazione_rinvia": ("udp", {"pk": "@consultazione"}),
    "accordi:osservazione_rispondi": ("udp", {"pk": "@osservazione"}),
    "accordi:parere": ("parere", {"pk": "@parere"}),
    "accordi:intesa": ("bozza", {"piano_pk": "@piano"}),
    "accordi:versioni": ("lettori", {"piano_pk": "@piano"}),
    "accordi:versione_congela": ("udp", {"piano_pk": "@piano"}),
    "accordi:versioni_confronta": ("lettori", {"piano_pk": "@piano"}),
    "accordi:versione": ("lettori", {"pk": "@versione"}),
    # --- Accordo di Programma ---
    "accordi:accordo": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_scheda": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_dati": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_parte_nuova": ("udp", {"piano_pk": "@piano"}),
    "accordi:accordo_parte": ("lettori", {"pk": "@parte"}),
    "accordi:accordo_parte_elimina": ("udp", {"pk": "@parte"}),
    "accordi:accordo_popolazione": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_voce_nuova": ("udp", {"piano_pk": "@piano"}),
    "accordi:accordo_voce": ("lettori", {"pk": "@voce"}),
    "accordi:accordo_voce_elimina": ("udp", {"pk": "@voce"}),
    "accordi:accordo_ripartizione": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_ripartizione_csv": ("lettori", {"piano_pk": "@piano"}),
    "accordi:accordo_atto": ("udp", {"piano_pk": "@piano"}),
    # --- adesioni of the Terzo Settore ---
    "accordi:area_ente": ("ente", {}),
    "accordi:adesione_nuova": ("nessuno", {"accordo_pk": "@accordo"}),
    "accordi:adesione": ("ente", {"pk": "@adesione"}),
    "accordi:adesione_invia": ("ente", {"pk": "@adesione"}),
    "accordi:adesione_integra": ("ente", {"pk": "@adesione"}),
    "accordi:adesione_ritira": ("ente", {"pk": "@adesione"}),
    "accordi:adesione_allegato": ("ente", {"pk": "@adesione"}),
    "accordi:adesione_allegato_elimina": ("ente", {"pk": "@allegato"}),
    "accordi:adesione_allegato_scarica": ("ente", {"pk": "@allegato"}),
    "accordi:adesioni_accordo": ("bozza", {"piano_pk": "@piano"}),
    "accordi:adesione_esame": ("bozza", {"pk": "@adesione_inviata"}),
    "accordi:adesione_azione": ("udp", {"pk": "@adesione_inviata", "nome": "prendi-in-carico"}),
    # --- Terzo Settore portal ---
    "accordi:portale": ("pubblica", {}),
    "accordi:registrazione": ("aperta", {}),
    "accordi:registrazione_inviata": ("aperta", {}),
    "accordi:registrazione_conferma": ("aperta", {"token": "link-non-valido"}),
    "accordi:accordi_vigenti": ("pubblica", {}),
    "accordi:accordo_pubblico": ("pubblica", {"pk": "@accordo"}),
    # --- risorse ---
    "risorse:quadro": ("lettori", {"piano_pk": "@piano"}),
    "risorse:quadro_anno": ("udp", {"piano_pk": "@piano", "anno": 2025}),
    "risorse:quadro_importa": ("udp", {"piano_pk": "@piano"}),
    "risorse:quadro_esporta": ("lettori", {"piano_pk": "@piano", "formato": "csv"}),
    "risorse:quadro_modello": ("lettori", {"piano_pk": "@piano"}),
    "risorse:monitoraggio": ("lettori", {"piano_pk": "@piano"}),
    "risorse:misurazioni": ("lettori", {"pk": "@indicatore"}),
    "risorse:misurazione": ("lettori", {"pk": "@misurazione"}),
    "risorse:attuazione": ("lettori", {"piano_pk": "@piano", "anno": 2025}),
    "risorse:relazione": ("lettori", {"piano_pk": "@piano", "anno": 2025}),
    "risorse:relazione_genera": ("udp", {"piano_pk": "@piano", "anno": 2025}),
    "risorse:cruscotto_regionale": ("regioni", {}),
    "risorse:cruscotto_regionale_csv": ("regioni", {"tabella": "iter"}),
    "risorse:cruscotto_ambito": ("lettori", {"ambito_pk": "@ambito"}),
    "risorse:cruscotto_ambito_csv": ("lettori", {"ambito_pk": "@ambito", "tabella": "iter"}),
    "risorse:spesa": ("lettori", {"ambito_pk": "@ambito"}),
    "risorse:spesa_importa": ("udp", {"ambito_pk": "@ambito"}),
    "risorse:spesa_esporta": ("lettori", {"ambito_pk": "@ambito", "formato": "csv"}),
}
