"""Routes of the accordo pages (included by accordi.urls, namespace ``accordi``)."""

urlpatterns: list = []
