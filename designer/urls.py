from django.urls import include, path

from designer import views
from designer.api import views as api_views

urlpatterns = [
    # GET: the home page; POST: the AWS Step Functions API (designer/api)
    path("", api_views.root, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("", include("designer.api.urls")),
]
