"""Uploaded PNG and JPEG files are decoded to RGB or grey and resized into raw examples; anything else is refused."""

import cv2
import numpy as np
import pytest

from core.data.catalogue import load_dataset
from core.data.images import MAX_FILE_BYTES, decode_image, resize_for_model
from core.predict.drawing import PHOTO_WORKING_SIZE, digit_from_photo, light_background

GENERATOR = np.random.default_rng(0)
PHOTO = GENERATOR.integers(0, 256, (60, 40, 3), dtype=np.uint8)
"""An RGB image 60 tall and 40 wide, every pixel different enough that a channel swap would show."""


def encoded(image: np.ndarray, extension: str, *parameters: int) -> bytes:
    """The file OpenCV writes for an RGB(A) or grey image (OpenCV itself stores colour as BGR)."""
    if image.ndim == 3:
        image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR if image.shape[2] == 3 else cv2.COLOR_RGBA2BGRA)
    written, data = cv2.imencode(extension, image, list(parameters))
    assert written
    return data.tobytes()


def test_a_png_is_decoded_to_the_same_rgb_pixels():
    np.testing.assert_array_equal(decode_image(encoded(PHOTO, ".png")), PHOTO)


@pytest.mark.parametrize("progressive", [0, 1], ids=["baseline", "progressive"])
def test_a_jpeg_is_decoded_to_rgb_close_to_what_was_saved(progressive):
    bands = np.zeros((60, 40, 3), dtype=np.uint8)
    bands[:20, :, 0], bands[20:40, :, 1], bands[40:, :, 2] = 255, 255, 255  # Red, green and blue, top to bottom.
    decoded = decode_image(encoded(bands, ".jpg", cv2.IMWRITE_JPEG_PROGRESSIVE, progressive))
    assert decoded.shape == (60, 40, 3) and decoded.dtype == np.uint8
    assert np.abs(decoded.astype(int) - bands).mean() < 10, "lossy, but red is still red"


def test_a_photo_is_turned_upright_as_its_exif_orientation_says():
    """Phones store a portrait photo lying on its side, with an EXIF tag saying how to turn it."""
    top_band = np.zeros((60, 40, 3), dtype=np.uint8)
    top_band[:10] = 255
    data = encoded(top_band, ".jpg")
    exif = b"Exif\0\0MM\0\x2a\0\0\0\x08" + b"\0\x01" + b"\x01\x12\0\x03\0\0\0\x01\0\x06\0\0" + b"\0\0\0\0"
    # One entry: Orientation (0x0112), a short, 6 = turn 90° clockwise to view.
    with_orientation = data[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + data[2:]
    upright = decode_image(with_orientation)
    assert upright.shape == (40, 60, 3)
    assert upright[:, -5:].min() > 200 and upright[:, :50].max() < 50, "the top band is now on the right"


def test_a_grey_png_stays_grey():
    grey = PHOTO[..., 0]
    np.testing.assert_array_equal(decode_image(encoded(grey, ".png")), grey)


def test_a_transparent_png_loses_its_alpha_and_keeps_its_colours():
    with_alpha = np.dstack([PHOTO, GENERATOR.integers(0, 256, (60, 40), dtype=np.uint8)])
    np.testing.assert_array_equal(decode_image(encoded(with_alpha, ".png")), PHOTO)


def test_a_16_bit_png_becomes_8_bit():
    deep = PHOTO[..., 0].astype(np.uint16) * 257
    np.testing.assert_array_equal(decode_image(encoded(deep, ".png")), PHOTO[..., 0])


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", r"digit.png is empty \(0 bytes\): upload a PNG or JPEG image"),
        (GENERATOR.integers(0, 256, 1000, dtype=np.uint8).tobytes(), "digit.png is not a PNG or JPEG image"),
        (b"A digit: 7\n", r"is not a PNG or JPEG image \(its first bytes are b'A digit:'\): upload a photo"),
        (encoded(PHOTO, ".jpg")[:700], "starts like a JPEG image but cannot be decoded: it is damaged or cut short"),
        (encoded(PHOTO, ".jpg")[:20], "starts like a JPEG image but cannot be decoded"),
        (encoded(PHOTO, ".png")[:3000], "starts like a PNG image but cannot be decoded: it is damaged or cut short"),
        (b"\x89PNG\r\n\x1a\n", "starts like a PNG image but cannot be decoded"),
        (encoded(PHOTO, ".png").ljust(MAX_FILE_BYTES + 1, b"\0"), r"is 20.0 MB, more than the 20 MB Keras Lab reads"),
    ],
    ids=["empty", "random bytes", "text", "truncated JPEG", "JPEG header only", "truncated PNG", "PNG signature only",
         "over 20 MB"],
)
def test_what_cannot_be_read_is_refused_with_what_to_do(data, message):
    with pytest.raises(ValueError, match=message):
        decode_image(data, "digit.png")


