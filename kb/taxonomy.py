"""GCM taxonomy: codes and labels of objectives, principles, regions, countries and other facets."""
# Official titles are long and kept one per line so they can be checked against the source.
# ruff: noqa: E501
from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import pycountry
from babel import Locale

Code = int | str


@dataclass(frozen=True)
class Objective:
    code: int
    title: str
    short: str


@dataclass(frozen=True)
class Term:
    code: str
    label: str


OBJECTIVES: tuple[Objective, ...] = (
    Objective(1, "Collect and utilize accurate and disaggregated data as a basis for evidence-based policies", "Data"),
    Objective(2, "Minimize the adverse drivers and structural factors that compel people to leave their country of origin", "Minimize adverse drivers"),
    Objective(3, "Provide accurate and timely information at all stages of migration", "Information provision"),
    Objective(4, "Ensure that all migrants have proof of legal identity and adequate documentation", "Legal identity and documentation"),
    Objective(5, "Enhance availability and flexibility of pathways for regular migration", "Regular pathways"),
    Objective(6, "Facilitate fair and ethical recruitment and safeguard conditions that ensure decent work", "Recruitment and decent work"),
    Objective(7, "Address and reduce vulnerabilities in migration", "Reduce vulnerabilities"),
    Objective(8, "Save lives and establish coordinated international efforts on missing migrants", "Save lives"),
    Objective(9, "Strengthen the transnational response to smuggling of migrants", "Counter smuggling"),
    Objective(10, "Prevent, combat and eradicate trafficking in persons in the context of international migration", "Eradicate trafficking"),
    Objective(11, "Manage borders in an integrated, secure and coordinated manner", "Manage borders"),
    Objective(12, "Strengthen certainty and predictability in migration procedures for appropriate screening, assessment and referral", "Screening and referral"),
    Objective(13, "Use migration detention only as a measure of last resort and work towards alternatives", "Alternatives to detention"),
    Objective(14, "Enhance consular protection, assistance and cooperation throughout the migration cycle", "Consular protection"),
    Objective(15, "Provide access to basic services for migrants", "Access to basic services"),
    Objective(16, "Empower migrants and societies to realize full inclusion and social cohesion", "Inclusion and social cohesion"),
    Objective(17, "Eliminate all forms of discrimination and promote evidence-based public discourse to shape perceptions of migration", "Eliminate discrimination"),
    Objective(18, "Invest in skills development and facilitate mutual recognition of skills, qualifications and competences", "Skills development and recognition"),
    Objective(19, "Create conditions for migrants and diasporas to fully contribute to sustainable development in all countries", "Migrant and diaspora contributions"),
    Objective(20, "Promote faster, safer and cheaper transfer of remittances and foster financial inclusion of migrants", "Remittances"),
    Objective(21, "Cooperate in facilitating safe and dignified return and readmission, as well as sustainable reintegration", "Dignified return and reintegration"),
    Objective(22, "Establish mechanisms for the portability of social security entitlements and earned benefits", "Social protection"),
    Objective(23, "Strengthen international cooperation and global partnerships for safe, orderly and regular migration", "International cooperation"),
)

PRINCIPLES: tuple[Term, ...] = (
    Term("people-centred", "People-centred"),
    Term("international-cooperation", "International cooperation"),
    Term("national-sovereignty", "National sovereignty"),
    Term("rule-of-law", "Rule of law and due process"),
    Term("sustainable-development", "Sustainable development"),
    Term("human-rights", "Human rights"),
    Term("gender-responsive", "Gender-responsive"),
    Term("child-sensitive", "Child-sensitive"),
    Term("whole-of-government", "Whole-of-government approach"),
    Term("whole-of-society", "Whole-of-society approach"),
)

LEVELS: tuple[Term, ...] = (
    Term("local", "Local"),
    Term("national", "National"),
    Term("regional", "Regional"),
    Term("global", "Global"),
)

REGIONS: tuple[Term, ...] = (
    Term("africa", "Africa"),
    Term("arab-states", "Arab States"),
    Term("asia-pacific", "Asia-Pacific"),
    Term("europe-north-america", "Europe and North America"),
    Term("latin-america-caribbean", "Latin America and the Caribbean"),
)

