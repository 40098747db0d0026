"""Header → field mapping, PRODUCT.md §3: synonyms, real export headers, content, overrides."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leadport.domain import synonyms
from leadport.domain.mapping import (
    ColumnMapping,
    header_key,
    header_score,
    resolve_mapping,
    suggest_mapping,
)
from leadport.errors import UsageError


def row(text: str, sep: str = ",") -> list[str]:
    """A header row as the export writes it."""
    return [cell.strip() for cell in text.split(sep)]


def mapped(
    headers: list[str],
    samples: list[list[str]] | None = None,
    *,
    overrides: dict[str, str] | None = None,
    ignore: list[str] | None = None,
) -> dict[str, str]:
    mapping = resolve_mapping(headers, samples or [], overrides=overrides, ignore=ignore)
    return mapping.as_dict()


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("E-mail Address", "emailaddress"),
        ("  First_Name ", "firstname"),
        ("Prénom", "prenom"),
        ("Téléphone", "telephone"),
        ("E-Mail-Adresse", "emailadresse"),
        ("# Employees", "employees"),
        ("Straße", "strasse"),
        ("linkedinUrl", "linkedinurl"),
    ],
)
def test_header_key_folds_case_accents_punctuation_and_space(header: str, key: str) -> None:
    assert header_key(header) == key


def test_no_synonym_names_two_targets() -> None:
    owners: dict[str, set[str]] = {}
    for target, names in synonyms.SYNONYMS.items():
        for name in names:
            owners.setdefault(header_key(name), set()).add(target)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


# ------------------------------------------------------------------------------ real export headers


def test_a_linkedin_connections_export_maps_url_to_linkedin_url() -> None:
    headers = row("First Name,Last Name,URL,Email Address,Company,Position,Connected On")
    samples = [
        ["Ann", "Lee", "https://www.linkedin.com/in/annlee", "", "Acme", "CEO", "01 Jan 2024"]
    ]
    assert mapped(headers, samples) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "URL": "linkedin_url",
        "Email Address": "email",
        "Company": "company_name",
        "Position": "job_title",
        "Connected On": "custom:Connected On",
    }


APOLLO = row(
    "First Name, Last Name, Title, Company, Company Name for Emails, Email, Email Status, "
    "Seniority, Departments, Contact Owner, Work Direct Phone, Home Phone, Mobile Phone, "
    "Corporate Phone, Other Phone, Stage, Lists, Last Contacted, Account Owner, # Employees, "
    "Industry, Keywords, Person Linkedin Url, Website, Company Linkedin Url, Facebook Url, "
    "Twitter Url, City, State, Country, Company Address"
)


def test_an_apollo_export_maps_person_fields_and_keeps_the_rest_as_custom_fields() -> None:
    samples = [
        [
            "Ann",
            "Lee",
            "CEO",
            "Acme, Inc.",
            "Acme",
            "ann@acme.com",
            "Verified",
            "c_suite",
            "",
            "bob@us.io",
            "+1 415 555 0100",
            "",
            "+1 415 555 0101",
            "",
            "",
            "Cold",
            "Q3",
            "",
            "bob@us.io",
            "50",
            "Software",
            "saas",
            "http://www.linkedin.com/in/annlee",
            "http://www.acme.com",
            "http://www.linkedin.com/company/acme",
            "",
            "",
            "SF",
            "CA",
            "United States",
            "1 Main St",
        ]
    ] * 3
    result = mapped(APOLLO, samples)
    assert {h: t for h, t in result.items() if not t.startswith("custom:")} == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "job_title",
        "Company": "company_name",
        "Email": "email",
        "Work Direct Phone": "phone",
        "Person Linkedin Url": "linkedin_url",
        "Website": "company_domain",
    }
    assert result["Company Linkedin Url"] == "custom:Company Linkedin Url"
    assert result["Mobile Phone"] == "custom:Mobile Phone"
    assert result["Contact Owner"] == "custom:Contact Owner"  # emails, but `Email` has the field
    assert result["# Employees"] == "custom:# Employees"


def test_a_company_linkedin_column_is_never_linkedin_url_even_holding_profiles() -> None:
    samples = [["https://www.linkedin.com/in/someone-else"]] * 5
    assert mapped(["Company Linkedin Url"], samples) == {
        "Company Linkedin Url": "custom:Company Linkedin Url"
    }
    assert mapped(["Notes"], [["https://www.linkedin.com/company/acme"]] * 5) == {
        "Notes": "custom:Notes"
    }


def test_a_salesforce_export_maps_account_name_to_company_name() -> None:
    headers = [
        "First Name",
        "Last Name",
        "Title",
        "Account Name",
        "Email",
        "Phone",
        "Mobile",
        "Lead Source",
    ]
    assert mapped(headers) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "job_title",
        "Account Name": "company_name",
        "Email": "email",
        "Phone": "phone",
        "Mobile": "custom:Mobile",
        "Lead Source": "custom:Lead Source",
    }


def test_a_hubspot_export_maps_its_long_headers() -> None:
    headers = [
        "Record ID",
        "First Name",
        "Last Name",
        "Email",
        "Company Name",
        "Job Title",
        "Phone Number",
        "LinkedIn URL",
        "Website URL",
    ]
    assert mapped(headers) == {
        "Record ID": "custom:Record ID",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Company Name": "company_name",
        "Job Title": "job_title",
        "Phone Number": "phone",
        "LinkedIn URL": "linkedin_url",
        "Website URL": "company_domain",
    }


def test_lemlist_style_camel_case_headers_map() -> None:
    headers = [
        "email",
        "firstName",
        "lastName",
        "companyName",
        "companyDomain",
        "linkedinUrl",
        "phone",
        "jobTitle",
        "icebreaker",
    ]
    assert mapped(headers) == {
        "email": "email",
        "firstName": "first_name",
        "lastName": "last_name",
        "companyName": "company_name",
        "companyDomain": "company_domain",
        "linkedinUrl": "linkedin_url",
        "phone": "phone",
        "jobTitle": "job_title",
        "icebreaker": "custom:icebreaker",
    }


def test_pipedrive_person_prefixes_are_understood() -> None:
    headers = [
        "Person - Name",
        "Person - Email - Work",
        "Person - Phone - Work",
        "Person - Organization",
        "Person - Job title",
        "Person - Owner",
    ]
    assert mapped(headers) == {
        "Person - Name": "full_name",
        "Person - Email - Work": "email",
        "Person - Phone - Work": "phone",
        "Person - Organization": "company_name",
        "Person - Job title": "job_title",
        "Person - Owner": "custom:Person - Owner",
    }


@pytest.mark.parametrize(
    ("header_row", "expected"),
    [
        (
            "Prénom;Nom;E-mail;Société;Poste;Téléphone",
            ["first_name", "last_name", "email", "company_name", "job_title", "phone"],
        ),
        (
            "Vorname;Nachname;E-Mail-Adresse;Firma;Position",
            ["first_name", "last_name", "email", "company_name", "job_title"],
        ),
        (
            "Nombre;Apellido;Correo electrónico;Empresa;Cargo",
            ["first_name", "last_name", "email", "company_name", "job_title"],
        ),
        (
            "Nome;Cognome;Indirizzo email;Azienda;Ruolo;Telefono",
            ["first_name", "last_name", "email", "company_name", "job_title", "phone"],
        ),
        (
            "Nome;Sobrenome;E-mail;Empresa;Cargo;Telefone",
            ["first_name", "last_name", "email", "company_name", "job_title", "phone"],
        ),
        (
            "Voornaam;Achternaam;E-mailadres;Bedrijf;Functie;Telefoonnummer",
            ["first_name", "last_name", "email", "company_name", "job_title", "phone"],
        ),
    ],
)
def test_european_headers_map(header_row: str, expected: list[str]) -> None:
    assert list(mapped(row(header_row, ";")).values()) == expected


def test_a_lone_name_beside_a_first_name_is_the_last_name() -> None:
    assert mapped(["Vorname", "Name", "Firma"]) == {
        "Vorname": "first_name",
        "Name": "last_name",
        "Firma": "company_name",
    }
    assert mapped(["Name", "Company"]) == {"Name": "full_name", "Company": "company_name"}


def test_tags_columns_all_count() -> None:
    assert mapped(["Email", "Tags", "Labels"]) == {
        "Email": "email",
        "Tags": "tags",
        "Labels": "tags",
    }


# --------------------------------------------------------------------------------- header score


def test_header_score_counts_cells_that_name_a_field() -> None:
    assert header_score(["First Name", "Last Name", "Email", "Notes"]) == 3
    assert header_score(["Leads exported on 2024-05-01", "", ""]) == 0
    assert header_score(["Ann", "Lee", "ann@acme.com"]) == 0
    assert header_score(["leadport_row", "leadport_code"]) == 0


# ------------------------------------------------------------------------------------- content

PROFILES = [[f"https://www.linkedin.com/in/person-{i}"] for i in range(5)]


def test_a_column_of_profile_urls_is_linkedin_url_whatever_its_header() -> None:
    assert mapped(["Link"], PROFILES) == {"Link": "linkedin_url"}
    assert mapped(["Website"], PROFILES) == {"Website": "linkedin_url"}


def test_a_column_of_emails_is_email_whatever_its_header() -> None:
    samples = [["ann@acme.com"], ["bob@acme.com"], [""], ["carl@acme.com"]]
    assert mapped(["Contact info"], samples) == {"Contact info": "email"}


@pytest.mark.parametrize(
    ("cells", "is_email"),
    [
        (["a@x.com", "b@x.com", "c@x.com", "no", "no"], True),  # 3 of 5 = 60%
        (["a@x.com", "b@x.com", "no", "no", "no"], False),  # 2 of 5
        (["a@x.com", "b@x.com", "", "", "no"], False),  # 2 of 3 non-blank: fewer than 3 hits
        (["a@x.com", "b@x.com"], True),  # all of fewer than 3
        (["a@x.com", "no"], False),
        (["", "  "], False),
    ],
)
def test_content_needs_60_percent_and_three_values_or_all_of_fewer(
    cells: list[str], is_email: bool
) -> None:
    result = mapped(["Misc"], [[c] for c in cells])
    assert result == {"Misc": "email" if is_email else "custom:Misc"}


def test_content_does_not_steal_a_field_that_a_header_maps() -> None:
    samples = [["ann@acme.com", "ann@gmail.com"]] * 3
    assert mapped(["Secondary", "Email"], samples) == {
        "Secondary": "custom:Secondary",
        "Email": "email",
    }


def test_the_first_column_found_by_content_wins() -> None:
    samples = [["ann@acme.com", "ann@gmail.com"]] * 3
    assert mapped(["Work", "Home"], samples) == {"Work": "email", "Home": "custom:Home"}


def test_a_generic_url_header_over_websites_is_not_linkedin_url() -> None:
    samples = [["https://acme.com"], ["https://globex.com"], ["https://initech.com"]]
    assert mapped(["URL"], samples) == {"URL": "custom:URL"}


def test_a_regular_profile_column_wins_over_a_sales_navigator_column() -> None:
    headers = ["Sales Navigator URL", "LinkedIn Profile URL"]
    assert mapped(headers) == {
        "Sales Navigator URL": "custom:Sales Navigator URL",
        "LinkedIn Profile URL": "linkedin_url",
    }


def test_suggest_mapping_gives_fields_only() -> None:
    assert suggest_mapping(["Email", "Notes", "Mail 2"], [["a@x.com", "hi", "b@y.com"]]) == {
        0: "email"
    }


# -------------------------------------------------------------------------- duplicates, overrides


def test_a_second_column_on_the_same_field_becomes_a_custom_field() -> None:
    assert mapped(["Email", "E-mail", "Phone", "Mobile"]) == {
        "Email": "email",
        "E-mail": "custom:E-mail",
        "Phone": "phone",
        "Mobile": "custom:Mobile",
    }


def test_an_override_maps_a_header_matched_exactly_or_by_key() -> None:
    headers = ["Mail", "Who", "Org"]
    result = mapped(
        headers, overrides={"who": "full_name", "Org": "custom:Organisation", "MAIL": "ignore"}
    )
    assert result == {"Mail": "ignore", "Who": "full_name", "Org": "custom:Organisation"}


def test_an_override_wins_its_field_from_a_header_mapped_column() -> None:
    assert mapped(["Email", "Work email"], overrides={"Work email": "email"}) == {
        "Email": "custom:Email",
        "Work email": "email",
    }


def test_an_override_wins_its_field_from_content_too() -> None:
    samples = [["a@x.com", "b@y.com"]] * 3
    assert mapped(["A", "B"], samples, overrides={"B": "email"}) == {"A": "custom:A", "B": "email"}


def test_an_overridden_column_is_not_remapped_by_content() -> None:
    assert mapped(["Notes"], [["a@x.com"]] * 3, overrides={"Notes": "custom:Notes"}) == {
        "Notes": "custom:Notes"
    }


def test_company_legal_suffix_is_kept_as_a_custom_field() -> None:
    assert mapped(["Form"], overrides={"Form": "company_legal_suffix"}) == {
        "Form": "custom:company_legal_suffix"
    }


def test_an_override_to_an_unknown_field_is_refused_naming_the_fields() -> None:
    with pytest.raises(UsageError) as refused:
        resolve_mapping(["Mail"], [], overrides={"Mail": "e-mail"})
    assert refused.value.message == (
        "The mapping sends column 'Mail' to 'e-mail', which is not a field: use one of email, "
        "linkedin_url, first_name, last_name, company_name, company_domain, job_title, phone, "
        "full_name, tags, custom:NAME or ignore."
    )


def test_an_override_of_an_unknown_column_is_refused_naming_the_columns() -> None:
    with pytest.raises(UsageError) as refused:
        resolve_mapping(["Mail", "Name"], [], overrides={"Phone": "phone"})
    assert refused.value.message == (
        "The mapping names the column 'Phone', which this file does not have "
        "(its columns: Mail, Name)."
    )
    with pytest.raises(UsageError):
        resolve_mapping(["Mail"], [], ignore=["Notes"])


def test_ignored_columns_are_not_imported() -> None:
    assert mapped(["Email", "Notes", "Phone"], ignore=["notes", "Phone"]) == {
        "Email": "email",
        "Notes": "ignore",
        "Phone": "ignore",
    }


def test_a_rejected_rows_file_re_imports_as_it_is() -> None:
    headers = [
        "Email",
        "Company",
        "leadport_row",
        "leadport_code",
        "leadport_reason",
        "leadport_conflict",
        "Leadport_campaign",
    ]
    samples = [["a@x.com", "Acme", "2", "invalid_email", "Invalid email format", "", ""]]
    assert mapped(headers, samples) == {
        "Email": "email",
        "Company": "company_name",
        "leadport_row": "ignore",
        "leadport_code": "ignore",
        "leadport_reason": "ignore",
        "leadport_conflict": "ignore",
        "Leadport_campaign": "ignore",
    }


def test_column_mapping_lists_targets_per_column_and_fields_by_column() -> None:
    mapping = resolve_mapping(["Email", "Notes", "leadport_row", "Tags"], [])
    assert mapping == ColumnMapping(
        ("Email", "Notes", "leadport_row", "Tags"), ("email", "custom:Notes", None, "tags")
    )
    assert mapping.by_field() == {"email": 0, "tags": 3}


_HEADER = st.sampled_from(
    [
        "Email",
        "E-mail",
        "Name",
        "First Name",
        "Nom",
        "URL",
        "Company",
        "Phone",
        "Mobile",
        "Notes",
        "Tags",
        "leadport_code",
        "Website",
        "Vorname",
        "Title",
        "Person Linkedin Url",
    ]
)


@given(st.lists(_HEADER, min_size=1, max_size=8, unique=True))
def test_a_saved_mapping_replays_to_the_same_mapping(headers: list[str]) -> None:
    first = resolve_mapping(headers, [])
    assert resolve_mapping(headers, [], overrides=first.as_dict()) == first
    lead_fields = [t for t in first.targets if t and t != "tags" and not t.startswith("custom:")]
    assert len(lead_fields) == len(set(lead_fields))


def test_a_custom_prefixed_header_is_that_custom_field_unless_overridden() -> None:
    headers = ["Email", "custom:Title", "CUSTOM: Notes ", "custom:", "custom:leadport_x"]
    result = resolve_mapping(headers, [["a@x.com", "CEO", "n", "x", "y"]]).as_dict()
    assert result == {
        "Email": "email",
        "custom:Title": "custom:Title",
        "CUSTOM: Notes ": "custom:Notes",
        "custom:": "custom:custom:",
        "custom:leadport_x": "custom:leadport_x",
    }
    overridden = resolve_mapping(headers, [], overrides={"custom:Title": "job_title"})
    assert overridden.as_dict()["custom:Title"] == "job_title"
