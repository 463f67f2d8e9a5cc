"""configData values: each is a google.protobuf.Any holding one protobuf wrapper, as KubeEdge's edgecore packs CRD
configData (string -> StringValue, int -> Int32Value or Int64Value, float -> FloatValue, bool -> BoolValue).
DoubleValue and UInt32/UInt64Value are read too, for mappers' peers that send them."""
from google.protobuf import wrappers_pb2

from .errors import InvalidArgument

_WRAPPERS = {
    "google.protobuf.StringValue": wrappers_pb2.StringValue,
    "google.protobuf.BoolValue": wrappers_pb2.BoolValue,
    "google.protobuf.Int32Value": wrappers_pb2.Int32Value,
    "google.protobuf.Int64Value": wrappers_pb2.Int64Value,
    "google.protobuf.UInt32Value": wrappers_pb2.UInt32Value,
    "google.protobuf.UInt64Value": wrappers_pb2.UInt64Value,
    "google.protobuf.FloatValue": wrappers_pb2.FloatValue,
    "google.protobuf.DoubleValue": wrappers_pb2.DoubleValue,
}


def decode_any(value, field):
    """One Any -> str, bool, int or float. `field` names the configData key in errors."""
    type_name = value.type_url.rsplit("/", 1)[-1]
    wrapper = _WRAPPERS.get(type_name)
    if wrapper is None:
        raise InvalidArgument(
            f"{field}: unsupported Any type {value.type_url!r}; configData values must be protobuf wrappers "
            "(StringValue, Int32Value, Int64Value, FloatValue, BoolValue)"
        )
    message = wrapper()
    try:
        message.ParseFromString(value.value)
    except Exception as error:  # protobuf raises DecodeError, a Message error, for a malformed payload
        raise InvalidArgument(f"{field}: malformed {type_name} payload: {error}") from error
    if type_name == "google.protobuf.FloatValue":
        # A float32 read as a Python float shows its binary noise (0.1 -> 0.10000000149); keep float32's 7 digits.
        return float(f"{message.value:.7g}")
    return message.value


def decode_map(customized_value, field):
    """A CustomizedValue (map<string, Any>) -> a plain dict. `field` is e.g. "property temperature visitors"."""
    return {key: decode_any(item, f"{field} configData.{key}") for key, item in customized_value.data.items()}
