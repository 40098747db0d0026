"""Generate a realistic, seeded lead CSV for the import benchmark.

The file looks like a real export: non-ASCII names, companies with legal suffixes, work and
free-mail addresses, national phone formats, LinkedIn URL variants, notes with commas, quotes and
line breaks, about 3% re-listed people (case and space variants), 1% invalid emails and 1% rows
with a LinkedIn URL but no email. Rows are written as they are made, so memory stays constant,
and the same seed always gives the same bytes.

    uv run python benchmarks/generate_leads.py --rows 1000000 --seed 42 -o benchmarks/out/leads.csv
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

HEADER = [
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Title",
    "Phone",
    "LinkedIn URL",
    "City",
    "Notes",
]

DUPLICATE_RATE = 0.03
INVALID_EMAIL_RATE = 0.01
NO_EMAIL_RATE = 0.01
FREE_MAIL_RATE = 0.15
LINKEDIN_RATE = 0.65
PHONE_RATE = 0.75
NOTES_RATE = 0.30
RESERVOIR_SIZE = 4096  # earlier rows kept as candidates for re-listing; bounds memory

# Country → (weight, first names, last names, cities, top-level domain, legal suffixes).
# Names that are not Latin carry their transliteration for the email address.
COUNTRIES: dict[str, tuple[int, list[str], list[str], list[str], str, list[str]]] = {
    "US": (
        30,
        [
            "John",
            "Mary",
            "James",
            "Patricia",
            "Robert",
            "Jennifer",
            "Michael",
            "Linda",
            "David",
            "Elizabeth",
            "William",
            "Barbara",
            "Richard",
            "Susan",
            "Joseph",
            "Jessica",
            "Thomas",
            "Sarah",
            "Chris",
            "Karen",
            "Daniel",
            "Nancy",
            "Matthew",
            "Lisa",
            "Anthony",
            "Betty",
            "Mark",
            "Ashley",
            "Steven",
            "Emily",
            "Kevin",
            "Megan",
            "Brian",
            "Rachel",
            "Tyler",
        ],
        [
            "Smith",
            "Johnson",
            "Williams",
            "Brown",
            "Jones",
            "Miller",
            "Davis",
            "Wilson",
            "Anderson",
            "Taylor",
            "Thomas",
            "Moore",
            "Jackson",
            "Martin",
            "Lee",
            "Thompson",
            "White",
            "Harris",
            "Clark",
            "Lewis",
            "Robinson",
            "Walker",
            "Young",
            "Allen",
            "King",
            "Wright",
            "Scott",
            "O'Brien",
            "McCarthy",
            "Hill",
            "Green",
            "Adams",
            "Baker",
            "Nelson",
            "Carter",
            "Doe",
        ],
        [
            "New York",
            "San Francisco",
            "Austin",
            "Chicago",
            "Boston",
            "Seattle",
            "Denver",
            "Atlanta",
        ],
        "com",
        ["Inc.", "LLC", "Corp.", "Inc", "Co."],
    ),
    "GB": (
        12,
        [
            "Oliver",
            "Amelia",
            "Harry",
            "Isla",
            "George",
            "Ava",
            "Jack",
            "Emily",
            "Charlie",
            "Sophie",
            "Alfie",
            "Grace",
            "Freddie",
            "Poppy",
            "Alistair",
            "Siobhán",
            "Niamh",
            "Rhys",
        ],
        [
            "Jones",
            "Taylor",
            "Evans",
            "Thomas",
            "Roberts",
            "Walker",
            "Wright",
            "Hughes",
            "Edwards",
            "Green",
            "Hall",
            "Wood",
            "Clarke",
            "Hughes",
            "Patel",
            "Khan",
            "Murphy",
            "Ó Súilleabháin",
        ],
        ["London", "Manchester", "Edinburgh", "Bristol", "Leeds", "Cambridge", "Belfast"],
        "co.uk",
        ["Ltd", "Ltd.", "Limited", "PLC", "LLP"],
    ),
    "FR": (
        15,
        [
            "Jean",
            "Marie",
            "Hélène",
            "François",
            "Zoé",
            "Jérôme",
            "Chloé",
            "Loïc",
            "Anaïs",
            "Benoît",
            "Céline",
            "Gaëlle",
            "Léa",
            "Théo",
            "Mathéo",
            "Agnès",
            "Clément",
            "Noémie",
            "Jean-Pierre",
            "Anne-Sophie",
            "Rémi",
            "Maëlys",
            "Frédéric",
            "Élodie",
        ],
        [
            "Martin",
            "Bernard",
            "Dubois",
            "Lefèvre",
            "Dupré",
            "Girard",
            "Rousseau",
            "Mercier",
            "Lemaître",
            "Fontaine",
            "Chevalier",
            "Gauthier",
            "Bézier",
            "Béranger",
            "Dupont",
            "Le Goff",
            "Lambert",
            "Faure",
            "Brûlé",
            "Nguyen",
            "Perrin",
            "Morel",
            "Garçon",
        ],
        ["Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Montréal"],
        "fr",
        ["SAS", "SA", "SARL", "S.A.S.", "EURL"],
    ),
    "DE": (
        14,
        [
            "Jürgen",
            "Jörg",
            "Günther",
            "Anna",
            "Lukas",
            "Müller",
            "Sören",
            "Katrin",
            "Björn",
            "Uwe",
            "Sabine",
            "Torsten",
            "Jonas",
            "Lena",
            "Maximilian",
            "Mareike",
            "Dörte",
            "Kai",
        ],
        [
            "Müller",
            "Schröder",
            "Weiß",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Becker",
            "Hoffmann",
            "Schäfer",
            "Köhler",
            "Krüger",
            "Wagner",
            "Bauer",
            "Wolf",
            "Günther",
            "Groß",
            "Jäger",
        ],
        ["Berlin", "München", "Hamburg", "Köln", "Frankfurt am Main", "Düsseldorf", "Stuttgart"],
        "de",
        ["GmbH", "AG", "GmbH & Co. KG", "KG", "SE"],
    ),
    "ES": (
        8,
        [
            "José",
            "María",
            "Íñigo",
            "Lucía",
            "Sofía",
            "Martín",
            "Begoña",
            "Ángel",
            "Nuria",
            "Álvaro",
            "Inés",
            "Ramón",
            "Raúl",
            "Noelia",
            "Joaquín",
        ],
        [
            "García",
            "Núñez",
            "Muñoz",
            "Peña",
            "Fernández",
            "López",
            "Martínez",
            "Sánchez",
            "Pérez",
            "Gómez",
            "Ibáñez",
            "Rodríguez",
            "Domínguez",
            "Castaño",
        ],
        ["Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga", "Zaragoza"],
        "es",
        ["S.L.", "S.A.", "SL", "S.L.U."],
    ),
    "IT": (
        5,
        ["Giulia", "Lorenzo", "Niccolò", "Francesca", "Matteo", "Chiara", "Andrea", "Elena"],
        ["Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "De Luca"],
        ["Milano", "Roma", "Torino", "Bologna", "Firenze"],
        "it",
        ["S.p.A.", "S.r.l.", "SRL"],
    ),
    "NL": (
        4,
        ["Daan", "Sanne", "Bram", "Femke", "Joost", "Anouk", "Sjoerd"],
        ["de Vries", "van Dijk", "Jansen", "Bakker", "Visser", "van den Berg", "Smit"],
        ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"],
        "nl",
        ["B.V.", "BV", "N.V."],
    ),
    "NO": (
        4,
        ["Bjørn", "Søren", "Øystein", "Åse", "Ingrid", "Kjetil", "Sigrún", "Mette", "Jørgen"],
        ["Sørensen", "Kjær", "Ødegård", "Hansen", "Johansen", "Dahl", "Lærum", "Bråten", "Holm"],
        ["Oslo", "Bergen", "København", "Aarhus", "Trondheim"],
        "no",
        ["AS", "ASA", "ApS", "A/S"],
    ),
    "GR": (
        2,
        ["Γιώργος:giorgos", "Μαρία:maria", "Νίκος:nikos", "Ελένη:eleni", "Δημήτρης:dimitris"],
        [
            "Παπαδόπουλος:papadopoulos",
            "Οικονόμου:oikonomou",
            "Γεωργίου:georgiou",
            "Νικολάου:nikolaou",
        ],
        ["Αθήνα", "Θεσσαλονίκη", "Athens"],
        "gr",
        ["Α.Ε.", "S.A.", "IKE"],
    ),
    "CN": (
        3,
        ["伟:wei", "娜:na", "敏:min", "静:jing", "磊:lei", "Wei:wei", "Li:li"],
        ["王:wang", "李:li", "张:zhang", "刘:liu", "陈:chen", "Zhang:zhang", "Chen:chen"],
        ["Shanghai", "北京", "深圳", "Hangzhou", "Hong Kong"],
        "cn",
        ["Co., Ltd.", "Ltd.", "有限公司"],
    ),
}
COUNTRY_CODES = list(COUNTRIES)
COUNTRY_WEIGHTS = [COUNTRIES[c][0] for c in COUNTRY_CODES]

COMPANY_WORDS = [
    "Acme",
    "Nordlicht",
    "Blue",
    "Harbor",
    "Summit",
    "Vertex",
    "Lumen",
    "Atlas",
    "Pioneer",
    "Cedar",
    "Quantum",
    "Iron",
    "Silver",
    "Green",
    "Bright",
    "Delta",
    "Nova",
    "Orbit",
    "Pixel",
    "Solar",
    "Alpine",
    "Coastal",
    "Crown",
    "Falcon",
    "Granite",
    "Horizon",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Maple",
    "Nimbus",
    "Oak",
    "Prism",
    "Quartz",
    "River",
    "Sierra",
    "Terra",
    "Union",
    "Vector",
    "Willow",
    "Zenith",
    "Bären",
    "Étoile",
    "Fjord",
    "Sol",
    "Aurora",
    "Beacon",
    "Cobalt",
    "Ember",
]
COMPANY_KINDS = [
    "Industries",
    "Systems",
    "Software",
    "Consulting",
    "Logistics",
    "Labs",
    "Analytics",
    "Media",
    "Partners",
    "Technologies",
    "Solutions",
    "Group",
    "Holdings",
    "Digital",
    "Health",
    "Energy",
    "Robotics",
    "Foods",
    "Capital",
    "Networks",
    "Ingénierie",
    "Technik",
    "Soluciones",
    "Werke",
]
FREE_MAIL = [
    "gmail.com",
    "yahoo.com",
    "hotmail.com",
    "outlook.com",
    "gmx.de",
    "web.de",
    "orange.fr",
    "free.fr",
    "laposte.net",
    "yahoo.fr",
    "hotmail.co.uk",
    "icloud.com",
    "protonmail.com",
    "libero.it",
    "qq.com",
    "163.com",
    "live.com",
    "aol.com",
]
TITLES = [
    "CEO",
    "CTO",
    "VP Sales",
    "Head of Marketing",
    "Marketing Manager",
    "Sales Director",
    "Account Executive",
    "Software Engineer",
    "Directeur Commercial",
    "Responsable Marketing",
    "Geschäftsführer",
    "Vertriebsleiter",
    "Director de Ventas",
    "Product Manager",
    "Founder",
    "Co-Founder & CEO",
    "Head of Growth",
    "Customer Success Manager",
    "CFO",
    "Office Manager",
    "Business Developer",
    "Chief Revenue Officer",
    "Head of People",
    "",
    "",
]
NOTES = [
    "Met at SaaStr, follow up in Q3",
    'Said "call me back next week"',
    "Interested in the API",
    "Referred by a customer;\nwants pricing",
    "Budget approved, decision by end of month",
    "Prefers email, not phone",
    "Replied: not now — maybe 2025",
    "Downloaded the white paper",
    "Ex-customer (churned), re-engage",
    "Speaks French & English",
    '=HYPERLINK("x")',
]
INVALID_EMAILS = [
    "{l}@{d_nodot}",
    "{l}.{d}",
    "{l}..x@{d}",
    "{sp}@{d}",
    "@{d}",
    "{l}@{d_comma}",
    "{l}@x@{d}",
    "{l}@",
    "{l} at {d}",
    "{l}@-{d}",
]

_ASCII_EXTRA = str.maketrans(
    {
        "ø": "o",
        "Ø": "O",
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "å": "a",
        "Å": "A",
        "ð": "d",
        "þ": "th",
        "ł": "l",
        "œ": "oe",
    }
)


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    email: str
    company: str
    title: str
    phone: str
    slug: str
    linkedin: str
    city: str
    notes: str
    country: str


def ascii_fold(text: str) -> str:
    """ASCII form of a Latin name for an address: 'Jérôme Sørensen' → 'Jerome Sorensen'."""
    text = text.translate(_ASCII_EXTRA)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii())


def split_name(entry: str) -> tuple[str, str]:
    """A pool entry is 'Name' or 'Name:transliteration'."""
    shown, _, latin = entry.partition(":")
    return shown, latin or ascii_fold(shown)


def mail_token(text: str) -> str:
    return "".join(c for c in text.lower().replace(" ", "") if c.isalnum() or c == "-")


class LeadFactory:
    """Makes people; companies are derived from their number, so none need to be kept."""

    def __init__(self, rng: random.Random, rows: int, seed: int) -> None:
        self.rng = rng
        self.seed = seed
        self.companies = max(50, rows // 4)

    def company(self, number: int) -> tuple[str, str, str]:
        """(name, domain, country) for company `number`, the same every time."""
        crng = random.Random(self.seed * 1_000_003 + number)
        country = crng.choices(COUNTRY_CODES, COUNTRY_WEIGHTS)[0]
        tld, suffixes = COUNTRIES[country][4], COUNTRIES[country][5]
        first, kind = crng.choice(COMPANY_WORDS), crng.choice(COMPANY_KINDS)
        name = (
            f"{first} {kind}"
            if crng.random() < 0.7
            else f"{first}{crng.choice(COMPANY_WORDS).lower()}"
        )
        stem = mail_token(ascii_fold(name))
        # Names repeat across a big list; the number keeps one domain per company.
        domain = f"{stem}{number if number >= len(COMPANY_WORDS) else ''}.{tld}"
        if crng.random() < 0.85:
            name = f"{name} {crng.choice(suffixes)}"
        return name, domain, country

    def person(self) -> Person:
        rng = self.rng
        name, domain, country = self.company(rng.randrange(self.companies))
        _, firsts, lasts, cities, _, _ = COUNTRIES[country]
        first, first_latin = split_name(rng.choice(firsts))
        last, last_latin = split_name(rng.choice(lasts))
        f, la = mail_token(first_latin), mail_token(last_latin)
        discriminator = f"{rng.randrange(16**6):06x}"
        slug = f"{f}-{la}-{discriminator}"
        return Person(
            first=first,
            last=last,
            email=self.email(f, la, domain),
            company=name,
            title=rng.choice(TITLES),
            phone=phone(rng, country) if rng.random() < PHONE_RATE else "",
            slug=slug,
            linkedin=linkedin(rng, slug) if rng.random() < LINKEDIN_RATE else "",
            city=rng.choice(cities),
            notes=rng.choice(NOTES) if rng.random() < NOTES_RATE else "",
            country=country,
        )

    def email(self, f: str, la: str, domain: str) -> str:
        rng = self.rng
        suffix = str(rng.randrange(10, 99999))
        if rng.random() < FREE_MAIL_RATE:
            return f"{f}.{la}{suffix}@{rng.choice(FREE_MAIL)}"
        local = rng.choice(
            [f"{f}.{la}", f"{f[:1]}{la}", f"{f}_{la}", f"{f[:1]}.{la}", f"{f}{la[:1]}"]
        )
        return f"{local}{suffix[:2]}@{domain}" if rng.random() < 0.2 else f"{local}@{domain}"


def linkedin(rng: random.Random, slug: str) -> str:
    """One of the ways a profile URL shows up in exports."""
    shown = slug if rng.random() < 0.8 else slug.title()
    form = rng.randrange(8)
    return [
        f"https://www.linkedin.com/in/{shown}",
        f"https://www.linkedin.com/in/{shown}/",
        f"http://fr.linkedin.com/in/{shown}/",
        f"linkedin.com/in/{shown}?trk=public_profile",
        f"https://www.linkedin.com/in/{shown}/en",
        f"https://m.linkedin.com/in/{shown}#experience",
        f"www.linkedin.com/in/{shown}?originalSubdomain=de",
        f"https://de.linkedin.com/in/{shown}/de",
    ][form]


def _digits(rng: random.Random, n: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(n))


def phone(rng: random.Random, country: str) -> str:
    """A phone in one of the country's usual written forms (national or international)."""
    d = lambda n: _digits(rng, n)  # noqa: E731
    intl = rng.random() < 0.3
    if country == "FR":
        p = f"{rng.choice('1234567')} {d(2)} {d(2)} {d(2)} {d(2)}"
        return f"+33 {p}" if intl else f"0{p}"
    if country == "US":
        area = f"{rng.randrange(2, 10)}{d(2)}"
        return (
            f"+1 {area} 555 {d(4)}"
            if intl
            else rng.choice([f"({area}) 555-{d(4)}", f"{area}-555-{d(4)}", f"{area}.555.{d(4)}"])
        )
    if country == "GB":
        return (
            f"+44 20 7946 {d(4)}" if intl else rng.choice([f"020 7946 {d(4)}", f"07700 900{d(3)}"])
        )
    if country == "DE":
        return (
            f"+49 30 {d(7)}" if intl else rng.choice([f"030 {d(7)}", f"0151 {d(8)}", f"089/{d(6)}"])
        )
    if country == "ES":
        return f"+34 91{d(1)} {d(3)} {d(3)}" if intl else f"91{d(1)} {d(3)} {d(3)}"
    if country == "IT":
        return f"+39 02 {d(4)} {d(4)}" if intl else f"02 {d(4)} {d(4)}"
    if country == "NL":
        return f"+31 20 {d(3)} {d(4)}" if intl else f"020 {d(3)} {d(4)}"
    if country == "NO":
        return f"+47 22 {d(2)} {d(2)} {d(2)}" if intl else f"22 {d(2)} {d(2)} {d(2)}"
    if country == "GR":
        return f"+30 21 0{d(3)} {d(4)}"
    return f"+86 10 {d(4)} {d(4)}" if intl else f"138 {d(4)} {d(4)}"


