#!/usr/bin/env python3
"""A strict fake of the Cainiao express EDI (菜鸟速递 EDI) standard interface.

Written from the transcribed document `specs/sources/005_cainiao_edi.txt` only,
with Python's standard library only, so that the digest it checks is computed
independently of the Rust runtime under test.

Usage:
    fake_cainiao_edi.py PORT [--provider-id ID] [--secret KEY]
        Serve on 127.0.0.1:PORT (0: any free port). The first line printed on
        stdout is the port actually bound.
    fake_cainiao_edi.py --self-test
        Check the digest and the URL encoding against known answers, exit 0/1.

What it enforces (every rule names where it comes from):
- POST with `Content-Type: application/x-www-form-urlencoded`, body UTF-8
  (每个接口 "请求方式 Post application/x-www-form-urlencoded", "编码 UTF-8").
- The form fields 对接码 `logistic_provider_id`, 签名 `data_digest`, 业务报文
  `logistics_interface`, each exactly once; no other field, except `msg_type`
  where the operation has a 接口名称 (see below).
- `data_digest == Base64(Md5(logistics_interface + secretKey))` over UTF-8
  (签名方法, the JAVA `doSign`). A mismatch, or an unknown
  `logistic_provider_id`, is answered `sign-check-failure` / `Illegal request`,
  the code Cainiao's pages show for a failed signature check.
- The body is the form encoding Java's `URLEncoder.encode(…, "UTF-8")` writes
  (space `+`, `*` kept, `~` as `%7E`, upper-case hex): the signing page tells
  callers to urlencode `data_digest` and `logistics_interface` because a `+`
  left bare becomes a space. Anything else is refused with HTTP 400 (a rule of
  this fake, stricter than a server needs to be: it catches a client whose
  encoding differs from the vendor's own SDK language).
- `msg_type` carries the operation's 接口名称 where the document gives one
  (o2o 订单取消: TOM_TIMELINESS_WAYBILL_INSTRUCTION); the field name is the one
  Cainiao link messages use (the cnlink page). Required there, refused elsewhere.
- `logistics_interface` is a JSON object holding every field the operation's
  page marks required, within the lengths the page gives.

Answers are the document's 出参: `{"success":true, ...}` or
`{"success":false,"errorCode":…,"errorMsg":…}` with HTTP 200. The document
lists no business error codes; every business refusal (cancelling an order
twice, updating a waybill number this fake never issued) uses the one
business code Cainiao's pages show, `SYS_ERROR` / `系统错误`.

Every request is appended to an in-memory log served at GET /__fake/requests
(fields as received, digest replaced by "<digest>") for the tests.
"""

import base64
import hashlib
import json
import re
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DEFAULT_PROVIDER_ID = "edi_test_o2o_json"  # the cancel page's example 对接码
DEFAULT_SECRET = "fake-secret key*~"

CREATE_PATH = "/placeholder/b2c/three-in-one-order"
UPDATE_PATH = "/ext/gateway/ediStandardWaybillUpdateAllPlugin/api"
CANCEL_PATH = (
    "/ext/gateway/ediStandardTimelinessWaybillInstruction/"
    "ediStandardTimelinessWaybillInstruction/api"
)

# 运单更新: 预约开始时间 / 预约结束时间 "yyyy-MM-dd HH:mm:ss".
DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")

SIGN_FAILURE = {"success": False, "errorCode": "sign-check-failure", "errorMsg": "Illegal request"}
SYS_ERROR = {"success": False, "errorCode": "SYS_ERROR", "errorMsg": "系统错误"}


def data_digest(content: str, secret: str) -> str:
    """Base64(Md5(content + secretKey)), UTF-8: the document's JAVA doSign."""
    return base64.b64encode(hashlib.md5((content + secret).encode("utf-8")).digest()).decode("ascii")


def java_url_encode(text: str) -> str:
    """java.net.URLEncoder.encode(text, "UTF-8"): letters, digits and `.-*_` kept,
    space as `+`, every other UTF-8 byte as upper-case `%XY` (so `~` is `%7E`)."""
    return urllib.parse.quote_plus(text, safe="*").replace("~", "%7E")


class Refusal(Exception):
    """A request this fake refuses outside the vendor's envelope (HTTP 400, text)."""


