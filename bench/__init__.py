"""Statelight's benchmark over the shared ASL workloads: `python -m bench --help`.

bench.workloads  where the workloads are, the manifest, the canonical-JSON digest
bench.measure    the measurements: in-process (one fresh child per workload), whole-process, the peer
bench.echo       the Echo task handler of W4
"""