REGION_COMMISSIONS: dict[str, str] = {
    "africa": "ECA",
    "arab-states": "ESCWA",
    "asia-pacific": "ESCAP",
    "europe-north-america": "UNECE",
    "latin-america-caribbean": "ECLAC",
}

STAKEHOLDERS: tuple[Term, ...] = (
    Term("migrants", "Migrants"),
    Term("civil-society", "Civil society"),
    Term("migrant-diaspora-organizations", "Migrant and diaspora organizations"),
    Term("faith-based-organizations", "Faith-based organizations"),
    Term("local-authorities", "Local authorities and communities"),
    Term("private-sector", "Private sector"),
    Term("trade-unions", "Trade unions"),
    Term("parliamentarians", "Parliamentarians"),
    Term("nhri", "National human rights institutions"),
    Term("red-cross-red-crescent", "International Red Cross and Red Crescent Movement"),
    Term("academia", "Academia"),
    Term("media", "Media"),
    Term("national-government", "National government (Member State)"),
    Term("regional-organization", "Regional organization"),
    Term("un-entity", "UN system or other international organization"),
    Term("other", "Other relevant stakeholders"),
)

PRACTICE_TYPES: tuple[Term, ...] = (
    Term("policy", "Policy"),
    Term("programme", "Programme"),
    Term("project", "Project"),
    Term("service", "Service"),
    Term("tool", "Tool"),
    Term("partnership", "Partnership"),
    Term("other", "Other"),
)

IMPLEMENTATION_STATUSES: tuple[Term, ...] = (
    Term("ongoing", "Ongoing"),
    Term("mostly-completed", "Mostly completed"),
    Term("completed", "Completed"),
)

# The site's languages, the one list: interface, labels, mail, search analyzers, API enums.
LOCALES: tuple[str, ...] = ("en", "fr", "es")
# Each in its own name (the language switcher shows these).
ENDONYMS: dict[str, str] = {"en": "English", "fr": "Français", "es": "Español"}

# A practice's language: one of the site's, or another.
LANGUAGES: tuple[Term, ...] = (*(Term(code, ENDONYMS[code]) for code in LOCALES),
                               Term("other", "Other language"))

# The API filter parameter names, one per facet.
FACETS: tuple[str, ...] = (
    "objective", "principle", "region", "country", "level", "stakeholder", "type", "status",
    "language",
)

# --- Countries -----------------------------------------------------------------------------

KOSOVO = "XKX"
KOSOVO_FOOTNOTE = (
    "References to Kosovo shall be understood to be in the context of United Nations Security "
    "Council resolution 1244 (1999)."
)

# pycountry's "Name, qualifier" forms read badly in lists; these follow UN short names.
# Taiwan follows UN usage rather than pycountry's common name "Taiwan".
_COUNTRY_NAME_OVERRIDES: dict[str, str] = {
    "COD": "Democratic Republic of the Congo",
    "FSM": "Micronesia (Federated States of)",
    "PSE": "State of Palestine",
    "TWN": "Taiwan Province of China",
    "VAT": "Holy See",
    "VGB": "British Virgin Islands",
    "VIR": "United States Virgin Islands",
}

_PYCOUNTRY_NAMES: dict[str, str] = {c.alpha_3: c.name for c in pycountry.countries}

COUNTRIES: dict[str, str] = dict(sorted((
    {c.alpha_3: getattr(c, "common_name", c.name) for c in pycountry.countries}
    | _COUNTRY_NAME_OVERRIDES
    | {KOSOVO: "Kosovo"}
).items()))

