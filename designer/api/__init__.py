"""The AWS Step Functions API (AWS JSON 1.0 over `POST /`, Signature Version 4), so boto3 and
the AWS CLI work against Statelight unchanged. No pages here: the keys it checks are issued by
designer/access_keys.py.

    protocol.py    read the request, dispatch on X-Amz-Target, answer (asgi.py: the fast way in)
    auth.py        who sent it: the access key of its signature; sigv4.py checks the signature
    registry.py    the operations, registered by the modules below; params.py reads their members
    machines.py, aliases.py, executions.py, activities.py, tags.py, validation.py   the operations
    lookups.py     the resources a call names, as the caller may see them (designer/access.py)
    errors.py, shapes.py, pagination.py, definitions.py   what the operations share
"""
