#!/usr/bin/python3
# Writes reference outputs of the eleven Tiny-ImageNet-C corruptions fashion-scenes implements, every severity, at
# 64x64 (the definitions' own size) and 32x32 (our scaling rule), for tests/io/scenes/corruption_golden_test.cpp.
"""Run from the repository root with Debian's python3-numpy, python3-scipy, python3-skimage and python3-pil:

   /usr/bin/python3 tools/golden/make_corruption_goldens.py

The reference is Hendrycks & Dietterich (2019), make_tinyimagenet_c.py (the 64x64 re-tuning of ImageNet-C), re-written
here with numpy, scipy, scikit-image and Pillow. Its random numbers come from fixed noise streams stored in the golden
file instead of numpy's global generator, so that the C++ side (io/scenes/corruptions.h, CorruptionNoise) can be fed
the very same numbers: no test hopes that two generators agree.

What this re-implementation is sure of (read off the published definitions and the libraries they call):
  * severity tables: gaussian sigma .04 .08 .12 .15 .18; shot photons 250 100 50 30 15; impulse amount .01 .02 .05
    .08 .14; defocus (radius, alias blur) (.5,.6) (1,.1) (1.5,.1) (2.5,.01) (3,.1); glass (sigma, delta, iterations)
    (.1,1,1) (.5,1,1) (.6,1,2) (.7,2,1) (.9,2,2); motion (radius, sigma) (10,1) (10,1.5) (10,2) (10,2.5) (12,3);
    zoom np.arange(1, 1.06|1.11|1.16|1.21|1.26, .01); brightness +.1 .. +.5 on HSV value; contrast .4 .3 .2 .1 .05;
    pixelate .9 .8 .7 .6 .5; JPEG quality 65 58 50 40 25.
  * np.arange(1, 1.06, .01) and np.arange(1, 1.11, .01) hold 7 and 12 factors (1.00..1.06, 1.00..1.11: the float
    length rounds up), not 6 and 11; the others 16, 21, 26.
  * glass blur's `x[h, w], x[h', w'] = x[h', w'], x[h, w]` on numpy rows is no swap: the right side is two views, so
    x[h, w] receives the neighbour and the neighbour keeps its value (checked below on this numpy). The first blur's
    result is truncated to uint8 (np.uint8) before the shuffle.
  * skimage.filters.gaussian is scipy.ndimage.gaussian_filter, mode 'nearest', truncate 4 (radius int(4 sigma + .5)).
  * defocus: disk() on the 17x17 grid for radius <= 8, softened by cv2.GaussianBlur 3x3 (BORDER_REFLECT_101), then
    cv2.filter2D per channel (correlation, BORDER_REFLECT_101 = scipy 'mirror').
  * zoom: clipped_zoom() crops ceil(h / z) pixels at (h - ch) // 2, scipy.ndimage.zoom order 1 (grid_mode False:
    corner-aligned, so the effective factor is (out - 1) / (ch - 1)), and trims (out - h) // 2 from the top left.
  * brightness uses skimage.color.rgb2hsv / hsv2rgb; pixelate resizes with PIL's BOX filter both ways; JPEG goes
    through PIL (Debian's Pillow, libjpeg-turbo).
  * impulse noise is skimage.util.random_noise(mode='s&p', amount): flipped = U <= amount, salted = U' <= .5, both
    fields drawn whole, flipped first.
What is reconstructed rather than read off:
  * motion blur calls ImageMagick's MotionBlurImage through Wand; re-written here from ImageMagick's effect.c: width
    2 ceil(radius) + 1, one-sided weights exp(-i^2 / 2 sigma^2) normalised, tap i at (ceil(i cos a - .5),
    ceil(i sin a - .5)) pixels (x right, y down), edge pixels repeated outside the image (ImageMagick's default
    virtual-pixel method). Its rounding is modelled as ImageMagick 6 Q16 does it: the sum of weight * 257 * value
    rounded to a 16-bit quantum, and the 8-bit PNG that Wand hands back holding quantum // 257 (so the result is
    about the floor of the float sum, not its rounding). When ImageMagick's `convert` is installed (Debian package
    imagemagick), the script compares this model with `convert -motion-blur` on every motion case and refuses to
    write the golden if any value differs (Debian's 6.9.11 Q16 agreed on all of them when the golden was made).
  * Poisson draws: numpy samples them by its own algorithm; here the law is realised by inversion, k = #{j : F(j) <=
    U} with F the Poisson CDF (scipy.special.pdtr), so one uniform per value decides the count on both sides.
  * our 32x32 rule (io/scenes/corruptions.cpp): blur radii and sigmas, glass shuffle distance and the motion streak
    scale with size / 64 (the glass distance rounded, at least 1; the defocus anti-alias sigma is not scaled);
    pixelate keeps int(size * factor) pixels; glass blur's loops run over range(size - delta, delta, -1).
  * outputs are float in [0, 255] (uint8 for PIL's and ImageMagick's); the original then stored np.uint8(x), which
    truncates. The golden keeps round-half-even of the float (what the C++ writes); the test's tolerances are in
    grey levels against that.

Written under tests/data/golden/io/corruptions/ (about 300 KB):
  reference.safetensors       image.64, image.32: uint8 HWC inputs (a fashion-scenes-like picture: tinted stripes,
                              a shaded garment, saturated corners);
                              noise.normal_codes int16: standard normals, value = code / 4096;
                              noise.uniform_codes uint16: uniforms in (0, 1), value = (code + .5) / 65536;
                              noise.byte_codes uint8: integers in [low, high) as low + code % (high - low) (high -
                              low divides 256); metadata "cases" (JSON): per size, corruption and severity, the noise
                              the case consumed (each case reads every stream from its start) and its parameters.
  <size>/<corruption>.png     the reference outputs, severities 1..5 left to right (size x 5 size RGB).
Pointwise corruptions (the noises, brightness, contrast) do not depend on the image size and are written at 32 only;
the spatial ones (blurs, pixelate, JPEG) at 64 and 32.
"""
import io
import json
import os
import shutil
import struct
import subprocess
import tempfile

