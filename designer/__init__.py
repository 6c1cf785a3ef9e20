"""The Django side of Statelight: one app (label "designer"), a package per domain.

    access.py        who may see what: the one access rule
    models/          the data every domain shares: machines, executions and their history, tasks
    runtime/         durable executions: steps stored in one transaction, workers, leases
    resources/       task resources: who answers a Task state (handlers, http:invoke, nested executions)
    approvals/       human approval: the task resource, who decides, the decision, the inbox
    viewer/          the execution viewer: pages, JSON endpoints, websockets
    editor/          the designer's pages
    api/             the AWS Step Functions protocol on POST / (SigV4, operations)
    access_keys.py   the API's access keys and their page
    json_views.py, payloads.py   what every JSON endpoint shares: the decorator, limits on what comes in
    urls.py, routing.py, views.py   the site's routes (HTTP, websockets) and its own views

README.md ("Layout") maps each concern to its file.
"""
