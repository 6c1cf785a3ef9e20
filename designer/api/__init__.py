"""The AWS Step Functions API (AWS JSON 1.0 over `POST /`, Signature Version 4),
so boto3 and the AWS CLI work against Statelight unchanged; and the pages
and commands that issue the access keys it checks."""
