"""Settings for the test suite: the real settings, in development mode.

Production is the default (`config/settings.py`), so the suite sets DEBUG=true before those
settings load. It goes into the environment, so the worker and server processes that tests start
inherit it; a test that passes its own DEBUG to a subprocess still wins.
"""

import os

os.environ.setdefault("DEBUG", "true")

from config.settings import *  # noqa: E402, F403
