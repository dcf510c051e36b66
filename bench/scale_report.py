"""Text tables for ``iam_scale.py`` results: quilt3 and iam side by side, with quilt3/iam ratios."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

MIB = 1024 * 1024
KINDS = {"s3": "S3 registry (moto server over HTTP on loopback)", "local": "local-directory registry (file://)"}
BOUND_OPS = ("browse_root", "browse_recursive", "entry_info", "diff")
MEMORY_FLOOR = 1.0
"""MiB below which a memory ratio is not shown: resident memory moves in pages and allocator arenas."""


def _ratio(a: float | None, b: float | None, floor: float = 0.0) -> str:
    """``a/b``, or ``-`` when either is missing or both are below ``floor`` (noise)."""
    if a is None or b is None or min(a, b) < floor:
        return "-"
    if b <= 0:
        return "-" if a <= 0 else "inf"
    ratio = a / b
    return f"{ratio:.0f}x" if ratio >= 100 else f"{ratio:.1f}x"


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def _phase(op: dict[str, Any], backend: str, phase: str) -> dict[str, Any] | None:
    result = op.get(backend)
    if not result or "error" in result:
        return None
    return result.get(phase)


def _mib(phase: dict[str, Any] | None, key: str = "peak_bytes") -> float | None:
    return None if phase is None else max(phase[key], 0) / MIB


def _requests(phase: dict[str, Any] | None) -> int | None:
    return None if phase is None or phase["requests"] is None else sum(phase["requests"].values())


def _same(op: dict[str, Any], phase: str) -> str:
    quilt3, iam = _phase(op, "quilt3", phase), _phase(op, "iam", phase)
    if quilt3 is None or iam is None:
        return "-"
    agree = quilt3["summary"] == iam["summary"] and quilt3["consistent"] and iam["consistent"]
    return "yes" if agree else "NO"


def registry_table(kind: str, ops: dict[str, Any]) -> list[str]:
    """One row per operation and phase: time, peak memory and (on S3) requests of both backends."""
    with_requests = kind == "s3"
    head = f"{'operation':<17}{'phase':<6}{'quilt3 s':>9}{'iam s':>8}{'q3/iam':>9}  "
    head += f"{'q3 MiB':>7}{'iam MiB':>8}{'q3/iam':>8}  "
    if with_requests:
        head += f"{'q3 req':>7}{'iam req':>8}{'q3/iam':>8}  "
    head += "same result"
    lines = [KINDS[kind], head, "-" * len(head)]
    errors = []
    for name, op in ops.items():
        errors += [f"  {name} with {b} failed: {r['error']}" for b, r in op.items() if "error" in r]
        for phase in ("cold", "warm"):
            q, i = _phase(op, "quilt3", phase), _phase(op, "iam", phase)
            if q is None and i is None:
                continue
            qs, is_ = (q["seconds"] if q else None), (i["seconds"] if i else None)
            qm, im = _mib(q), _mib(i)
            row = f"{name if phase == 'cold' else '':<17}{phase:<6}{_num(qs, '.3f'):>9}{_num(is_, '.3f'):>8}"
            row += f"{_ratio(qs, is_):>9}  {_num(qm, '.1f'):>7}{_num(im, '.1f'):>8}{_ratio(qm, im, MEMORY_FLOOR):>8}  "
            if with_requests:
                qr, ir = _requests(q), _requests(i)
                row += f"{_num(qr, 'd'):>7}{_num(ir, 'd'):>8}{_ratio(qr, ir):>8}  "
            lines.append(row + _same(op, phase))
    return lines + errors


def request_detail(ops: dict[str, Any]) -> list[str]:
    """S3 requests by kind for each operation (cold)."""
    lines = ["S3 requests by kind (cold): quilt3 | iam"]
    for name, op in ops.items():
        kinds = [_phase(op, backend, "cold") for backend in ("quilt3", "iam")]
        shown = [
            ", ".join(f"{n} {k}" for k, n in p["requests"].items()) if p and p["requests"] is not None else "-"
            for p in kinds
        ]
        lines.append(f"  {name:<17}{shown[0]:<28}| {shown[1]}")
    return lines


def memory_bound(results: dict[str, Any]) -> list[str]:
    """iam's peak memory on the big package against the whole package held in memory."""
    sizes = results["sizes"]
    tree = results["full_tree"]
    lines = [
        f"Memory bound ({sizes['entries']:,}-entry package, manifest {sizes['manifest_bytes'] / MIB:.1f} MiB; "
        "resident memory above the primed process)"
    ]
    if isinstance(tree, str):
        return [*lines, f"  full-tree baseline failed: {tree}"]
    dicts = tree["retained_bytes"] / MIB
    lines.append(f"  full tree, every entry a parsed Python dict, held: {dicts:.1f} MiB")
    kinds = list(results["registries"])
    held = [_mib(_phase(results["registries"][k].get("browse_root", {}), "quilt3", "cold"), "retained_bytes") for k in kinds]
    lines.append(
        "  full tree, quilt3 Package of the latest revision, held: "
        + ", ".join(f"{_num(h, '.1f')} MiB ({k})" for k, h in zip(kinds, held, strict=True))
    )
    lines.append(f"  iam peak in MiB, cold / warm, and cold as a fraction of the dict tree:")
    lines.append("  " + f"{'':<18}" + "".join(f"{k:<26}" for k in kinds))
    for name in BOUND_OPS:
        row = f"  {name:<18}"
        for kind in kinds:
            op = results["registries"][kind].get(name, {})
            cold, warm = _mib(_phase(op, "iam", "cold")), _mib(_phase(op, "iam", "warm"))
            share = f"{cold / dicts:.2f}" if cold is not None and dicts else "-"
            row += f"{_num(cold, '.1f'):>6} / {_num(warm, '.1f'):<6} = {share:<9}"
        lines.append(row.rstrip())
    return lines


def render(results: dict[str, Any]) -> str:
    """The whole report: one table per registry kind, request detail, then the memory bound."""
    s = results["sizes"]
    out = [
        f"{s['entries']:,}-entry package (second revision: {s['changes']} entries added, removed and changed), "
        f"{s['packages']:,}-package registry, {s['revisions']:,}-revision package.",
        f"s = wall time, MiB = peak resident memory above the primed process, req = S3 requests moto received; "
        f"medians of {s['repeat']} fresh processes.",
        "Ratios are quilt3/iam: above 1x the iam backend is faster, leaner, or makes fewer requests "
        f"(memory ratios only where both exceed {MEMORY_FLOOR:.0f} MiB).",
    ]
    if results["iam_problem"]:
        out.append(f"iam backend not measured: {results['iam_problem']}")
    out += [f"FIXTURE CHECK FAILED: {problem}" for problem in results["problems"]]
    for kind, ops in results["registries"].items():
        out += ["", *registry_table(kind, ops)]
        if kind == "s3":
            out += ["", *request_detail(ops)]
    out += ["", *memory_bound(results)]
    if "total_seconds" in results:
        out += ["", f"Whole run, fixtures included: {results['total_seconds']:.0f} s."]
    return "\n".join(out)


def emit(results: dict[str, Any], as_json: bool, render_text: Callable[[dict[str, Any]], str] = render) -> int:
    """Print ``results`` as JSON or as ``render_text`` tables; the exit status is 1 when any problem was found."""
    if as_json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print(render_text(results))
    return 1 if results["problems"] else 0
