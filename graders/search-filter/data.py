"""Generate the product catalog that the search-filter server searches, filters and sorts.

hubgrade calls ``generate`` once per run, before the server starts, and hands the
server the file's path in PRODUCTS_FILE. The grader reads the same bytes through the
``data_files`` fixture and computes every expected result from them.

The catalog is built so that each rule of the spec matters on every run:

- One adjective (the marker) starts several names, in at least three spellings such as
  ``Eco``, ``eco`` and ``ECO``, for case-insensitive search.
- At least two names end in ``(2-pack)`` and two in ``v2.0``, for a search that must
  treat ``(`` and ``.`` as plain characters.
- Several groups of products share a price, and some names appear twice, for sorts
  that keep ties in file order.
- No two names differ only in case, so comparing lower-cased names and
  ``localeCompare`` give the same order (checked with Node.js 20 and 24 on 300 catalogs).

Names use only the words in ADJECTIVES, NOUNS and SUFFIXES, and descriptions only the
lower-case words in QUALITIES, MATERIALS and FEATURES, so a search term taken from one
list never matches the other field.
"""

from __future__ import annotations

import json
import random

MIN_PRODUCTS = 60
MAX_PRODUCTS = 100
CATEGORY_COUNT = 5
MARKER_SPELLINGS = (str.title, str.lower, str.upper)

CATEGORIES = ("kitchen", "garden", "office", "outdoor", "audio", "toys", "bath", "pets", "sports", "lighting")
ADJECTIVES = (
    "Eco", "Nordic", "Urban", "Smart", "Retro", "Solar", "Wireless", "Cordless", "Velvet", "Portable",
    "Deluxe", "Vintage", "Arctic", "Summit",
)
NOUNS = (
    "Lamp", "Bottle", "Kettle", "Backpack", "Speaker", "Mug", "Chair", "Blender", "Planter", "Notebook",
    "Tent", "Towel", "Leash", "Shelf", "Clock", "Fan", "Grill", "Scale",
)
SUFFIXES = ("Mini", "Pro", "XL", "Max")
SPECIAL_SUFFIXES = ("(2-pack)", "v2.0")
QUALITIES = ("lightweight", "durable", "handmade", "sturdy", "rechargeable", "washable", "stackable", "quiet")
MATERIALS = ("bamboo", "walnut", "linen", "cotton", "ceramic", "oak", "glass", "cork")
FEATURES = ("dishwasher safe", "easy to clean", "built to last", "ready to gift", "safe for kids", "backed by a warranty")


def generate(rng: random.Random) -> dict[str, bytes]:
    """Return ``products.json``: a JSON array of 60 to 100 products in a random order."""
    count = rng.randint(MIN_PRODUCTS, MAX_PRODUCTS)
    categories = rng.sample(CATEGORIES, CATEGORY_COUNT)
    marker = rng.choice(ADJECTIVES)
    others = [adjective for adjective in ADJECTIVES if adjective != marker]

    names = _names(rng, count, marker, others)
    prices = _prices(rng, count)
    # Each category gets at least three products, the rest are spread at random.
    product_categories = [categories[index % CATEGORY_COUNT] for index in range(3 * CATEGORY_COUNT)]
    product_categories += [rng.choice(categories) for _ in range(count - len(product_categories))]
    rng.shuffle(product_categories)

    ids = rng.sample(range(100, 10_000), count)
    products = []
    for product_id, name, price, category in zip(ids, names, prices, product_categories):
        products.append({
            "id": product_id,
            "name": name,
            "description": _description(rng),
            "category": category,
            "price": price,
        })
    return {"products.json": (json.dumps(products, indent=2) + "\n").encode("utf-8")}


def _names(rng: random.Random, count: int, marker: str, others: list[str]) -> list[str]:
    """Return ``count`` names in a random order, with the marker, special suffixes and duplicates."""
    names: list[str] = []
    used_lower: set[str] = set()

    def add(adjective: str, suffix: str | None = None) -> None:
        # Draw nouns until the name is new even when case is ignored.
        while True:
            noun = rng.choice(NOUNS)
            if rng.random() < 0.2:
                noun = noun.lower()
            name = f"{adjective} {noun}" + (f" {suffix}" if suffix else "")
            if name.lower() not in used_lower:
                used_lower.add(name.lower())
                names.append(name)
                return

    for index in range(rng.randint(5, 7)):
        add(MARKER_SPELLINGS[index % len(MARKER_SPELLINGS)](marker))
    for suffix in SPECIAL_SUFFIXES:
        for _ in range(rng.randint(2, 3)):
            add(_spell(rng, rng.choice(others)), suffix)
    duplicates = rng.randint(2, 3)
    while len(names) < count - duplicates:
        suffix = rng.choice(SUFFIXES) if rng.random() < 0.3 else None
        add(_spell(rng, rng.choice(others)), suffix)
    # Exact copies of earlier names, for ties in a sort by name.
    names += rng.sample(names, duplicates)
    rng.shuffle(names)
    return names


def _spell(rng: random.Random, word: str) -> str:
    """Return the word mostly capitalized, sometimes lower or upper case."""
    roll = rng.random()
    if roll < 0.15:
        return word.lower()
    if roll < 0.25:
        return word.upper()
    return word


def _prices(rng: random.Random, count: int) -> list[float]:
    """Return ``count`` prices with two decimals, with at least three groups of equal prices."""
    cents = [rng.randint(299, 19_999) for _ in range(count)]
    # Whole euro amounts, written as 25.0 in the file.
    for index in rng.sample(range(count), 3):
        cents[index] = cents[index] // 100 * 100
    positions = list(range(count))
    rng.shuffle(positions)
    for _ in range(rng.randint(3, 5)):
        size = rng.randint(2, 4)
        group, positions = positions[:size], positions[size:]
        for index in group[1:]:
            cents[index] = cents[group[0]]
    return [amount / 100 for amount in cents]


def _description(rng: random.Random) -> str:
    quality, other_quality = rng.sample(QUALITIES, 2)
    return f"{quality} and {other_quality} {rng.choice(MATERIALS)} design that is {rng.choice(FEATURES)}"
