"""quilt3 is imported only when a login may exist: detection on a logged-out machine stays light.

Each check runs in a fresh interpreter whose quilt3 data dir is a new, empty
temp dir, so nothing this process imported or wrote can hide an import.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from quilt_mcp_conformance.harness import Infrastructure

DETECT = """
import json, sys
from quilt_mcp.auth import AuthContext
from quilt_mcp_quilt3 import plugin
candidate = plugin.quilt_mcp_detect(AuthContext.from_environment())
print(json.dumps({"usable": candidate.usable, "reason": candidate.reason,
                  "imported": sorted(m for m in ("quilt3", "boto3", "botocore") if m in sys.modules)}))
"""


def run(code: str, data_home: Path) -> dict:
    env = {**os.environ, "XDG_DATA_HOME": str(data_home)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout)


@pytest.fixture
def data_home(infra: Infrastructure) -> Path:
    return infra.new_dir("xdg-data")


def test_detection_without_a_login_imports_neither_quilt3_nor_boto3(data_home: Path) -> None:
    result = run(DETECT, data_home)

    assert result["imported"] == []
    assert not result["usable"]
    assert "quilt3 login" in result["reason"]


def test_an_emptied_auth_file_after_quilt3_logout_imports_nothing(data_home: Path) -> None:
    (data_home / "Quilt").mkdir()
    (data_home / "Quilt" / "auth.json").write_text("{}")

    assert run(DETECT, data_home)["imported"] == []


def test_the_plugin_finds_the_data_dir_quilt3_computes(data_home: Path) -> None:
    code = (
        "import json; from quilt_mcp_quilt3.detection import quilt3_data_dir; before = quilt3_data_dir();"
        "import quilt3.util; print(json.dumps([str(before), str(quilt3.util.BASE_PATH)]))"
    )

    ours, quilt3s = run(code, data_home)

    assert ours == quilt3s == str(data_home / "Quilt")


def test_importing_the_plugin_and_its_harness_module_imports_no_quilt3(data_home: Path) -> None:
    code = (
        "import json, sys, quilt_mcp_quilt3.plugin, quilt_mcp_quilt3.conformance;"
        "print(json.dumps('quilt3' in sys.modules))"
    )

    assert run(code, data_home) is False