def parse_java_form(raw: bytes):
    """Decode a form body, insisting each pair is exactly Java's URLEncoder output."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as e:
        raise Refusal(f"form body is not ASCII (not URL-encoded): {e}")
    pairs = []
    if text == "":
        return pairs
    for piece in text.split("&"):
        if "=" not in piece:
            raise Refusal(f"form pair without '=': {piece!r}")
        raw_name, raw_value = piece.split("=", 1)
        try:
            name = urllib.parse.unquote_plus(raw_name, encoding="utf-8", errors="strict")
            value = urllib.parse.unquote_plus(raw_value, encoding="utf-8", errors="strict")
        except UnicodeDecodeError as e:
            raise Refusal(f"form pair is not UTF-8 once decoded: {e}")
        for label, decoded, sent in (("name", name, raw_name), ("value", value, raw_value)):
            if java_url_encode(decoded) != sent:
                raise Refusal(
                    f"form {label} of {name!r} is not encoded as Java's URLEncoder writes it: "
                    f"sent {sent!r}, URLEncoder gives {java_url_encode(decoded)!r}"
                )
        pairs.append((name, value))
    return pairs


def require_text(obj, path, max_len=None):
    cur = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            raise Refusal(f"logistics_interface lacks required {'->'.join(path)}")
        cur = cur[key]
    if not isinstance(cur, str) or cur == "":
        raise Refusal(f"logistics_interface {'->'.join(path)} must be a non-empty string")
    if max_len is not None and len(cur) > max_len:
        raise Refusal(f"logistics_interface {'->'.join(path)} longer than String({max_len})")
    return cur


def require_integer(obj, path):
    cur = obj
    for key in path:
        if not isinstance(cur, dict) or key not in cur:
            raise Refusal(f"logistics_interface lacks required {'->'.join(path)}")
        cur = cur[key]
    if not isinstance(cur, int) or isinstance(cur, bool):
        raise Refusal(f"logistics_interface {'->'.join(path)} must be an Integer")
    return cur


def extends_feature(request, key):
    features = request.get("extendsFeatures")
    if not isinstance(features, list):
        raise Refusal("logistics_interface lacks required extendsFeatures (a list of {key, value})")
    values = [f.get("value") for f in features if isinstance(f, dict) and f.get("key") == key]
    if len(values) != 1 or not isinstance(values[0], str) or values[0] == "":
        raise Refusal(f"extendsFeatures must hold exactly one non-empty {key}")
    return values[0]


class State:
    def __init__(self, provider_id, secret):
        self.provider_id = provider_id
        self.secret = secret
        self.lock = threading.Lock()
        self.next_mail_no = 1
        self.issued_mail_nos = set()
        self.cancelled = set()
        self.log = []


def check_create(state, waybill):
    """三合一订单下发: the page's 该接口必填参数 list, with its lengths."""
    for path, max_len in (
        (("receiver", "receiverName"), 40),
        (("receiver", "receiverMobile"), 20),
        (("receiver", "receiverProvince"), 20),
        (("receiver", "receiverAddress"), 256),
        (("sender", "senderName"), 40),
        (("sender", "senderMobile"), 20),
        (("sender", "senderProvince"), 20),
        (("sender", "senderAddress"), 256),
    ):
        require_text(waybill, path, max_len)
    mobile = waybill["receiver"]["receiverMobile"]
    if any(not (c.isdigit() or c == "-") for c in mobile):
        raise Refusal('receiverMobile: 不能有"-"以外的特殊字符')
    items = waybill.get("packageInfo", {}).get("goodsItems")
    if not isinstance(items, list) or not items:
        raise Refusal("logistics_interface lacks required packageInfo->goodsItems")
    for item in items:
        require_text(item, ("itemName",), 128)
        require_integer(item, ("itemNum",))
    require_integer(waybill, ("packageInfo", "weight"))
    require_integer(waybill, ("packageInfo", "packageNums"))
    with state.lock:
        mail_no = f"CN{state.next_mail_no:012d}"
        state.next_mail_no += 1
        state.issued_mail_nos.add(mail_no)
    return {"success": True, "mailNo": mail_no}


def check_update(state, update):
    """运单更新: the page marks no field required; the fake needs a mailNo it issued."""
    mail_no = update.get("mailNo")
    with state.lock:
        known = isinstance(mail_no, str) and mail_no in state.issued_mail_nos
    for key in ("expectedGotStartDate", "expectedGotEndDate"):
        value = update.get(key)
        if value is not None and not (isinstance(value, str) and DATETIME.fullmatch(value)):
            raise Refusal(f"{key} must be yyyy-MM-dd HH:mm:ss, got {value!r}")
    if not known:
        return dict(SYS_ERROR, needRetry=False)
    for item in update.get("goodsItems", []) or []:
        if not isinstance(item, dict):
            raise Refusal("goodsItems must be a list of ItemInfo objects")
        for key, value in item.items():
            if not isinstance(value, str):
                raise Refusal(f"ItemInfo {key} is a String in the document, got {value!r}")
    return {"success": True, "needRetry": False}


def check_cancel(state, request):
    """o2o 订单取消: outOrderCode, remark and customerCode required; a second cancel fails."""
    out_order_code = extends_feature(request, "outOrderCode")
    extends_feature(request, "customerCode")
    require_text(request, ("remark",))
    with state.lock:
        if out_order_code in state.cancelled:
            return dict(SYS_ERROR)
        state.cancelled.add(out_order_code)
    return {"success": True}


OPERATIONS = {
    CREATE_PATH: (None, check_create),
    UPDATE_PATH: (None, check_update),
    CANCEL_PATH: ("TOM_TIMELINESS_WAYBILL_INSTRUCTION", check_cancel),
}


