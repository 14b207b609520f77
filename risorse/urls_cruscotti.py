"""URLs of the cruscotti pages (included by risorse.urls): the regional dashboard, an ambito's
dashboard and the CSV of each of their tables."""

from django.urls import path

from . import views_cruscotti as v

urlpatterns = [
    path("regione/cruscotto/", v.cruscotto_regionale, name="cruscotto_regionale"),
    path("regione/cruscotto/<slug:tabella>.csv", v.cruscotto_regionale_csv, name="cruscotto_regionale_csv"),
    path("ambiti/<int:ambito_pk>/cruscotto/", v.cruscotto_ambito, name="cruscotto_ambito"),
    path("ambiti/<int:ambito_pk>/cruscotto/<slug:tabella>.csv", v.cruscotto_ambito_csv,
         name="cruscotto_ambito_csv"),
]
