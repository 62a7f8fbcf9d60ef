"""One small transport per channel, all behind the same interface (see base.py)."""