# Sovereign states: the 193 UN Member States, the observer states Holy See (VAT) and State of
# Palestine (PSE), and Kosovo (XKX). Regions overlap, as the UN Regional Commissions do.
REGION_STATES: dict[str, frozenset[str]] = {region: frozenset(codes.split()) for region, codes in {
    "africa": """
        DZA AGO BEN BWA BFA BDI CPV CMR CAF TCD COM COG COD CIV DJI EGY GNQ ERI SWZ ETH GAB GMB
        GHA GIN GNB KEN LSO LBR LBY MDG MWI MLI MRT MUS MAR MOZ NAM NER NGA RWA STP SEN SYC SLE
        SOM ZAF SSD SDN TZA TGO TUN UGA ZMB ZWE""",
    # The 22 members of the League of Arab States.
    "arab-states": """
        DZA BHR COM DJI EGY IRQ JOR KWT LBN LBY MRT MAR OMN PSE QAT SAU SOM SDN SYR TUN ARE YEM""",
    "europe-north-america": """
        ALB AND AUT BLR BEL BIH BGR HRV CYP CZE DNK EST FIN FRA DEU GRC VAT HUN ISL IRL ITA XKX
        LVA LIE LTU LUX MLT MDA MCO MNE NLD MKD NOR POL PRT ROU RUS SMR SRB SVK SVN ESP SWE CHE
        UKR GBR CAN USA ISR TUR ARM AZE GEO KAZ KGZ TJK TKM UZB""",
    "asia-pacific": """
        AFG BGD BTN BRN KHM CHN IND IDN IRN JPN LAO MYS MDV MNG MMR NPL PRK KOR PAK PHL SGP LKA
        THA TLS VNM RUS TUR ARM AZE GEO KAZ KGZ TJK TKM UZB
        AUS FJI KIR MHL FSM NRU NZL PLW PNG WSM SLB TON TUV VUT""",
    "latin-america-caribbean": """
        ATG ARG BHS BRB BLZ BOL BRA CHL COL CRI CUB DMA DOM ECU SLV GRD GTM GUY HTI HND JAM MEX
        NIC PAN PRY PER KNA LCA VCT SUR TTO URY VEN""",
}.items()}

# Dependent and other non-sovereign territories, each in the region it sits in geographically:
# Western Sahara, Réunion, Mayotte and Saint Helena in Africa (not arab-states: that region is
# League membership); Greenland and Saint Pierre and Miquelon with North America; Hong Kong,
# Macao, Taiwan, Christmas and Cocos Islands and the Pacific territories in Asia-Pacific; the
# Caribbean territories, the Falklands and Bermuda (an ECLAC associate member, though in the
# North Atlantic) in Latin America and the Caribbean.
REGION_TERRITORIES: dict[str, frozenset[str]] = {region: frozenset(codes.split()) for region, codes in {
    "africa": "ESH REU MYT SHN",
    "arab-states": "",
    "europe-north-america": "ALA FRO GIB GGY IMN JEY SJM GRL SPM",
    "asia-pacific": "HKG MAC TWN ASM COK GUM MNP NCL NIU PYF PCN TKL WLF NFK CXR CCK",
    "latin-america-caribbean": "AIA ABW BES BMU VGB CYM CUW GLP GUF MTQ MSR PRI BLM MAF SXM TCA VIR FLK",
}.items()}

# Territories without a settled population, kept out of regional facets on purpose.
UNMAPPED_COUNTRIES: dict[str, str] = {
    "ATA": "Antarctica: governed by the Antarctic Treaty, no permanent population",
    "ATF": "French Southern Territories: no permanent population",
    "BVT": "Bouvet Island: uninhabited",
    "HMD": "Heard Island and McDonald Islands: uninhabited",
    "IOT": "British Indian Ocean Territory: military base, no permanent civilian population",
    "SGS": "South Georgia and the South Sandwich Islands: no permanent population",
    "UMI": "United States Minor Outlying Islands: no permanent civilian population",
}

COUNTRY_REGIONS: dict[str, frozenset[str]] = {
    code: frozenset(
        region for region in REGION_COMMISSIONS
        if code in REGION_STATES[region] or code in REGION_TERRITORIES[region]
    )
    for code in sorted(set().union(*REGION_STATES.values(), *REGION_TERRITORIES.values()))
}

# --- French and Spanish labels -----------------------------------------------------------------

