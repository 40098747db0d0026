"""Header synonyms per target field, as header keys (casefolded, accents and punctuation gone).

English, French, German, Spanish, Italian, Portuguese, Dutch, and the headers of common exports
(LinkedIn Connections, Sales Navigator, Apollo, Salesforce, HubSpot, Pipedrive, lemlist-style).
"""

from __future__ import annotations

SYNONYMS: dict[str, tuple[str, ...]] = {
    "email": (
        "email", "emails", "e-mail", "mail", "email address", "e-mail address", "emailaddress",
        "work email", "business email", "professional email", "primary email", "email 1",
        "person - email", "contact email", "courriel", "adresse e-mail", "adresse email",
        "adresse mail", "e-mail-adresse", "email-adresse", "mailadresse", "correo",
        "correo electronico", "correo electrónico", "email personale", "posta elettronica",
        "indirizzo email", "endereco de email", "endereço de e-mail", "e-mailadres", "emailadres",
    ),
    "linkedin_url": (
        "linkedin", "linkedin url", "linkedinurl", "linkedin profile", "linkedin profile url",
        "profile url", "person linkedin url", "linkedin link", "li url", "url linkedin",
        "profil linkedin", "linkedin-profil", "perfil de linkedin", "profilo linkedin",
        "public profile url", "linkedin public url", "profileurl", "url",
    ),
    "first_name": (
        "first name", "firstname", "first", "given name", "forename", "prenom", "prénom",
        "vorname", "nombre", "nome", "voornaam", "person - first name", "contact first name",
    ),
    "last_name": (
        "last name", "lastname", "last", "surname", "family name", "nom", "nom de famille",
        "nachname", "familienname", "apellido", "apellidos", "cognome", "sobrenome", "apelido",
        "achternaam", "person - last name", "contact last name",
    ),
    "full_name": (
        "name", "full name", "fullname", "contact name", "contact", "person", "person - name",
        "lead name", "nom complet", "vollstandiger name", "vollständiger name", "nombre completo",
        "nome completo", "volledige naam", "naam",
    ),
    "company_name": (
        "company", "company name", "companyname", "organization", "organisation",
        "organization name", "organization - name", "account name", "account", "employer",
        "company name for emails", "current company", "business name", "societe", "société",
        "entreprise", "nom de l'entreprise", "firma", "unternehmen", "firmenname", "empresa",
        "nombre de la empresa", "azienda", "societa", "società", "bedrijf", "bedrijfsnaam",
    ),
    "company_domain": (
        "company domain", "companydomain", "domain", "website", "company website", "web site",
        "site", "site web", "url du site", "webseite", "sitio web", "sito web", "website url",
        "organization - website", "domaine",
    ),
    "job_title": (
        "title", "job title", "jobtitle", "position", "role", "job", "job role", "occupation",
        "headline", "designation", "poste", "fonction", "titre", "intitule du poste", "beruf",
        "berufsbezeichnung", "stellung", "cargo", "puesto", "titolo", "ruolo", "posizione",
        "funcao", "função", "functie", "person - job title",
    ),
    "phone": (
        "phone", "phone number", "phonenumber", "telephone", "tel", "mobile", "mobile phone",
        "mobile number", "cell", "cell phone", "work phone", "work direct phone", "direct phone",
        "direct dial", "corporate phone", "business phone", "phone 1", "person - phone",
        "telephone number", "téléphone", "numero de telephone", "portable", "telefon",
        "telefonnummer", "handy", "mobiltelefon", "telefono", "teléfono", "movil", "móvil",
        "cellulare", "telemovel", "telefoon", "mobiel", "home phone", "other phone",
    ),
    "tags": ("tags", "tag", "labels", "label", "étiquettes", "etiquettes", "schlagworte"),
}

# Headers that look like a LinkedIn URL column but are a company's page: never linkedin_url.
COMPANY_LINKEDIN = ("company linkedin url", "company linkedin", "organization linkedin",
                    "linkedin company url", "company linkedin page")
