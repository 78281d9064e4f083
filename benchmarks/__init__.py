"""lwt's benchmark suite: every workload on lwt and on asyncio, uvloop and trio.

Run ``python -m benchmarks`` from the repository root; see ``README.md``
beside this file for the options and how to read the ratios.
"""