# Official titles from A/RES/73/195 as found in public sources; missing ones fall back to English.
_OBJECTIVE_TITLES_FR: dict[Code, str] = {
    1: "Collecter et utiliser des données précises et ventilées qui serviront à l’élaboration de politiques fondées sur la connaissance des faits",
    2: "Lutter contre les facteurs négatifs et les problèmes structurels qui poussent des personnes à quitter leur pays d’origine",
    3: "Fournir dans les meilleurs délais des informations exactes à toutes les étapes de la migration",
    4: "Munir tous les migrants d’une preuve d’identité légale et de papiers adéquats",
    5: "Faire en sorte que les filières de migration régulière soient accessibles et plus souples",
    6: "Favoriser des pratiques de recrutement justes et éthiques et assurer les conditions d’un travail décent",
    7: "S’attaquer aux facteurs de vulnérabilité liés aux migrations et les réduire",
    8: "Sauver des vies et mettre en place une action internationale coordonnée pour retrouver les migrants disparus",
    9: "Renforcer l’action transnationale face au trafic de migrants",
    10: "Prévenir, combattre et éliminer la traite de personnes dans le cadre des migrations internationales",
    11: "Gérer les frontières de manière intégrée, sûre et coordonnée",
    12: "Veiller à l’invariabilité et à la prévisibilité des procédures migratoires pour assurer des contrôles, des évaluations et une orientation appropriés",
    13: "Ne recourir au placement en rétention administrative des migrants qu’en dernier ressort et chercher des solutions de rechange",
    14: "Renforcer la protection, l’assistance et la coopération consulaires tout au long du cycle migratoire",
    15: "Assurer l’accès des migrants aux services de base",
    16: "Donner aux migrants et aux sociétés des moyens en faveur de la pleine intégration et de la cohésion sociale",
    17: "Éliminer toutes les formes de discrimination et encourager un débat public fondé sur l’analyse des faits afin de faire évoluer la manière dont les migrations sont perçues",
    18: "Investir dans le perfectionnement des compétences et faciliter la reconnaissance mutuelle des aptitudes, qualifications et compétences",
    19: "Créer les conditions permettant aux migrants et aux diasporas de contribuer pleinement au développement durable dans tous les pays",
    20: "Rendre les envois de fonds plus rapides, plus sûrs et moins coûteux et favoriser l’inclusion financière des migrants",
    21: "Coopérer en vue de faciliter le retour et la réadmission des migrants en toute sécurité et dignité, ainsi que leur réintégration durable",
    22: "Mettre en place des mécanismes de portabilité des droits de sécurité sociale et des avantages acquis",
    23: "Renforcer la coopération internationale et les partenariats mondiaux pour des migrations sûres, ordonnées et régulières",
}

# Objectives 15, 16 and 17 were not found in an official Spanish source (../shared/reference).
_OBJECTIVE_TITLES_ES: dict[Code, str] = {
    1: "Recopilar y utilizar datos exactos y desglosados para formular políticas con base empírica",
    2: "Minimizar los factores adversos y estructurales que obligan a las personas a abandonar su país de origen",
    3: "Proporcionar información exacta y oportuna en todas las etapas de la migración",
    4: "Velar por que todos los migrantes tengan pruebas de su identidad jurídica y documentación adecuada",
    5: "Aumentar la disponibilidad y flexibilidad de las vías de migración regular",
    6: "Facilitar la contratación equitativa y ética y salvaguardar las condiciones que garantizan el trabajo decente",
    7: "Abordar y reducir las vulnerabilidades en la migración",
    8: "Salvar vidas y emprender iniciativas internacionales coordinadas sobre los migrantes desaparecidos",
    9: "Reforzar la respuesta transnacional al tráfico ilícito de migrantes",
    10: "Prevenir, combatir y erradicar la trata de personas en el contexto de la migración internacional",
    11: "Gestionar las fronteras de manera integrada, segura y coordinada",
    12: "Aumentar la certidumbre y previsibilidad de los procedimientos migratorios para la adecuada verificación de antecedentes, evaluación y derivación",
    13: "Utilizar la detención de migrantes solo como último recurso y buscar otras alternativas",
    14: "Mejorar la protección, asistencia y cooperación consulares a lo largo de todo el ciclo migratorio",
    18: "Invertir en el desarrollo de aptitudes y facilitar el reconocimiento mutuo de aptitudes, cualificaciones y competencias",
    19: "Crear las condiciones necesarias para que los migrantes y las diásporas puedan contribuir plenamente al desarrollo sostenible en todos los países",
    20: "Promover transferencias de remesas más rápidas, seguras y económicas y fomentar la inclusión financiera de los migrantes",
    21: "Colaborar para facilitar el regreso y la readmisión en condiciones de seguridad y dignidad, así como la reintegración sostenible",
    22: "Establecer mecanismos para la portabilidad de la seguridad social y las prestaciones adquiridas",
    23: "Fortalecer la cooperación internacional y las alianzas mundiales para la migración segura, ordenada y regular",
}

