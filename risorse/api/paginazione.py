"""One pagination for every list of the API: 50 items a page, at most 200 on request.

DRF ignores a page size it cannot read and falls back to the default; here a wrong one is a
400 with an Italian message, so that a client's mistake does not pass unnoticed."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Paginazione(PageNumberPagination):
    page_size = 50
    max_page_size = 200
    page_query_param = "pagina"
    page_size_query_param = "per_pagina"
    page_query_description = "Numero della pagina (dalla 1)."
    page_size_query_description = "Elementi per pagina: predefinito 50; oltre 200 se ne restituiscono 200."
    invalid_page_message = "Pagina non valida."

    def get_page_size(self, request):
        valore = request.query_params.get(self.page_size_query_param)
        if valore is None:
            return self.page_size
        # several values, or one that is not a positive integer, are refused
        if len(request.query_params.getlist(self.page_size_query_param)) > 1 or not valore.isascii() \
                or not valore.isdigit() or int(valore) < 1:
            raise ValidationError({self.page_size_query_param: [
                "«per_pagina» deve essere un numero intero positivo (al più 200)."]})
        return min(int(valore), self.max_page_size)

    def get_page_number(self, request, paginator):
        # DRF reads an empty «pagina» (or the first of several) as page 1: refused instead, like
        # an empty filter; a value that is no page at all stays a 404 («Pagina non valida.»).
        valori = request.query_params.getlist(self.page_query_param)
        if len(valori) > 1 or valori == [""]:
            raise ValidationError({self.page_query_param: [
                "«pagina» deve essere un numero intero positivo, indicato una volta sola."]})
        return super().get_page_number(request, paginator)

    def get_schema_operation_parameters(self, view):
        parametri = super().get_schema_operation_parameters(view)
        for parametro in parametri:
            parametro["schema"]["minimum"] = 1
        return parametri
