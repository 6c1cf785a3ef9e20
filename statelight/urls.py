from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from designer.password_reset import RequestPasswordReset

urlpatterns = [
    # before Django's own: the reset mail is sent off the request, and requests are throttled
    path("accounts/password_reset/", RequestPasswordReset.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    # pages link their icon; this is for what asks the browser's default place (the admin, a JSON page)
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"))),
    # last: designer owns "/" (GET: the home page; POST is kept free for
    # the AWS-protocol API)
    path("", include("designer.urls")),
]