# The application's own (fr, es) translations of the short labels and code lists. Principles
# keep only names tied to the GCM para. 15 text in a public source; None falls back to English.
_FR_ES: dict[str, dict[Code, tuple[str | None, str | None]]] = {
    "objective": {
        1: ("Données", "Datos"),
        2: ("Réduire les facteurs négatifs", "Minimizar los factores adversos"),
        3: ("Informer à chaque étape", "Información en cada etapa"),
        4: ("Identité légale et papiers", "Identidad jurídica y documentación"),
        5: ("Filières de migration régulière", "Vías de migración regular"),
        6: ("Recrutement et travail décent", "Contratación y trabajo decente"),
        7: ("Réduire les vulnérabilités", "Reducir las vulnerabilidades"),
        8: ("Sauver des vies", "Salvar vidas"),
        9: ("Lutter contre le trafic de migrants", "Combatir el tráfico ilícito de migrantes"),
        10: ("Éliminer la traite de personnes", "Erradicar la trata de personas"),
        11: ("Gestion des frontières", "Gestión de fronteras"),
        12: ("Contrôle et orientation", "Verificación y derivación"),
        13: ("Alternatives à la rétention", "Alternativas a la detención"),
        14: ("Protection consulaire", "Protección consular"),
        15: ("Accès aux services de base", "Acceso a servicios básicos"),
        16: ("Intégration et cohésion sociale", "Inclusión y cohesión social"),
        17: ("Éliminer la discrimination", "Eliminar la discriminación"),
        18: ("Développement et reconnaissance des compétences", "Desarrollo y reconocimiento de aptitudes"),
        19: ("Contributions des migrants et des diasporas", "Contribuciones de los migrantes y las diásporas"),
        20: ("Envois de fonds", "Remesas"),
        21: ("Retour dans la dignité et réintégration", "Retorno digno y reintegración"),
        22: ("Protection sociale", "Protección social"),
        23: ("Coopération internationale", "Cooperación internacional"),
    },
    "principle": {
        "people-centred": ("Priorité à la dimension humaine", None),
        "international-cooperation": (None, "Cooperación internacional"),
        "national-sovereignty": ("Souveraineté nationale", None),
        "rule-of-law": ("Primauté du droit et garanties d’une procédure régulière", None),
        "human-rights": (None, "Derechos humanos"),
        "gender-responsive": ("Prise en compte de la problématique femmes-hommes", "Perspectiva de género"),
        "child-sensitive": ("Adaptation aux besoins de l’enfant", "Perspectiva infantil"),
        "whole-of-society": ("Approche mobilisant l’ensemble de la société", None),
    },
    "level": {
        "local": ("Local", "Local"),
        "national": ("National", "Nacional"),
        "regional": ("Régional", "Regional"),
        "global": ("Mondial", "Mundial"),
    },
    "region": {
        "africa": ("Afrique", "África"),
        "arab-states": ("États arabes", "Estados Árabes"),
        "asia-pacific": ("Asie-Pacifique", "Asia y el Pacífico"),
        "europe-north-america": ("Europe et Amérique du Nord", "Europa y América del Norte"),
        "latin-america-caribbean": ("Amérique latine et Caraïbes", "América Latina y el Caribe"),
    },
    "stakeholder": {
        "migrants": ("Migrants", "Migrantes"),
        "civil-society": ("Société civile", "Sociedad civil"),
        "migrant-diaspora-organizations": ("Organisations de migrants et de la diaspora", "Organizaciones de migrantes y de la diáspora"),
        "faith-based-organizations": ("Organisations confessionnelles", "Organizaciones confesionales"),
        "local-authorities": ("Autorités et communautés locales", "Autoridades y comunidades locales"),
        "private-sector": ("Secteur privé", "Sector privado"),
        "trade-unions": ("Syndicats", "Sindicatos"),
        "parliamentarians": ("Parlementaires", "Parlamentarios"),
        "nhri": ("Institutions nationales des droits de l’homme", "Instituciones nacionales de derechos humanos"),
        "red-cross-red-crescent": ("Mouvement international de la Croix-Rouge et du Croissant-Rouge", "Movimiento Internacional de la Cruz Roja y de la Media Luna Roja"),
        "academia": ("Milieux universitaires", "Instituciones académicas"),
        "media": ("Médias", "Medios de comunicación"),
        "national-government": ("Gouvernement national (État Membre)", "Gobierno nacional (Estado Miembro)"),
        "regional-organization": ("Organisation régionale", "Organización regional"),
        "un-entity": ("Système des Nations Unies ou autre organisation internationale", "Sistema de las Naciones Unidas u otra organización internacional"),
        "other": ("Autres parties prenantes concernées", "Otras partes interesadas pertinentes"),
    },
    "type": {
        "policy": ("Politique", "Política"),
        "programme": ("Programme", "Programa"),
        "project": ("Projet", "Proyecto"),
        "service": ("Service", "Servicio"),
        "tool": ("Outil", "Herramienta"),
        "partnership": ("Partenariat", "Alianza"),
        "other": ("Autre", "Otro"),
    },
    "status": {
        "ongoing": ("En cours", "En curso"),
        "mostly-completed": ("Presque terminé", "Casi finalizado"),
        "completed": ("Terminé", "Finalizado"),
    },
    "language": {
        "en": ("Anglais", "Inglés"),
        "fr": ("Français", "Francés"),
        "es": ("Espagnol", "Español"),
        "other": ("Autre langue", "Otro idioma"),
    },
}


