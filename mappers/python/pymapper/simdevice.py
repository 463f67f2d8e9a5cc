"""Device (DMI proto) + its Model -> a SimDevice: an immutable, checked description of a simulated device.

Each property's simulation comes from its visitor configData (visitors.configData, Any-wrapped values):
  signal    "sine" | "constant" | "setpoint". Default: "setpoint" for a ReadWrite property, else "sine" for a
            number and "constant" for a string or boolean.
  base, amplitude, periodMs    sine: value = base + amplitude * sin(2 pi t / periodMs), t since registration.
                               Defaults 20, 5, 60000: a room thermometer.
  value     constant: the value (default the type's zero).
  initial   setpoint: the value before any desired value arrives (default the model minimum, else zero).
A setpoint takes the property's desired value (spec.properties[].desired.value) as the device's new setting: a
write, checked against the model's type, minimum and maximum. An update builds a new SimDevice from the previous
one, so the sine keeps its phase and a setpoint keeps its setting when no new desired value came.
"""
import math
import time
from dataclasses import dataclass

from . import names
from .anyvalue import decode_map
from .errors import FailedPrecondition, InvalidArgument
from .values import ZERO, format_value, parse_config_value, parse_value

SIGNALS = ("sine", "constant", "setpoint")
_SIGNAL_KEYS = {
    "sine": {"signal", "base", "amplitude", "periodMs"},
    "constant": {"signal", "value"},
    "setpoint": {"signal", "initial"},
}
# KubeEdge's mapper default for collectCycle and reportCycle (milliseconds) when the device leaves them at 0.
DEFAULT_CYCLE_MS = 1000
# Below this a simulated device would only burn CPU and edgecore's rate limit.
MIN_CYCLE_MS = 50


@dataclass(frozen=True)
class SimProperty:
    name: str
    type: str  # twin type: int, float, boolean, string
    signal: str
    base: float
    amplitude: float
    period_ms: int
    value: object  # constant: the value; setpoint: the current setting
    desired: str | None  # spec desired value, echoed as observedDesired
    desired_metadata: dict
    report_cycle_ms: int
    collect_cycle_ms: int
    report_to_cloud: bool


@dataclass(frozen=True)
class SimDevice:
    namespace: str
    name: str
    model: tuple  # (namespace, name)
    properties: tuple  # of SimProperty
    protocol_config: dict
    state_report: bool  # status.reportToCloud: report the state every state_cycle_ms, not only on change
    state_cycle_ms: int
    origin: float  # time.monotonic() of the first registration: the sine's phase
    pb: object  # the v1beta1.Device as received (namespace filled in), for GetDevice

    @property
    def key(self):
        return (self.namespace, self.name)


def read(device, prop, now):
    """Reads a property of the simulated device at time.monotonic() `now`: the twin value string."""
    if prop.signal == "sine":
        phase = 2 * math.pi * (now - device.origin) * 1000.0 / prop.period_ms
        return format_value(prop.type, prop.base + prop.amplitude * math.sin(phase))
    return format_value(prop.type, prop.value)


def build_device(pb, protocol, find_model, previous=None, clock=time.monotonic):
    """Checks a v1beta1.Device and builds its SimDevice. Returns (device, notes): notes are log lines (writes, clamped
    cycles). Raises InvalidArgument (bad field) or FailedPrecondition (its model was never sent)."""
    name = names.object_name(pb.name, "device.name")
    namespace = names.namespace(pb.namespace, "device.namespace")
    where = f"device {namespace}/{name}"
    spec = pb.spec
    if spec.protocol.protocolName != protocol:
        raise InvalidArgument(
            f"{where}: spec.protocol.protocolName is {spec.protocol.protocolName!r}; this mapper serves {protocol!r}"
        )
    protocol_config = decode_map(spec.protocol.configData, f"{where}: spec.protocol")
    if not spec.deviceModelReference:
        raise InvalidArgument(f"{where}: spec.deviceModelReference is required")
    model = find_model((namespace, spec.deviceModelReference))
    if model is None:
        raise FailedPrecondition(
            f"{where}: device model {namespace}/{spec.deviceModelReference} is not known to this mapper; "
            "CreateDeviceModel must come first"
        )
    notes = []
    before = {p.name: p for p in previous.properties} if previous else {}
    properties = []
    for index, prop in enumerate(spec.properties):
        prop_name = names.twin_name(prop.name, f"{where}: spec.properties[{index}].name")
        if any(p.name == prop_name for p in properties):
            raise InvalidArgument(f"{where}: property {prop_name!r} is listed twice")
        model_prop = model.properties.get(prop_name)
        if model_prop is None:
            raise InvalidArgument(f"{where}: property {prop_name!r} is not in model {model.namespace}/{model.name}")
        properties.append(_property(prop, model_prop, protocol, f"{where} property {prop_name}", before, notes))
    status = pb.status
    if status.reportCycle < 0:
        raise InvalidArgument(f"{where}: status.reportCycle {status.reportCycle} must not be negative")
    stored = type(pb)()
    stored.CopyFrom(pb)
    stored.namespace = namespace
    device = SimDevice(
        namespace=namespace,
        name=name,
        model=model.key,
        properties=tuple(properties),
        protocol_config=protocol_config,
        state_report=status.reportToCloud,
        state_cycle_ms=_cycle(status.reportCycle, f"{where} status.reportCycle", notes),
        origin=previous.origin if previous else clock(),
        pb=stored,
    )
    return device, notes


