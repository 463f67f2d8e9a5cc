#!/usr/bin/python3
"""A KubeEdge DMI mapper in Python for a simulated device:
    /usr/bin/python3 mappers/python/mapper.py --config mapper.json
Run it with Debian's python3 (install.sh installs python3-grpcio and python3-protobuf for it) after gen-stubs.sh.
Exit status: 0 after SIGTERM/SIGINT; 1 when it cannot start (packages or stubs missing, socket in use, edgecore
refuses it); 2 for bad flags or config."""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ folders in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "gen"))


def main(argv):
    parser = argparse.ArgumentParser(prog="mapper.py", description="KubeEdge DMI v1beta1 mapper for a simulated device")
    parser.add_argument("--config", help="JSON config file (see pymapper/config.py); without it, the defaults")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warn", "error"])
    parser.add_argument("--check", action="store_true", help="check the config, print it as JSON and exit")
    args = parser.parse_args(argv)

    try:
        import google.protobuf  # noqa: F401
        import grpc  # noqa: F401
    except ImportError as error:
        return _fail(f"{error.name} is not importable by {sys.executable}; run mappers/python/install.sh (as root) "
                     "and start the mapper with /usr/bin/python3", 1)
    try:
        from kubeedge.dmi.v1beta1 import api_pb2  # noqa: F401
    except ImportError:
        return _fail(f"no DMI stubs in {os.path.join(HERE, 'gen')}; run mappers/python/gen-stubs.sh", 1)

    from pymapper.app import run
    from pymapper.config import load_config
    from pymapper.errors import ConfigError, StartupError
    from pymapper.log import Logger

    try:
        config = load_config(args.config)
    except ConfigError as error:
        return _fail(f"bad config: {error}")
    if args.check:
        print(json.dumps(config.to_json(), indent=2))
        return 0
    log = Logger("python-mapper", args.log_level)
    log.info("starting", config_file=args.config or "defaults", config=config.to_json())
    try:
        run(config, log)
    except StartupError as error:
        log.error("cannot run", reason=str(error))
        return 1
    return 0


def _fail(message, status=2):
    print(f"mapper.py: {message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
