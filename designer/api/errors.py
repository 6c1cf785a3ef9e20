"""Errors as the AWS JSON 1.0 protocol sends them: HTTP 400 and
`{"__type": "<namespace>#<Code>", "message": ...}`.

botocore keeps the part of `__type` after '#' as the error code and raises
the modelled exception class of that name (`client.exceptions.ExecutionDoesNotExist`),
so the code must be exactly the shape name of botocore's service model.
Step Functions' own errors carry its model namespace; the errors of AWS's
front door (authentication, serialisation, unknown operations) carry
coral's, as AWS sends them.
"""
from __future__ import annotations

SERVICE = "com.amazonaws.swf.service.model.v20160623"
FRONT_DOOR = "com.amazon.coral.service"

# Errors raised before an operation runs: by the request reader, the
# authenticator and the dispatcher.
_FRONT_DOOR_CODES = {
    "MissingAuthenticationTokenException", "IncompleteSignatureException", "InvalidSignatureException",
    "UnrecognizedClientException", "UnknownOperationException", "SerializationException",
    "ValidationException", "AccessDeniedException", "InternalFailure", "RequestEntityTooLargeException",
}


class ApiError(Exception):
    """Raised anywhere below the view; the view turns it into the response."""

    def __init__(self, code: str, message: str, status: int = 400, **members):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.members = members  # extra modelled members, e.g. ResourceNotFound.resourceName

    def to_dict(self) -> dict:
        namespace = FRONT_DOOR if self.code in _FRONT_DOOR_CODES else SERVICE
        return {"__type": f"{namespace}#{self.code}", "message": self.message, **self.members}


def validation(message: str) -> ApiError:
    return ApiError("ValidationException", message)


def constraint(member: str, value, rule: str) -> ApiError:
    """The message AWS's model validation gives for a member outside its constraints."""
    shown = "null" if value is None else f"'{value}'"
    return ApiError("ValidationException",
                    f"1 validation error detected: Value {shown} at '{member}' failed to satisfy constraint: {rule}")


def invalid_arn(value, kind: str = "") -> ApiError:
    context = f" (expected {kind})" if kind else ""
    return ApiError("InvalidArn", f"Invalid Arn: '{value}'{context}")


def invalid_name(value) -> ApiError:
    return ApiError("InvalidName", f"Invalid Name: '{value}' (1 to 80 characters: letters, digits, '-' and '_')")
