"""Package files under MEDIA_ROOT: one folder per package file, named by its SHA-256."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

FOLDER = "packages"


def sha256_of(file) -> str:
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / FOLDER


def folder_path(folder: str) -> Path:
    return Path(settings.MEDIA_ROOT) / folder


def extract(file, sha256: str, names: list[str]) -> str:
    """Unpack the inspected ``names`` of the zip into the package's folder (once: a folder
    that exists already is the same content) and return the folder relative to MEDIA_ROOT.
    Written to a temporary folder first and renamed, so a half-written folder is never
    served."""
    target = root() / sha256
    relative = f"{FOLDER}/{sha256}"
    if target.is_dir():
        return relative
    root().mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=root()))
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            for name in names:
                destination = (temporary / name).resolve()
                if not destination.is_relative_to(temporary.resolve()):
                    raise ValueError(f"unsafe name {name!r}")  # inspection refused these
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(name) as source, open(destination, "wb") as out:
                    shutil.copyfileobj(source, out, 1024 * 1024)
        try:
            os.rename(temporary, target)
        except OSError:
            if not target.is_dir():
                raise
            shutil.rmtree(temporary, ignore_errors=True)  # a parallel upload of the same file
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return relative


def resolve(folder: str, path: str) -> Path | None:
    """The file at ``path`` inside a package folder, or None (missing, or outside it)."""
    base = folder_path(folder).resolve()
    candidate = (base / path).resolve()
    if not candidate.is_relative_to(base) or not candidate.is_file():
        return None
    return candidate
