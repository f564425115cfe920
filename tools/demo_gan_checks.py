#!/usr/bin/env python3
# The demo generator's quality read-outs (tools/train_demo_gan.py hue and fidelity): background hue per class of an
# ImageFolder, and class fidelity of generated folders under a small CNN trained on the natural training split.
"""Imported by tools/train_demo_gan.py, whose command line runs these (`hue`, `fidelity`)."""
import colorsys
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def load_image_folder(folder):
    """All JPEGs of an ImageFolder tree as a [N, 3, H, W] tensor in [-1, 1] and their labels (sorted classes)."""
    from PIL import Image
    classes = sorted(entry for entry in os.listdir(folder) if os.path.isdir(os.path.join(folder, entry)))
    images, labels = [], []
    for label, name in enumerate(classes):
        for file_name in sorted(os.listdir(os.path.join(folder, name))):
            with Image.open(os.path.join(folder, name, file_name)) as image:
                images.append(np.asarray(image.convert("RGB"), dtype=np.uint8))
            labels.append(label)
    if not images:
        sys.exit(f"{folder}: no images in its class folders")
    pixels = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    return pixels.contiguous(), torch.tensor(labels, dtype=torch.long), classes


def border_hue(image, ring=2):
    """Hue in degrees of the mean colour of the image's outer ring (background; objects sit near the centre)."""
    mask = np.ones(image.shape[:2], dtype=bool)
    mask[ring:-ring, ring:-ring] = False
    red, green, blue = image[mask].mean(axis=0) / 255.0
    return colorsys.rgb_to_hsv(red, green, blue)[0] * 360.0


def hue_report(folder, bins=12):
    from PIL import Image
    classes = sorted(entry for entry in os.listdir(folder) if os.path.isdir(os.path.join(folder, entry)))
    histograms = np.zeros((len(classes), bins), dtype=np.int64)
    per_class = {}
    for label, name in enumerate(classes):
        hues = []
        for file_name in sorted(os.listdir(os.path.join(folder, name))):
            with Image.open(os.path.join(folder, name, file_name)) as image:
                hues.append(border_hue(np.asarray(image.convert("RGB"), dtype=np.float64)))
        angles = np.radians(hues)
        resultant = np.hypot(np.cos(angles).mean(), np.sin(angles).mean())
        mean = math.degrees(math.atan2(np.sin(angles).mean(), np.cos(angles).mean())) % 360.0
        histograms[label] = np.histogram(hues, bins=bins, range=(0.0, 360.0))[0]
        per_class[name] = dict(images=len(hues), circular_mean_hue=round(mean, 1),
                               resultant_length=round(float(resultant), 3),
                               histogram=histograms[label].tolist())
    # How well the hue bin alone predicts the label: majority label per bin (in-sample, the manifest's measure).
    majority_accuracy = histograms.max(axis=0).sum() / histograms.sum()
    empty_bins = int((histograms == 0).sum())
    return dict(folder=folder, bins_of_degrees=360 // bins, hue_bin_majority_accuracy=round(float(majority_accuracy), 3),
                empty_class_bins=empty_bins, classes=per_class)


def hue(arguments):
    for folder in arguments.folder:
        print(json.dumps(hue_report(folder)))


def small_classifier(num_classes):
    def stage(inputs, outputs):
        return [nn.Conv2d(inputs, outputs, 3, padding=1), nn.BatchNorm2d(outputs), nn.ReLU(),
                nn.Conv2d(outputs, outputs, 3, padding=1), nn.BatchNorm2d(outputs), nn.ReLU()]
    return nn.Sequential(*stage(3, 16), nn.MaxPool2d(2), *stage(16, 32), nn.MaxPool2d(2), *stage(32, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, num_classes))


def fidelity(arguments):
    """Class fidelity: a small CNN trained on the natural training split classifies generated ImageFolders."""
    torch.set_num_threads(arguments.threads)
    torch.set_flush_denormal(True)
    torch.manual_seed(arguments.seed)
    images, labels, classes = load_image_folder(arguments.train)
    model = small_classifier(len(classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = torch.Generator().manual_seed(arguments.seed)
    model.train()
    for epoch in range(arguments.epochs):
        order = torch.randperm(images.shape[0], generator=rng)
        for start in range(0, images.shape[0], 64):
            picks = order[start:start + 64]
            loss = F.cross_entropy(model(images[picks]), labels[picks])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        print(f"classifier epoch {epoch + 1}/{arguments.epochs}: last loss {float(loss):.3f}", file=sys.stderr)
    model.eval()
    for folder in arguments.folder:
        folder_images, folder_labels, folder_classes = load_image_folder(folder)
        if folder_classes != classes:
            sys.exit(f"{folder}: class folders {folder_classes} differ from {arguments.train}'s")
        with torch.no_grad():
            predicted = torch.cat([model(folder_images[start:start + 256]).argmax(dim=1)
                                   for start in range(0, folder_images.shape[0], 256)])
        per_class = [round(float((predicted[folder_labels == label] == label).float().mean()), 3)
                     for label in range(len(classes))]
        print(json.dumps(dict(folder=folder, images=int(folder_images.shape[0]),
                              top1=round(float((predicted == folder_labels).float().mean()), 4),
                              per_class_top1=per_class)))
