"""What each language contributes to the generated data: Faker's pools of names, cities,
companies and phrases, drawn once per seed, and the Hebrew words Faker does not have."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from faker import Faker

from kesher.seeds.draws import below, pick
from kesher.seeds.romanize import VAV, romanize

HEBREW_COMPANY_SUFFIXES = (
    'בע"מ',
    "ושות'",
    "אחזקות",
    "תעשיות",
    "טכנולוגיות",
    "סחר",
    "הנדסה",
    "שירותים",
    "מערכות",
    "יבוא ושיווק",
)
HEBREW_TITLES = (
    'מנכ"ל',
    'סמנכ"ל כספים',
    'סמנכ"ל תפעול',
    "מנהלת רכש",
    "מנהל מכירות",
    "מנהלת שיווק",
    "מהנדס ראשי",
    "רואת חשבון",
    "יועץ משפטי",
    "מנהלת משאבי אנוש",
    "ראש צוות פיתוח",
    "מנהל פרויקטים",
    "אחראית שירות לקוחות",
    "מנהל מוצר",
    "בעלים",
)
HEBREW_PROJECT_KINDS = (
    "הטמעת מערכת",
    "שדרוג תשתיות",
    "מעבר לענן",
    "תוכנית הדרכה",
    "ייעוץ אסטרטגי",
    "פיתוח אתר",
    "קמפיין שיווקי",
    "הקמת סניף",
    "אפיון מוצר",
    "חוזה שירות",
    "בדיקות איכות",
    "אבטחת מידע",
)
HEBREW_AREA_CODES = ("02", "03", "04", "08", "09", "072", "077")


def _us_phone(rng: random.Random) -> str:
    return f"+1-{201 + below(rng, 789)}-{200 + below(rng, 800)}-{below(rng, 10_000):04d}"


@dataclass(frozen=True, slots=True)
class Name:
    text: str
    slug: str


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Everything one language contributes, drawn from Faker once per seed."""

    hebrew: bool
    first_names: Sequence[Name]
    last_names: Sequence[Name]
    cities: Sequence[str]
    companies: Sequence[Name]
    titles: Sequence[str]
    project_names: Sequence[str]
    descriptions: Sequence[str]

    @classmethod
    def draw(cls, locale: str, seed: int, size: int = 1500) -> Vocabulary:
        fake = Faker(locale)
        fake.seed_instance(seed)

        def pool(make: Callable[[], str], count: int = size) -> list[str]:
            return list(dict.fromkeys(make() for _ in range(count)))

        def names(texts: list[str]) -> list[Name]:
            return [Name(text, romanize(text) or "x") for text in texts]

        cities = pool(fake.city)
        if locale == "he_IL":
            # Faker has no Hebrew companies, jobs or catch phrases; these are built here.
            companies: list[Name] = []
            titles: Sequence[str] = HEBREW_TITLES
            project_names = [f"{kind} {city}" for kind in HEBREW_PROJECT_KINDS for city in cities]
        else:
            companies = names(pool(fake.company))
            titles = pool(fake.job, 400)
            project_names = pool(fake.catch_phrase)
        return cls(
            hebrew=locale == "he_IL",
            first_names=names(pool(fake.first_name)),
            last_names=names(pool(fake.last_name)),
            cities=cities,
            companies=companies,
            titles=titles,
            project_names=project_names,
            descriptions=pool(lambda: fake.paragraph(nb_sentences=2), 600),
        )

    def company(self, rng: random.Random) -> tuple[str, str]:
        """A company name and its web domain."""
        if not self.hebrew:
            company = pick(rng, self.companies)
            return company.text, f"{company.slug}.com"
        first, second = pick(rng, self.last_names), pick(rng, self.last_names)
        shape = rng.random()
        if shape < 0.5:
            return f"{first.text} {pick(rng, HEBREW_COMPANY_SUFFIXES)}", f"{first.slug}.co.il"
        domain = f"{first.slug}-{second.slug}.co.il"
        if shape < 0.8:
            return f"{first.text} {VAV}{second.text}", domain
        return f"{first.text}-{second.text} {pick(rng, HEBREW_COMPANY_SUFFIXES)}", domain

    def office_phone(self, rng: random.Random) -> str:
        if self.hebrew:
            return f"{pick(rng, HEBREW_AREA_CODES)}-{2_000_000 + below(rng, 8_000_000)}"
        return _us_phone(rng)

    def mobile_phone(self, rng: random.Random) -> str:
        if self.hebrew:
            return f"05{below(rng, 10)}-{1_000_000 + below(rng, 9_000_000)}"
        return _us_phone(rng)


@lru_cache(maxsize=4)
def languages(seed: int) -> tuple[Vocabulary, Vocabulary]:
    # Drawing the pools takes about half a second; datasets of one seed share them.
    return Vocabulary.draw("he_IL", seed), Vocabulary.draw("en_US", seed)


def other(words: Vocabulary, hebrew: Vocabulary, english: Vocabulary) -> Vocabulary:
    return english if words is hebrew else hebrew
