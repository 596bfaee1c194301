"""Bounce and complaint webhooks of HTTP email APIs, posted to a running `feeds serve`:
Postmark's with its basic-auth secret, SES's through SNS with Amazon's signature (made
here with a certificate of our own, served from loopback). Forgeries change nothing."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from digest_support import NOW, SITE_TOML, make_site
from web_support import feeds_serve, http_client

from feeds.build import build
from feeds.database import connect, database_path
from feeds.subscribers import add, get

SECRET = "hook-secret-42"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-bounces"


@pytest.fixture(scope="module")
def signer():
    """A key and self-signed certificate standing in for Amazon's, served on loopback."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(dt.datetime(2024, 1, 1)).not_valid_after(dt.datetime(2099, 1, 1))
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    confirmed = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.startswith("/confirm"):
                confirmed.append(self.path)
                body = b"<ConfirmSubscriptionResponse/>"
            else:
                body = pem
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield key, base, confirmed
    server.shutdown()


def sns(key, base, message, kind="Notification", version="2", **more):
    envelope = {"Type": kind, "MessageId": "m-1", "TopicArn": TOPIC, "Message": message,
                "Timestamp": "2024-03-03T00:00:00.000Z", "SignatureVersion": version,
                "SigningCertURL": f"{base}/SimpleNotificationService-abc.pem", **more}
    fields = {"Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn",
                               "Type")}.get(kind, ("Message", "MessageId", "SubscribeURL",
                                                   "Timestamp", "Token", "TopicArn", "Type"))
    signed = "".join(f"{n}\n{envelope[n]}\n" for n in fields if n in envelope).encode()
    digest = hashes.SHA256() if version == "2" else hashes.SHA1()
    envelope["Signature"] = base64.b64encode(
        key.sign(signed, padding.PKCS1v15(), digest)).decode()
    return envelope


def ses_bounce(address, kind="Permanent"):
    return json.dumps({"notificationType": "Bounce", "mail": {"messageId": f"ses-{address}"},
                       "bounce": {"bounceType": kind, "bouncedRecipients": [
                           {"emailAddress": address, "status": "5.1.1",
                            "diagnosticCode": "smtp; 550 5.1.1 unknown"}]}})


@pytest.fixture(scope="module")
def served(tmp_path_factory, signer):
    tmp_path = tmp_path_factory.mktemp("hooks")
    config = make_site(tmp_path, bounces={"sns_certificate_url": r"^http://127\.0\.0\.1:\d+/",
                                          "sns_topics": [TOPIC]})
    (tmp_path / "feeds.toml").write_text(SITE_TOML + f"""
[bounces]
sns_certificate_url = '^http://127\\.0\\.0\\.1:\\d+/'
sns_topics = ["{TOPIC}"]
""", encoding="utf-8")
    with closing(connect(database_path(config))) as db:
        for address in ("hard@example.com", "angry@example.com", "spoofed@example.com",
                        "ses@example.com", "ses-angry@example.com"):
            add(db, address, NOW)
    build(config)  # feeds serve serves a built site
    with feeds_serve(tmp_path / "feeds.toml", {"FEEDS_WEBHOOK_SECRET": SECRET}) as url, \
            http_client(url) as client:
        yield config, client


def reader(config, address):
    with closing(connect(database_path(config))) as db:
        return get(db, address)


def test_postmark_webhooks_with_the_secret_apply_and_forged_ones_are_refused(served):
    config, client = served
    good = ("anyone", SECRET)
    bounce = {"RecordType": "Bounce", "Type": "HardBounce", "ID": 1,
              "Email": "hard@example.com", "Details": "550 unknown user"}
    assert client.post("/webhooks/postmark", json=bounce, auth=good).status_code == 200
    complaint = {"RecordType": "SpamComplaint", "ID": 2, "Email": "angry@example.com"}
    assert client.post("/webhooks/postmark", json=complaint, auth=good).status_code == 200
    forged = {"RecordType": "SpamComplaint", "ID": 3, "Email": "spoofed@example.com"}
    assert client.post("/webhooks/postmark", json=forged,
                       auth=("anyone", "guess")).status_code == 403
    assert client.post("/webhooks/postmark", json=forged).status_code == 403
    again = client.post("/webhooks/postmark", json=bounce, auth=good)  # delivered twice
    assert again.json()["outcomes"] == {"seen before": 1}
    assert reader(config, "hard@example.com").suppressed == "hard-bounce"
    assert reader(config, "angry@example.com").status == "unsubscribed"
    assert reader(config, "spoofed@example.com").gets_mail


def test_ses_notifications_signed_by_sns_apply_and_forged_ones_are_refused(served, signer):
    config, client = served
    key, base, confirmed = signer
    hard = client.post("/webhooks/ses", json=sns(key, base, ses_bounce("ses@example.com")))
    assert hard.status_code == 200 and hard.json()["outcomes"] == {"suppressed": 1}
    complaint = json.dumps({"notificationType": "Complaint", "mail": {"messageId": "x"},
                            "complaint": {"complainedRecipients": [
                                {"emailAddress": "ses-angry@example.com"}]}})
    assert client.post("/webhooks/ses", json=sns(key, base, complaint,
                                                 version="1")).status_code == 200
    tampered = sns(key, base, ses_bounce("spoofed@example.com"))
    tampered["Message"] = ses_bounce("spoofed@example.com").replace("5.1.1", "5.1.2")
    assert client.post("/webhooks/ses", json=tampered).status_code == 403
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert client.post("/webhooks/ses", json=sns(other_key, base, ses_bounce(
        "spoofed@example.com"))).status_code == 403
    elsewhere = sns(key, "http://198.51.100.7", ses_bounce("spoofed@example.com"))
    assert client.post("/webhooks/ses", json=elsewhere).status_code == 403  # not fetched
    subscribe = sns(key, base, "confirm", kind="SubscriptionConfirmation", Token="t",
                    SubscribeURL=f"{base}/confirm?Token=t")
    assert client.post("/webhooks/ses", json=subscribe).status_code == 200
    assert confirmed == ["/confirm?Token=t"]
    assert reader(config, "ses@example.com").suppressed == "hard-bounce"
    assert reader(config, "ses-angry@example.com").status == "unsubscribed"
    assert reader(config, "spoofed@example.com").gets_mail
