from django.urls import include, path

from designer import editor, views
from designer.api import views as api_views

urlpatterns = [
    # GET: the home page; POST: the AWS Step Functions API (designer/api)
    path("", api_views.root, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # the designer (designer/editor.py)
    path("machines/new", editor.machine_new, name="machine-new"),
    path("machines/<int:pk>/", editor.designer, name="designer"),
    path("machines/<int:pk>/runs/", editor.runs, name="machine-runs"),
    path("machines/<int:pk>/validate", editor.validate, name="machine-validate"),
    path("machines/<int:pk>/draft", editor.save_draft, name="machine-draft"),
    path("machines/<int:pk>/save", editor.save, name="machine-save"),
    path("machines/<int:pk>/publish", editor.publish, name="machine-publish"),
    path("machines/<int:pk>/versions/", editor.versions, name="machine-versions"),
    path("machines/<int:pk>/versions/diff", editor.version_diff, name="machine-version-diff"),
    path("machines/<int:pk>/versions/<int:number>/", editor.version, name="machine-version"),
    path("machines/<int:pk>/import", editor.import_definition, name="machine-import"),
    path("machines/<int:pk>/export", editor.export, name="machine-export"),
    path("machines/<int:pk>/run", editor.run, name="machine-run"),
    path("", include("designer.api.urls")),
]
