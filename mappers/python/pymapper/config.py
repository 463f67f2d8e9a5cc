"""The mapper's config: a JSON file (YAML is not in Python's standard library), with the sections and keys of
KubeEdge's mapper config.yaml (common.*, grpc_server.socket_path) so vendors recognise it. Every key is optional;
unknown keys are refused so a typo does not pass silently.

    {
      "common": {
        "name": "python-sim-mapper", "version": "v1.0.0", "api_version": "v1.0.0", "protocol": "python-sim",
        "edgecore_sock": "/etc/kubeedge/dmi.sock", "register_retry_ms": 1000, "call_timeout_ms": 2000
      },
      "grpc_server": { "socket_path": "/etc/kubeedge/python-sim-mapper.sock" }
    }
"""
import json
import os
import re
from dataclasses import asdict, dataclass

from .errors import ConfigError

# The longest path a unix socket address can hold on Linux (sun_path is 108 bytes with its NUL).
MAX_SOCKET_PATH_BYTES = 107
_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")


@dataclass(frozen=True)
class Config:
    name: str = "python-sim-mapper"
    version: str = "v1.0.0"
    api_version: str = "v1.0.0"
    # edgecore keeps one mapper per protocol and sends this mapper the devices whose protocolName is this.
    protocol: str = "python-sim"
    # edgecore's DeviceManagerService socket (modules.deviceTwin.dmiSockPath + dmi.sock).
    edgecore_sock: str = "/etc/kubeedge/dmi.sock"
    # This mapper's DeviceMapperService socket, sent to edgecore as MapperInfo.address.
    socket_path: str = "/etc/kubeedge/python-sim-mapper.sock"
    # Wait between MapperRegister attempts while edgecore is not up.
    register_retry_ms: int = 1000
    # Deadline of each call to edgecore.
    call_timeout_ms: int = 2000

    def to_json(self):
        return asdict(self)


_SECTIONS = {
    "common": {
        "name": "name",
        "version": "version",
        "api_version": "api_version",
        "protocol": "protocol",
        "edgecore_sock": "edgecore_sock",
        "register_retry_ms": "register_retry_ms",
        "call_timeout_ms": "call_timeout_ms",
    },
    "grpc_server": {"socket_path": "socket_path"},
}


def load_config(path=None):
    """Reads and checks the file at `path` (None: the defaults). Raises ConfigError naming the file and field."""
    if path is None:
        return _check(Config(), "defaults")
    try:
        with open(path, encoding="utf-8") as f:
            raw = json.load(f)
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the config file: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: not valid JSON at line {error.lineno} column {error.colno}: {error.msg}") from error
    return _check(Config(**_fields(raw, path)), path)


def _fields(raw, where):
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: the config must be a JSON object with sections common and grpc_server")
    out = {}
    for section, value in raw.items():
        keys = _SECTIONS.get(section)
        if keys is None:
            raise ConfigError(f"{where}: unknown section {section!r}; known: {', '.join(_SECTIONS)}")
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: {section} must be an object")
        for key, item in value.items():
            if key not in keys:
                raise ConfigError(f"{where}: unknown key {section}.{key}; known: {', '.join(keys)}")
            out[keys[key]] = _typed(item, f"{section}.{key}", where, type(getattr(Config, keys[key])))
    return out


def _typed(value, field, where, kind):
    # bool is an int in Python; a `true` where a number belongs is still a mistake.
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{where}: {field} must be an integer (milliseconds), got {json.dumps(value)}")
    if kind is str and not isinstance(value, str):
        raise ConfigError(f"{where}: {field} must be a string, got {json.dumps(value)}")
    return value


def _check(config, where):
    for field in ("name", "protocol"):
        value = getattr(config, field)
        if not _TOKEN.match(value):
            raise ConfigError(
                f"{where}: common.{field} {value!r} must be 1-63 letters, digits, '.', '_' or '-', starting with a "
                "letter or digit"
            )
    for field in ("version", "api_version"):
        if not getattr(config, field):
            raise ConfigError(f"{where}: common.{field} must not be empty")
    edgecore_sock = _socket_path(config.edgecore_sock, "common.edgecore_sock", where)
    socket_path = _socket_path(config.socket_path, "grpc_server.socket_path", where)
    if edgecore_sock == socket_path:
        raise ConfigError(f"{where}: grpc_server.socket_path must differ from common.edgecore_sock ({socket_path})")
    _bounded(config.register_retry_ms, "common.register_retry_ms", where, 10, 600_000)
    _bounded(config.call_timeout_ms, "common.call_timeout_ms", where, 100, 60_000)
    return Config(**{**asdict(config), "edgecore_sock": edgecore_sock, "socket_path": socket_path})


def _socket_path(value, field, where):
    # KubeEdge configs sometimes write the endpoint form; accept it and keep the path.
    path = value[len("unix://"):] if value.startswith("unix://") else value
    if not os.path.isabs(path):
        raise ConfigError(f"{where}: {field} must be an absolute path to a unix socket, got {value!r}")
    if len(path.encode()) > MAX_SOCKET_PATH_BYTES:
        raise ConfigError(
            f"{where}: {field} is {len(path.encode())} bytes; a unix socket path holds at most "
            f"{MAX_SOCKET_PATH_BYTES}: choose a shorter path"
        )
    return os.path.normpath(path)


def _bounded(value, field, where, low, high):
    if not low <= value <= high:
        raise ConfigError(f"{where}: {field} must be between {low} and {high}, got {value}")