import numpy as np
import scipy.ndimage as ndi
import scipy.special
import skimage.color
import skimage.filters
from PIL import Image

COMMAND = "/usr/bin/python3 tools/golden/make_corruption_goldens.py"
OUTPUT = os.path.join("tests", "data", "golden", "io", "corruptions")
SIZES = (64, 32)
CORRUPTIONS = ["gaussian_noise", "shot_noise", "impulse_noise", "defocus_blur", "glass_blur", "motion_blur",
               "zoom_blur", "brightness", "contrast", "pixelate", "jpeg_compression"]
POINTWISE = {"gaussian_noise", "shot_noise", "impulse_noise", "brightness", "contrast"}
# Longest needs: a 32x32 image's values (noises), two such fields (impulse), 64x64 glass blur's 2 x 62 x 62 pairs.
NORMAL_COUNT, UNIFORM_COUNT, BYTE_COUNT = 32 * 32 * 3, 2 * 32 * 32 * 3, 2 * 62 * 62 * 2

GAUSSIAN = [0.04, 0.08, 0.12, 0.15, 0.18]
SHOT = [250, 100, 50, 30, 15]
IMPULSE = [0.01, 0.02, 0.05, 0.08, 0.14]
DEFOCUS = [(0.5, 0.6), (1, 0.1), (1.5, 0.1), (2.5, 0.01), (3, 0.1)]
GLASS = [(0.1, 1, 1), (0.5, 1, 1), (0.6, 1, 2), (0.7, 2, 1), (0.9, 2, 2)]
MOTION = [(10, 1), (10, 1.5), (10, 2), (10, 2.5), (12, 3)]
ZOOM_STOPS = [1.06, 1.11, 1.16, 1.21, 1.26]
BRIGHTNESS = [0.1, 0.2, 0.3, 0.4, 0.5]
CONTRAST = [0.4, 0.3, 0.2, 0.1, 0.05]
PIXELATE = [0.9, 0.8, 0.7, 0.6, 0.5]
JPEG = [65, 58, 50, 40, 25]


