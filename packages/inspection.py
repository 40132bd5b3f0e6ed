"""Upload validation: what a package file must be before anything of it is stored.

``package_inspect`` reads the zip's directory and the manifest only; it refuses, with a
message the author can act on (in the active language), a file that is not a zip, a manifest
missing or not at the root or not parseable, a referenced file that is missing, absolute paths,
``..``, symlinks, and archives over the limits on size, file count and compression ratio.
"""

from __future__ import annotations

import json
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SCORM_MANIFEST = "imsmanifest.xml"
H5P_MANIFEST = "h5p.json"


class PackageRefused(Exception):
    """The package cannot be used; the message says why, for the author."""


@dataclass
class Inspected:
    kind: str  # scorm12, scorm2004, h5p
    title: str
    manifest: dict
    names: list[str] = field(default_factory=list)  # the files, directories left out
    size_bytes: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element, name: str):
    return [child for child in element if _local(child.tag) == name]


def _child(element, name: str):
    found = _children(element, name)
    return found[0] if found else None


def _text(element, name: str) -> str:
    child = _child(element, name) if element is not None else None
    return (child.text or "").strip() if child is not None else ""


def _safe_name(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or (len(name) > 1 and name[1] == ":"):
        return False
    return ".." not in name.split("/")


def _entries(archive: zipfile.ZipFile, packed_size: int) -> tuple[list[str], int]:
    infos = archive.infolist()
    if len(infos) > settings.PACKAGES_MAX_FILES:
        raise PackageRefused(
            _("The package holds %(count)s files; at most %(limit)s are allowed.")
            % {"count": len(infos), "limit": settings.PACKAGES_MAX_FILES}
        )
    names, total = [], 0
    for info in infos:
        if not _safe_name(info.filename):
            raise PackageRefused(
                _("The package names a file outside itself (%(name)s): absolute paths and "
                  "“..” are not allowed.") % {"name": info.filename[:200]}
            )  # fmt: skip
        if stat.S_ISLNK(info.external_attr >> 16):
            raise PackageRefused(
                _("The package holds a symbolic link (%(name)s); links are not allowed.")
                % {"name": info.filename[:200]}
            )
        if info.flag_bits & 0x1:
            raise PackageRefused(_("The package is encrypted; upload it without a password."))
        total += info.file_size
        if not info.is_dir():
            names.append(info.filename)
    if total > settings.PACKAGES_MAX_BYTES:
        raise PackageRefused(
            _("Unpacked, the package would take %(size)s; at most %(limit)s are allowed.")
            % {
                "size": filesizeformat(total),
                "limit": filesizeformat(settings.PACKAGES_MAX_BYTES),
            }
        )
    if total > settings.PACKAGES_MAX_RATIO * max(packed_size, 1):
        raise PackageRefused(
            _("The package unpacks to more than %(ratio)s times its size (a zip bomb?); it is "
              "refused.") % {"ratio": settings.PACKAGES_MAX_RATIO}
        )  # fmt: skip
    return names, total


def package_inspect(file, *, packed_size: int | None = None) -> Inspected:
    """Inspect an uploaded file (a path or a binary file object); raise ``PackageRefused``."""
    if packed_size is None:
        file.seek(0, 2)
        packed_size = file.tell()
        file.seek(0)
    if not zipfile.is_zipfile(file):
        raise PackageRefused(
            _("The file is not a zip archive: upload the package as the .zip (SCORM) or .h5p "
              "file the authoring tool exported.")
        )  # fmt: skip
    try:
        with zipfile.ZipFile(file) as archive:
            names, total = _entries(archive, packed_size)
            present = set(names)
            if SCORM_MANIFEST in present:
                inspected = _scorm(archive.read(SCORM_MANIFEST), present)
            elif H5P_MANIFEST in present:
                inspected = _h5p(archive, present)
            else:
                nested = [
                    n for n in names if posixpath.basename(n) in (SCORM_MANIFEST, H5P_MANIFEST)
                ]
                if nested:
                    raise PackageRefused(
                        _("The manifest lies in a sub-folder (%(name)s), not at the root of the "
                          "package: zip the folder's contents, not the folder.")
                        % {"name": nested[0][:200]}
                    )  # fmt: skip
                raise PackageRefused(
                    _("The package has no manifest: a SCORM package needs imsmanifest.xml and "
                      "an H5P file h5p.json at its root.")
                )  # fmt: skip
    except zipfile.BadZipFile as error:
        raise PackageRefused(
            _("The zip archive is damaged: %(error)s") % {"error": error}
        ) from None
    inspected.names = names
    inspected.size_bytes = total
    return inspected


def _href_path(base: str, href: str) -> str:
    """The file a manifest href names (without query or fragment), relative to the root."""
    path = unquote(urlsplit(href).path)
    return posixpath.normpath(posixpath.join(base, path)) if path else ""


def _scorm(data: bytes, present: set[str]) -> Inspected:
    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as error:
        raise PackageRefused(
            _("imsmanifest.xml is not well-formed XML: %(error)s") % {"error": error}
        ) from None
    if _local(root.tag) != "manifest":
        raise PackageRefused(_("imsmanifest.xml does not hold a <manifest>."))
    version = _text(_child(root, "metadata"), "schemaversion")
    namespaces = " ".join(
        [root.tag, *(e.tag for e in root.iter())][:2000] + list(root.attrib.values())
    )
    if version.startswith("2004") or version == "CAM 1.3" or "adlcp_v1p3" in namespaces:
        kind = "scorm2004"
    elif version.startswith("1.2") or "adlcp_rootv1p2" in namespaces or not version:
        kind = "scorm12"
    else:
        raise PackageRefused(
            _("SCORM version %(version)s is not supported (1.2 and 2004 are).")
            % {"version": version[:40]}
        )
    resources_element = _child(root, "resources")
    resources = {}
    base_all = ""
    if resources_element is not None:
        base_all = resources_element.get("{http://www.w3.org/XML/1998/namespace}base", "")
        for resource in _children(resources_element, "resource"):
            resources[resource.get("identifier", "")] = resource
    organizations = _child(root, "organizations")
    organization = None
    if organizations is not None:
        default = organizations.get("default")
        all_organizations = _children(organizations, "organization")
        organization = next(
            (o for o in all_organizations if o.get("identifier") == default),
            all_organizations[0] if all_organizations else None,
        )
    if organization is None:
        raise PackageRefused(_("imsmanifest.xml has no organization: nothing to play."))
    scos: list[dict] = []
    missing: list[str] = []

    def resource_base(resource) -> str:
        base = base_all + resource.get("{http://www.w3.org/XML/1998/namespace}base", "")
        return base

    def check_files(resource, seen):
        if resource is None or resource.get("identifier") in seen:
            return
        seen.add(resource.get("identifier"))
        base = resource_base(resource)
        for file in _children(resource, "file"):
            path = _href_path(base, file.get("href", ""))
            if path and path not in present:
                missing.append(path)
        for dependency in _children(resource, "dependency"):
            check_files(resources.get(dependency.get("identifierref", "")), seen)

    def walk(element, depth):
        for item in _children(element, "item"):
            title = _text(item, "title") or item.get("identifier", "")
            ref = item.get("identifierref")
            if ref:
                resource = resources.get(ref)
                if resource is None:
                    raise PackageRefused(
                        _("The item “%(item)s” names a resource (%(ref)s) that the manifest "
                          "does not define.") % {"item": title[:100], "ref": ref[:100]}
                    )  # fmt: skip
                href = resource.get("href", "")
                base = resource_base(resource)
                path = _href_path(base, href)
                if not path:
                    raise PackageRefused(
                        _("The resource %(ref)s has no launch file (href).") % {"ref": ref[:100]}
                    )
                if not _safe_name(path) or path.startswith(".."):
                    raise PackageRefused(
                        _("The package names a file outside itself (%(name)s): absolute paths "
                          "and “..” are not allowed.") % {"name": path[:200]}
                    )  # fmt: skip
                if path not in present:
                    missing.append(path)
                check_files(resource, set())
                query = urlsplit(href).query
                parameters = item.get("parameters", "").lstrip("?&")
                query = "&".join(part for part in (query, parameters) if part)
                scos.append(
                    {
                        "identifier": item.get("identifier", ref),
                        "title": title[:255],
                        "href": path + (f"?{query}" if query else ""),
                        "depth": depth,
                        "launch_data": _text(item, "dataFromLMS")[:4096],
                        "mastery_score": _text(item, "masteryscore")[:10],
                    }
                )
            else:
                scos.append({"group": True, "title": title[:255], "depth": depth})
            walk(item, depth + 1)

    walk(organization, 0)
    if missing:
        raise PackageRefused(
            _("The manifest names files that the package does not hold: %(files)s")
            % {"files": ", ".join(sorted(set(missing))[:5])}
        )
    launchable = [sco for sco in scos if not sco.get("group")]
    if not launchable:
        raise PackageRefused(
            _("imsmanifest.xml names nothing to launch (no item with a resource).")
        )
    title = _text(organization, "title") or launchable[0]["title"]
    groups = [sco for sco in scos if sco.get("group")]
    return Inspected(
        kind=kind,
        title=title[:255],
        manifest={"scos": launchable, "outline": scos if groups else launchable},
    )


def _h5p(archive: zipfile.ZipFile, present: set[str]) -> Inspected:
    try:
        data = json.loads(archive.read(H5P_MANIFEST).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageRefused(
            _("h5p.json is not valid JSON: %(error)s") % {"error": error}
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("mainLibrary"), str):
        raise PackageRefused(_("h5p.json does not name its main library (mainLibrary)."))
    if "content/content.json" not in present:
        raise PackageRefused(_("The H5P file has no content/content.json."))
    missing = []
    dependencies = data.get("preloadedDependencies") or []
    if not isinstance(dependencies, list):
        raise PackageRefused(_("h5p.json lists its libraries wrongly (preloadedDependencies)."))
    for dependency in dependencies:
        if not isinstance(dependency, dict):
            raise PackageRefused(_("h5p.json lists its libraries wrongly (preloadedDependencies)."))
        folder = "{}-{}.{}".format(
            dependency.get("machineName"),
            dependency.get("majorVersion"),
            dependency.get("minorVersion"),
        )
        if f"{folder}/library.json" not in present:
            missing.append(folder)
    if missing:
        raise PackageRefused(
            _("The H5P file lacks libraries it needs: %(files)s")
            % {"files": ", ".join(sorted(missing)[:5])}
        )
    title = str(data.get("title") or data["mainLibrary"])
    return Inspected(
        kind="h5p",
        title=title[:255],
        manifest={
            "main_library": data["mainLibrary"],
            "scos": [{"identifier": "h5p", "title": title[:255], "href": "", "depth": 0}],
        },
    )
