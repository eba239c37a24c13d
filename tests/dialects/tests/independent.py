#!/usr/bin/env python3
"""Independent signature computations for tests/signatures.rs, written from each platform's
public signing guide with Python's standard library only (hashlib, hmac, base64, urllib).

Reads one JSON object per line on stdin: {"dialect", "method", "query" (raw query string),
"content_type", "body" (raw body text), "headers" ({lower-case name: value}), "secrets"}.
Prints one JSON object per line: {"expected": SIGNATURE} or, for RSA, {"verified": bool}.
Before reading, checks its own implementation against the published examples; any mismatch
exits with status 1.
"""
import base64
import hashlib
import hmac
import json
import sys
from urllib.parse import parse_qsl, quote_plus

# The test key's public half (`openssl rsa -in rsa_test_key.pem -noout -modulus`), e = 65537.
RSA_N = int(
    "D017CF5E97A7045EF6E46CC7FB541CEA20FCDE4183273DD73A6740D435591B1F"
    "23481846B709FA781D636BF373A1B1AFB5B8CB9B24B697F0B8297523D291897C"
    "987863210D5557E5BB030E858266C3150A05C2A027D1976DA68B5A8B6835AE18"
    "CD9C5B2EDAE805EBE8BD86CFBEA13E6134BF9370387E782B2C94B0E75C297646"
    "9BB016510548B6896211EE01FB136DAE926C752977F64073BEF95BD67116DE20"
    "7AD419902B89DEB6C892F555B3062B9D42B38B9F80DA8E0524D821BB52EE331C"
    "C5B0F8F9DC370CE3F3CC0B47DCAA8EDAE21779E6B0AC6BE1C456850A0E552B73"
    "B837393C6780E241875FD19198C7372BC58769919193F841C6C01833DB3033DD",
    16,
)
RSA_E = 65537


def md5_upper(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()


def top_md5(params, secret):
    """TOP sign_method=md5: sorted by name, empty values skipped, name+value, secret around."""
    body = "".join(k + v for k, v in sorted(params.items()) if k != "sign" and v != "")
    return md5_upper(secret + body + secret)


def top_hmac(params, secret):
    """TOP sign_method=hmac: the same string, HMAC-MD5 keyed by the secret."""
    body = "".join(k + v for k, v in sorted(params.items()) if k != "sign" and v != "")
    return hmac.new(secret.encode(), body.encode("utf-8"), hashlib.md5).hexdigest().upper()


def pdd(params, secret):
    """Pinduoduo: every parameter but sign, sorted by name, name+value, secret around, MD5."""
    body = "".join(k + v for k, v in sorted(params.items()) if k != "sign")
    return md5_upper(secret + body + secret)


def kuaidi100(params, key):
    """Kuaidi100: MD5(param + key + customer), upper case."""
    return md5_upper(params["param"] + key + params["customer"])


def java_url_encode(text):
    """java.net.URLEncoder.encode(text, "UTF-8"): A-Z a-z 0-9 . - * _ kept, space as +, every
    other byte %XX. (Python's quote_plus also keeps ~, which Java encodes.)"""
    return quote_plus(text, safe="*").replace("~", "%7E")


def sf_express(params, check_word):
    """SF Express: Base64(MD5(URLEncode(msgData + timestamp + checkWord, "UTF-8")))."""
    text = java_url_encode(params["msgData"] + params["timestamp"] + check_word)
    return base64.b64encode(hashlib.md5(text.encode("ascii")).digest()).decode()


def wechat_string(params, key):
    a = "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v != "")
    return a + "&key=" + key


def wechat_md5(params, key):
    return md5_upper(wechat_string(params, key))


def wechat_hmac(params, key):
    data = wechat_string(params, key).encode("utf-8")
    return hmac.new(key.encode(), data, hashlib.sha256).hexdigest().upper()


def alipay_content(params):
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()) if k != "sign" and v != "")