class Noise:
    """The stored streams, read from their start by each case, with counts of what was taken."""

    def __init__(self, normal_codes, uniform_codes, byte_codes):
        self.normal_values = normal_codes.astype(np.float64) / 4096.0
        self.uniform_values = (uniform_codes.astype(np.float64) + 0.5) / 65536.0
        self.byte_codes = byte_codes.astype(np.int64)
        self.used = {"normals": 0, "uniforms": 0, "integers": 0}

    def take(self, kind, stream, count):
        start = self.used[kind]
        assert start + count <= len(stream), f"the {kind} stream is too short"
        self.used[kind] = start + count
        return stream[start:start + count]

    def normals(self, count):
        return self.take("normals", self.normal_values, count)

    def uniforms(self, count):
        return self.take("uniforms", self.uniform_values, count)

    def integers(self, low, high, count):  # as np.random.randint(low, high, size=count)
        assert 256 % (high - low) == 0
        return low + self.take("integers", self.byte_codes, count) % (high - low)


def scene_image(size, seed):
    """Tinted stripes behind a shaded, rotated garment-like shape with a few hard edges, saturated corners (0 and 255
    in some channel) so that clipping is exercised, as fashion-scenes' pictures have them."""
    rng = np.random.default_rng(seed)
    y, x = (np.mgrid[0:size, 0:size] + 0.5) / size
    angle = rng.uniform(0, np.pi)
    stripes = 0.5 + 0.5 * np.sin(2 * np.pi * 3.5 * (x * np.cos(angle) + y * np.sin(angle)))
    hue = rng.uniform(0, 1)
    hsv = np.stack([np.full_like(x, hue), np.full_like(x, 0.7), 0.45 + 0.5 * stripes], axis=-1)
    image = skimage.color.hsv2rgb(hsv)
    u, v = (x - 0.5) * np.cos(0.4) + (y - 0.55) * np.sin(0.4), -(x - 0.5) * np.sin(0.4) + (y - 0.55) * np.cos(0.4)
    body = (np.abs(u) < 0.18 + 0.1 * (v > 0)) & (np.abs(v) < 0.3)
    sleeves = (np.abs(v + 0.2) < 0.07) & (np.abs(u) < 0.33)
    garment = body | sleeves
    shade = 0.35 + 0.55 * np.clip(1 - 2.2 * np.hypot(u, v + 0.1), 0, 1)
    image[garment] = shade[garment, None] * np.array([0.9, 0.85, 0.8])
    corner = size // 8
    image[:corner, :corner] = [1.0, 1.0, 0.0]
    image[-corner:, -corner:] = [0.0, 0.05, 1.0]
    return np.round(image * 255).astype(np.uint8)


def scaled(value, size):
    return value * size / 64.0


def glass_delta(delta, size):
    return max(1, int(np.floor(scaled(delta, size) + 0.5)))  # lround: half away from zero (values are positive)


def gaussian_noise(image, severity, noise):
    x = image / 255.0
    z = noise.normals(x.size).reshape(x.shape)
    return np.clip(x + z * GAUSSIAN[severity - 1], 0, 1) * 255


def poisson_by_inversion(mean, uniform):
    """k = #{j >= 0 : F(j) <= u}: the smallest k with F(k) > u, F the Poisson CDF of `mean`."""
    count = np.zeros(mean.shape, np.int64)
    top = int(np.ceil(mean.max() + 12 * np.sqrt(mean.max()) + 30))
    for j in range(top):
        below = scipy.special.pdtr(j, mean) <= uniform
        if not below.any():
            break
        count += below
    return count


def shot_noise(image, severity, noise):
    photons = SHOT[severity - 1]
    x = image / 255.0
    u = noise.uniforms(x.size).reshape(x.shape)
    return np.clip(poisson_by_inversion(x * photons, u) / photons, 0, 1) * 255