def make_handler(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # keep test output clean
            pass

        def send_body(self, status, body, content_type):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def answer(self, obj):
            self.send_body(200, json.dumps(obj, ensure_ascii=False, separators=(",", ":")), "application/json;charset=UTF-8")

        def refuse(self, status, why):
            self.send_body(status, "fake_cainiao_edi: " + why, "text/plain;charset=UTF-8")

        def read_body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length)

        def do_GET(self):
            if self.path == "/__fake/requests":
                with state.lock:
                    self.answer(state.log)
            else:
                self.read_body()
                self.refuse(405, "every operation is POST")

        def do_PUT(self):
            self.read_body()
            self.refuse(405, "every operation is POST")

        do_DELETE = do_PUT
        do_PATCH = do_PUT

        def do_POST(self):
            raw = self.read_body()
            path = urllib.parse.urlsplit(self.path).path
            if path not in OPERATIONS:
                self.refuse(404, f"no operation at {path}")
                return
            msg_type_wanted, operation = OPERATIONS[path]
            try:
                self.handle_operation(raw, msg_type_wanted, operation)
            except Refusal as e:
                self.refuse(400, str(e))

        def handle_operation(self, raw, msg_type_wanted, operation):
            content_type = self.headers.get("Content-Type", "")
            media_type = content_type.split(";")[0].strip().lower()
            if media_type != "application/x-www-form-urlencoded":
                raise Refusal(f"Content-Type must be application/x-www-form-urlencoded, got {content_type!r}")
            if self.headers.get("Content-Length") is None:
                raise Refusal("Content-Length missing")
            pairs = parse_java_form(raw)
            fields = {}
            for name, value in pairs:
                if name in fields:
                    raise Refusal(f"form field {name} sent twice")
                fields[name] = value
            allowed = {"logistic_provider_id", "data_digest", "logistics_interface"}
            if msg_type_wanted is not None:
                allowed.add("msg_type")
            unknown = sorted(set(fields) - allowed)
            if unknown:
                raise Refusal(f"fields the document does not define here: {unknown}")
            missing = sorted(allowed - set(fields))
            if missing:
                raise Refusal(f"required fields missing: {missing}")
            if msg_type_wanted is not None and fields["msg_type"] != msg_type_wanted:
                raise Refusal(f"msg_type must be {msg_type_wanted}, got {fields['msg_type']!r}")
            with state.lock:
                logged = dict(fields, data_digest="<digest>")
                state.log.append({"path": self.path, "fields": logged, "body": raw.decode("ascii")})
            if fields["logistic_provider_id"] != state.provider_id:
                self.answer(SIGN_FAILURE)
                return
            if fields["data_digest"] != data_digest(fields["logistics_interface"], state.secret):
                self.answer(SIGN_FAILURE)
                return
            try:
                business = json.loads(fields["logistics_interface"])
            except ValueError as e:
                raise Refusal(f"logistics_interface is not JSON: {e}")
            if not isinstance(business, dict):
                raise Refusal("logistics_interface must be a JSON object")
            self.answer(operation(state, business))

    return Handler


def self_test():
    """Known answers from Java itself (JDK 17, `java Ref.java`, the document's doSign
    with java.util.Base64, and java.net.URLEncoder), computed once and frozen here."""
    checks = [
        # the signing page's PHP example: json_encode(["testkey"=>…,"testdata"=>…]) . $appSecret
        (data_digest('{"testkey":"testkey","testdata":"testdata"}', "8026ny111111111111"),
         "ZLOV/XD2b0EmB/fzigfxGg=="),
        (data_digest('{"remark":"a b*~ 不想要了"}', "s3cret key~*"), "J6irzrpBHnHjC4deVT2FrQ=="),
        (java_url_encode("a b*~中+/=&.-_"), "a+b*%7E%E4%B8%AD%2B%2F%3D%26.-_"),
        (java_url_encode("J6irzrpBHnHjC4deVT2FrQ=="), "J6irzrpBHnHjC4deVT2FrQ%3D%3D"),
    ]
    failed = [(got, want) for got, want in checks if got != want]
    for got, want in failed:
        print(f"self-test: got {got!r}, want {want!r}", file=sys.stderr)
    # The strict form parser accepts Java's encoding and refuses RFC 3986's `%20` and bare `~`.
    try:
        parse_java_form(b"a=x%20y")
        failed.append(("%20 accepted", "refused"))
    except Refusal:
        pass
    try:
        parse_java_form(b"a=x~y")
        failed.append(("bare ~ accepted", "refused"))
    except Refusal:
        pass
    if parse_java_form(b"a=x+y*%7E") != [("a", "x y*~")]:
        failed.append(("Java form refused", "accepted"))
    print("self-test: ok" if not failed else f"self-test: {len(failed)} failure(s)")
    return 0 if not failed else 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    port = int(argv[1])
    provider_id, secret = DEFAULT_PROVIDER_ID, DEFAULT_SECRET
    rest = argv[2:]
    while rest:
        flag, value, rest = rest[0], rest[1], rest[2:]
        if flag == "--provider-id":
            provider_id = value
        elif flag == "--secret":
            secret = value
        else:
            print(f"unknown option {flag}", file=sys.stderr)
            return 2
    server = ThreadingHTTPServer(("127.0.0.1", port), make_handler(State(provider_id, secret)))
    print(server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