def rsa_pkcs1_sha256_verify(message, signature_b64):
    """RFC 8017 §8.2.2: s^e mod n must equal EMSA-PKCS1-v1_5(SHA-256(message))."""
    s = int.from_bytes(base64.b64decode(signature_b64), "big")
    k = (RSA_N.bit_length() + 7) // 8
    em = pow(s, RSA_E, RSA_N).to_bytes(k, "big")
    digest_info = bytes.fromhex("3031300d060960864801650304020105000420")
    t = digest_info + hashlib.sha256(message.encode("utf-8")).digest()
    expected = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
    return em == expected


def json_body_hmac(headers, body, secret):
    data = (headers["x-timestamp"] + "\n" + body).encode("utf-8")
    return base64.b64encode(hmac.new(secret.encode(), data, hashlib.sha256).digest()).decode()


def self_test():
    """The published examples of the platforms' signing guides."""
    # Java's URLEncoder on the characters where the encoders differ.
    assert java_url_encode("a b*~中.-_") == "a+b*%7E%E4%B8%AD.-_"
    top = {
        "method": "taobao.item.seller.get", "app_key": "12345678", "session": "test",
        "timestamp": "2016-01-01 12:00:00", "format": "json", "v": "2.0",
        "sign_method": "md5", "fields": "num_iid,title,nick,price,num", "num_iid": "11223344",
    }
    assert top_md5(top, "helloworld") == "66987CB115214E59E6EC978214934FB8"
    wx = {
        "appid": "wxd930ea5d5a258f4f", "mch_id": "10000100", "device_info": "1000",
        "body": "test", "nonce_str": "ibuaiVcKdpRxkhJA",
    }
    key = "192006250b4c09247ec02edce69f6a2d"
    assert wechat_md5(wx, key) == "9A0A8659F005D6984697E2CA0A9CF3B7"
    assert (
        wechat_hmac(wx, key)
        == "6A9AE1657590FD6257D693A078E1C3E4BB6BA4DC30B23E0EE2496E54170DACD6"
    )


def params_of(request):
    pairs = parse_qsl(request["query"], keep_blank_values=True)
    if request["content_type"].startswith("application/x-www-form-urlencoded"):
        pairs += parse_qsl(request["body"], keep_blank_values=True)
    params = {}
    for k, v in pairs:
        if k in params:
            raise SystemExit(f"parameter {k!r} sent twice")
        params[k] = v
    return params


def main():
    try:
        self_test()
    except AssertionError:
        print("independent.py: a published example does not match", file=sys.stderr)
        return 1
    for line in sys.stdin:
        r = json.loads(line)
        s, p = r["secrets"], params_of(r)
        d = r["dialect"]
        if d == "taobao_md5":
            out = {"expected": top_md5(p, s["app_secret"])}
        elif d == "taobao_hmac":
            out = {"expected": top_hmac(p, s["app_secret"])}
        elif d == "pinduoduo":
            out = {"expected": pdd(p, s["client_secret"])}
        elif d == "sf_express":
            out = {"expected": sf_express(p, s["check_word"])}
        elif d == "kuaidi100":
            out = {"expected": kuaidi100(p, s["key"])}
        elif d == "wechatpay_v2_md5":
            out = {"expected": wechat_md5(p, s["key"])}
        elif d == "wechatpay_v2_hmac":
            out = {"expected": wechat_hmac(p, s["key"])}
        elif d == "alipay_rsa2":
            out = {"verified": rsa_pkcs1_sha256_verify(alipay_content(p), p["sign"])}
        elif d == "json_body_hmac":
            out = {"expected": json_body_hmac(r["headers"], r["body"], s["secret"])}
        elif d == "json_body_hmac_webhook":
            data = r["body"].encode("utf-8")
            mac = hmac.new(s["secret"].encode(), data, hashlib.sha256).digest()
            out = {"expected": base64.b64encode(mac).decode()}
        else:
            raise SystemExit(f"unknown dialect {d!r}")
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