def impulse_noise(image, severity, noise):
    x = image / 255.0
    flipped = noise.uniforms(x.size).reshape(x.shape) <= IMPULSE[severity - 1]
    salted = noise.uniforms(x.size).reshape(x.shape) <= 0.5
    out = x.copy()
    out[flipped & salted] = 1.0
    out[flipped & ~salted] = 0.0
    return np.clip(out, 0, 1) * 255


def opencv_gaussian_weights(ksize, sigma):
    """cv2.getGaussianKernel(ksize, sigma, CV_32F) for sigma > 0: computed in double, stored as float32."""
    position = np.arange(ksize) - (ksize - 1) * 0.5
    weights = np.exp(-0.5 / (sigma * sigma) * position * position)
    return (weights / weights.sum()).astype(np.float32)


def disk(radius, alias_blur, size_grid=8):
    grid = np.arange(-size_grid, size_grid + 1) if radius <= 8 else np.arange(-radius, radius + 1)
    ksize = 3 if radius <= 8 else 5
    gx, gy = np.meshgrid(grid, grid)
    aliased = np.array(gx ** 2 + gy ** 2 <= radius ** 2, dtype=np.float32)
    aliased /= np.sum(aliased)
    weights = opencv_gaussian_weights(ksize, alias_blur).astype(np.float64)
    blurred = ndi.correlate1d(aliased.astype(np.float64), weights, axis=1, mode="mirror")
    return ndi.correlate1d(blurred, weights, axis=0, mode="mirror").astype(np.float32)


def defocus_blur(image, severity, noise, size):
    radius, alias_blur = DEFOCUS[severity - 1]
    kernel = disk(scaled(radius, size), alias_blur).astype(np.float64)
    x = image / 255.0
    channels = [ndi.correlate(x[:, :, c], kernel, mode="mirror") for c in range(3)]
    return np.clip(np.stack(channels, axis=-1), 0, 1) * 255


def glass_blur(image, severity, noise, size):
    sigma, delta, iterations = GLASS[severity - 1]
    sigma, delta = scaled(sigma, size), glass_delta(delta, size)
    x = np.uint8(skimage.filters.gaussian(image / 255.0, sigma=sigma, channel_axis=-1) * 255)
    for _ in range(iterations):
        for h in range(size - delta, delta, -1):
            for w in range(size - delta, delta, -1):
                dx, dy = noise.integers(-delta, delta, 2)
                x[h, w] = x[h + dy, w + dx]  # what the original's tuple "swap" does (check_numpy_row_swap)
    return np.clip(skimage.filters.gaussian(x / 255.0, sigma=sigma, channel_axis=-1), 0, 1) * 255


def motion_taps(radius, sigma, angle):
    """ImageMagick's MotionBlurImage kernel: weights and integer (dx, dy) offsets of its taps."""
    width = int(2 * np.ceil(radius) + 1)
    index = np.arange(width, dtype=np.float64)
    weights = np.exp(-(index * index) / (2.0 * sigma * sigma)) / (np.sqrt(2 * np.pi) * sigma)
    total = 0.0
    for weight in weights:  # ImageMagick sums one after the other (numpy's sum would pair them)
        total += weight
    weights /= total
    point_x, point_y = width * np.sin(np.pi * angle / 180.0), width * np.cos(np.pi * angle / 180.0)
    length = np.hypot(point_x, point_y)
    dx = np.ceil(index * point_y / length - 0.5).astype(np.int64)
    dy = np.ceil(index * point_x / length - 0.5).astype(np.int64)
    return weights, dx, dy


