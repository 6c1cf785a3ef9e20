from django.urls import path

from . import pages

urlpatterns = [
    path("keys/", pages.access_keys, name="access-keys"),
    path("keys/<int:key_id>/revoke", pages.revoke_access_key, name="revoke-access-key"),
]