def _column(index: int) -> dict[str, dict[Code, str]]:
    return {
        facet: {code: text for code, pair in table.items() if (text := pair[index]) is not None}
        for facet, table in _FR_ES.items()
    }


_TRANSLATIONS: dict[str, dict[str, dict[Code, str]]] = {
    "fr": {"objective_title": _OBJECTIVE_TITLES_FR, **_column(0)},
    "es": {"objective_title": _OBJECTIVE_TITLES_ES, **_column(1)},
}

# --- Lookups -----------------------------------------------------------------------------------

_OBJECTIVE_FACETS = ("objective", "objective_title")
_ENGLISH: dict[str, dict[Code, str]] = {
    "objective": {o.code: o.short for o in OBJECTIVES},
    "objective_title": {o.code: o.title for o in OBJECTIVES},
    "principle": {t.code: t.label for t in PRINCIPLES},
    "level": {t.code: t.label for t in LEVELS},
    "region": {t.code: t.label for t in REGIONS},
    "country": {code: name for code, name in COUNTRIES.items()},
    "stakeholder": {t.code: t.label for t in STAKEHOLDERS},
    "type": {t.code: t.label for t in PRACTICE_TYPES},
    "status": {t.code: t.label for t in IMPLEMENTATION_STATUSES},
    "language": {t.code: t.label for t in LANGUAGES},
}
_OBJECTIVES_BY_CODE: dict[int, Objective] = {o.code: o for o in OBJECTIVES}


def objective(code: int) -> Objective:
    """Return objective number `code`; raise KeyError if there is none."""
    return _OBJECTIVES_BY_CODE[code]


def get_objective(code: int) -> Objective | None:
    """Return objective number `code`, or None if there is none."""
    return _OBJECTIVES_BY_CODE.get(code)


def _labels(facet: str) -> dict[Code, str]:
    try:
        return _ENGLISH[facet]
    except KeyError:
        raise ValueError(f"unknown facet {facet!r}") from None


def _locale(locale: str) -> str:
    """Reduce 'fr_CA' or 'es-419' to a supported language; anything else is English."""
    language = locale.replace("_", "-").split("-")[0].lower()
    return language if language in LOCALES else "en"


