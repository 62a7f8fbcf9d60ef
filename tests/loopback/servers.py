"""Slack-, Twilio- and SMTP-compatible servers on 127.0.0.1 that record what they receive and fail
on demand, so delivery is tested (and measured, bench/delivery_*.py) against real sockets.

Each server answers in its service's own shapes and can be told to be down (closed port), answer
500, answer 429 with Retry-After, hang past the client's timeout, or refuse for good (Slack
`invalid_auth` / `channel_not_found`, Twilio 21211, SMTP 550); the SMTP server can also end each
connection after a few messages (421). `recover()` ends any fault. A request the server hung on is
kept apart (`hung`): the service never processed it. Every call and message records the client's
address (`peer`), so a test can count the connections a client opened.
"""

import asyncio
import base64
import email
import email.policy
import itertools
import json
import logging
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from aiosmtpd.controller import Controller

HANG_SECONDS = 5.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll `predicate` until it is true or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return bool(predicate())


class Faults:
    """What a server should do instead of answering normally; shared by the three servers."""

    def __init__(self):
        self.mode = ""  # "", "down", "500", "429", "hang", "refuse", "drop" (SMTP)
        self.retry_after = 1
        self.error = ""  # Slack error string or Twilio error code for "refuse"
        self.delay = 0.0  # answer slowly (but correctly): the request is recorded first
        self.after = 0  # "drop": messages accepted on one connection before it is ended
        self.release = threading.Event()


class _HttpServer:
    """A ThreadingHTTPServer in a thread, with recording and fault modes; subclasses route."""

    def __init__(self):
        self.port = free_port()
        self.faults = Faults()
        self.calls: list[dict] = []
        self.hung: list[dict] = []  # requests it hung on (never processed)
        self.turned_away: list[dict] = []  # requests answered 500 or 429
        self._lock = threading.Lock()
        self._httpd = None

    # -- life cycle ---------------------------------------------------------------------------
    def start(self):
        server = self

        class Handler(_Handler):
            owner = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self.faults.release.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def fail(self, mode: str, *, retry_after: int = 1, error: str = "", delay: float = 0.0):
        """Start a fault: "down", "500", "429", "hang", "refuse" (with `error`) or "slow"."""
        self.recover()
        self.faults.release.clear()
        if mode == "slow":
            self.faults.delay = delay
        else:
            self.faults.mode, self.faults.retry_after, self.faults.error = mode, retry_after, error
        if mode == "down":
            self.stop()

    def recover(self):
        was_down = self.faults.mode == "down"
        self.faults.mode, self.faults.error, self.faults.delay = "", "", 0.0
        self.faults.release.set()
        if was_down:
            self.start()

    # -- recording ----------------------------------------------------------------------------
    def record(self, call: dict, into: list | None = None) -> None:
        call["received_at"] = time.time()
        with self._lock:
            (self.calls if into is None else into).append(call)

    def forget(self):
        """Drop everything recorded so far."""
        with self._lock:
            self.calls.clear()
            self.hung.clear()
            self.turned_away.clear()

    def calls_to(self, name: str, ok_only: bool = True) -> list[dict]:
        with self._lock:
            return [
                c for c in self.calls if c["method"] == name and (c.get("ok", True) or not ok_only)
            ]

    def wait_for(self, predicate, timeout: float = 10.0) -> bool:
        return wait_until(predicate, timeout)

    def route(self, method: str, params: dict, headers, peer) -> tuple[int, dict, dict]:
        raise NotImplementedError

    def method_of(self, path: str) -> str:
        raise NotImplementedError


class _Handler(BaseHTTPRequestHandler):
    owner: _HttpServer
    protocol_version = "HTTP/1.1"

    def setup(self):
        super().setup()
        # Headers and body are written separately; without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every keep-alive request.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        self._serve()

    def do_POST(self):
        self._serve()

    def _serve(self):
        owner, faults = self.owner, self.owner.faults
        parts = urlsplit(self.path)
        params = dict(parse_qsl(parts.query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw.decode()))
        call = {
            "method": owner.method_of(parts.path),
            "params": params,
            "peer": self.client_address,
        }
        if faults.mode == "hang":
            owner.record(call, owner.hung)
            faults.release.wait(HANG_SECONDS)
            self.close_connection = True
            return
        if faults.mode in ("500", "429"):
            owner.record(call, owner.turned_away)
        if faults.mode == "500":
            return self._answer(500, {}, {"error": "internal"}, raw_text=b"Internal Server Error")
        if faults.mode == "429":
            headers = {"Retry-After": str(faults.retry_after)}
            return self._answer(429, headers, owner.rate_limited_body())
        status, headers, body = owner.route(call["method"], params, self.headers, call["peer"])
        if faults.delay:
            time.sleep(faults.delay)
        self._answer(status, headers, body)

    def _answer(self, status: int, headers: dict, body: dict, raw_text: bytes | None = None):
        data = raw_text if raw_text is not None else json.dumps(body).encode()
        try:
            self.send_response(status)
            ctype = "text/plain" if raw_text is not None else "application/json; charset=utf-8"
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except OSError:  # the client gave up (timed out) first
            self.close_connection = True


