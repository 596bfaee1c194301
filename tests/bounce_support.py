"""Bounce and complaint messages as mail servers and mailbox providers send them."""

from __future__ import annotations


def dsn(envelope_to: str, recipient: str, *, action: str = "failed", status: str = "5.1.1",
        diagnostic: str = "550 5.1.1 User unknown", message_id: str = "<dsn-1@mx.example.org>"
        ) -> bytes:
    """A delivery status notification (RFC 3464) for one recipient, delivered to the
    envelope sender of the copy that failed."""
    return f"""\
Return-Path: <>
Delivered-To: {envelope_to}
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: {envelope_to}
Subject: Undelivered Mail Returned to Sender
Message-ID: {message_id}
Date: Sun, 3 Mar 2024 08:00:00 +0800
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B
Content-Type: text/rfc822-headers

From: digest@news.example.cn
To: {recipient}
Subject: digest

--B--
""".replace("\n", "\r\n").encode()


def arf(recipient: str, *, message_id: str = "<arf-1@fbl.example.net>",
        original_from: str = "digest@news.example.cn") -> bytes:
    """An abuse report (RFC 5965) from a mailbox provider's feedback loop."""
    return f"""\
From: fbl@fbl.example.net
To: abuse@news.example.cn
Subject: Email Feedback Report
Message-ID: {message_id}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="F"

--F
Content-Type: text/plain; charset=us-ascii

This is an email abuse report.

--F
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: FBL/1.0
Version: 1
Original-Mail-From: <{original_from}>
Original-Rcpt-To: <{recipient}>

--F
Content-Type: message/rfc822

From: digest@news.example.cn
To: {recipient}
Subject: digest
Message-ID: <digest.x@news.example.cn>

The digest.
--F--
""".replace("\n", "\r\n").encode()


AUTO_REPLY = b"""\
From: someone@example.org\r
To: bounces@news.example.cn\r
Subject: Out of office\r
Message-ID: <ooo-1@example.org>\r
\r
I am away until Monday.\r
"""
