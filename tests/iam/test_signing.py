"""The SDK-HMAC-SHA256 verifier against the official SDK's own signer.

Runs without Django or a database (``-p no:django`` works).  Two layers:

* requests built the way the SDK builds them (``SdkRequest`` + ``Signer``),
  checked as they would appear on the wire;
* the real ``ImsClient`` talking to a tiny stdlib HTTP server, so the URL and
  header handling of ``requests`` is part of what gets verified.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from iam.signing import BAD_DATE, BAD_SIGNATURE, SignatureError, sign_request, verify_sdk_signature

AK = "HPUAEXAMPLEACCESSKEY"
SK = "example-secret-key-0123456789abcdefghij"
PROJECT_ID = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
IMAGE_ID = "5f1a9c39-2a3d-4c43-a3d7-0a4f6f7a2b11"
HOST = "127.0.0.1:8000"
USER_AGENT = "huaweicloud-usdk-python/3.0; os/Linux#6.1#x86_64 python/3.11.9 impl/CPython; app/test"
SDK_DATE = "20261129T090154Z"
SIGNED_AT = datetime(2026, 11, 29, 9, 1, 54, tzinfo=UTC)

KNOWN_KEYS = {AK: SK}


@dataclass(frozen=True)
class WireRequest:
    """What a server receives: raw request line parts, headers, body bytes."""

    method: str
    path: str
    query_string: str
    headers: dict[str, str]
    body: bytes


def verify(wire: WireRequest, *, now: datetime = SIGNED_AT, keys: dict[str, str] = KNOWN_KEYS) -> str:
    return verify_sdk_signature(
        method=wire.method,
        path=wire.path,
        query_string=wire.query_string,
        headers=wire.headers,
        body=wire.body,
        secret_for=keys.get,
        now=now,
    )


def refusal(wire: WireRequest, **kwargs) -> SignatureError:
    with pytest.raises(SignatureError) as caught:
        verify(wire, **kwargs)
    return caught.value


# ---------------------------------------------------------------------------
# Requests signed by the SDK's Signer, built the way the SDK client builds them
# ---------------------------------------------------------------------------


def sdk_headers(content_type: str | None = "application/json", **extra: str) -> dict[str, str]:
    # What HcClient puts in header_params before signing (BasicCredentials
    # then adds X-Project-Id); X-Sdk-Date preset for reproducible signatures.
    headers = {"User-Agent": USER_AGENT, "X-Project-Id": PROJECT_ID, "X-Sdk-Date": SDK_DATE}
    if content_type:
        headers["Content-Type"] = content_type
    headers.update(extra)
    return headers


def json_body(payload) -> str:
    # HcClient serialises models with json.dumps and hands the signer a str.
    return json.dumps(payload)


def sdk_sign(method, resource_path, *, query_params=(), headers=None, body=None) -> WireRequest:
    """Sign with the official Signer and return the request as it goes on the wire."""
    request = SdkRequest(
        method=method,
        schema="http",
        host=HOST,
        resource_path=resource_path,
        query_params=list(query_params),
        header_params=dict(sdk_headers() if headers is None else headers),
        body=body,
    )
    Signer(SimpleNamespace(ak=AK, sk=SK)).sign(request)
    path, _, query_string = request.uri.partition("?")
    # The signer leaves header values as latin-1 views of their UTF-8 bytes,
    # which is what goes on the wire; a server decodes those bytes as UTF-8.
    received = {name: value.encode("latin-1").decode("utf-8") for name, value in request.header_params.items()}
    return WireRequest(method, path, query_string, received, request.body or b"")


LIST_IMAGES_QUERY = [
    # As ListImagesRequest yields them after sanitising: str, int and bool.
    ("__imagetype", "private"),
    ("__isregistered", "true"),
    ("name", "my image 镜像"),
    ("created_at", "gt:2018-10-28T10:00:00Z"),
    ("tag", "a=b"),
    ("protected", True),
    ("limit", 10),
    ("sort_key", "name"),
    ("marker", "x~y.z-_"),
]

TAG = "my tag 标签"

SDK_CASES = {
    "get-list-images-with-awkward-query": lambda: sdk_sign("GET", "/v2/cloudimages", query_params=LIST_IMAGES_QUERY),
    "get-glance-bool-false": lambda: sdk_sign(
        "GET", "/v2/images", query_params=[("__isregistered", False), ("limit", 25)]
    ),
    "get-list-valued-param": lambda: sdk_sign(
        "GET", "/v2/cloudimages", query_params=[("id", ["b-id", "a-id"]), ("status", "active")]
    ),
    "get-no-content-type": lambda: sdk_sign(
        "GET", f"/v1/{PROJECT_ID}/jobs/job-1", headers=sdk_headers(content_type=None)
    ),
    "post-json-utf8-body": lambda: sdk_sign(
        "POST",
        "/v2/cloudimages/action",
        headers=sdk_headers("application/json;charset=utf-8"),
        body=json_body(
            {
                "name": "镜像-probe",
                "description": "created by the test",
                "image_tags": [{"key": "probe", "value": "sdk"}],
                "min_disk": 40,
                "is_config": False,
            }
        ),
    ),
    "patch-json-patch-unsigned-payload": lambda: sdk_sign(
        "PATCH",
        f"/v2/images/{IMAGE_ID}",
        headers=sdk_headers("application/openstack-images-v2.1-json-patch"),
        body=json_body([{"op": "replace", "path": "/name", "value": "renamed"}]),
    ),
    "put-tag-with-encoded-non-ascii-segment": lambda: sdk_sign(
        "PUT", f"/v2/images/{IMAGE_ID}/tags/{quote(TAG, safe='')}"
    ),
    "put-path-param-with-encoded-slash": lambda: sdk_sign("PUT", f"/v2/images/{IMAGE_ID}/tags/{quote('a/b', safe='')}"),
    "delete-with-json-body": lambda: sdk_sign(
        "DELETE", f"/v2/images/{IMAGE_ID}", body=json_body({"delete_backup": False})
    ),
    "non-ascii-header-value": lambda: sdk_sign(
        "GET", "/v2/cloudimages", headers=sdk_headers(**{"X-Client-Note": "镜像 控制台"})
    ),
}


@pytest.mark.parametrize("case", SDK_CASES)
def test_verifier_accepts_sdk_signed_request(case):
    assert verify(SDK_CASES[case]()) == AK


def test_sdk_encodes_query_as_the_verifier_expects():
    wire = SDK_CASES["get-list-images-with-awkward-query"]()
    assert wire.query_string == (
        "__imagetype=private&__isregistered=true&created_at=gt%3A2018-10-28T10%3A00%3A00Z"
        "&limit=10&marker=x~y.z-_&name=my%20image%20%E9%95%9C%E5%83%8F&protected=true"
        "&sort_key=name&tag=a%3Db"
    )


def test_sdk_renders_bools_lower_case_and_expands_lists_sorted():
    assert SDK_CASES["get-glance-bool-false"]().query_string == "__isregistered=false&limit=25"
    assert SDK_CASES["get-list-valued-param"]().query_string == "id=a-id&id=b-id&status=active"


def test_sdk_marks_json_patch_body_unsigned():
    wire = SDK_CASES["patch-json-patch-unsigned-payload"]()
    assert wire.headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in wire.headers["Authorization"]


def test_verifier_accepts_sdk_signature_dated_now():
    # No preset X-Sdk-Date: the Signer stamps the current time itself.
    headers = sdk_headers()
    del headers["X-Sdk-Date"]
    wire = sdk_sign("GET", "/v2/cloudimages", query_params=[("limit", 1)], headers=headers)
    assert verify(wire, now=datetime.now(UTC)) == AK


def test_header_names_are_matched_case_insensitively():
    wire = SDK_CASES["post-json-utf8-body"]()
    shouted = {name.upper(): value for name, value in wire.headers.items()}
    assert verify(replace(wire, headers=shouted)) == AK


def test_trailing_slash_signs_like_no_slash():
    # The canonical URI always ends in '/', so both spellings verify.
    wire = SDK_CASES["get-glance-bool-false"]()
    assert verify(replace(wire, path=wire.path + "/")) == AK


def test_unencoded_query_on_the_wire_still_verifies():
    # A proxy or non-SDK client may send the same pairs spelled differently.
    wire = sdk_sign("GET", "/v2/cloudimages", query_params=[("name", "a:b"), ("limit", 3)])
    assert verify(replace(wire, query_string="name=a:b&limit=3")) == AK


def test_raw_plus_in_query_is_a_literal_plus():
    # Not form decoding: '+' only means space to parse_qsl; the SDK signs it
    # as a '+' (and sends %2B), so a raw '+' must decode to '+' as well.
    wire = sdk_sign("GET", "/v2/cloudimages", query_params=[("name", "1+1")])
    assert wire.query_string == "name=1%2B1"
    assert verify(replace(wire, query_string="name=1+1")) == AK


# ---------------------------------------------------------------------------
# Refusals
# ---------------------------------------------------------------------------


@pytest.fixture
def get_request() -> WireRequest:
    return SDK_CASES["get-list-images-with-awkward-query"]()


@pytest.fixture
def post_request() -> WireRequest:
    return SDK_CASES["post-json-utf8-body"]()


def without_header(wire: WireRequest, name: str) -> WireRequest:
    return replace(wire, headers={k: v for k, v in wire.headers.items() if k.lower() != name.lower()})


def with_header(wire: WireRequest, name: str, value: str) -> WireRequest:
    return replace(wire, headers={**without_header(wire, name).headers, name: value})


def test_wrong_secret_key_is_refused(post_request):
    error = refusal(post_request, keys={AK: SK + "x"})
    assert error.code == BAD_SIGNATURE
    assert error.message == "Incorrect IAM authentication information: verify aksk signature fail"


def test_unknown_access_key_is_refused(post_request):
    error = refusal(post_request, keys={"SOMEONEELSE": SK})
    assert error.code == BAD_SIGNATURE
    assert error.message.endswith("ak not exist")


def test_tampered_body_is_refused(post_request):
    tampered = replace(post_request, body=post_request.body.replace(b'"min_disk": 40', b'"min_disk": 41'))
    assert tampered.body != post_request.body
    assert refusal(tampered).code == BAD_SIGNATURE


def test_tampered_query_is_refused(get_request):
    tampered = replace(get_request, query_string=get_request.query_string.replace("limit=10", "limit=11"))
    assert refusal(tampered).code == BAD_SIGNATURE


def test_added_query_parameter_is_refused(get_request):
    tampered = replace(get_request, query_string=get_request.query_string + "&owner=someone")
    assert refusal(tampered).code == BAD_SIGNATURE


def test_tampered_path_is_refused(post_request):
    assert refusal(replace(post_request, path="/v2/cloudimages/other")).code == BAD_SIGNATURE


def test_changed_method_is_refused(post_request):
    assert refusal(replace(post_request, method="PUT")).code == BAD_SIGNATURE


def test_changed_host_is_refused(get_request):
    assert refusal(with_header(get_request, "Host", "127.0.0.1:8001")).code == BAD_SIGNATURE


def test_missing_signed_header_is_refused(get_request):
    error = refusal(without_header(get_request, "X-Project-Id"))
    assert error.code == BAD_SIGNATURE
    assert "x-project-id" in error.message


def test_changed_signed_header_is_refused(get_request):
    assert refusal(with_header(get_request, "X-Project-Id", "f" * 32)).code == BAD_SIGNATURE


def sdk_request_dated(moment: datetime) -> WireRequest:
    headers = sdk_headers(**{"X-Sdk-Date": moment.strftime("%Y%m%dT%H%M%SZ")})
    return sdk_sign("GET", "/v2/cloudimages", query_params=[("limit", 1)], headers=headers)


@pytest.mark.parametrize("offset_minutes", [-16, 16])
def test_date_outside_the_window_is_refused(offset_minutes):
    wire = sdk_request_dated(SIGNED_AT + timedelta(minutes=offset_minutes))
    error = refusal(wire, now=SIGNED_AT)
    assert error.code == BAD_DATE
    assert error.message == ("Incorrect IAM authentication information: x-sdk-date is out of the 15-minute window")


@pytest.mark.parametrize("offset_minutes", [-14, 14])
def test_date_inside_the_window_is_accepted(offset_minutes):
    wire = sdk_request_dated(SIGNED_AT + timedelta(minutes=offset_minutes))
    assert verify(wire, now=SIGNED_AT) == AK


def test_naive_now_is_taken_as_utc(get_request):
    assert verify(get_request, now=SIGNED_AT.replace(tzinfo=None)) == AK


def test_missing_date_is_refused(get_request):
    assert refusal(without_header(get_request, "X-Sdk-Date")).code == BAD_DATE


def test_malformed_date_is_refused(get_request):
    assert refusal(with_header(get_request, "X-Sdk-Date", "2026-11-29T09:01:54Z")).code == BAD_DATE


def test_missing_authorization_is_refused(get_request):
    assert refusal(without_header(get_request, "Authorization")).code == BAD_SIGNATURE


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer abc",
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date",
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host, Signature=NOT-HEX",
        f"SDK-HMAC-SM3 Access={AK}, SignedHeaders=host, Signature=00ff",
        "",
    ],
)
def test_malformed_authorization_is_refused(get_request, authorization):
    error = refusal(with_header(get_request, "Authorization", authorization))
    assert error.code == BAD_SIGNATURE


def test_upper_case_signature_hex_is_refused(get_request):
    authorization = get_request.headers["Authorization"]
    prefix, _, signature = authorization.rpartition("Signature=")
    tampered = with_header(get_request, "Authorization", prefix + "Signature=" + signature.upper())
    assert refusal(tampered).code == BAD_SIGNATURE


def test_unsigned_payload_leaves_the_body_unprotected():
    # The SDK's own design for non-JSON content types: pinned so nobody
    # "fixes" the verifier into rejecting genuine glance_update_image calls.
    wire = SDK_CASES["patch-json-patch-unsigned-payload"]()
    assert verify(replace(wire, body=b'[{"op": "remove", "path": "/name"}]')) == AK


def test_declared_body_hash_must_match_the_body():
    body = b'{"delete_backup": false}'
    headers = sdk_headers(**{"X-Sdk-Content-Sha256": hashlib.sha256(body).hexdigest()})
    wire = sdk_sign("DELETE", f"/v2/images/{IMAGE_ID}", headers=headers, body=body)
    assert verify(wire) == AK
    assert refusal(replace(wire, body=b'{"delete_backup": true}')).code == BAD_SIGNATURE


# ---------------------------------------------------------------------------
# sign_request: our own signer
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", SDK_CASES)
def test_sign_request_matches_the_sdk_signer(case):
    sdk_wire = SDK_CASES[case]()
    query = f"?{sdk_wire.query_string}" if sdk_wire.query_string else ""
    unsigned = {
        name: value
        for name, value in sdk_wire.headers.items()
        if name not in ("Authorization", "Host", "X-Sdk-Content-Sha256")
    }
    ours = sign_request(
        ak=AK,
        sk=SK,
        method=sdk_wire.method,
        url=f"http://{HOST}{sdk_wire.path}{query}",
        headers=unsigned,
        body=sdk_wire.body,
        now=SIGNED_AT,
    )
    assert ours == sdk_wire.headers


def test_sign_request_output_is_accepted_by_the_verifier():
    body = json.dumps({"name": "镜像", "min_disk": 40}).encode()
    url = "http://ims.example.test:8443/v2/cloudimages/action?b=2&a=x y&c=%E9%95%9C&flag"
    headers = sign_request(
        ak=AK,
        sk=SK,
        method="post",
        url=url,
        headers={"Content-Type": "application/json", "X-Project-Id": PROJECT_ID},
        body=body,
        now=SIGNED_AT,
    )
    assert headers["Host"] == "ims.example.test:8443"
    assert headers["X-Sdk-Date"] == SDK_DATE
    assert headers["Authorization"].startswith(
        f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature="
    )
    wire = WireRequest("POST", "/v2/cloudimages/action", "b=2&a=x%20y&c=%E9%95%9C&flag", headers, body)
    assert verify(wire) == AK


def test_sign_request_marks_non_json_bodies_unsigned():
    headers = sign_request(
        ak=AK,
        sk=SK,
        method="PATCH",
        url=f"http://{HOST}/v2/images/{IMAGE_ID}",
        headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
        body="[]",
        now=SIGNED_AT,
    )
    assert headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    wire = WireRequest("PATCH", f"/v2/images/{IMAGE_ID}", "", headers, b"[]")
    assert verify(wire) == AK


def test_sign_request_needs_a_host():
    with pytest.raises(ValueError):
        sign_request(ak=AK, sk=SK, method="GET", url="/v2/images", headers={}, body=None, now=SIGNED_AT)


# ---------------------------------------------------------------------------
# The real ImsClient over a real socket
# ---------------------------------------------------------------------------


class _RecordingHandler(BaseHTTPRequestHandler):
    """Answers every request with ``{}`` and records it as received."""

    received: list[WireRequest]

    def _record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query_string = self.path.partition("?")
        # http.server decodes header bytes as latin-1; undo that to get the
        # UTF-8 text the signer hashed.
        headers = {name: value.encode("latin-1").decode("utf-8") for name, value in self.headers.items()}
        self.received.append(WireRequest(self.command, path, query_string, headers, body))
        reply = b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _record

    def log_message(self, format, *args):  # keep test output quiet
        pass


@pytest.fixture(scope="module")
def ims_server(tmp_path_factory):
    """An ImsClient pointed at a recording server; yields (client, received, ims module)."""
    received: list[WireRequest] = []
    handler = type("Handler", (_RecordingHandler,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with pytest.MonkeyPatch.context() as env:
        # Importing the SDK writes $HOME/.huaweicloud/application_id.
        env.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        env.setenv("NO_PROXY", "127.0.0.1")
        from huaweicloudsdkcore.auth.credentials import BasicCredentials
        from huaweicloudsdkims import v2 as ims

        client = (
            ims.ImsClient.new_builder()
            .with_credentials(BasicCredentials(AK, SK, PROJECT_ID))
            .with_endpoints([f"http://127.0.0.1:{server.server_port}"])
            .build()
        )
        yield client, received, ims
    server.shutdown()
    server.server_close()


def _list_images(ims):
    return ims.ListImagesRequest(
        imagetype="private",
        name="my image 镜像",
        created_at="gt:2018-10-28T10:00:00Z",
        tag="a=b",
        protected=True,
        limit=10,
    )


def _create_image(ims):
    body = ims.CreateImageRequestBody(
        name="镜像-probe",
        image_tags=[ims.ImageTag(key="probe", value="sdk")],
        image_url="bucket:probe.qcow2",
        min_disk=40,
        is_config=False,
        os_version="Ubuntu 22.04 server 64bit",
    )
    return ims.CreateImageRequest(body=body)


def _update_image(ims):
    change = ims.GlanceUpdateImageRequestBody(op="replace", path="/name", value="renamed")
    return ims.GlanceUpdateImageRequest(image_id=IMAGE_ID, body=[change])


def _add_tag(ims):
    return ims.GlanceCreateTagRequest(image_id=IMAGE_ID, tag=TAG)


def _delete_image(ims):
    return ims.GlanceDeleteImageRequest(image_id=IMAGE_ID, body=ims.GlanceDeleteImageRequestBody(delete_backup=False))


IMS_CALLS = {
    "list_images": _list_images,
    "create_image": _create_image,
    "glance_update_image": _update_image,
    "glance_create_tag": _add_tag,
    "glance_delete_image": _delete_image,
}


@pytest.mark.filterwarnings("ignore:Method .* of ImsClient is deprecated:DeprecationWarning")
@pytest.mark.parametrize("operation", IMS_CALLS)
def test_verifier_accepts_real_ims_client_calls(ims_server, operation):
    client, received, ims = ims_server
    received.clear()
    getattr(client, operation)(IMS_CALLS[operation](ims))
    (wire,) = received
    assert verify(wire, now=datetime.now(UTC)) == AK


@pytest.mark.filterwarnings("ignore:Method .* of ImsClient is deprecated:DeprecationWarning")
def test_real_client_puts_the_encoded_tag_in_the_path(ims_server):
    client, received, ims = ims_server
    received.clear()
    client.glance_create_tag(_add_tag(ims))
    (wire,) = received
    assert wire.path == f"/v2/images/{IMAGE_ID}/tags/my%20tag%20%E6%A0%87%E7%AD%BE"
