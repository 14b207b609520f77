"""Routes of the portale pages (included by accordi.urls, namespace ``accordi``)."""

urlpatterns: list = []
