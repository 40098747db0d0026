"""Header synonyms per target, as people write them; `mapping.header_key` folds case, accents,
spaces and punctuation, so `E-Mail-Adresse`, `e-mail adresse` and `EmailAdresse` are one entry.

English, French, German, Spanish, Italian, Portuguese and Dutch, and the headers of common exports:
LinkedIn Connections, Sales Navigator scrapers, Apollo, Salesforce, HubSpot, Pipedrive, lemlist,
Instantly, Hunter. A header is listed under one target only (a test checks it).
"""

from __future__ import annotations


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.strip().splitlines() if line.strip())


SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": _lines("""
        email
        emails
        e-mail
        mail
        email address
        email adress
        mail address
        email id
        work email
        business email
        company email
        professional email
        primary email
        email 1
        email work
        courriel
        adresse e-mail
        adresse mail
        adresse électronique
        email professionnel
        e-mail-adresse
        mailadresse
        e-mail geschäftlich
        correo
        correo electrónico
        correo corporativo
        posta elettronica
        indirizzo email
        email aziendale
        endereço de e-mail
        e-mail corporativo
        e-mailadres
        e-mail zakelijk
    """),
    "linkedin_url": _lines("""
        linkedin
        linkedin url
        linkedin profile
        linkedin profile url
        linkedin profile link
        linkedin link
        person linkedin url
        person linkedin
        profile url
        public profile url
        linkedin public url
        li url
        url
        url linkedin
        url du profil
        url du profil linkedin
        profil linkedin
        linkedin-profil
        linkedin profiel
        perfil de linkedin
        perfil linkedin
        url de linkedin
        profilo linkedin
        default profile url
        sales navigator url
        sales navigator profile url
        sales nav url
        linkedin sales navigator url
    """),
    "first_name": _lines("""
        first name
        first
        given name
        forename
        prénom
        prénoms
        vorname
        nombre
        nombre de pila
        primer nombre
        nome
        nome próprio
        primeiro nome
        voornaam
        roepnaam
    """),
    "last_name": _lines("""
        last name
        last
        surname
        family name
        nom
        nom de famille
        nachname
        familienname
        apellido
        apellidos
        primer apellido
        cognome
        sobrenome
        apelido
        último nome
        achternaam
    """),
    "full_name": _lines("""
        name
        full name
        display name
        person name
        contact
        person
        contact name
        lead name
        prospect name
        nom complet
        nom et prénom
        prénom et nom
        prénom nom
        nom prénom
        vollständiger name
        vor- und nachname
        nombre completo
        nombre y apellidos
        nombre y apellido
        nome completo
        nome e cognome
        volledige naam
        naam
    """),
    "company_name": _lines("""
        company
        company name
        companies
        organization
        organisation
        organization name
        organisation name
        organization - name
        org
        account name
        account
        employer
        current company
        business name
        société
        entreprise
        nom de l'entreprise
        nom de la société
        nom entreprise
        raison sociale
        firma
        firmenname
        unternehmen
        unternehmensname
        arbeitgeber
        empresa
        nombre de la empresa
        nombre de empresa
        compañía
        nome da empresa
        azienda
        nome azienda
        società
        ragione sociale
        bedrijf
        bedrijfsnaam
        organisatie
        werkgever
    """),
    "company_domain": _lines("""
        company domain
        company domain name
        domain
        domain name
        website
        website url
        company website
        web site
        web
        homepage
        organization - website
        site web
        site internet
        url du site
        domaine
        webseite
        internetseite
        sitio web
        página web
        dominio
        sito web
        sito internet
        site da empresa
        domínio
        bedrijfswebsite
    """),
    "job_title": _lines("""
        title
        job title
        position
        role
        job
        job role
        occupation
        designation
        current title
        current position
        poste
        poste occupé
        fonction
        titre
        titre du poste
        intitulé du poste
        jobtitel
        beruf
        berufsbezeichnung
        stellenbezeichnung
        stellung
        cargo
        puesto
        título del puesto
        titolo
        ruolo
        qualifica
        posizione
        mansione
        cargo atual
        função
        functie
        functietitel
    """),
    "phone": _lines("""
        phone
        phone number
        telephone
        telephone number
        tel
        mobile
        mobile phone
        mobile phone number
        mobile number
        cell
        cell phone
        work phone
        work direct phone
        direct phone
        direct dial
        direct line
        corporate phone
        business phone
        phone 1
        phone work
        phone mobile
        home phone
        other phone
        téléphone
        tél
        numéro de téléphone
        téléphone portable
        téléphone mobile
        portable
        telefon
        telefonnummer
        mobil
        mobilnummer
        handy
        handynummer
        mobiltelefon
        teléfono
        móvil
        celular
        telefono
        numero di telefono
        cellulare
        telefone
        telemóvel
        telefoon
        telefoonnummer
        mobiel
        mobiele telefoon
    """),
    "tags": _lines("""
        tags
        tag
        labels
        label
        lead tags
        étiquettes
        schlagwörter
        schlagworte
        etiquetas
        etichette
    """),
}

# Person-level prefixes that CRMs put before a field (`Contact Email`, `Person - Phone - Work`,
# `Lead First Name`): stripped when the whole header is not a synonym itself.
PERSON_PREFIXES: tuple[str, ...] = ("person", "contact", "lead", "prospect")

# A company's LinkedIn page is never the lead's linkedin_url, whatever the column holds.
COMPANY_LINKEDIN: tuple[str, ...] = _lines("""
    company linkedin url
    company linkedin
    company linkedin page
    linkedin company url
    linkedin company page
    organization linkedin
    account linkedin url
""")
COMPANY_WORDS: tuple[str, ...] = (
    "company",
    "organization",
    "organisation",
    "account",
    "entreprise",
    "societe",
    "firma",
    "unternehmen",
    "empresa",
    "azienda",
    "bedrijf",
)

# Headers too generic to be trusted alone: with samples, the column must hold LinkedIn URLs.
WEAK_LINKEDIN: tuple[str, ...] = ("url", "profile url", "public profile url")

# Sales Navigator URLs identify a person too, but a regular profile column is preferred.
SECONDARY_LINKEDIN: tuple[str, ...] = _lines("""
    sales navigator url
    sales navigator profile url
    sales nav url
    linkedin sales navigator url
""")
