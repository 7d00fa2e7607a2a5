"""`torchport report --verify`: each shape fix run in torch (torchport.advisor.verify) and marked verified,
or torch's error shown; the header says the user's code was run. Where torch is not installed nothing
runs, and the report says so."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from torchport.advisor import cli
from torchport.advisor.verify import torch_available

REPO = Path(__file__).resolve().parents[3]
BROKEN = REPO / "tests" / "advisor" / "zoo" / "broken" / "conv_in_channels.py"  # conv2 takes 16 channels, gets 32
STILL_BROKEN = """\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
            self.conv2 = nn.Conv2d(4, 8, 3, padding=1)

        def forward(self, x):
            return self.conv2(self.conv1(x)).flatten(1) @ self.missing_weight
    """


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.skipif(not torch_available(), reason="verifying runs torch (absent or hidden)")
def test_shape_fixes_run_in_torch(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    shutil.copy(BROKEN, tmp_path / "small_convnet.py")
    (tmp_path / "still_broken.py").write_text(textwrap.dedent(STILL_BROKEN))

    code = cli.main(["report", "--verify", str(tmp_path)])
    words = flat(capsys.readouterr().out)

    assert code == 1
    assert ("--verify: to test the shape fixes, torchport imported 2 files and built and ran 2 models in torch "
            "on the meta device") in words
    small_convnet, still_broken = words.split("still_broken.py ─", 1)  # the files in order
    verified = small_convnet.split("✓ verified in torch (meta device): ", 1)[1].split("Project summary")[0]
    # the detail is advisor.verify's: the input, what torch said before the fix and what it gives after
    assert "(2, 3, 32, 32)" in verified and "RuntimeError" in verified and "(2, 10)" in verified
    # the channel fix is right, but torch still rejects the model: its error is shown
    failed = still_broken.split("✗ torch rejects the fixed model: ", 1)[1]
    assert "AttributeError: 'Net' object has no attribute 'missing_weight'" in failed
    assert "Shape fixes run in torch: verified 1, failed 1." in words


def test_without_torch_nothing_runs_and_the_report_says_so(tmp_path: Path) -> None:
    shutil.copy(BROKEN, tmp_path / "small_convnet.py")
    script = (
        "import sys\n"
        "from tests.support.hide_torch import hide_torch; hide_torch()\n"
        "from torchport.advisor import cli\n"
        f"code = cli.main(['report', '--verify', '--format', 'markdown', {str(tmp_path)!r}])\n"
        "print('exit', code, 'torch imported:', 'torch' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True)
    words = flat(done.stdout)

    assert words.endswith("exit 1 torch imported: False")
    assert "--verify: none of your code was run: torch is not installed" in words
    assert "**not verified**: torch is not installed" in words
    assert "without importing or running it" not in words
