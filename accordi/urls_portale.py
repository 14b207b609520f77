"""Routes of the portale pages (included by accordi.urls, namespace ``accordi``): the public
Terzo Settore portal and the public pages of the Accordi di Programma."""

from django.urls import path

from . import views_portale as v

urlpatterns: list = [
    path("terzo-settore/", v.portale, name="portale"),
    path("terzo-settore/registrazione/", v.registrazione, name="registrazione"),
    path("terzo-settore/registrazione/inviata/", v.registrazione_inviata, name="registrazione_inviata"),
    path("terzo-settore/registrazione/conferma/<str:token>/", v.registrazione_conferma,
         name="registrazione_conferma"),
    path("pubblico/accordi/", v.accordi_vigenti, name="accordi_vigenti"),
    path("pubblico/accordi/<int:pk>/", v.accordo_pubblico, name="accordo_pubblico"),
]
