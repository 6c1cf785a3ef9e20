"""The execution viewer: a machine's runs and one execution, live.

    views.py      the pages (a machine's runs, the viewer) and their JSON endpoints under
                  /executions/<pk>/: history, a state's runs, task logs, pending tasks, answers,
                  stop, redrive
    consumers.py  the websockets: one execution's events (replayed from the store, then live),
                  a machine's executions list
    feed.py       one channel-layer subscription per execution per process, shared by its viewers

The browser's side is static/src/viewer/ (runs.js reads each state's status from the events).
"""
