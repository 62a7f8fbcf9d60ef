"""One row per throttled key (scope and key, e.g. an intake form's client address): the hits in
its current window and when that window ends. Rows are written only by `throttles.counters`, one
statement a hit; the worker deletes those whose window ended (`forget_ended`)."""

from django.db import models


class Counter(models.Model):
    name = models.CharField(max_length=200, primary_key=True)  # "scope:key"
    hits = models.PositiveIntegerField()
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"{self.name}: {self.hits} until {self.window_ends:%Y-%m-%d %H:%M:%S}"
