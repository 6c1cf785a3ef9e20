"""AWS Signature Version 4, checked the way AWS checks what boto3 and the CLI send.

    Authorization: AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/states/aws4_request,
                   SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=<hex>

The canonical request is rebuilt from what arrived (method, path, raw query
string, the signed headers, the SHA-256 of the body) exactly as botocore
builds it before sending; the host is the one the client addressed
(`request.get_host()`, so X-Forwarded-Host counts only when Django's
USE_X_FORWARDED_HOST says the proxy is trusted) and the path includes any
prefix a proxy strips (FORCE_SCRIPT_NAME). Any region is accepted: it is the
region of the ARNs the request creates. Pure functions, no Django, no I/O.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from .errors import ApiError

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "states"
TIMESTAMP = "%Y%m%dT%H%M%SZ"
MAX_SKEW = timedelta(minutes=15)
REGION = re.compile(r"^[a-z0-9-]{1,32}$")

BAD_SIGNATURE = ("The request signature we calculated does not match the signature you provided. "
                 "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.")
UNKNOWN_KEY = "The security token included in the request is invalid."


@dataclass(frozen=True)
class SignedRequest:
    method: str
    path: str                  # decoded, as Django's request.path
    query_string: str          # raw, as received
    headers: dict              # lower-case name -> value (duplicates joined with ',')
    body: bytes


@dataclass(frozen=True)
class Credential:
    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple
    signature: str
    timestamp: str


def parse(request: SignedRequest, now: datetime) -> Credential:
    """The credential a request claims, with the checks that need no secret."""
    header = request.headers.get("authorization")
    if not header:
        raise ApiError("MissingAuthenticationTokenException", "Missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ApiError("IncompleteSignatureException",
                       f"Unsupported Authorization scheme '{algorithm}': sign requests with {ALGORITHM} "
                       "(Signature Version 4).")
    fields = {}
    for part in rest.split(","):
        key, sep, value = part.strip().partition("=")
        if sep:
            fields[key.strip()] = value.strip()
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not fields.get(name)]
    if missing:
        raise ApiError("IncompleteSignatureException",
                       f"Authorization header requires {', '.join(repr(m) for m in missing)} parameter(s). "
                       f"Authorization={header[:64]}")
    scope = fields["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not scope[0]:
        raise ApiError("IncompleteSignatureException",
                       "Credential must have the form <AccessKeyId>/<yyyyMMdd>/<region>/states/aws4_request.")
    access_key_id, date, region, service, _ = scope
    if not REGION.match(region):
        # the region goes into the ARNs the request creates
        raise ApiError("InvalidSignatureException", f"Credential should be scoped to a valid region, not '{region}'.")
    if service != SERVICE:
        raise ApiError("InvalidSignatureException",
                       f"Credential should be scoped to correct service: '{SERVICE}'.")
    timestamp = request.headers.get("x-amz-date", "")
    try:
        signed_at = datetime.strptime(timestamp, TIMESTAMP).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ApiError("IncompleteSignatureException",
                       "Signed requests need an X-Amz-Date header (yyyyMMdd'T'HHmmss'Z').") from None
    if date != timestamp[:8]:
        raise ApiError("InvalidSignatureException",
                       f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from "
                       f"HTTP: '{date}' != '{timestamp[:8]}', from '{timestamp}'.")
    if abs(now - signed_at) > MAX_SKEW:
        raise ApiError("InvalidSignatureException",
                       f"Signature expired: {timestamp} is outside 15 minutes of the server's time "
                       f"{now.strftime(TIMESTAMP)}. Check the clock of the machine that signs the request.")
    signed_headers = tuple(fields["SignedHeaders"].split(";"))
    if "host" not in signed_headers:
        raise ApiError("InvalidSignatureException", "The 'host' header must be signed.")
    return Credential(access_key_id, date, region, service, signed_headers, fields["Signature"], timestamp)


def verify(request: SignedRequest, credential: Credential, secret: str) -> None:
    """Raise InvalidSignatureException unless the signature is the one `secret` makes."""
    body_hash = hashlib.sha256(request.body).hexdigest()
    declared = request.headers.get("x-amz-content-sha256")
    if declared is not None and declared != body_hash:
        # botocore signs with the declared hash when the header is present;
        # accept it only when it is the body's (never an unsigned payload)
        raise ApiError("InvalidSignatureException",
                       "The X-Amz-Content-SHA256 header does not match the SHA-256 of the request body.")
    key = signing_key(secret, credential.date, credential.region, credential.service)
    for path in _candidate_paths(request.path):
        canonical = canonical_request(request, path, credential.signed_headers, body_hash)
        expected = hmac.new(key, string_to_sign(credential, canonical).encode(), hashlib.sha256).hexdigest()
        if hmac.compare_digest(expected, credential.signature):
            return
    raise ApiError("InvalidSignatureException", BAD_SIGNATURE)


def _candidate_paths(path: str):
    yield path
    # an endpoint URL without its trailing slash (https://host/prefix) signs
    # "/prefix", and arrives here as "/prefix/" when a proxy strips the prefix
    if len(path) > 1 and path.endswith("/"):
        yield path.rstrip("/")


def canonical_request(request: SignedRequest, path: str, signed_headers, body_hash: str) -> str:
    lines = [f"{name}:{_header_value(request.headers.get(name, ''))}" for name in signed_headers]
    return "\n".join([
        request.method.upper(),
        canonical_path(path),
        canonical_query(request.query_string),
        "\n".join(lines) + "\n",
        ";".join(signed_headers),
        body_hash,
    ])


def canonical_path(path: str) -> str:
    # as botocore: remove dot segments and repeated slashes (RFC 3986 5.2.4),
    # keep a trailing slash, then quote all but '/~'
    if not path:
        return "/"
    segments = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    normalized = ("/" if path.startswith("/") else "") + "/".join(segments)
    if path.endswith("/") and segments:
        normalized += "/"
    return quote(normalized, safe="/~")


def canonical_query(query_string: str) -> str:
    if not query_string:
        return ""
    pairs = []
    for pair in query_string.split("&"):
        key, _, value = pair.partition("=")
        pairs.append((key, value))
    return "&".join(f"{key}={value}" for key, value in sorted(pairs))


def _header_value(value: str) -> str:
    return " ".join(value.split())


def string_to_sign(credential: Credential, canonical: str) -> str:
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    return "\n".join([ALGORITHM, credential.timestamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])


@functools.lru_cache(maxsize=256)
def signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    # the same for every request of a key in a day and region: four HMACs spared per call
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key