def motion_blur(image, severity, noise, size, case):
    """ImageMagick sums in 16-bit quanta (value * 257), rounds to a quantum, and its 8-bit PNG keeps quantum // 257."""
    radius, sigma = MOTION[severity - 1]
    angle = -45.0 + 90.0 * noise.uniforms(1)[0]  # np.random.uniform(-45, 45)
    case["angle"] = angle
    weights, dx, dy = motion_taps(scaled(radius, size), scaled(sigma, size), angle)
    rows, columns = np.arange(size)[:, None], np.arange(size)[None, :]
    quanta = 257.0 * image.astype(np.float64)
    total = np.zeros(image.shape, np.float64)
    for weight, step_x, step_y in zip(weights, dx, dy):
        total += weight * quanta[np.clip(rows + step_y, 0, size - 1), np.clip(columns + step_x, 0, size - 1)]
    return (np.clip(np.floor(total + 0.5), 0, 65535).astype(np.int64) // 257).astype(np.uint8)


def clipped_zoom(image, zoom_factor):
    h = image.shape[0]
    ch = int(np.ceil(h / zoom_factor))
    top = (h - ch) // 2
    zoomed = ndi.zoom(image[top:top + ch, top:top + ch], (zoom_factor, zoom_factor, 1), order=1)
    trim_top = (zoomed.shape[0] - h) // 2
    return zoomed[trim_top:trim_top + h, trim_top:trim_top + h]


def zoom_blur(image, severity, noise, case):
    factors = np.arange(1, ZOOM_STOPS[severity - 1], 0.01)
    case["zoom_factors"] = [float(factor) for factor in factors]
    x = (image / 255.0).astype(np.float32)
    out = np.zeros_like(x)
    for factor in factors:
        out += clipped_zoom(x, factor)
    return np.clip((x + out) / (len(factors) + 1), 0, 1) * 255


def brightness(image, severity):
    hsv = skimage.color.rgb2hsv(image / 255.0)
    hsv[:, :, 2] = np.clip(hsv[:, :, 2] + BRIGHTNESS[severity - 1], 0, 1)
    return np.clip(skimage.color.hsv2rgb(hsv), 0, 1) * 255


def contrast(image, severity):
    x = image / 255.0
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return np.clip((x - means) * CONTRAST[severity - 1] + means, 0, 1) * 255


def pixelate(image, severity, size, case):
    reduced = int(size * PIXELATE[severity - 1])
    case["reduced"] = reduced
    picture = Image.fromarray(image).resize((reduced, reduced), Image.BOX)
    return np.asarray(picture.resize((size, size), Image.BOX))


def jpeg_compression(image, severity):
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "JPEG", quality=JPEG[severity - 1])
    return np.asarray(Image.open(buffer).convert("RGB"))


def corrupt(name, image, severity, noise, size, case):
    if name == "gaussian_noise":
        return gaussian_noise(image, severity, noise)
    if name == "shot_noise":
        return shot_noise(image, severity, noise)
    if name == "impulse_noise":
        return impulse_noise(image, severity, noise)
    if name == "defocus_blur":
        return defocus_blur(image, severity, noise, size)
    if name == "glass_blur":
        return glass_blur(image, severity, noise, size)
    if name == "motion_blur":
        return motion_blur(image, severity, noise, size, case)
    if name == "zoom_blur":
        return zoom_blur(image, severity, noise, case)
    if name == "brightness":
        return brightness(image, severity)
    if name == "contrast":
        return contrast(image, severity)
    if name == "pixelate":
        return pixelate(image, severity, size, case)
    return jpeg_compression(image, severity)


def check_numpy_row_swap():
    """The glass-blur statement on this numpy: the left pixel gets the right one's value, the right one keeps its."""
    rows = np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
    rows[0, 0], rows[1, 1] = rows[1, 1], rows[0, 0]
    assert rows[0, 0].tolist() == [9, 10, 11] and rows[1, 1].tolist() == [9, 10, 11], rows


def imagemagick_motion(image, radius, sigma, angle):
    """ImageMagick's own motion blur of `image` (convert -motion-blur), or None without ImageMagick."""
    convert = shutil.which("convert")
    if convert is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        source, target = os.path.join(folder, "in.png"), os.path.join(folder, "out.png")
        Image.fromarray(image).save(source)
        result = subprocess.run([convert, source, "-motion-blur", f"{radius!r}x{sigma!r}{angle:+.17g}", target],
                                capture_output=True)
        if result.returncode != 0 or not os.path.exists(target):
            return None
        return np.asarray(Image.open(target).convert("RGB"))