# UN short names where CLDR's differ, as in the English list above (UNTERM forms).
_CLDR_NAME_OVERRIDES: dict[str, dict[str, str]] = {
    "fr": {"COD": "République démocratique du Congo", "FSM": "Micronésie (États fédérés de)",
           "PSE": "État de Palestine", "TWN": "Province chinoise de Taïwan",
           "VAT": "Saint-Siège"},
    "es": {"FSM": "Micronesia (Estados Federados de)", "PSE": "Estado de Palestina",
           "TWN": "Provincia china de Taiwán", "VAT": "Santa Sede"},
}
_ALPHA_2: dict[str, str] = {c.alpha_3: c.alpha_2 for c in pycountry.countries} | {KOSOVO: "XK"}


@functools.cache
def _cldr_territories(language: str) -> dict[str, str]:
    return dict(Locale.parse(language).territories)


def _country_label(code: str, language: str) -> str:
    """Return a country's name: ours in English, CLDR's (through Babel) in French and Spanish.

    pycountry's own French and Spanish catalogs hold misspellings ("Costa de Marfíl").
    """
    english = COUNTRIES[code]
    if language == "en":
        return english
    override = _CLDR_NAME_OVERRIDES.get(language, {}).get(code)
    return override or _cldr_territories(language).get(_ALPHA_2.get(code, ""), english)


@functools.lru_cache(maxsize=8192)
def label(facet: str, code: Code, locale: str = "en") -> str:
    """Return the label of `code` in `facet`; ValueError for an unknown facet, KeyError for a code.

    Kept per (facet, code, locale): a search page asks for about 300 labels, the same on every
    page (the lists above never change while the process runs; errors are not kept).
    """
    labels = _labels(facet)
    if facet in _OBJECTIVE_FACETS and isinstance(code, str) and code.isascii() and code.isdigit():
        code = int(code)
    english = labels[code]
    language = _locale(locale)
    if facet == "country":
        return _country_label(str(code), language)
    return _TRANSLATIONS.get(language, {}).get(facet, {}).get(code, english)


def _sort_key(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def choices(facet: str, locale: str = "en") -> list[tuple[Code, str]]:
    """Return (code, label) pairs in canonical order; countries sort by their localized label."""
    return list(_choices(facet, locale))


@functools.lru_cache(maxsize=256)
def _choices(facet: str, locale: str) -> tuple[tuple[Code, str], ...]:
    """The pairs of choices(), kept per (facet, locale) like the labels: the country list took
    ~0.5 ms to sort (Unicode decomposition of 250 names), on every form and document built."""
    pairs = [(code, label(facet, code, locale)) for code in _labels(facet)]
    if facet == "country":
        pairs.sort(key=lambda pair: _sort_key(pair[1]))
    return tuple(pairs)


def parse_code(facet: str, raw: str) -> Code:
    """Return the typed code that `raw` names in `facet`; raise ValueError if it names none."""
    labels = _labels(facet)
    if facet in _OBJECTIVE_FACETS:
        if raw.isascii() and raw.isdigit() and raw == str(int(raw)) and int(raw) in labels:
            return int(raw)
        raise ValueError(f"{facet} must be a whole number from 1 to {len(labels)}, not {raw!r}")
    if raw in labels:
        return raw
    if facet == "country":
        raise ValueError(f"country must be an upper-case ISO 3166-1 alpha-3 code, not {raw!r}")
    raise ValueError(f"unknown {facet} {raw!r}; expected one of: {', '.join(map(str, labels))}")


def is_valid(facet: str, code: object) -> bool:
    """Tell whether `code` is a code of `facet` (objectives: an int or its decimal string)."""
    labels = _labels(facet)
    if isinstance(code, str):
        try:
            parse_code(facet, code)
        except ValueError:
            return False
        return True
    return facet in _OBJECTIVE_FACETS and type(code) is int and code in labels


def regions_for_countries(codes: Iterable[str]) -> set[str]:
    """Return the regions of the given countries; unknown and unmapped codes add none."""
    return set().union(*(COUNTRY_REGIONS.get(code, frozenset()) for code in codes))


def needs_kosovo_footnote(country_codes: Iterable[str]) -> bool:
    """Tell whether a list of countries names Kosovo, so the page must carry the UN footnote."""
    return KOSOVO in country_codes
