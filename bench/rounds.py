"""Measuring variants side by side: one untimed warm-up each, then interleaved rounds."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

V = TypeVar("V")
R = TypeVar("R")


def interleaved(
    variants: Mapping[str, V], measure: Callable[[V], R], repeat: int, *, warm_up: bool = True
) -> dict[str, list[R]]:
    """``measure`` every variant once, unrecorded (warms the OS file cache; skipped without ``warm_up``),
    then ``repeat`` rounds each measuring every variant once in order, so drift in machine load touches
    all variants alike.

    Returns each variant's ``repeat`` results, in round order.
    """
    for variant in variants.values() if warm_up else ():
        measure(variant)
    results: dict[str, list[R]] = {label: [] for label in variants}
    for _ in range(repeat):
        for label, variant in variants.items():
            results[label].append(measure(variant))
    return results