def compare_with_imagemagick(images, streams):
    """Every motion case of the golden against ImageMagick itself; None when it is not installed."""
    differing, values = 0, 0
    for size, image in images.items():
        for severity in range(1, 6):
            case = {}
            ours = motion_blur(image, severity, Noise(*streams), size, case)
            radius, sigma = MOTION[severity - 1]
            theirs = imagemagick_motion(image, scaled(radius, size), scaled(sigma, size), case["angle"])
            if theirs is None:
                print("ImageMagick's convert is not installed (or failed): the motion blur model is not checked")
                return None
            differing, values = differing + int((ours != theirs).sum()), values + ours.size
    summary = f"{differing} of {values} values differ from convert -motion-blur ({imagemagick_version()})"
    print(f"motion_blur model vs ImageMagick: {summary}")
    if differing:
        raise SystemExit("the motion blur model no longer matches ImageMagick: not writing the golden")
    return summary


def imagemagick_version():
    lines = subprocess.run([shutil.which("convert"), "-version"], capture_output=True, text=True).stdout.splitlines()
    return lines[0].replace("Version: ", "").split(" https")[0] if lines else "unknown version"


def write_safetensors(path, tensors, metadata):
    """Hand-written safetensors: 8-byte little-endian header length, JSON header, then the raw data."""
    names = {np.dtype(np.uint8): "U8", np.dtype(np.int16): "I16", np.dtype(np.uint16): "U16"}
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for key, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": names[array.dtype], "shape": list(array.shape),
                       "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(header_bytes)))
        file.write(header_bytes)
        for blob in blobs:
            file.write(blob)
    return 8 + len(header_bytes) + offset


def main():
    check_numpy_row_swap()
    rng = np.random.default_rng(20190328)
    normal_codes = np.round(np.clip(rng.standard_normal(NORMAL_COUNT), -7.99, 7.99) * 4096).astype(np.int16)
    uniform_codes = rng.integers(0, 65536, UNIFORM_COUNT).astype(np.uint16)
    byte_codes = rng.integers(0, 256, BYTE_COUNT).astype(np.uint8)
    streams = (normal_codes, uniform_codes, byte_codes)
    images = {size: scene_image(size, size) for size in SIZES}
    tensors = {f"image.{size}": image for size, image in images.items()}
    tensors.update({"noise.normal_codes": normal_codes, "noise.uniform_codes": uniform_codes,
                    "noise.byte_codes": byte_codes})
    cases, written = [], 0
    for size, image in images.items():
        os.makedirs(os.path.join(OUTPUT, str(size)), exist_ok=True)
        for name in CORRUPTIONS:
            if name in POINTWISE and size != 32:
                continue
            outputs = []
            for severity in range(1, 6):
                noise = Noise(*streams)
                case = {"size": size, "corruption": name, "severity": severity}
                output = corrupt(name, image, severity, noise, size, case)
                assert output.shape == image.shape, (name, output.shape)
                outputs.append(np.rint(np.clip(np.asarray(output, np.float64), 0, 255)).astype(np.uint8))
                case.update(noise.used)
                cases.append(case)
            path = os.path.join(OUTPUT, str(size), name + ".png")
            Image.fromarray(np.concatenate(outputs, axis=1)).save(path, optimize=True)
            written += os.path.getsize(path)
    metadata = {"cases": json.dumps(cases), "command": COMMAND,
                "reference": "Hendrycks & Dietterich 2019, make_tinyimagenet_c.py; see the script's docstring"}
    summary = compare_with_imagemagick(images, streams)
    if summary is not None:
        metadata["motion_blur_vs_imagemagick"] = summary
    written += write_safetensors(os.path.join(OUTPUT, "reference.safetensors"), tensors, metadata)
    print(f"wrote {OUTPUT}: {len(cases)} cases, {written} bytes")


if __name__ == "__main__":
    main()
