"""SDK-HMAC-SHA256 request signatures, as produced by the official Huawei Cloud SDKs.

The official SDK signs every API request with the caller's access key (AK) and
secret key (SK).  This module verifies such signatures on the server side
(``verify_sdk_signature``) and produces them for our own, non-SDK test clients
(``sign_request``).  Both go through the same canonicalisation code, so a
request signed here is, by construction, judged by the same rules as one signed
by the SDK.

The scheme, in short::

    CanonicalRequest = METHOD \\n CanonicalURI \\n CanonicalQuery \\n
                       CanonicalHeaders \\n SignedHeaders \\n PayloadHash
    StringToSign     = "SDK-HMAC-SHA256" \\n X-Sdk-Date \\n hex(sha256(CanonicalRequest))
    Signature        = hex(hmac_sha256(SK, StringToSign))
    Authorization: SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b;c, Signature=hex

This module is deliberately free of any web framework: callers hand in the raw
method, path, query string, headers and body bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "ALGORITHM",
    "BAD_DATE",
    "BAD_SIGNATURE",
    "SignatureError",
    "sign_request",
    "verify_sdk_signature",
]

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = hashlib.sha256(b"").hexdigest()

HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"

# Error codes as returned by Huawei Cloud's API gateway, so SDK users see the
# codes they already know.
BAD_SIGNATURE = "APIGW.0301"
BAD_DATE = "APIGW.0303"

_MESSAGE_PREFIX = "Incorrect IAM authentication information: "

_AUTHORIZATION_PATTERN = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=([^,]+),\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$"
)

# Content types whose bodies the SDK hashes; for any other declared type it
# sends "X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD" and leaves the body unsigned.
_HASHED_CONTENT_TYPE_PREFIXES = ("application/json", "application/bson")


class SignatureError(Exception):
    """A request whose signature cannot be accepted.

    ``code`` is a stable gateway-style error code, ``message`` an English
    sentence suitable for the ``error_msg`` of a 401 response.
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _signature_error(detail: str) -> SignatureError:
    return SignatureError(BAD_SIGNATURE, _MESSAGE_PREFIX + detail)


def _date_error(detail: str) -> SignatureError:
    return SignatureError(BAD_DATE, _MESSAGE_PREFIX + detail)


# ---------------------------------------------------------------------------
# Canonicalisation, shared by the verifier and the signer
# ---------------------------------------------------------------------------


def _encode(text: str) -> str:
    # Only the RFC 3986 unreserved characters stay literal (quote() always
    # keeps A-Z a-z 0-9 "-._"; "~" must be named).  Non-ASCII becomes UTF-8.
    return quote(text, safe="~")


def canonical_uri(raw_path: str) -> str:
    """Path as the signer saw it: decoded, re-encoded per segment, ending in '/'."""
    # Decoding first makes "/a%20b" and "/a b" sign alike, and lets "%2F"
    # inside an id collapse into a separator exactly as the SDK does.
    segments = unquote(raw_path).split("/")
    path = "/".join(_encode(segment) for segment in segments)
    # The SDK always appends the slash, so "/x" and "/x/" sign identically.
    return path if path.endswith("/") else path + "/"


