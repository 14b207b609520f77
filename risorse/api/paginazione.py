"""One pagination for every list of the API: 50 items a page, at most 200 on request."""

from rest_framework.pagination import PageNumberPagination


class Paginazione(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_query_param = "pagina"
    page_size_query_param = "per_pagina"
    page_query_description = "Numero della pagina (dalla 1)."
    page_size_query_description = "Elementi per pagina (predefinito 50, al più 200)."
    invalid_page_message = "Pagina non valida."
