"""Data for env-config: the env file the server loads from the path in ENV_FILE.

The file sets REGION to another value than the environment does, so the grader can see
which one wins, and it is the only source of SUPPORT_EMAIL and API_KEY.
"""

from __future__ import annotations

import random

ENV_FILE_NAME = "app.env"
REGIONS = ("north", "south", "east", "west", "central")


def generate(rng: random.Random) -> dict[str, bytes]:
    """Generate app.env with a comment, a blank line, plain values and one quoted value."""
    region = f"{rng.choice(REGIONS)}-{rng.getrandbits(24):06x}"
    email = f"help-{rng.getrandbits(24):06x}@example.test"
    api_key = f"{rng.getrandbits(128):032x}"
    text = (
        "# Settings for the grading run; the environment wins over this file.\n"
        f"REGION={region}\n"
        f"SUPPORT_EMAIL={email}\n"
        "\n"
        f'API_KEY="{api_key}"\n'
    )
    return {ENV_FILE_NAME: text.encode()}
