"""slack_sdk's WebClient, with one HTTP connection kept from one call to the next.

The SDK's synchronous client sends each call through urllib, which opens a new connection (TCP,
and TLS on the real service) and asks the server to close it afterwards. The worker posts many
messages in a row, so its Slack transport uses this subclass: the SDK's own methods, arguments,
responses and errors, with the request itself sent over one `http.client` connection, kept until
`close()` (the dispatcher's end of a batch), until the server says it will close it, or until a
call fails (then the next call connects again). Behind a proxy the SDK sends as it always does.

One client, one thread: the worker's Slack thread owns its transport's client.
"""

import http.client
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient


class KeepAliveWebClient(WebClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._connection: http.client.HTTPConnection | None = None
        self._origin = ("", "")  # (scheme, host:port) the connection goes to

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict:
        """The SDK's one place where a request goes out (it builds `req`, retries and parses the
        answer around it): the same request over the kept connection. The answer is returned
        for every status, as the SDK itself does for 4xx and 5xx."""
        parts = urlsplit(url)
        if self.proxy or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        connection = self._connect(parts.scheme, parts.netloc)
        path = f"{parts.path}?{parts.query}" if parts.query else parts.path
        try:
            connection.request(req.get_method(), path, req.data, dict(req.header_items()))
            response = connection.getresponse()
            body = response.read()
        except Exception:
            self.close()
            raise
        if response.will_close:
            self.close()
        charset = response.headers.get_content_charset() or "utf-8"
        return {
            "status": response.status,
            "headers": dict(response.headers.items()),
            "body": body.decode(charset),
        }

    def _connect(self, scheme: str, netloc: str) -> http.client.HTTPConnection:
        if self._connection is not None and self._origin == (scheme, netloc):
            return self._connection
        self.close()
        if scheme == "https":
            self._connection = http.client.HTTPSConnection(
                netloc, timeout=self.timeout, context=self.ssl
            )
        else:
            self._connection = http.client.HTTPConnection(netloc, timeout=self.timeout)
        self._origin = (scheme, netloc)
        return self._connection
