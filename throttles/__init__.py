"""Throttle counters: how many hits each client (or address) made in its current window."""
