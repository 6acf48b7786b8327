"""Security headers on every response (pure ASGI middleware).

* ``Content-Security-Policy``: JSON gets ``default-src 'none'``; HTML pages get
  a same-origin policy without inline script. A route that needs another
  policy (the public page's inline code is allowed by hash, see
  :func:`inline_hashes_csp`) sets the header itself and it is kept.
* ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``,
  ``frame-ancestors 'none'`` (+ ``X-Frame-Options: DENY`` for old browsers),
  ``Cross-Origin-Opener-Policy``; HSTS in production (served behind TLS).
* ``Cache-Control: no-store`` for the editor workspace: staff data stays out
  of shared caches and browser history.
"""

from __future__ import annotations

import base64
import hashlib
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
_PRIVATE_PREFIXES = ("/api/v1/editor", "/api/v1/auth", "/api/v1/admin", "/editor")
_INLINE = re.compile(r"<(script|style)(?:\s[^>]*)?>(.*?)</\1>", re.S | re.I)


def inline_hashes_csp(html: str) -> str:
    """A page policy that allows exactly the page's own inline <script>/<style> blocks."""
    hashes: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes[tag.lower()].append(f"'sha256-{digest}'")
    return (
        f"default-src 'self'; script-src 'self' {' '.join(hashes['script'])}; "
        f"style-src 'self' {' '.join(hashes['style'])}; style-src-attr 'unsafe-inline'; "
        "img-src 'self' data:; media-src 'self' https:; connect-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
    )


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = scope.get("path", "").startswith(_PRIVATE_PREFIXES)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                content_type = dict(headers).get(b"content-type", b"")
                csp = PAGE_CSP if content_type.startswith(b"text/html") else API_CSP
                defaults = [
                    (b"content-security-policy", csp),
                    (b"x-content-type-options", "nosniff"),
                    (b"referrer-policy", "no-referrer"),
                    (b"x-frame-options", "DENY"),
                    (b"cross-origin-opener-policy", "same-origin"),
                ]
                if private:
                    defaults.append((b"cache-control", "no-store"))
                if self.hsts:
                    defaults.append((b"strict-transport-security", "max-age=31536000"))
                headers += [(n, v.encode()) for n, v in defaults if n not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