def parse_raw_query(raw_query: str) -> list[tuple[str, str]]:
    """Split a raw query string into decoded (key, value) pairs, keeping blanks.

    Unlike ``parse_qsl``, '+' is left alone: the SDK never sends a raw '+'
    (it encodes spaces as %20), and a literal '+' must stay a '+' to verify.
    """
    pairs = []
    for field in raw_query.split("&"):
        if not field:
            continue  # "a=1&&b=2": an empty field carries no parameter
        key, _, value = field.partition("=")
        pairs.append((unquote(key), unquote(value)))
    return pairs


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted, re-encoded ``k=v`` pairs joined by '&' (empty when no pairs)."""
    # Sorting happens on the decoded text, as the SDK sorts before encoding.
    return "&".join(f"{_encode(key)}={_encode(value)}" for key, value in sorted(pairs))


def _lower_case_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()}


def canonical_headers(headers: Mapping[str, str], signed_headers: Sequence[str]) -> str:
    """One ``name:value`` line per signed header; ``headers`` has lower-case names.

    Raises KeyError naming the first signed header that is absent.
    """
    lines = [f"{name}:{str(headers[name.lower()]).strip()}\n" for name in signed_headers]
    return "".join(lines)


def payload_hash(body: bytes, declared_hash: str | None) -> str:
    """The last line of the canonical request."""
    if not body:
        return EMPTY_BODY_SHA256
    if declared_hash:
        # The SDK trusts its own header: "UNSIGNED-PAYLOAD" for non-JSON bodies.
        return declared_hash
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    *,
    method: str,
    raw_path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The text whose hash is signed.  ``headers`` must have lower-case names."""
    return "\n".join(
        [
            method.upper(),
            canonical_uri(raw_path),
            canonical_query(query_pairs),
            # Each header line already ends in "\n", which leaves the blank
            # line the scheme has before the signed-headers list.
            canonical_headers(headers, signed_headers),
            ";".join(signed_headers),
            payload_hash(body, headers.get(HEADER_CONTENT_SHA256.lower())),
        ]
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def compute_signature(secret_key: str, text_to_sign: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), text_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization_header(access_key: str, signed_headers: Sequence[str], signature: str) -> str:
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={';'.join(signed_headers)}, Signature={signature}"


def _as_naive_utc(moment: datetime) -> datetime:
    # X-Sdk-Date is UTC without a zone; accept either an aware datetime or a
    # naive one that is already UTC.
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


# ---------------------------------------------------------------------------
# Verifying
# ---------------------------------------------------------------------------


def _parse_authorization(headers: Mapping[str, str]) -> tuple[str, list[str], str]:
    value = headers.get(HEADER_AUTHORIZATION.lower())
    if value is None:
        raise _signature_error("the Authorization header is missing")
    match = _AUTHORIZATION_PATTERN.match(value.strip())
    if match is None:
        raise _signature_error("the Authorization header is not a valid SDK-HMAC-SHA256 signature")
    access_key, signed_headers, signature = match.groups()
    return access_key, signed_headers.split(";"), signature


def _checked_sdk_date(headers: Mapping[str, str], now: datetime, max_skew: timedelta) -> str:
    sdk_date = headers.get(HEADER_DATE.lower())
    if sdk_date is None:
        raise _date_error("the x-sdk-date header is missing")
    sdk_date = sdk_date.strip()
    try:
        signed_at = datetime.strptime(sdk_date, DATE_FORMAT)
    except ValueError:
        raise _date_error("x-sdk-date is not in the format YYYYMMDDTHHMMSSZ") from None
    # Bounds replays of a captured request and catches badly skewed clocks.
    if abs(_as_naive_utc(now) - signed_at) > max_skew:
        minutes = int(max_skew.total_seconds() // 60)
        raise _date_error(f"x-sdk-date is out of the {minutes}-minute window")
    return sdk_date


def _check_declared_body_hash(headers: Mapping[str, str], body: bytes) -> None:
    # When a client declares the real digest of a non-empty body, the scheme
    # signs only the declaration; make sure the body actually matches it, or a
    # changed body would slip through under a valid signature.
    declared = headers.get(HEADER_CONTENT_SHA256.lower())
    if not body or declared is None or declared.strip() == UNSIGNED_PAYLOAD:
        return
    if not hmac.compare_digest(declared.strip().lower(), hashlib.sha256(body).hexdigest()):
        raise _signature_error("x-sdk-content-sha256 does not match the request body")


def verify_sdk_signature(
    *,
    method: str,
    path: str,
    query_string: str,
    headers: Mapping[str, str],
    body: bytes,
    secret_for: Callable[[str], str | None],
    now: datetime,
    max_skew: timedelta = timedelta(minutes=15),
) -> str:
    """Check an SDK-HMAC-SHA256 signed request and return its access key.

    ``path`` and ``query_string`` are the raw strings from the request line
    (percent-escapes intact); ``headers`` may use any letter case, and its
    values must be the header text decoded as UTF-8 (WSGI servers hand out
    latin-1 decoded strings: re-decode them first); ``body`` is the exact raw
    body.  ``secret_for`` maps an access key to its secret key, or None when
    the key is unknown.  ``now`` is the current time (aware, or naive UTC).

    Raises SignatureError on any failure.
    """
    headers = _lower_case_headers(headers)
    access_key, signed_headers, signature = _parse_authorization(headers)

    secret_key = secret_for(access_key)
    if secret_key is None:
        raise _signature_error("ak not exist")

    sdk_date = _checked_sdk_date(headers, now, max_skew)
    _check_declared_body_hash(headers, body)

    try:
        canonical = canonical_request(
            method=method,
            raw_path=path,
            query_pairs=parse_raw_query(query_string),
            headers=headers,
            signed_headers=signed_headers,
            body=body,
        )
    except KeyError as missing:
        raise _signature_error(f"signed header {missing.args[0]!r} is missing from the request") from None

    expected = compute_signature(secret_key, string_to_sign(sdk_date, canonical))
    if not hmac.compare_digest(expected, signature):
        raise _signature_error("verify aksk signature fail")
    return access_key


# ---------------------------------------------------------------------------
# Signing (for our own test clients; the SDK signs by itself)
# ---------------------------------------------------------------------------


def _has_header(headers: Mapping[str, str], name: str) -> bool:
    return name.lower() in _lower_case_headers(headers)


def _headers_to_sign(headers: Mapping[str, str]) -> list[str]:
    # The SDK signs every header it holds at signing time except names with
    # '_' (which many proxies drop); headers the HTTP library adds later
    # (Accept, Content-Length, ...) are never signed.
    return sorted({name.lower() for name in headers if "_" not in name})


def sign_request(
    *,
    ak: str,
    sk: str,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes | str | None,
    now: datetime,
) -> dict[str, str]:
    """Sign a request the way the official SDK does; return every header to send.

    The result is ``headers`` plus X-Sdk-Date (from ``now`` unless preset),
    Host (the URL's host[:port] unless preset), X-Sdk-Content-Sha256 for
    non-JSON content types, and Authorization.  Send the request to ``url``
    unchanged: the query string there is what the signature covers.
    """
    parts = urlsplit(url)
    body_bytes = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    to_send = {name: str(value).strip() for name, value in headers.items()}

    content_type = _lower_case_headers(to_send).get("content-type")
    if content_type and not content_type.startswith(_HASHED_CONTENT_TYPE_PREFIXES):
        to_send[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD
    if not _has_header(to_send, HEADER_DATE):
        to_send[HEADER_DATE] = _as_naive_utc(now).strftime(DATE_FORMAT)
    if not _has_header(to_send, HEADER_HOST):
        if not parts.netloc:
            raise ValueError("url has no host and no Host header was given")
        to_send[HEADER_HOST] = parts.netloc

    lower_case = _lower_case_headers(to_send)
    signed_headers = _headers_to_sign(to_send)
    canonical = canonical_request(
        method=method,
        raw_path=parts.path or "/",
        query_pairs=parse_raw_query(parts.query),
        headers=lower_case,
        signed_headers=signed_headers,
        body=body_bytes,
    )
    signature = compute_signature(sk, string_to_sign(lower_case[HEADER_DATE.lower()], canonical))
    to_send[HEADER_AUTHORIZATION] = authorization_header(ak, signed_headers, signature)
    return to_send
