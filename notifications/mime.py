"""Write an email message as the bytes Django's SMTP backend sends, for less CPU per message.

Django's backend flattens each message with `message.as_bytes(linesep="\\r\\n")`: the standard
library's generator under the compat32 policy. Two of its steps cost more than the rest of a
message together and repeat the same work on every message of the worker's email thread:

- folding each header line: compat32 builds an `email.header.Header` and encodes it for every
  header of every part, although most of them (each part's Content-Type, MIME-Version and
  Content-Transfer-Encoding, From, Reply-To, Auto-Submitted) are the same on every message;
- choosing a multipart boundary: the generator compiles a new regular expression for each random
  boundary, only to check that the boundary does not occur in the parts.

`as_smtp_bytes()` writes the same bytes with the same generator and the same policy, except that
a header line that repeats from one message to the next is folded once and then remembered, a
short printable ASCII line that compat32 would write unchanged is written as it is, and
a boundary that does not occur in the parts at all is taken without compiling an expression (the
standard check runs when it might occur). tests/delivery/test_email_bytes.py compares the result
with Django's for plain, non-ASCII and long-lined messages.
"""

import functools
import re
from email import generator
from email.policy import Compat32
from io import BytesIO

#: Headers whose value is the same on every message (or every part) the worker sends; the
#: others (Subject, To, Date, Message-ID, a multipart's Content-Type with its boundary) are
#: folded each time, and never kept in memory.
REPEATED = frozenset(
    {
        "Content-Type",
        "MIME-Version",
        "Content-Transfer-Encoding",
        "From",
        "Reply-To",
        "Auto-Submitted",
    }
)


class _RememberedFolds(Compat32):
    """compat32 with CRLF line ends (as Django writes a message for smtplib), remembering how it
    folded a repeated header line: folding is a function of the name and value alone."""

    def fold_binary(self, name, value):
        if isinstance(value, str):
            if name in REPEATED:
                return _fold_once(name, value)
            if _fits_as_is(name, value, self.max_line_length):
                return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


def _fits_as_is(name: str, value: str, max_line_length: int | None) -> bool:
    """True when compat32 would write the header line as `name: value` unchanged: printable
    ASCII (nothing to encode, no line breaks) and short enough not to be folded (the Date, To
    and Message-ID lines, a short Subject). Empty values and values with a space at either end
    go the standard way (only to keep the shortcut's claim narrow: tested against compat32)."""
    return (
        max_line_length is not None
        and len(name) + 2 + len(value) <= max_line_length
        and value.isascii()
        and value.isprintable()
        and value[:1] not in ("", " ")
        and value[-1:] != " "
    )


SMTP_POLICY = _RememberedFolds(linesep="\r\n")
_PLAIN_POLICY = Compat32(linesep="\r\n")


@functools.lru_cache(maxsize=64)
def _fold_once(name: str, value: str) -> bytes:
    return _PLAIN_POLICY.fold_binary(name, value)


class _Generator(generator.BytesGenerator):
    @classmethod
    def _make_boundary(cls, text=None):
        """The standard random boundary; when it does not occur in `text` at all, no line of
        `text` can be it, so the standard check (a regular expression compiled for this one
        boundary) is needed only when it does."""
        boundary = super()._make_boundary(None)
        if text is None or b"--" + boundary.encode("ascii") not in text:
            return boundary
        counter = 0
        candidate = boundary
        while re.search(b"^--" + re.escape(candidate.encode("ascii")) + b"(--)?$", text, re.M):
            candidate = f"{boundary}.{counter}"
            counter += 1
        return candidate


def as_smtp_bytes(message) -> bytes:
    """`message` (a Django `EmailMessage.message()`) as `message.as_bytes(linesep="\\r\\n")`
    writes it, byte for byte."""
    out = BytesIO()
    _Generator(out, mangle_from_=False, policy=SMTP_POLICY).flatten(message)
    return out.getvalue()
