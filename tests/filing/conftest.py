import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1] / "store"))

from storekit import store, store_url  # noqa: F401