def invalid_email(rng: random.Random, p: Person) -> str:
    local, _, domain = p.email.partition("@")
    return rng.choice(INVALID_EMAILS).format(
        l=local,
        d=domain,
        d_nodot=domain.split(".")[0],
        d_comma=domain.replace(".", ","),
        sp=local.replace(".", " ", 1) if "." in local else f"{local} x",
    )


def relisted(rng: random.Random, p: Person) -> Person:
    """The same person again, as another export would write them: case, spaces, URL form."""
    email = p.email
    if email:
        local, _, domain = email.partition("@")
        shape = rng.randrange(4)
        if shape == 0:
            email = f"{local.title()}@{domain.title()} "
        elif shape == 1:
            email = f"  {email.upper()}"
        elif shape == 2:
            email = f"{local}@{domain.upper()}\u00a0"
        else:
            email = f" {local.capitalize()}@{domain} "
    url = linkedin(rng, p.slug) if p.linkedin else ""
    return replace(
        p,
        email=email,
        linkedin=url,
        first=p.first.upper() if rng.random() < 0.2 else p.first,
        title=rng.choice(TITLES) if rng.random() < 0.3 else p.title,
    )


def generate(rows: int, seed: int) -> Iterator[list[str]]:
    """Yield `rows` data rows; a bounded reservoir of earlier people feeds the re-listed ones."""
    rng = random.Random(seed)
    factory = LeadFactory(rng, rows, seed)
    reservoir: list[Person] = []
    seen = 0
    for _ in range(rows):
        roll = rng.random()
        if roll < DUPLICATE_RATE and reservoir:
            p = relisted(rng, rng.choice(reservoir))
        else:
            p = factory.person()
            if roll < DUPLICATE_RATE + INVALID_EMAIL_RATE:
                p = replace(p, email=invalid_email(rng, p))
            elif roll < DUPLICATE_RATE + INVALID_EMAIL_RATE + NO_EMAIL_RATE:
                p = replace(p, email="", linkedin=p.linkedin or linkedin(rng, p.slug))
            else:
                seen += 1
                if len(reservoir) < RESERVOIR_SIZE:
                    reservoir.append(p)
                else:
                    slot = rng.randrange(seen)
                    if slot < RESERVOIR_SIZE:
                        reservoir[slot] = p
        yield [p.first, p.last, p.email, p.company, p.title, p.phone, p.linkedin, p.city, p.notes]


def write_csv(path: Path, rows: int, seed: int) -> None:
    """Write through a temporary name, so an interrupted run never leaves a half file behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)  # CRLF line ends and minimal quoting, as spreadsheet exports do
        writer.writerow(HEADER)
        writer.writerows(generate(rows, seed))
    partial.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, required=True, help="data rows to write")
    parser.add_argument("--seed", type=int, default=42, help="same seed, same file (default 42)")
    parser.add_argument("-o", "--output", type=Path, required=True, help="CSV file to write")
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must be 0 or more")
    write_csv(args.output, args.rows, args.seed)
    print(f"{args.output}: {args.rows} rows, seed {args.seed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
