"""Small real images made on the fly for upload tests."""

from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def image_upload(name="me.png", size=(640, 480), fmt="PNG") -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(out, fmt)
    return SimpleUploadedFile(name, out.getvalue(), content_type=f"image/{fmt.lower()}")
