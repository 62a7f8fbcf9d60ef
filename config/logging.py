"""Log timestamps in UTC, like everything else we store."""

import logging
import time


class UTCFormatter(logging.Formatter):
    converter = time.gmtime
