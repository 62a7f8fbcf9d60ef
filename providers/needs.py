"""What a client may ask for at intake and what a provider offers, in the same words.

One list of choices each, used by the referral (what the client asked), the provider profile
(who they see and how) and the API schema, so routing compares like with like.
"""

from django.db import models


class CareFor(models.TextChoices):
    ADULT = "adult", "Adult"
    TEEN = "teen", "Teen"
    CHILD = "child", "Child"
    COUPLE = "couple", "Couple"
    FAMILY = "family", "Family"


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    EITHER = "either", "Either"


# What a provider offers: in person, video (a client asking "either" fits both).
PROVIDER_MODALITIES = [(Modality.IN_PERSON, "In person"), (Modality.VIDEO, "Video")]
MAX_FOCUS_AREAS = 3
