"""The designer's pages: the home page (a user's state machines), a new machine from a blank
page or an example, and the designer itself with its JSON endpoints (views.py); the examples
offered to start from (examples.py). The page's own code is static/src/designer/."""
