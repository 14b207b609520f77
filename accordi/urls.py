from django.urls import path

from . import views

app_name = "accordi"

urlpatterns = [
    path("", views.home, name="home"),
    path("piani/", views.piani_elenco, name="piani"),
    path("piani/nuovo/", views.piano_nuovo, name="piano_nuovo"),
    path("piani/<int:pk>/", views.piano_dettaglio, name="piano"),
    path("piani/<int:pk>/transizioni/<slug:nome>/", views.piano_transizione, name="transizione"),
    path("cicli/", views.cicli_elenco, name="cicli"),
    path("cicli/nuovo/", views.ciclo_modifica, name="ciclo_nuovo"),
    path("cicli/<int:pk>/", views.ciclo_modifica, name="ciclo"),
    path("pubblico/piani/", views.pubblico_piani, name="pubblico_piani"),
    path("pubblico/piani/<int:pk>/", views.pubblico_piano, name="pubblico_piano"),
]
