from django.urls import path

from . import views, views_consultazione, views_contenuto, views_documenti, views_versioni

app_name = "accordi"

urlpatterns = [
    path("", views.home, name="home"),
    path("piani/", views.piani_elenco, name="piani"),
    path("piani/nuovo/", views.piano_nuovo, name="piano_nuovo"),
    path("piani/<int:pk>/", views.piano_dettaglio, name="piano"),
    path("piani/<int:pk>/transizioni/<slug:nome>/", views.piano_transizione, name="transizione"),
    path("piani/<int:pk>/documenti/<slug:tipo>/", views_documenti.documento_genera, name="documento_genera"),
    path("documenti/<int:pk>/", views_documenti.documento_dettaglio, name="documento"),
    path("documenti/<int:pk>/stato/", views_documenti.documento_stato, name="documento_stato"),
    path("documenti/<int:pk>/scarica/", views_documenti.documento_scarica, name="documento_scarica"),
    path("documenti/<int:pk>/firme/", views_documenti.richiesta_firma, name="richiesta_firma"),
    path("firme/<int:pk>/carica/", views_documenti.firma_carica, name="firma_carica"),
    path("firme/<int:pk>/browser/", views_documenti.firma_browser, name="firma_browser"),
    path("firme/<int:pk>/p7m/", views_documenti.firma_busta, name="firma_busta"),
    path("verifica/", views_documenti.verifica, name="verifica"),
    path("verifica/<str:codice>/", views_documenti.verifica_codice, name="verifica_codice"),
    path("verifica/<str:codice>/scarica/", views_documenti.verifica_scarica, name="verifica_scarica"),
    path("cicli/", views.cicli_elenco, name="cicli"),
    path("cicli/nuovo/", views.ciclo_modifica, name="ciclo_nuovo"),
    path("cicli/<int:pk>/", views.ciclo_modifica, name="ciclo"),
    path("pubblico/piani/", views.pubblico_piani, name="pubblico_piani"),
    path("pubblico/piani/<int:pk>/", views.pubblico_piano, name="pubblico_piano"),
    path("piani/<int:piano_pk>/contenuto/", views_contenuto.contenuto, name="contenuto"),
    path("piani/<int:piano_pk>/contenuto/scheda/", views_contenuto.contenuto_scheda, name="contenuto_scheda"),
    path("sezioni/<int:pk>/", views_contenuto.sezione, name="sezione"),
    path("piani/<int:piano_pk>/obiettivi/nuovo/", views_contenuto.obiettivo_nuovo, name="obiettivo_nuovo"),
    path("obiettivi/<int:pk>/", views_contenuto.obiettivo, name="obiettivo"),
    path("obiettivi/<int:pk>/elimina/", views_contenuto.obiettivo_elimina, name="obiettivo_elimina"),
    path("obiettivi/<int:pk>/azioni/nuova/", views_contenuto.azione_nuova, name="azione_nuova"),
    path("azioni/<int:pk>/", views_contenuto.azione, name="azione"),
    path("azioni/<int:pk>/elimina/", views_contenuto.azione_elimina, name="azione_elimina"),
    path("cicli/<int:pk>/modello/", views_contenuto.modello_ciclo, name="modello_ciclo"),
    path("piani/<int:piano_pk>/consultazione/invia/", views_consultazione.invia_sindacati, name="invia_sindacati"),
    path("consultazioni/<int:pk>/", views_consultazione.consultazione, name="consultazione"),
    path("consultazioni/<int:pk>/chiudi/", views_consultazione.consultazione_chiudi, name="consultazione_chiudi"),
    path("consultazioni/<int:pk>/rinvia/", views_consultazione.consultazione_rinvia, name="consultazione_rinvia"),
    path("osservazioni/<int:pk>/risposta/", views_consultazione.osservazione_rispondi, name="osservazione_rispondi"),
    path("pareri/<int:pk>/", views_consultazione.parere, name="parere"),
    path("piani/<int:piano_pk>/intesa/", views_consultazione.intesa, name="intesa"),
    path("piani/<int:piano_pk>/versioni/", views_versioni.versioni, name="versioni"),
    path("piani/<int:piano_pk>/versioni/congela/", views_versioni.congela, name="versione_congela"),
    path("piani/<int:piano_pk>/versioni/confronta/", views_versioni.confronta, name="versioni_confronta"),
    path("versioni/<int:pk>/", views_versioni.versione, name="versione"),
]

# The Accordo di Programma (Ufficio di Piano), the adesioni (bodies and review) and the public
# Terzo Settore portal each keep their routes in their own module.
from . import urls_accordo, urls_adesioni, urls_portale  # noqa: E402

urlpatterns += urls_accordo.urlpatterns + urls_adesioni.urlpatterns + urls_portale.urlpatterns
