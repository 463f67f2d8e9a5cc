"""Errors that cross the gRPC boundary. Each carries the gRPC status code name it maps to (service.py)."""


class MapperError(Exception):
    """A request the mapper refuses; `code` is a grpc.StatusCode name."""

    code = "INTERNAL"


class InvalidArgument(MapperError):
    code = "INVALID_ARGUMENT"


class NotFound(MapperError):
    code = "NOT_FOUND"


class FailedPrecondition(MapperError):
    code = "FAILED_PRECONDITION"


class ConfigError(Exception):
    """A bad config file or flag: the message names the field and the fix. The mapper exits with status 2."""


class StartupError(Exception):
    """The mapper cannot start (its socket is in use, edgecore refused the registration). Exit status 1."""


class Unavailable(MapperError):
    code = "UNAVAILABLE"
