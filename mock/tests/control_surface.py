#!/usr/bin/env python3
"""The spec mock driven from outside Rust: Python's standard library only.

Against `cargo xtask mock specs/jfwms.yaml` (or the `spec-mock` binary), this script gets an
authorization code over HTTP, exchanges it, signs a business call the way the document's Java
code does (四、调用业务接口 3、签名生成方式), and checks that a wrong secret, a stale timestamp
and a missing sign are refused with 10026 / 10028 / 10021 and an `x-mock-refusal` header; then
scripts, the redacted request record, reset, strict request lines, the bounded record, and the
webhook sender against the example axum receiver (generated-client/examples/jfwms_webhook_axum.rs).

    python3 mock/tests/control_surface.py --mock "cargo xtask mock" \
        --receiver target/debug/examples/jfwms_webhook_axum

Every wait is bounded; the mock and the receiver are stopped at the end, whatever happens.
"""

import argparse
import hashlib
import hmac
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

CLIENT_ID = "py-client-id"
CLIENT_SECRET = "py-client-secret-4a506cca"
SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "specs", "jfwms.yaml")
KINDS = ["order", "storage", "return", "orderIntercept", "inventoryCount", "adjust", "move",
         "orderCreate", "orderCancel", "convert"]

checks = 0


def check(condition, what):
    global checks
    if not condition:
        raise AssertionError(what)
    checks += 1


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def refusal(self):
        return self.headers.get("x-mock-refusal", "")


def http(method, url, body=None, headers=None, timeout=10):
    data = None
    headers = dict(headers or {})
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers.setdefault("content-type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Answer(r.status, {k.lower(): v for k, v in r.headers.items()}, r.read())
    except urllib.error.HTTPError as e:
        return Answer(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read())


def start_mock(command, extra):
    env = dict(os.environ, JFWMS_CLIENT_ID=CLIENT_ID, JFWMS_CLIENT_SECRET=CLIENT_SECRET)
    args = shlex.split(command) + [SPEC, "--webhook-signature-header", "sign"] + extra
    # A session of its own: `cargo xtask mock` runs the mock as a grandchild, stopped with it.
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                            start_new_session=True)
    banner = {}
    deadline = time.monotonic() + 600  # `cargo xtask mock` may compile first
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError("the mock exited: " + proc.stderr.read())
        lines.append(line.rstrip())
        if line.startswith("base URL: "):
            banner["base"] = line.split(": ", 1)[1].strip()
        if line.startswith("control: "):
            banner["control"] = line.split(": ", 1)[1].split(" ")[0]
        if "credential client_secret" in line:
            break
    log = []
    threading.Thread(target=lambda: log.extend(proc.stderr), daemon=True).start()
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, banner, lines, log


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def java_sign(secret, params):
    """Signature.sign(key, data) with data = sorted `k=v` joined by `&`, as the Java main()."""
    data = "&".join(sorted(f"{k}={v}" for k, v in params.items()))
    return hmac.new(secret.encode(), data.encode(), hashlib.sha256).hexdigest()


def signed_headers(token, user_id, secret=CLIENT_SECRET, timestamp=None, nonce=None, path="/api/order/get"):
    timestamp = str(timestamp if timestamp is not None else int(time.time() * 1000))
    nonce = nonce if nonce is not None else f"{int.from_bytes(os.urandom(2), 'big') % 100:02d}"
    params = {"url": path, "method": "post", "accessToken": token, "clientId": CLIENT_ID,
              "timestamp": timestamp, "nonce": nonce, "userId": user_id}
    return {"accessToken": token, "clientId": CLIENT_ID, "timestamp": timestamp, "nonce": nonce,
            "userId": user_id, "sign": java_sign(secret, params)}


def raw(port, data, timeout=5):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk


def test_business_calls(base, control, log):
    ops = http("GET", control + "/operations").json()
    check([e["operation"] for e in ops["endpoints"]] == ["get_order"], "operations list get_order")
    check(sorted(ops["webhooks"]) == sorted(KINDS), "ten webhook kinds listed")
    grant = next(g for g in ops["grants"] if g["operation"] == "authorization_code")
    refresh = next(g for g in ops["grants"] if g["operation"] == "refresh_token")

    answer = http("POST", control + "/authorization-codes")
    check(answer.status == 201, "a code is issued")
    code = answer.json()["code"]
    exchange = {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "code": code}
    token = http("POST", base + grant["path"], exchange).json()
    check(token["code"] == 0, f"the code is exchanged: {token}")
    data = token["data"]
    access, user_id = data["accessToken"], str(data["userId"])

    again = http("POST", base + grant["path"], exchange)
    check(again.json()["code"] == 10030, f"a used code is 10030 INVALID_AUTH_CODE: {again.body}")
    check(again.refusal().startswith("bad_grant; step=code; code=10030 (declared)"), again.refusal())

    renewed = http("POST", base + refresh["path"], {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET,
                                                    "refreshToken": data["refreshToken"]}).json()
    check(renewed["code"] == 0, f"the refresh token renews: {renewed}")
    access = renewed["data"]["accessToken"]

    url = base + "/api/order/get"
    body = {"erpNo": "123"}
    ok = http("POST", url, body, signed_headers(access, user_id))
    check(ok.json()["code"] == 0 and "x-mock-refusal" not in ok.headers, f"a signed call is accepted: {ok.body}")

    cases = [
        ("wrong secret", signed_headers(access, user_id, secret="not-the-secret"), 10026,
         "bad_signature; step=sign; code=10026 (declared)"),
        ("stale timestamp", signed_headers(access, user_id, timestamp=int(time.time() * 1000) - 600_000), 10028,
         "stale_time; step=timestamp; code=10028 (declared)"),
        ("missing sign", {k: v for k, v in signed_headers(access, user_id).items() if k != "sign"}, 10021,
         "missing; step=sign; code=10021 (declared)"),
        ("malformed nonce", signed_headers(access, user_id, nonce="7"), 10024,
         "malformed; step=nonce; code=10024 (declared)"),
        ("unknown token", signed_headers("0" * 32, user_id), 10002,
         "unknown_token; step=accessToken; code=10002 (declared)"),
    ]
    for what, headers, want, header in cases:
        answer = http("POST", url, body, headers)
        check(answer.json()["code"] == want, f"{what}: {want} expected, got {answer.body}")
        check(answer.refusal().startswith(header), f"{what}: header {answer.refusal()!r}")
        check(CLIENT_SECRET not in answer.refusal() and access not in answer.refusal(), "no secret in the header")
    replayed = signed_headers(access, user_id)
    http("POST", url, body, replayed)
    answer = http("POST", url, body, replayed)
    check(answer.json()["code"] == 10027, f"a replay is 10027: {answer.body}")
    missing = http("POST", url, {}, signed_headers(access, user_id))
    check(missing.json()["code"] == 10001 and "missing; step=erpNo" in missing.refusal(),
          f"a missing parameter is 10001: {missing.refusal()}")

    # The INFO log names each refusal, never a secret.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and sum("refused" in l for l in log) < 8:
        time.sleep(0.05)
    refused = [l for l in log if "refused" in l]
    check(len(refused) >= 8, f"refusals are logged: {log}")
    check(any('kind="stale_time"' in l and 'code="10028"' in l for l in refused), "the stale refusal is logged")
    check(not any(CLIENT_SECRET in l or access in l for l in log), "no secret in the log")

    # Scripts: a documented code, a whole data value, a delay, a dropped connection.
    check(http("POST", control + "/scripts/get_order", {"fail_with": 50017}).status == 201, "script queued")
    got = http("POST", url, body, signed_headers(access, user_id)).json()
    check(got["code"] == 50017, f"the scripted code is answered: {got}")
    http("POST", control + "/scripts/get_order", {"respond_data": {"erpNo": "123", "status": "Shipped"}})
    got = http("POST", url, body, signed_headers(access, user_id)).json()
    check(got["code"] == 0 and got["data"]["status"] == "Shipped", f"scripted data: {got}")
    http("POST", control + "/scripts/get_order", {"delay_ms": 400, "proceed": True})
    started = time.monotonic()
    http("POST", url, body, signed_headers(access, user_id))
    check(time.monotonic() - started >= 0.4, "the scripted delay is kept")
    http("POST", control + "/scripts/get_order", {"drop_connection": True})
    try:
        http("POST", url, body, signed_headers(access, user_id))
        dropped = False
    except Exception:  # the connection closes mid-answer
        dropped = True
    check(dropped, "the scripted connection drop happens")
    check(http("POST", control + "/scripts/nothing", {"proceed": True}).status == 404, "unknown operation refused")
    check(http("POST", control + "/scripts/get_order", {"fail_with": 99999}).status == 400, "unknown code refused")

    # The record, redacted.
    record = http("GET", control + "/requests?operation=get_order").json()["requests"]
    check(len(record) >= 10, "requests are recorded")
    text = json.dumps(record)
    check(CLIENT_SECRET not in text and access not in text, "no secret or token in the record")
    check(record[0]["headers"]["sign"] == "<redacted>" and record[0]["headers"]["accesstoken"] == "<redacted>",
          "signature and token redacted")
    check(record[0]["headers"]["timestamp"].isdigit(), "non-secret headers shown")
    grants = http("GET", control + "/requests?operation=authorization_code").json()["requests"]
    check(grants[0]["body"]["clientSecret"] == "<redacted>" and grants[0]["answer"] == "<redacted>",
          "token requests and answers redacted")

    check(http("POST", control + "/reset").status == 200, "reset")
    check(http("GET", control + "/requests").json()["requests"] == [], "reset forgets requests")
    answer = http("POST", url, body, signed_headers(access, user_id))
    check(answer.json()["code"] == 10002, "reset forgets tokens")


