"""The baselines of ``throughput.py``, one workload per fresh process: quilt3 in-process, and the raw S3 floor.

Usage: ``python bench/throughput_baselines.py '<json spec>'``; prints one JSON object:
``seconds`` (the workload alone, after imports and client set-up), ``cpu`` (the process's CPU
time over the same span, every thread), ``peak``
and ``base`` (the process's peak resident memory and its memory before the
workload) and ``summary`` (what was found, compared with the server's).

Each run is a fresh process with a fresh HOME/XDG (so quilt3's on-disk
manifest cache is empty: cold). quilt3 makes its S3 clients on a separate
registry (``prime``) before the clock starts, as the server is primed.
The floor does only the unavoidable S3 requests with boto3: the pointer and
manifest GETs of a listing, the ListObjectsV2 pages of a package listing, the
HEADs and PUTs of a push.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

POINTERS = ".quilt/named_packages/"


def status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"{field} missing")


def quilt3_level(pkg: Any, quilt3: Any) -> list[str]:
    return sorted(f"{k}/" if isinstance(pkg[k], quilt3.Package) else k for k in pkg.keys())


def quilt3_workload(spec: dict[str, Any]) -> Callable[[], Any]:
    import quilt3

    list(quilt3.list_packages(spec["prime"]))
    work = spec["work"]
    if work == "root":
        return lambda: quilt3_level(quilt3.Package.browse(spec["name"], registry=spec["registry"]), quilt3)[:100]
    if work == "walk":

        def walk() -> Any:
            pkg = quilt3.Package.browse(spec["name"], registry=spec["registry"])
            keys = [key for key, _ in pkg.walk()]
            return [len(keys), keys[0], keys[-1]]

        return walk
    if work == "push":

        def push() -> Any:
            pkg = quilt3.Package()
            if spec.get("prefix"):
                pkg.set_dir("data", spec["entries"][0][1].rsplit("/", 1)[0] + "/")
            else:
                for key, uri in spec["entries"]:
                    pkg.set(key, uri)
            pushed = pkg.push(
                spec["name"], registry=spec["registry"], message="bench", selector_fn=lambda _k, _e: False, force=True
            )
            return len(list(pushed.walk()))

        return push
    if work == "list":

        def listing() -> Any:
            names = list(quilt3.list_packages(spec["registry"]))
            return [len(names), min(names), max(names)]

        return listing
    raise ValueError(work)


def floor_workload(spec: dict[str, Any]) -> Callable[[], Any]:
    import boto3
    from botocore.config import Config

    client = boto3.client("s3", config=Config(max_pool_connections=16, request_checksum_calculation="when_required"))
    client.list_objects_v2(Bucket=spec["prime"].removeprefix("s3://"), MaxKeys=1)
    bucket = spec["registry"].removeprefix("s3://")
    work = spec["work"]
    if work == "walk":

        def walk() -> Any:
            top = client.get_object(Bucket=bucket, Key=f"{POINTERS}{spec['name']}/latest")["Body"].read().decode()
            lines = client.get_object(Bucket=bucket, Key=f".quilt/packages/{top}")["Body"].read().splitlines()
            keys = [json.loads(line)["logical_key"] for line in lines[1:]]
            return [len(keys), keys[0], keys[-1]]

        return walk
    if work == "list":

        def listing() -> Any:
            names = set()
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=POINTERS):
                names.update(item["Key"][len(POINTERS) :].rsplit("/", 1)[0] for item in page.get("Contents", ()))
            return [len(names), min(names), max(names)]

        return listing
    if work == "push":

        def push() -> Any:
            def head(entry: list[str]) -> Any:
                src_bucket, _, key = entry[1].removeprefix("s3://").partition("/")
                return client.head_object(Bucket=src_bucket, Key=key, ChecksumMode="ENABLED")["ChecksumSHA256"]

            with ThreadPoolExecutor(16) as pool:
                checksums = list(pool.map(head, spec["entries"]))
            body = "\n".join(json.dumps({"logical_key": e[0], "hash": c}) for e, c in zip(spec["entries"], checksums))
            top = f"{len(body):064x}"
            client.put_object(Bucket=bucket, Key=f".quilt/packages/{top}", Body=body.encode())
            for pointer in (str(int(time.time())), "latest"):
                client.put_object(Bucket=bucket, Key=f"{POINTERS}{spec['name']}/{pointer}", Body=top.encode())
            return len(checksums)

        return push
    raise ValueError(work)


def main() -> None:
    spec = json.loads(sys.argv[1])
    from quilt_mcp_conformance.infra import isolate_environment, make_root

    root = make_root()
    try:
        isolate_environment(root)
        os.environ["QUILT_MINIMIZE_STDOUT"] = "true"
        os.environ["AWS_ENDPOINT_URL"] = spec["endpoint"]
        run = (quilt3_workload if spec["baseline"] == "quilt3" else floor_workload)(spec)
        base = status("VmRSS")
        with contextlib.redirect_stdout(sys.stderr):  # quilt3 prints what it pushed
            start, cpu = time.perf_counter(), time.process_time()
            summary = run()
            seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        output = {"seconds": seconds, "cpu": cpu, "peak": status("VmHWM"), "base": base, "summary": summary}
    finally:
        shutil.rmtree(root, ignore_errors=True)
    json.dump(output, sys.stdout)


if __name__ == "__main__":
    main()
