"""Routes of the adesioni pages (included by accordi.urls, namespace ``accordi``)."""

urlpatterns: list = []
