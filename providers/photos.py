"""Turn an uploaded headshot into a `Photo`: checked, cropped square, re-encoded as JPEG.

Re-encoding drops EXIF (camera, location) and anything that is not an image; the fixed size lets
pages give every <img> its width and height.
"""

from io import BytesIO

from django.core.exceptions import ValidationError
from PIL import Image, ImageOps, UnidentifiedImageError

from providers.models import Photo

MAX_UPLOAD_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000


def photo_from_upload(upload) -> Photo:
    """Return an unsaved Photo made from an uploaded file, or raise ValidationError."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError("Please choose a photo smaller than 8 MB.")
    try:
        with Image.open(upload) as image:
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    "That photo has too many pixels; please choose a smaller one."
                )
            image = ImageOps.exif_transpose(image)
            square = ImageOps.fit(image.convert("RGB"), (Photo.SIZE, Photo.SIZE))
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError("Please choose a JPEG, PNG or WebP photo.") from exc
    out = BytesIO()
    square.save(out, "JPEG", quality=85, optimize=True)
    return Photo(data=out.getvalue(), width=Photo.SIZE, height=Photo.SIZE)
