from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # last: designer owns "/" (GET: the home page; POST is kept free for
    # the AWS-protocol API)
    path("", include("designer.urls")),
]
