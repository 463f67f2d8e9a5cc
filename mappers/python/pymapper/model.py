"""DeviceModel (DMI proto) -> a checked Model: the property types and access modes devices are built against."""
import math
from dataclasses import dataclass

from . import names
from .errors import InvalidArgument

# DeviceModel property types (the CRD's enum is upper-case: INT, FLOAT, DOUBLE, STRING, BOOLEAN, BYTES, STREAM) ->
# the twin types edgecore validates values against (int, float, boolean, string).
TWIN_TYPES = {
    "": "string",  # KubeEdge's default when a type is left out
    "int": "int",
    "integer": "int",
    "float": "float",
    "double": "float",
    "boolean": "boolean",
    "bool": "boolean",
    "string": "string",
    "bytes": "string",
    "stream": "string",
}
ACCESS_MODES = {"": False, "readonly": False, "readwrite": True}


@dataclass(frozen=True)
class ModelProperty:
    name: str
    type: str  # a twin type: int, float, boolean, string
    writable: bool
    minimum: float | None
    maximum: float | None
    unit: str


@dataclass(frozen=True)
class Model:
    namespace: str
    name: str
    properties: dict  # name -> ModelProperty

    @property
    def key(self):
        return (self.namespace, self.name)


def parse_model(pb):
    """Checks a v1beta1.DeviceModel; InvalidArgument names the model and the field."""
    name = names.object_name(pb.name, "model.name")
    namespace = names.namespace(pb.namespace, "model.namespace")
    where = f"model {namespace}/{name}"
    properties = {}
    for index, prop in enumerate(pb.spec.properties):
        prop_name = names.twin_name(prop.name, f"{where}: spec.properties[{index}].name")
        if prop_name in properties:
            raise InvalidArgument(f"{where}: property {prop_name!r} is listed twice")
        properties[prop_name] = _property(prop, f"{where}: property {prop_name}")
    return Model(namespace, name, properties)


def _property(prop, where):
    twin_type = TWIN_TYPES.get(prop.type.lower())
    if twin_type is None:
        raise InvalidArgument(f"{where}: type {prop.type!r} is not one of INT, FLOAT, DOUBLE, STRING, BOOLEAN, BYTES")
    writable = ACCESS_MODES.get(prop.accessMode.lower())
    if writable is None:
        raise InvalidArgument(f"{where}: accessMode {prop.accessMode!r} must be ReadWrite or ReadOnly")
    minimum = _bound(prop.minimum, f"{where}: minimum")
    maximum = _bound(prop.maximum, f"{where}: maximum")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise InvalidArgument(f"{where}: minimum {prop.minimum} is above maximum {prop.maximum}")
    return ModelProperty(prop.name, twin_type, writable, minimum, maximum, prop.unit)


def _bound(text, where):
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidArgument(f"{where} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise InvalidArgument(f"{where} {text!r} is not a finite number")
    return value