class SlackServer(_HttpServer):
    """chat.postMessage, chat.update, chat.postEphemeral, views.open and users.lookupByEmail,
    answered as Slack's Web API does, and the `response_url` of button presses
    (`response_url_for(...)`, under /actions/), answered as Slack's hooks do."""

    CHANNEL_ID = "C0REFERRAL"

    def __init__(self, token: str = "xoxb-loopback-token", channel: str = "#referrals"):
        super().__init__()
        self.token = token
        self.channels = {channel: self.CHANNEL_ID, self.CHANNEL_ID: self.CHANNEL_ID}
        self.users: dict[str, str] = {}  # email -> user id, for users.lookupByEmail
        self.messages: dict[str, dict] = {}  # ts -> current message
        self._ts = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def method_of(self, path: str) -> str:
        if path.startswith("/actions/"):
            return "response_url"
        return path.rsplit("/", 1)[-1]

    def response_url_for(self, trigger: str = "1") -> str:
        """A `response_url` as Slack puts in a button press (here, on this server)."""
        return f"http://127.0.0.1:{self.port}/actions/T0LOOPBACK/{trigger}/hooksecret"

    def rate_limited_body(self) -> dict:
        return {"ok": False, "error": "ratelimited"}

    @property
    def ephemerals(self) -> list[dict]:
        """Ephemeral answers, by chat.postEphemeral or a response_url."""
        return [
            c["params"]
            for c in self.calls
            if c["method"] in ("chat.postEphemeral", "response_url") and c.get("ok", True)
        ]

    @property
    def views_opened(self) -> list[dict]:
        return [c["params"] for c in self.calls_to("views.open")]

    @property
    def posts(self) -> list[dict]:
        return [c["params"] for c in self.calls_to("chat.postMessage")]

    @property
    def updates(self) -> list[dict]:
        return [c["params"] for c in self.calls_to("chat.update")]

    def route(self, method, params, headers, peer):
        status, extra, body = self._answer(method, params, headers)
        self.record({"method": method, "params": params, "ok": body.get("ok", False), "peer": peer})
        return status, extra, body

    def _answer(self, method, params, headers):
        if self.faults.mode == "refuse":
            return 200, {}, {"ok": False, "error": self.faults.error or "invalid_auth"}
        if method == "response_url":  # the URL is the credential, as Slack's hooks do
            return 200, {}, {"ok": True}
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 200, {}, {"ok": False, "error": "invalid_auth"}
        if method == "views.open":
            if not params.get("trigger_id") or not params.get("view"):
                return 200, {}, {"ok": False, "error": "invalid_arguments"}
            view = (
                params["view"] if isinstance(params["view"], dict) else json.loads(params["view"])
            )
            return 200, {}, {"ok": True, "view": {"id": f"V{next(self._ts):08d}", **view}}
        if method == "users.lookupByEmail":
            user_id = self.users.get(params.get("email", "").lower())
            if not user_id:
                return 200, {}, {"ok": False, "error": "users_not_found"}
            return 200, {}, {"ok": True, "user": {"id": user_id, "profile": {}}}
        channel = self.channels.get(params.get("channel", ""))
        if channel is None:
            return 200, {}, {"ok": False, "error": "channel_not_found"}
        if method == "chat.postMessage":
            ts = f"{1700000000 + next(self._ts)}.000100"
            message = {"type": "message", "text": params.get("text", ""), "ts": ts}
            if params.get("thread_ts"):
                message["thread_ts"] = params["thread_ts"]
            self.messages[ts] = message
            return 200, {}, {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "chat.postEphemeral":
            if not params.get("user"):
                return 200, {}, {"ok": False, "error": "user_not_in_channel"}
            return 200, {}, {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}
        if method == "chat.update":
            message = self.messages.get(params.get("ts", ""))
            if message is None:
                return 200, {}, {"ok": False, "error": "message_not_found"}
            message["text"] = params.get("text", "")
            return (
                200,
                {},
                {"ok": True, "channel": channel, "ts": message["ts"], "text": message["text"]},
            )
        return 404, {}, {"ok": False, "error": "unknown_method"}


E164 = re.compile(r"^\+[1-9]\d{7,14}$")


class TwilioServer(_HttpServer):
    """POST /2010-04-01/Accounts/{sid}/Messages.json, answered as Twilio's REST API does."""

    def __init__(self, account_sid: str = "AC" + "0" * 32, auth_token: str = "loopback-token"):
        super().__init__()
        self.account_sid = account_sid
        self.auth_token = auth_token
        self._sid = itertools.count(1)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def method_of(self, path: str) -> str:
        return "messages.create" if path.endswith("/Messages.json") else path

    def rate_limited_body(self) -> dict:
        return _twilio_error(20429, "Too Many Requests", 429)

    @property
    def messages(self) -> list[dict]:
        return [c["params"] for c in self.calls_to("messages.create")]

    def route(self, method, params, headers, peer):
        expected = base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        if headers.get("Authorization") != f"Basic {expected}":
            return 401, {}, _twilio_error(20003, "Authenticate", 401)
        if method != "messages.create":
            return 404, {}, _twilio_error(20404, "The requested resource was not found", 404)
        if self.faults.mode == "refuse" or not E164.match(params.get("To", "")):
            code = int(self.faults.error or 21211)
            return 400, {}, _twilio_error(code, "The 'To' number is not a valid phone number.", 400)
        self.record({"method": method, "params": params, "peer": peer})
        sid = f"SM{next(self._sid):032x}"
        return (
            201,
            {},
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": params["To"],
                "from": params.get("From"),
                "body": params.get("Body", ""),
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
        )


def _twilio_error(code: int, message: str, status: int) -> dict:
    return {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }


class SmtpServer:
    """An aiosmtpd server that keeps every accepted message (parsed, with the client's address as
    `peer`) and fails on demand: "down", "refuse" (550 for every recipient), "451" (try again
    later), "hang" (past the client's timeout), "slow", or "drop" (after `after` messages on one
    connection, the next MAIL FROM is answered 421 and the connection closed, as a server with a
    per-connection limit, or one shutting down, does). `quits` counts the clients that said QUIT.

    A message is parsed when `messages` is first read, not while the client waits, so the server
    answers at once and a benchmark measures the client, not the parser."""

    def __init__(self):
        self.port = free_port()
        self.faults = Faults()
        self._received: list[tuple[bytes, dict]] = []  # (content, attributes) as accepted
        self._parsed: list[email.message.EmailMessage] = []  # the first ones, parsed
        self.hung: list[bytes] = []
        self.quits = 0
        self._lock = threading.Lock()
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=0"

    def start(self):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every recipient
        self._controller = Controller(_SmtpHandler(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self):
        self.faults.release.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def fail(self, mode: str, *, delay: float = 0.0, after: int = 0):
        self.recover()
        self.faults.release.clear()
        if mode == "slow":
            self.faults.delay = delay
        else:
            self.faults.mode, self.faults.after = mode, after
        if mode == "down":
            self.stop()

    def recover(self):
        was_down = self.faults.mode == "down"
        self.faults.mode, self.faults.delay, self.faults.after = "", 0.0, 0
        self.faults.release.set()
        if was_down:
            self.start()

    def forget(self):
        """Drop everything recorded so far."""
        with self._lock:
            self._received.clear()
            self._parsed.clear()
            self.hung.clear()
            self.quits = 0

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        """Every accepted message, parsed, with `received_at`, `envelope_to` (the RCPT TO
        addresses, as sent) and `peer`."""
        with self._lock:
            for content, attributes in self._received[len(self._parsed) :]:
                message = email.message_from_bytes(content, policy=email.policy.default)
                message.__dict__.update(attributes)
                self._parsed.append(message)
            return list(self._parsed)

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    wait_for = _HttpServer.wait_for


class _SmtpHandler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        faults = self.server.faults
        if faults.mode == "drop" and getattr(session, "accepted", 0) >= faults.after:
            asyncio.get_running_loop().call_soon(server.transport.close)  # once this is answered
            return "421 4.7.0 Too many messages on this connection, closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        with self.server._lock:
            self.server.quits += 1
        return "221 Bye"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.server.faults.mode
        if mode == "refuse":
            return "550 5.1.1 Mailbox unavailable"
        if mode == "451":
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        faults = self.server.faults
        if faults.mode == "hang":
            with self.server._lock:
                self.server.hung.append(envelope.content)
            await asyncio.get_running_loop().run_in_executor(
                None, faults.release.wait, HANG_SECONDS
            )
            return "451 4.3.0 Timed out"
        attributes = {
            "received_at": time.time(),
            "envelope_to": list(envelope.rcpt_tos),
            "peer": session.peer,
        }
        session.accepted = getattr(session, "accepted", 0) + 1
        with self.server._lock:
            self.server._received.append((envelope.content, attributes))
        if faults.delay:
            await asyncio.sleep(faults.delay)
        return "250 Message accepted for delivery"


def channel_settings(slack: SlackServer, smtp: SmtpServer, twilio: TwilioServer) -> dict:
    """The environment (settings names) that points every channel at these servers."""
    return {
        "SLACK_BOT_TOKEN": slack.token,
        "SLACK_API_URL": slack.url,
        "EMAIL_URL": smtp.url,
        "TWILIO_ACCOUNT_SID": twilio.account_sid,
        "TWILIO_AUTH_TOKEN": twilio.auth_token,
        "TWILIO_FROM_NUMBER": "+12012100199",
        "TWILIO_API_URL": twilio.url,
    }