def test_a_huge_png_is_refused_before_its_pixels_are_decoded():
    """60 megapixels of black compress to a few kilobytes but would take 60 MB once decoded (a decompression bomb)."""
    huge = encoded(np.zeros((10_000, 6_000), dtype=np.uint8), ".png")
    assert len(huge) < 1_000_000
    with pytest.raises(ValueError, match=r"is a 6000×10000 PNG, more than the 50 megapixels Keras Lab decodes"):
        decode_image(huge)


def test_a_jpeg_whose_header_declares_a_huge_size_is_refused_before_decoding():
    data = bytearray(encoded(PHOTO, ".jpg"))
    frame = data.index(b"\xff\xc0")  # Baseline start of frame: marker, length, precision, height, width.
    data[frame + 5:frame + 9] = (20_000).to_bytes(2, "big") + (30_000).to_bytes(2, "big")
    with pytest.raises(ValueError, match=r"the file is a 30000×20000 JPEG, more than the 50 megapixels"):
        decode_image(bytes(data))


@pytest.mark.parametrize("example_shape", [(28, 28), (28, 28, 1), (128, 128, 3), (90, 20, 3)])
@pytest.mark.parametrize("channels", ["rgb", "grey"])
def test_any_image_is_resized_to_exactly_a_models_example_shape(example_shape, channels):
    image = PHOTO if channels == "rgb" else PHOTO[..., 0]
    example = resize_for_model(image, example_shape)
    assert example.shape == example_shape and example.dtype == np.uint8


def test_colour_becomes_grey_by_luminance_and_grey_becomes_three_equal_channels():
    red = np.zeros((56, 56, 3), dtype=np.uint8)
    red[..., 0] = 255
    assert (resize_for_model(red, (28, 28)) == 76).all(), "0.299 × 255: red is a dark grey"
    grey = resize_for_model(red[..., 0], (28, 28, 3))
    assert (grey == 255).all()


def test_shrinking_averages_fine_detail_instead_of_picking_pixels():
    stripes = np.zeros((300, 300), dtype=np.uint8)
    stripes[:, ::2] = 255  # One-pixel stripes: only an average of them is right at 28×28.
    shrunk = resize_for_model(stripes, (28, 28)).astype(int)
    assert np.abs(shrunk - 127.5).max() <= 15


def test_enlarging_interpolates_smoothly():
    ramp = np.array([[0, 255]], dtype=np.uint8)
    enlarged = resize_for_model(ramp, (1, 8))
    assert (np.diff(enlarged.astype(int)) >= 0).all() and len(np.unique(enlarged)) > 2, "a gradient, not two blocks"


@pytest.mark.parametrize("example_shape", [(2,), (100,), (28, 28, 4), (28, 28, 2), (0, 28), (4, 28, 28, 1)])
def test_a_model_that_does_not_take_images_is_refused(example_shape):
    with pytest.raises(ValueError, match=r"does not take images: image models take \(height, width\)"):
        resize_for_model(PHOTO, example_shape)


