"""Generate the product catalog that the pagination server pages through.

hubgrade calls ``generate`` once per run, before the server starts, and hands the
server the file's path in PRODUCTS_FILE. The grader reads the same bytes through the
``data_files`` fixture and computes every expected page from them.
"""

from __future__ import annotations

import json
import random

MIN_PRODUCTS = 41
MAX_PRODUCTS = 119
# The default limit of GET /products. The count is never a multiple of it, so the
# last page with the default limit is always a partial one.
DEFAULT_LIMIT = 10

CATEGORIES = ("kitchen", "garden", "office", "outdoor", "audio", "toys", "bath", "pets", "sports", "lighting")
ADJECTIVES = (
    "Compact", "Classic", "Nordic", "Urban", "Smart", "Retro", "Solar", "Foldable", "Wireless", "Cordless",
    "Ceramic", "Bamboo", "Steel", "Velvet", "Heavy-duty", "Portable",
)
NOUNS = (
    "Lamp", "Bottle", "Kettle", "Backpack", "Speaker", "Mug", "Chair", "Blender", "Headphones", "Planter",
    "Notebook", "Tent", "Towel", "Leash", "Ball", "Shelf", "Clock", "Fan", "Grill", "Scale",
)


def generate(rng: random.Random) -> dict[str, bytes]:
    """Return ``products.json``: a JSON array of 41 to 119 products in a random order."""
    count = rng.randint(MIN_PRODUCTS, MAX_PRODUCTS)
    while count % DEFAULT_LIMIT == 0:
        count = rng.randint(MIN_PRODUCTS, MAX_PRODUCTS)

    # Unique ids in a random order, so that the file order is the only order that fits.
    ids = rng.sample(range(100, 10_000), count)
    categories = rng.sample(CATEGORIES, rng.randint(4, 7))
    products = []
    for product_id in ids:
        name = f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
        if rng.random() < 0.3:
            name += f" {rng.choice(('Mini', 'Pro', 'XL', 'Max'))}"
        cents = rng.randint(199, 24_999)
        products.append({
            "id": product_id,
            "name": name,
            "category": rng.choice(categories),
            "price": cents / 100,
        })
    return {"products.json": (json.dumps(products, indent=2) + "\n").encode("utf-8")}
