"""The national catalogue of the kinds of social service (unità di offerta), copied here so
that this migration keeps its meaning whatever later changes to ``tavoli.catalogo``."""

from django.db import migrations

# (codice, sigla, nome, area ISTAT, capacità espressa in)
TIPI = [
    ('asilo-nido', '', 'Asilo nido', 'famiglia_minori', 'posti'),
    ('micronido', '', 'Micronido', 'famiglia_minori', 'posti'),
    ('centro-prima-infanzia', '', 'Centro per la prima infanzia', 'famiglia_minori', 'posti'),
    ('nido-famiglia', '', 'Nido famiglia', 'famiglia_minori', 'posti'),
    ('cag', 'CAG', 'Centro di aggregazione giovanile', 'famiglia_minori', 'utenti'),
    ('centro-ricreativo-diurno', 'CRD', 'Centro ricreativo diurno per minori', 'famiglia_minori', 'posti'),
    ('comunita-educativa', '', 'Comunità educativa per minori', 'famiglia_minori', 'posti'),
    ('comunita-familiare', '', 'Comunità familiare', 'famiglia_minori', 'posti'),
    ('alloggio-autonomia', '', "Alloggio per l'autonomia", 'famiglia_minori', 'posti'),
    ('adm', 'ADM', 'Assistenza domiciliare minori', 'famiglia_minori', 'utenti'),
    ('tutela-minori', '', 'Servizio tutela minori', 'famiglia_minori', 'utenti'),
    ('affidi', '', 'Servizio affidi', 'famiglia_minori', 'utenti'),
    ('consultorio-familiare', '', 'Consultorio familiare', 'famiglia_minori', 'utenti'),
    ('cse', 'CSE', 'Centro socio educativo', 'disabili', 'posti'),
    ('sfa', 'SFA', "Servizio di formazione all'autonomia", 'disabili', 'posti'),
    ('cdd', 'CDD', 'Centro diurno per disabili', 'disabili', 'posti'),
    ('css', 'CSS', 'Comunità socio sanitaria per disabili', 'disabili', 'posti'),
    ('rsd', 'RSD', 'Residenza sanitaria per disabili', 'disabili', 'posti'),
    ('sad', 'SAD', 'Servizio di assistenza domiciliare', 'anziani', 'utenti'),
    ('cdi', 'CDI', 'Centro diurno integrato', 'anziani', 'posti'),
    ('centro-diurno-anziani', '', 'Centro diurno anziani', 'anziani', 'posti'),
    ('rsa', 'RSA', 'Residenza sanitaria assistenziale', 'anziani', 'posti'),
    ('alloggio-protetto-anziani', '', 'Alloggio protetto per anziani', 'anziani', 'posti'),
    ('pasti-domicilio', '', 'Pasti a domicilio', 'anziani', 'utenti'),
    ('telesoccorso', '', 'Telesoccorso', 'anziani', 'utenti'),
    ('segretariato-sociale', '', 'Segretariato sociale', 'multiutenza', 'ore settimanali'),
    ('servizio-sociale-professionale', '', 'Servizio sociale professionale', 'multiutenza', 'ore settimanali'),
    ('sportello-stranieri', '', 'Sportello per stranieri', 'immigrati', 'ore settimanali'),
    ('centro-accoglienza', '', 'Centro di accoglienza', 'poverta', 'posti'),
    ('dormitorio', '', 'Dormitorio / accoglienza notturna', 'poverta', 'posti'),
    ('mensa-sociale', '', 'Mensa sociale', 'poverta', 'utenti'),
    ('emporio-solidale', '', 'Emporio solidale', 'poverta', 'utenti'),
    ('housing-sociale', '', 'Housing sociale', 'poverta', 'alloggi'),
    ('sil', 'SIL', 'Servizio di inserimento lavorativo', 'multiutenza', 'utenti'),
    ('servizio-dipendenze', 'SerD', 'Servizio per le dipendenze', 'dipendenze', 'utenti'),
    ('cps', 'CPS', 'Centro psico-sociale', 'multiutenza', 'utenti'),
    ('trasporto-sociale', '', 'Trasporto sociale', 'multiutenza', 'utenti'),
]


def carica(apps, schema_editor):
    Tipo = apps.get_model("tavoli", "TipoUnitaOfferta")
    for codice, sigla, nome, area, unita in TIPI:
        Tipo.objects.get_or_create(regione=None, codice=codice, defaults={
            "sigla": sigla, "nome": nome, "area_istat": area, "unita_capacita": unita})


class Migration(migrations.Migration):
    dependencies = [("tavoli", "0003_tavoli_tematici")]

    operations = [migrations.RunPython(carica, migrations.RunPython.noop)]