def test_server_bounds(base, port):
    answer = raw(port, b"GET /api/order/get HTTP/1.1\nHost: x\n\n")
    check(answer.startswith(b"HTTP/1.1 400"), f"a bare-LF request line is refused: {answer[:80]!r}")
    check(b"x-mock-refusal: bad_request_line" in answer, "with the reason")
    ok = raw(port, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    check(ok.startswith(b"HTTP/1.1 404") and b"x-mock-refusal: unknown_path" in ok, f"CRLF accepted: {ok[:200]!r}")


def test_bounded_record(command):
    proc, banner, _, _ = start_mock(command, ["--port", "0", "--max-recorded-requests", "20",
                                             "--max-recorded-body", "1024"])
    try:
        big = b"x" * 100_000
        for _ in range(30):
            http("POST", banner["base"] + "/nowhere", big, {"content-type": "application/octet-stream"})
        got = http("GET", banner["control"] + "/requests").json()
        check(len(got["requests"]) == 20 and got["dropped"] == 10, f"record bounded: {len(got['requests'])}, {got['dropped']}")
        check(all(r["body_truncated"] and len(r["body"]) == 1024 for r in got["requests"]), "bodies truncated")
    finally:
        stop(proc)


def test_webhooks(control, receiver_binary):
    port = free_port()
    env = dict(os.environ, JFWMS_CLIENT_SECRET=CLIENT_SECRET, PORT=str(port))
    receiver = subprocess.Popen([receiver_binary], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        url = f"http://127.0.0.1:{port}/jfwms/webhook"
        for kind in KINDS:
            report = http("POST", control + f"/webhooks/{kind}", {"receiver": url}).json()
            check(report["status"] == 200 and report["acknowledged"], f"{kind} accepted: {report}")
            check(report["delivery"]["type"] == kind, f"{kind} delivered as its kind")
        report = http("POST", control + "/webhooks/order", {"receiver": url, "tamper": "signature"}).json()
        check(not report["acknowledged"] and json.loads(report["answer"])["code"] == "1",
              f"a bad signature is refused by the receiver: {report}")
        report = http("POST", control + "/webhooks/order", {"receiver": url, "tamper": "timestamp"}).json()
        age_ms = int(time.time() * 1000) - int(report["delivery"]["timestamp"])
        check(age_ms > 23 * 3600 * 1000, "a stale delivery is a day old")
        # The example receiver verifies with `verify_and_parse` (no age check), so it accepts
        # the stale delivery; a receiver using `verify_and_parse_max_age` refuses it
        # (mock/tests/webhooks.rs).
        check(report["acknowledged"], f"the example accepts a correctly signed stale delivery: {report}")
        bad = http("POST", control + "/webhooks/nothing", {"receiver": url})
        check(bad.status == 400 and "no webhook kind" in bad.json()["error"], "unknown kind refused")
    finally:
        receiver.terminate()
        receiver.wait(timeout=10)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mock", default="cargo xtask mock", help="command that runs the mock (spec and options are appended)")
    parser.add_argument("--receiver", required=True, help="the jfwms_webhook_axum example binary")
    args = parser.parse_args()
    proc, banner, lines, log = start_mock(args.mock, ["--port", "0"])
    try:
        check(banner.get("control", "").endswith("/__mock"), f"the banner names the control prefix: {lines}")
        check(any("JFWMS_CLIENT_SECRET" in l for l in lines), "the banner names the credentials' env variables")
        check(not any(CLIENT_SECRET in l for l in lines), "the banner shows no secret")
        port = int(banner["base"].rsplit(":", 1)[1].split("/")[0])
        test_business_calls(banner["base"], banner["control"], log)
        test_server_bounds(banner["base"], port)
        test_webhooks(banner["control"], args.receiver)
    finally:
        stop(proc)
    test_bounded_record(args.mock)
    print(f"control_surface.py: {checks} checks passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as e:
        print(f"control_surface.py: FAILED: {e}", file=sys.stderr)
        sys.exit(1)
