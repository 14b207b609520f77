"""The starting lists: the areas of intervention a region gets until its officers change them
(the typical areas of the regional guidelines, each mapped to the FNPS and ISTAT codings), and
the national catalogue of the kinds of social service (migration 0004 loads a copy of it)."""

from django.utils.translation import gettext_noop as N_

# (codice, nome, area FNPS, area ISTAT)
AREE_PREDEFINITE = [
    ("anziani", N_("Anziani"), "disabilita", "anziani"),
    ("disabilita", N_("Disabilità"), "disabilita", "disabili"),
    ("minori-famiglia", N_("Minori e famiglia"), "infanzia_famiglia", "famiglia_minori"),
    ("poverta-inclusione", N_("Povertà e inclusione sociale"), "poverta", "poverta"),
    ("salute-mentale", N_("Salute mentale"), "disabilita", "multiutenza"),
    ("dipendenze", N_("Dipendenze"), "poverta", "dipendenze"),
    ("immigrazione", N_("Immigrazione"), "poverta", "immigrati"),
    ("giovani", N_("Giovani"), "infanzia_famiglia", "famiglia_minori"),
    ("conciliazione", N_("Conciliazione vita-lavoro"), "infanzia_famiglia", "famiglia_minori"),
    ("politiche-abitative", N_("Politiche abitative"), "poverta", "poverta"),
]

# (codice, sigla, nome, area ISTAT, capacità espressa in)
TIPI_OFFERTA = [
    ("asilo-nido", "", "Asilo nido", "famiglia_minori", "posti"),
    ("micronido", "", "Micronido", "famiglia_minori", "posti"),
    ("centro-prima-infanzia", "", "Centro per la prima infanzia", "famiglia_minori", "posti"),
    ("nido-famiglia", "", "Nido famiglia", "famiglia_minori", "posti"),
    ("cag", "CAG", "Centro di aggregazione giovanile", "famiglia_minori", "utenti"),
    ("centro-ricreativo-diurno", "CRD", "Centro ricreativo diurno per minori", "famiglia_minori", "posti"),
    ("comunita-educativa", "", "Comunità educativa per minori", "famiglia_minori", "posti"),
    ("comunita-familiare", "", "Comunità familiare", "famiglia_minori", "posti"),
    ("alloggio-autonomia", "", "Alloggio per l'autonomia", "famiglia_minori", "posti"),
    ("adm", "ADM", "Assistenza domiciliare minori", "famiglia_minori", "utenti"),
    ("tutela-minori", "", "Servizio tutela minori", "famiglia_minori", "utenti"),
    ("affidi", "", "Servizio affidi", "famiglia_minori", "utenti"),
    ("consultorio-familiare", "", "Consultorio familiare", "famiglia_minori", "utenti"),
    ("cse", "CSE", "Centro socio educativo", "disabili", "posti"),
    ("sfa", "SFA", "Servizio di formazione all'autonomia", "disabili", "posti"),
    ("cdd", "CDD", "Centro diurno per disabili", "disabili", "posti"),
    ("css", "CSS", "Comunità socio sanitaria per disabili", "disabili", "posti"),
    ("rsd", "RSD", "Residenza sanitaria per disabili", "disabili", "posti"),
    ("sad", "SAD", "Servizio di assistenza domiciliare", "anziani", "utenti"),
    ("cdi", "CDI", "Centro diurno integrato", "anziani", "posti"),
    ("centro-diurno-anziani", "", "Centro diurno anziani", "anziani", "posti"),
    ("rsa", "RSA", "Residenza sanitaria assistenziale", "anziani", "posti"),
    ("alloggio-protetto-anziani", "", "Alloggio protetto per anziani", "anziani", "posti"),
    ("pasti-domicilio", "", "Pasti a domicilio", "anziani", "utenti"),
    ("telesoccorso", "", "Telesoccorso", "anziani", "utenti"),
    ("segretariato-sociale", "", "Segretariato sociale", "multiutenza", "ore settimanali"),
    ("servizio-sociale-professionale", "", "Servizio sociale professionale", "multiutenza", "ore settimanali"),
    ("sportello-stranieri", "", "Sportello per stranieri", "immigrati", "ore settimanali"),
    ("centro-accoglienza", "", "Centro di accoglienza", "poverta", "posti"),
    ("dormitorio", "", "Dormitorio / accoglienza notturna", "poverta", "posti"),
    ("mensa-sociale", "", "Mensa sociale", "poverta", "utenti"),
    ("emporio-solidale", "", "Emporio solidale", "poverta", "utenti"),
    ("housing-sociale", "", "Housing sociale", "poverta", "alloggi"),
    ("sil", "SIL", "Servizio di inserimento lavorativo", "multiutenza", "utenti"),
    ("servizio-dipendenze", "SerD", "Servizio per le dipendenze", "dipendenze", "utenti"),
    ("cps", "CPS", "Centro psico-sociale", "multiutenza", "utenti"),
    ("trasporto-sociale", "", "Trasporto sociale", "multiutenza", "utenti"),
]
