"""Twin values: parse a desired value or a configData value for a twin type, and format a reading for edgecore."""
import math
import re

from .errors import InvalidArgument
from .names import TWIN_VALUE

_INT = re.compile(r"^[-+]?[0-9]+$")
ZERO = {"int": 0, "float": 0.0, "boolean": False, "string": "0"}


def parse_value(twin_type, text, where, prop):
    """`text` (a desired value) -> a typed value within the model property's minimum and maximum."""
    if twin_type == "int":
        if not _INT.match(text):
            raise InvalidArgument(f"{where}: {text!r} is not an int")
        value = int(text)
    elif twin_type == "float":
        try:
            value = float(text)
        except ValueError:
            raise InvalidArgument(f"{where}: {text!r} is not a float") from None
        if not math.isfinite(value):
            raise InvalidArgument(f"{where}: {text!r} is not a finite float")
    elif twin_type == "boolean":
        if text not in ("true", "false"):
            raise InvalidArgument(f"{where}: {text!r} is not a boolean (true or false)")
        return text == "true"
    else:
        if not TWIN_VALUE.match(text):
            raise InvalidArgument(f"{where}: {text!r} must match {TWIN_VALUE.pattern}")
        return text
    if prop.minimum is not None and value < prop.minimum:
        raise InvalidArgument(f"{where}: {text} is below the model's minimum {format_number(prop.minimum)}")
    if prop.maximum is not None and value > prop.maximum:
        raise InvalidArgument(f"{where}: {text} is above the model's maximum {format_number(prop.maximum)}")
    return value


def parse_config_value(twin_type, raw, where, prop):
    """A decoded configData value (str, bool, int, float) -> a typed value, checked as a desired value would be."""
    if isinstance(raw, bool):
        text = "true" if raw else "false"
    elif isinstance(raw, float) and twin_type == "int" and raw.is_integer():
        text = str(int(raw))
    else:
        text = str(raw)
    return parse_value(twin_type, text, where, prop)


def format_value(twin_type, value):
    """A typed value -> the twin value string edgecore stores (KubeEdge's value pattern: no spaces, no '+')."""
    if twin_type == "boolean":
        return "true" if value else "false"
    if twin_type == "int":
        return str(int(round(value)))
    if twin_type == "float":
        return format_number(value)
    return str(value)


def format_number(value):
    # Three decimals are plenty for a simulated sensor; repr of the rounded float never uses '+' or spaces.
    return repr(round(float(value), 3))
