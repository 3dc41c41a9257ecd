"""Make the streetseg package beside scripts/ importable from Snakemake scripts.

Snakemake puts this folder on ``sys.path`` when it runs a script, on a workstation and on
cluster nodes alike; the library lives one level up.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
