import base64
import datetime as dt
import shutil
import subprocess
from email import policy
from email.message import EmailMessage

import dkim
import pytest
from digest_support import make_site, parse

from feeds.digest.ledger import message_id
from feeds.mail.dkim import DkimSigner
from feeds.mail.message import Letter, Sender, build, to_bytes, unsubscribe_mailto

WHEN = dt.datetime(2024, 3, 2, 6, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
TOKEN = "WzEsImFiYyJd.c2lnbmF0dXJlLW9mLWEtdG9rZW4"


def letter(tmp_path, to="reader@example.com", **digest):
    config = make_site(tmp_path, pages={}, digest=digest)
    sender = Sender.from_config(config)
    return Letter(sender, to, "【城区新闻】3月2日 教育2·经济1", "第一行\n第二行 <b>不是标签</b>\n",
                  "<p>一段 &amp; 内容</p>\n", message_id("2024-03-02", 1, to, sender.domain), WHEN,
                  f"https://news.example.cn/unsubscribe?token={TOKEN}",
                  unsubscribe_mailto(sender.unsubscribe_address, TOKEN))


def test_the_message_reads_back_as_the_letter(tmp_path):
    one = letter(tmp_path, reply_to="desk@news.example.cn")
    message = parse(to_bytes(one))
    assert message["Subject"] == one.subject
    assert message["To"] == "reader@example.com"
    assert message["Reply-To"] == "desk@news.example.cn"
    assert message["Date"].datetime == WHEN
    plain, html = message.iter_parts()
    assert plain.get_content() == "第一行\r\n第二行 <b>不是标签</b>\r\n"
    assert html.get_content() == "<p>一段 &amp; 内容</p>\r\n"
    assert all(p["Content-Transfer-Encoding"] == "base64" for p in (plain, html))


def test_it_matches_what_the_email_package_makes_of_the_same_letter(tmp_path):
    one = letter(tmp_path)
    reference = EmailMessage(policy=policy.SMTP)
    reference["From"] = one.sender.header
    reference["To"] = one.to
    reference["Subject"] = one.subject
    reference.set_content(one.text, charset="utf-8", cte="base64")
    reference.add_alternative(one.html, subtype="html", charset="utf-8", cte="base64")
    ours = parse(to_bytes(one))
    theirs = parse(reference.as_bytes())
    for name in ("From", "To", "Subject"):
        assert str(ours[name]) == str(theirs[name])
    assert [p.get_content() for p in ours.iter_parts()] == \
        [p.get_content() for p in theirs.iter_parts()]
    assert build(one)["Subject"] == one.subject


def test_headers_are_seven_bit_and_lines_short_except_whole_urls(tmp_path):
    raw = to_bytes(letter(tmp_path))
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    for line in head.split(b"\r\n"):
        assert len(line) <= 78 or b"https://" in line or b"mailto:" in line
    assert b"List-Unsubscribe: <https://news.example.cn/unsubscribe?token=" in head
    assert b"=?utf-8?" not in head.split(b"List-Unsubscribe:")[1].split(b"\r\nList-Unsub")[0]


def test_a_non_ascii_address_is_written_as_utf8_for_smtputf8(tmp_path):
    raw = to_bytes(letter(tmp_path, to="读者@例子.中国"))
    assert "To: 读者@例子.中国\r\n".encode() in raw
    assert parse(raw)["To"] == "读者@例子.中国"


def test_a_line_break_in_a_header_value_is_refused(tmp_path):
    bad = letter(tmp_path, to="reader@example.com\r\nBcc: everyone@example.com")
    with pytest.raises(ValueError, match="line break"):
        to_bytes(bad)


def test_message_ids_are_fixed_per_edition_and_reader():
    one = message_id("2024-03-02", 1, "a@example.com", "news.example.cn")
    assert one == message_id("2024-03-02", 1, "A@example.com", "news.example.cn")
    assert one != message_id("2024-03-02", 2, "a@example.com", "news.example.cn")
    assert one != message_id("2024-03-02", 1, "b@example.com", "news.example.cn")
    assert one != message_id("2024-03-03", 1, "a@example.com", "news.example.cn")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl makes the test key")
def test_dkim_signature_covers_the_unsubscribe_headers_and_verifies(tmp_path):
    key = tmp_path / "dkim.pem"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True,
                   capture_output=True)
    public = subprocess.run(["openssl", "rsa", "-in", str(key), "-pubout", "-outform", "DER"],
                            check=True, capture_output=True).stdout
    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def dns(name, timeout=5):
        assert name == b"mail._domainkey.news.example.cn."
        return record

    config = make_site(tmp_path, pages={}, digest={"dkim_key": "dkim.pem",
                                                   "dkim_selector": "mail"})
    one = letter(tmp_path)
    signer = DkimSigner.from_config(config, one.sender)
    signed = to_bytes(one, signer)
    assert signed.startswith(b"DKIM-Signature: ")
    assert dkim.verify(signed, dnsfunc=dns)
    tags = parse(signed)["DKIM-Signature"].replace(" ", "")
    covered = tags.split("h=")[1].split(";")[0].split(":")
    assert {"list-unsubscribe", "list-unsubscribe-post", "from", "subject"} <= set(covered)
    forged = signed.replace(b"unsubscribe?token=", b"unsubscribe?token=X")
    assert not dkim.verify(forged, dnsfunc=dns)


def test_a_missing_dkim_key_is_reported_with_its_key(tmp_path):
    from feeds.errors import FeedsError

    config = make_site(tmp_path, pages={}, digest={"dkim_key": "missing.pem"})
    with pytest.raises(FeedsError, match=r"digest\.dkim_key: cannot read"):
        DkimSigner.from_config(config, Sender.from_config(config))
