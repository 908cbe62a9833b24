"""Shared fixtures: an isolated model store for the whole session; the real MNIST, loaded once."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


@pytest.fixture(scope="session", autouse=True)
def isolated_store_home(tmp_path_factory) -> Path:
    """Point DIGIT_STUDIO_HOME at a fresh directory so no test touches the user's model store.

    Set in os.environ, so subprocesses (`python -m model ...`) inherit it too.
    """
    home = tmp_path_factory.mktemp("digit-studio-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIGIT_STUDIO_HOME", str(home))
        yield home


@pytest.fixture(scope="session")
def mnist():
    """The real MNIST (60,000 + 10,000 digits), verified against its checksums."""
    from model.data import load_mnist

    return load_mnist()
