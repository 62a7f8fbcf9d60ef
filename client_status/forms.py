"""The status page's forms: what a client may send, checked before any service is called."""

from django import forms

from referrals.models import Referral

BEST_TIMES_MAX = Referral._meta.get_field("best_times").max_length


class BestTimesForm(forms.Form):
    best_times = forms.CharField(
        label="Best times to reach you",
        max_length=BEST_TIMES_MAX,
        help_text="For example: weekday mornings before 10, or any time after 5 PM.",
        error_messages={
            "required": "Please say when we can best reach you.",
            "max_length": f"Please keep it to {BEST_TIMES_MAX} characters.",
        },
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": BEST_TIMES_MAX}),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, close my request: I no longer need this",
        error_messages={"required": "Tick the box to confirm you want to close your request."},
    )
