"""Page security: the headers every answer carries and the encrypted session cookie.

Headers: a Content-Security-Policy that lets a page run only this server's own script files
and talk only to this server (its API and its Socket.IO websockets); no framing
(`X-Frame-Options: DENY`, `frame-ancestors 'none'`); no MIME sniffing; no referrer to other
sites; and `Cache-Control: no-store` on every page and API answer, since pages carry a CSRF
token and the working screens a bearer token, which must not stay in a shared browser's cache.

The session cookie carries the page's bearer token, so it is encrypted and authenticated
(AES-256-GCM, key derived from SECRET_KEY with HKDF), not merely signed: whoever reads the
cookie (a proxy's log, a stolen backup of a browser profile) learns nothing, and a changed
cookie opens no session.
"""

from __future__ import annotations

import base64
import os
import re
import struct
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# The pages' JavaScript needs: its own files, fetch to /api/v1, Socket.IO (polling is 'self';
# websockets are ws:/wss: of this same host, written out for browsers whose 'self' does not
# cover them), invoice QR codes as blob: images. Inline <script type="application/json">
# data blocks are not run, so CSP does not touch them; no page has inline code or style.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; "
    "font-src 'self'; connect-src 'self'{sockets}; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
COOKIE_VERSION = b"v1"
HKDF_INFO = b"restaurant-pos session cookie v1"


def content_security_policy(host: str) -> str:
    """The policy for a page served to `host` (the Host header, checked before it is used)."""
    sockets = f" ws://{host} wss://{host}" if HOST.match(host or "") else ""
    return CSP.format(sockets=sockets)


def set_security_headers(response):
    """after_request: the security headers, and no-store on pages and API answers."""
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy(request.host)
    headers["X-Frame-Options"] = "DENY"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    if response.mimetype == "text/html":
        headers["Cache-Control"] = "no-store"  # CSRF and bearer tokens: never cached
    elif request.endpoint != "static" and "Cache-Control" not in headers:
        headers["Cache-Control"] = "no-store"  # login answers carry a token; any answer may
    return response


class SessionCipher:
    """Seal and open the session's bytes with AES-256-GCM; the cookie's name is bound in."""

    def __init__(self, secret_key: str | bytes, cookie_name: str):
        secret = secret_key.encode() if isinstance(secret_key, str) else secret_key
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(secret)
        self.aead = AESGCM(key)
        self.associated = COOKIE_VERSION + b"|" + cookie_name.encode()

    def seal(self, payload: bytes) -> str:
        nonce = os.urandom(12)
        stamped = struct.pack(">Q", int(time.time())) + payload
        sealed = self.aead.encrypt(nonce, stamped, self.associated)
        token = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=")
        return (COOKIE_VERSION + b"." + token).decode()

    def open(self, cookie: str, max_age: int | None) -> bytes:
        """The payload; BadSignature when the cookie is forged, changed, foreign or too old."""
        version, _, token = cookie.encode().partition(b".")
        if version != COOKIE_VERSION:
            raise BadSignature("not an encrypted session cookie")
        try:
            raw = base64.urlsafe_b64decode(token + b"=" * (-len(token) % 4))
            stamped = self.aead.decrypt(raw[:12], raw[12:], self.associated)
        except (ValueError, InvalidTag) as err:
            raise BadSignature("the session cookie does not open") from err
        (issued,) = struct.unpack(">Q", stamped[:8])
        if max_age is not None and time.time() - issued > max_age:
            raise BadSignature("the session cookie is too old")
        return stamped[8:]


class EncryptedSerializer:
    """The `dumps`/`loads` pair Flask's cookie session asks of its signing serializer."""

    def __init__(self, cipher: SessionCipher, serializer):
        self.cipher, self.serializer = cipher, serializer

    def dumps(self, session: dict) -> str:
        return self.cipher.seal(self.serializer.dumps(session).encode())

    def loads(self, cookie: str, max_age: int | None = None) -> dict:
        return self.serializer.loads(self.cipher.open(cookie, max_age).decode())


class EncryptedCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session (same flags, lifetime and refresh rules), encrypted.

    A cookie that does not open (tampered, another key, the old signed format) is an empty
    session: the browser shows the login page, as after a logout.
    """

    def get_signing_serializer(self, app: Flask):
        if not app.secret_key:
            return None
        cipher = app.extensions.get("pos_session_cipher")
        if cipher is None or cipher[0] != app.secret_key:
            cipher = (app.secret_key, SessionCipher(app.secret_key, self.get_cookie_name(app)))
            app.extensions["pos_session_cipher"] = cipher
        return EncryptedSerializer(cipher[1], self.serializer)


def init_app(app: Flask) -> None:
    """Encrypt the session cookie and add the headers to every answer."""
    app.session_interface = EncryptedCookieSessionInterface()
    app.after_request(set_security_headers)