def _property(prop, model_prop, protocol, where, before, notes):
    if prop.reportCycle < 0 or prop.collectCycle < 0:
        raise InvalidArgument(f"{where}: reportCycle and collectCycle must not be negative (milliseconds)")
    if prop.visitors.protocolName and prop.visitors.protocolName != protocol:
        raise InvalidArgument(
            f"{where}: visitors.protocolName is {prop.visitors.protocolName!r}; this mapper serves {protocol!r}"
        )
    config = decode_map(prop.visitors.configData, f"{where}: visitors")
    numeric = model_prop.type in ("int", "float")
    signal = config.get("signal", "setpoint" if model_prop.writable else "sine" if numeric else "constant")
    if signal not in SIGNALS:
        raise InvalidArgument(f"{where}: visitors configData.signal {signal!r} must be one of {', '.join(SIGNALS)}")
    unknown = sorted(set(config) - _SIGNAL_KEYS[signal])
    if unknown:
        allowed = ", ".join(sorted(_SIGNAL_KEYS[signal]))
        raise InvalidArgument(
            f"{where}: visitors configData key {unknown[0]!r} is not used by signal {signal}; use {allowed}"
        )
    if signal == "sine" and not numeric:
        raise InvalidArgument(f"{where}: signal sine needs a number type (INT, FLOAT, DOUBLE), not {model_prop.type}")
    if signal == "setpoint" and not model_prop.writable:
        raise InvalidArgument(f"{where}: signal setpoint needs the model property's accessMode ReadWrite")
    desired = prop.desired.value if prop.HasField("desired") and prop.desired.value else None
    base = _number(config, "base", 20.0, where)
    amplitude = _number(config, "amplitude", 5.0, where)
    period_ms = config.get("periodMs", 60000)
    if isinstance(period_ms, bool) or not isinstance(period_ms, int) or period_ms <= 0:
        raise InvalidArgument(f"{where}: visitors configData.periodMs must be a positive integer, got {period_ms!r}")
    value = None
    if signal == "constant":
        raw = config.get("value")
        if raw is None:
            value = ZERO[model_prop.type]
        else:
            value = parse_config_value(model_prop.type, raw, f"{where}: configData.value", model_prop)
    elif signal == "setpoint":
        value = _setpoint(model_prop, config, desired, before.get(prop.name), where, notes)
    return SimProperty(
        name=prop.name,
        type=model_prop.type,
        signal=signal,
        base=base,
        amplitude=amplitude,
        period_ms=period_ms,
        value=value,
        desired=desired,
        desired_metadata=dict(prop.desired.metadata),
        report_cycle_ms=_cycle(prop.reportCycle, f"{where} reportCycle", notes),
        collect_cycle_ms=_cycle(prop.collectCycle, f"{where} collectCycle", notes),
        report_to_cloud=prop.reportToCloud,
    )


def _setpoint(model_prop, config, desired, old, where, notes):
    if desired is not None:
        value = parse_value(model_prop.type, desired, f"{where}: desired value", model_prop)
        if old is None or old.signal != "setpoint" or old.value != value:
            notes.append(f"{where}: wrote setpoint {desired}")
        return value
    if old is not None and old.signal == "setpoint" and old.type == model_prop.type:
        return old.value
    if "initial" in config:
        return parse_config_value(model_prop.type, config["initial"], f"{where}: configData.initial", model_prop)
    if model_prop.minimum is not None and model_prop.type in ("int", "float"):
        return math.ceil(model_prop.minimum) if model_prop.type == "int" else model_prop.minimum
    return ZERO[model_prop.type]


def _number(config, key, default, where):
    value = config.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgument(f"{where}: visitors configData.{key} must be a number, got {value!r}")
    return float(value)


def _cycle(value, where, notes):
    if value == 0:
        return DEFAULT_CYCLE_MS
    if value < MIN_CYCLE_MS:
        notes.append(f"{where} {value} ms raised to the minimum {MIN_CYCLE_MS} ms")
        return MIN_CYCLE_MS
    return value
