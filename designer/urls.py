"""Every page and endpoint of the site, by domain. Websockets: designer/routing.py."""
from django.urls import path

from designer import access_keys, views
from designer.approvals import views as approvals
from designer.editor import views as editor
from designer.viewer import views as viewer

urlpatterns = [
    # GET: the home page; POST: the AWS Step Functions API (designer/api/)
    path("", views.root, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # the designer (designer/editor/)
    path("machines/new", editor.machine_new, name="machine-new"),
    path("machines/<int:pk>/", editor.designer, name="designer"),
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
    path("machines/<int:pk>/inputs", editor.save_input, name="machine-inputs"),
    # a machine's executions, live, with a form to start one (designer/viewer/)
    path("machines/<int:pk>/runs/", viewer.executions, name="machine-runs"),
    path("machines/<int:pk>/executions.json", viewer.executions_json, name="machine-executions-json"),
    path("machines/<int:pk>/executions/start", viewer.start, name="machine-start"),
    # the live execution viewer (designer/viewer/)
    path("executions/<int:pk>/", viewer.execution, name="execution"),
    path("executions/<int:pk>/history", viewer.history, name="execution-history"),
    path("executions/<int:pk>/states/<path:name>", viewer.state_detail, name="execution-state"),
    path("executions/<int:pk>/runs/<int:run>/attempts/<int:attempt>/logs", viewer.attempt_logs,
         name="execution-attempt-logs"),
    path("executions/<int:pk>/tasks", viewer.tasks, name="execution-tasks"),
    path("executions/<int:pk>/tasks/<int:task_pk>/answer", viewer.answer, name="execution-answer"),
    path("executions/<int:pk>/stop", viewer.stop, name="execution-stop"),
    path("executions/<int:pk>/redrive", viewer.redrive, name="execution-redrive"),
    # human approval (designer/approvals/)
    path("approvals/", approvals.inbox, name="approvals"),
    path("approvals/<int:pk>/decide", approvals.decide_view, name="approval-decide"),
    # the AWS API's access keys (designer/access_keys.py)
    path("keys/", access_keys.access_keys, name="access-keys"),
    path("keys/<int:key_id>/revoke", access_keys.revoke_access_key, name="revoke-access-key"),
]
