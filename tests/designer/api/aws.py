"""What the AWS API tests share besides fixtures: the region and role they use, sample
definitions, and reading an error response."""
import json

from tests.helpers import ROOT

SEED = ROOT.parent / "shared" / "seed" / "examples"  # beside the repository; absent in a user's clone
REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/StatelightTests"
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}})


def example(name: str) -> str:
    """The text of examples/NAME.asl.json."""
    return (ROOT / "examples" / f"{name}.asl.json").read_text()


def aws_error(response) -> tuple[int, str, str]:
    """(status, code as botocore reads it, message) of an error response."""
    body = json.loads(response.content)
    return response.status_code, body["__type"].rsplit("#", 1)[1], body.get("message", "")
