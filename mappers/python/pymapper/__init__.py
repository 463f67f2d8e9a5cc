"""A KubeEdge DMI v1beta1 mapper in Python for a simulated device (protocol `python-sim` by default).

Standard library + Debian's python3-grpcio and python3-protobuf only; the DMI stubs are generated from the
project's proto/ by ../gen-stubs.sh. Entry point: ../mapper.py.
"""