@pytest.mark.parametrize(
    "image", [PHOTO.astype(np.float32), np.dstack([PHOTO, PHOTO[..., :1]]), np.zeros((0, 5), dtype=np.uint8)],
    ids=["float", "four channels", "empty"],
)
def test_what_decode_image_cannot_return_is_refused_for_resizing(image):
    with pytest.raises(ValueError, match=r"must be uint8 \(height, width\) grey or \(height, width, 3\) RGB"):
        resize_for_model(image, (28, 28))


def test_a_photo_of_dark_ink_on_paper_has_a_light_background_and_mnist_has_not():
    paper = np.full((400, 300), 200, dtype=np.uint8)
    paper[:, :6] = 60  # A shadow along one edge does not change what the paper is.
    cv2.putText(paper, "7", (60, 330), cv2.FONT_HERSHEY_SIMPLEX, 10, 20, 30)
    assert light_background(paper)
    assert not light_background(255 - paper)
    assert not any(light_background(digit) for digit in load_dataset("mnist").x_test[:100])


def test_light_background_wants_a_grey_image():
    with pytest.raises(ValueError, match=r"needs a grey uint8 \(height, width\) image, got uint8 of shape \(60, 40, 3"):
        light_background(PHOTO)


def photo_of_paper(digit: str | None) -> np.ndarray:
    """A 1200×900 RGB photo of paper lit unevenly (160 to 220 across), with camera noise, the digit in dark ink."""
    generator = np.random.default_rng(0)
    paper = np.linspace(160, 220, 1200)[np.newaxis, :] + generator.normal(0, 8, (900, 1200))
    ink = np.zeros((900, 1200), dtype=np.uint8)
    if digit is not None:
        cv2.putText(ink, digit, (350, 750), cv2.FONT_HERSHEY_SIMPLEX, 20, 255, 60, cv2.LINE_AA)
    grey = paper + (40 - paper) * (ink / 255)
    return np.clip(np.dstack([grey, grey * 0.97, grey * 0.9]), 0, 255).astype(np.uint8)


def test_a_photo_of_a_digit_on_paper_becomes_a_black_and_white_then_mnist_digit():
    steps, inverted = digit_from_photo(photo_of_paper("7"))
    assert inverted, "dark ink on light paper is inverted to MNIST's light ink on black"
    assert max(steps.grey.shape) == PHOTO_WORKING_SIZE
    assert set(np.unique(steps.grey)) == {0, 255}, "black and white, as NIST's scans were"
    assert steps.digit.shape == (28, 28) and max(steps.scaled.shape) == 20
    moments = cv2.moments(steps.digit)
    assert abs(moments["m10"] / moments["m00"] - 14) <= 0.5 and abs(moments["m01"] / moments["m00"] - 14) <= 0.5


def test_light_ink_on_a_dark_board_is_not_inverted_and_gives_the_same_digit():
    on_paper, _ = digit_from_photo(photo_of_paper("7"))
    chalk, inverted = digit_from_photo(255 - photo_of_paper("7"))
    assert not inverted
    np.testing.assert_array_equal(chalk.digit, on_paper.digit)


def test_a_grey_photo_is_read_like_a_colour_one():
    colour, _ = digit_from_photo(photo_of_paper("4"))
    grey, _ = digit_from_photo(cv2.cvtColor(photo_of_paper("4"), cv2.COLOR_RGB2GRAY))
    np.testing.assert_array_equal(grey.digit, colour.digit)


def test_a_photo_of_blank_paper_is_refused_although_its_light_and_noise_vary():
    with pytest.raises(ValueError, match="found no digit in blank.jpg: it looks blank. Upload a photo of one digit"):
        digit_from_photo(photo_of_paper(None), "blank.jpg")
