"""How long ``quilt-mcp doctor`` takes with quilt3 installed and nobody logged in, beside its baselines.

    uv run python bench/doctor_startup.py [--repeat 7] [--json]

Every command runs as a fresh subprocess in a fresh, empty home (HOME and
XDG dirs in a temp dir, no AWS credentials, no instance metadata), so no
quilt3 login exists and nothing is cached. Measured side by side in the same
run, interleaved round by round:

- ``python``: the interpreter alone (``-c pass``);
- ``import quilt_mcp core``: the core modules every plugin and doctor load (pydantic models, plugin host);
- ``import quilt3``: what doctor would pay if the quilt3 plugin imported quilt3;
- ``quilt3 plugin detection alone``: importing the core and the plugin and detecting;
- ``doctor --json``: every installed plugin loaded and asked to detect;
- ``doctor --json, quilt3 plugin disabled``: the same without the quilt3 plugin,
  so the difference is what the quilt3 plugin adds.

Prints medians, the ratios that matter, and whether doctor imported quilt3.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from rounds import interleaved

PY = sys.executable
DOCTOR = [PY, "-m", "quilt_mcp.cli", "doctor", "--json"]
DETECT = (
    "from quilt_mcp.auth import AuthContext; from quilt_mcp_quilt3 import plugin;"
    "plugin.quilt_mcp_detect(AuthContext.from_environment())"
)
COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "python": ([PY, "-c", "pass"], {}),
    "import quilt_mcp core (plugins, models)": ([PY, "-c", "import quilt_mcp.plugins, quilt_mcp.auth"], {}),
    "import quilt3": ([PY, "-c", "import quilt3"], {}),
    "quilt3 plugin detection alone": ([PY, "-c", DETECT], {}),
    "doctor --json": (DOCTOR, {}),
    "doctor --json, quilt3 plugin disabled": (DOCTOR, {"QUILT_MCP_DISABLE_PLUGINS": "quilt3"}),
}
IMPORT_PROBE = (
    "import contextlib, io, sys\n"
    "from quilt_mcp.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()): main(['doctor', '--json'])\n"
    "print('quilt3' in sys.modules)\n"
)


def empty_home(root: Path) -> dict[str, str]:
    """An environment with a fresh home: no quilt3 login, no AWS credentials or profiles."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "QUILT_"))}
    for name in ("home", "data", "cache", "config"):
        (root / name).mkdir()
    env.update(
        HOME=str(root / "home"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_CONFIG_HOME=str(root / "config"),
        AWS_CONFIG_FILE=str(root / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(root / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        QUILT_DISABLE_USAGE_METRICS="true",
    )
    return env


def time_once(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="rounds; each round runs every command once")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="doctor-bench-") as tmp:
        env = empty_home(Path(tmp))
        samples = interleaved(COMMANDS, lambda command: time_once(command[0], {**env, **command[1]}), args.repeat)
        probe = subprocess.run([PY, "-c", IMPORT_PROBE], env=env, capture_output=True, text=True, check=True)
        doctor_imported_quilt3 = probe.stdout.strip().splitlines()[-1] == "True"

    median = {label: statistics.median(times) for label, times in samples.items()}
    plugin_cost = median["doctor --json"] - median["doctor --json, quilt3 plugin disabled"]
    detect_cost = median["quilt3 plugin detection alone"] - median["import quilt_mcp core (plugins, models)"]
    import_cost = median["import quilt3"] - median["python"]
    result = {
        "repeat": args.repeat,
        "median_seconds": median,
        "doctor_vs_import_quilt3": median["doctor --json"] / median["import quilt3"],
        "quilt3_plugin_seconds_in_doctor": plugin_cost,
        "quilt3_detection_seconds_beyond_core_import": detect_cost,
        "quilt3_import_seconds": import_cost,
        "doctor_imported_quilt3": doctor_imported_quilt3,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"quilt-mcp doctor, quilt3 installed, nobody logged in (median of {args.repeat} rounds)")
    for label, seconds in median.items():
        print(f"  {label:<40} {seconds * 1000:8.0f} ms")
    print(f"  doctor / import quilt3                   {result['doctor_vs_import_quilt3']:8.2f}x")
    print(f"  quilt3 plugin's share of doctor          {plugin_cost * 1000:8.0f} ms")
    print(f"  quilt3 detection beyond importing core   {detect_cost * 1000:8.0f} ms")
    print(f"  importing quilt3 would add               {import_cost * 1000:8.0f} ms")
    print(f"  doctor imported quilt3                   {'yes' if doctor_imported_quilt3 else 'no'}")


if __name__ == "__main__":
    main()
