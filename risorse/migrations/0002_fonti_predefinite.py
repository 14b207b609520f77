"""The default funding sources of the quadro unitario (DOMAIN.md, Money; seed 004 table 1.1).
The list stays editable in the admin; a source in use is retired, never deleted."""

from django.db import migrations

FONTI = [
    # codice, nome, categoria
    ("fnps", "Fondo Nazionale Politiche Sociali (FNPS)", "stato"),
    ("fna", "Fondo Non Autosufficienze (FNA)", "stato"),
    ("poverta", "Fondo Povertà (quota servizi)", "stato"),
    ("fsr", "Fondo Sociale Regionale", "regione"),
    ("regione_sociosanitario", "Risorse regionali per il sociosanitario", "regione"),
    ("comuni", "Fondi propri dei Comuni", "comuni"),
    ("province", "Risorse delle Province", "province"),
    ("asl", "Risorse dell'ASL", "asl"),
    ("compartecipazione", "Compartecipazione degli utenti", "utenti"),
    ("inps", "Trasferimenti INPS", "inps"),
    ("terzo_settore", "Terzo Settore e fondi privati", "terzo_settore"),
    ("altro", "Altre fonti", "altro"),
]


def crea(apps, schema_editor):
    FonteRisorsa = apps.get_model("risorse", "FonteRisorsa")
    for ordine, (codice, nome, categoria) in enumerate(FONTI, start=1):
        FonteRisorsa.objects.get_or_create(codice=codice, defaults={
            "nome": nome, "categoria": categoria, "ordine": ordine * 10})


class Migration(migrations.Migration):
    dependencies = [("risorse", "0001_iniziale")]
    operations = [migrations.RunPython(crea, migrations.RunPython.noop)]
