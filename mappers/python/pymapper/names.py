"""Name and value rules for what edgecore sends (Kubernetes object names, KubeEdge twin names and values)."""
import re

from .errors import InvalidArgument

DEFAULT_NAMESPACE = "default"

# A Kubernetes object name (DNS-1123 subdomain), as Device and DeviceModel names are.
_OBJECT_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")
# KubeEdge's twin key and value patterns (edgecore's dtcommon/util.go).
TWIN_NAME = re.compile(r"^[a-zA-Z0-9-_.,:/@#]{1,128}$")
TWIN_VALUE = re.compile(r"^[a-zA-Z0-9-_.,:/@#]{1,512}$")


def object_name(value, field):
    """A required Kubernetes name; `field` names it in the error (e.g. "device.name")."""
    if not value:
        raise InvalidArgument(f"{field} is required")
    if not _OBJECT_NAME.match(value):
        raise InvalidArgument(
            f"{field} {value!r} is not a valid name: use lower-case letters, digits, '-' and '.', at most 253"
        )
    return value


def namespace(value, field):
    """An optional namespace: empty means "default", as for Kubernetes objects."""
    return object_name(value, field) if value else DEFAULT_NAMESPACE


def twin_name(value, field):
    if not value:
        raise InvalidArgument(f"{field} is required")
    if not TWIN_NAME.match(value):
        raise InvalidArgument(f"{field} {value!r} must match {TWIN_NAME.pattern}")
    return value
