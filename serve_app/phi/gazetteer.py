"""Place names: Quebec/Canadian municipalities and large US cities (identifying below state level),
and the province/state/country names that are NOT PHI under Safe Harbor."""

from __future__ import annotations

from functools import lru_cache

from serve_app.phi.data import countries
from serve_app.phi.lexicon import fold, words

# Municipalities; ambiguous words (Québec = also the province, Laval = also a university, common
# English words) are left out and found through address context instead.
CITIES = """
Montréal Montreal Gatineau Longueuil Sherbrooke Saguenay Lévis Levis Trois-Rivières Trois-Rivieres
Terrebonne Saint-Jean-sur-Richelieu Repentigny Boucherville Saint-Jérôme Saint-Jerome Châteauguay
Chateauguay Drummondville Granby Saint-Hyacinthe Blainville Mirabel Brossard Dollard-des-Ormeaux Rimouski
Victoriaville Saint-Eustache Mascouche Salaberry-de-Valleyfield Rouyn-Noranda Sorel-Tracy Vaudreuil-Dorion
Val-d'Or Alma Chicoutimi Jonquière Jonquiere Shawinigan Saint-Georges Sept-Îles Sept-Iles Thetford Mines
Baie-Comeau Magog Joliette Matane Rivière-du-Loup Riviere-du-Loup Amos Dorval Pointe-Claire Kirkland
Beaconsfield Westmount Mont-Royal Outremont Verdun Lachine LaSalle Anjou Montréal-Nord Saint-Laurent
Saint-Léonard Rosemont Hochelaga Côte-Saint-Luc Cote-Saint-Luc Hampstead Candiac La Prairie Chambly Beloeil
Varennes Sainte-Julie Saint-Bruno-de-Montarville Saint-Lambert Saint-Constant Sainte-Catherine
Mont-Saint-Hilaire Cowansville Bromont Lachute Sainte-Agathe-des-Monts Mont-Tremblant Saint-Sauveur Rawdon
Berthierville Louiseville Nicolet Bécancour Becancour La Tuque Roberval Dolbeau-Mistassini Chibougamau Gaspé
Gaspe Percé Carleton-sur-Mer New Richmond Amqui Montmagny Lac-Mégantic Lac-Megantic Coaticook Asbestos
Val-des-Sources Sainte-Marie Saint-Raymond Donnacona Beauport Charlesbourg Sainte-Foy Sillery Cap-Rouge
L'Ancienne-Lorette Stoneham Boischatel Beaupré Baie-Saint-Paul La Malbaie Kuujjuaq Chisasibi Mistissini
Wendake Kahnawake Kanesatake Pierrefonds Roxboro Île-Bizard Senneterre La Sarre Ville-Marie Témiscaming
Maniwaki Buckingham Aylmer Hull Pontiac Huntingdon Ormstown Napierville Farnham Acton Vale Toronto Ottawa
Mississauga Brampton Hamilton Kitchener Waterloo Windsor Oshawa Markham Vaughan Sudbury Kingston Barrie
Guelph Thunder Bay Cornwall Hawkesbury Vancouver Surrey Burnaby Richmond Victoria Kelowna Calgary Edmonton
Red Deer Lethbridge Saskatoon Regina Winnipeg Brandon Halifax Dartmouth Moncton Fredericton Saint John
Bathurst Edmundston Charlottetown Whitehorse Yellowknife Iqaluit Boston Chicago Houston Phoenix Philadelphia
San Antonio San Diego Dallas San Jose Austin Jacksonville Columbus Charlotte Indianapolis Seattle Denver
Nashville Baltimore Milwaukee Albuquerque Tucson Fresno Sacramento Atlanta Miami Cleveland Minneapolis
Pittsburgh Cincinnati Detroit Memphis Louisville Portland Las Vegas Oklahoma City New Orleans Burlington
Plattsburgh Rochester Buffalo Albany Syracuse Hartford Providence Newark Brooklyn Manhattan Queens Oakville
Milton Whitby Ajax Pickering Newmarket Peterborough Belleville Timmins Sarnia Brantford Etobicoke
Scarborough Nepean Kanata Kamloops Nanaimo Abbotsford Coquitlam Airdrie Truro Gander Summerside Miramichi
"""
_MULTI = [
    "Thetford Mines",
    "La Prairie",
    "La Tuque",
    "New Richmond",
    "Thunder Bay",
    "Red Deer",
    "Saint John",
    "San Antonio",
    "San Diego",
    "San Jose",
    "Las Vegas",
    "Oklahoma City",
    "New Orleans",
    "Acton Vale",
    "Baie-Saint-Paul",
    "La Malbaie",
    "La Sarre",
    "New York",
    "Los Angeles",
    "San Francisco",
    "Québec City",
    "Quebec City",
    "Ville de Québec",
    "ville de Québec",
    "Ste-Foy",
    "St-Jérôme",
    "St-Eustache",
    "St-Hyacinthe",
    "St-Laurent",
    "St-Léonard",
    "St-Georges",
    "St-Lambert",
    "St-Jean-sur-Richelieu",
    "Richmond Hill",
    "St. Catharines",
    "Niagara Falls",
    "Sault Ste. Marie",
    "North Bay",
    "North York",
    "Moose Jaw",
    "Prince Albert",
    "Prince George",
    "Fort McMurray",
    "Grande Prairie",
    "St. Albert",
    "Sherwood Park",
    "Corner Brook",
]
_MULTI_FIRST = {
    "Thetford",
    "La",
    "New",
    "Thunder",
    "Red",
    "Saint",
    "San",
    "Las",
    "Oklahoma",
    "Acton",
    "Mines",
    "Prairie",
    "Tuque",
    "Bay",
    "Deer",
    "John",
    "Antonio",
    "Diego",
    "Jose",
    "Vegas",
    "City",
    "Orleans",
    "Vale",
    "Sarre",
    "Malbaie",
}

NOT_PHI_PLACES = words(
    """
Canada Québec Quebec Ontario Alberta Manitoba Saskatchewan Nunavut Yukon Nouvelle-Écosse Nova Scotia
Nouveau-Brunswick New Brunswick Colombie-Britannique British Columbia Terre-Neuve Newfoundland Labrador
Prince Edward Island Île-du-Prince-Édouard Territoires du Nord-Ouest Northwest Territories USA États-Unis
Etats-Unis United States America Amérique Mexico Mexique France Europe Haïti Haiti Maroc Morocco Algérie
Algeria Liban Lebanon Chine China Inde India Italie Italy Portugal Espagne Spain Vietnam Grèce Greece
Belgique Belgium Suisse Switzerland Allemagne Germany Angleterre England Royaume-Uni Irlande Ireland
Amérique du Nord North America Afrique Africa Asie Asia Norway Norvège Sweden Suède Denmark Danemark Finland
Finlande Iceland Islande Netherlands Pays-Bas Austria Autriche Poland Pologne Hungary Hongrie Czechia
Romania Roumanie Bulgaria Bulgarie Croatia Croatie Serbia Serbie Ukraine Russia Russie Turkey Turquie
Türkiye Cyprus Chypre Israel Israël Egypt Égypte Tunisia Tunisie Senegal Sénégal Nigeria Kenya Ethiopia
Éthiopie Japan Japon Korea Corée Pakistan Iran Iraq Irak Syria Syrie Jordan Jordanie Brazil Brésil Argentina
Argentine Chile Chili Peru Pérou Colombia Colombie Venezuela Cuba Jamaica Jamaïque Australia Australie
Philippines Indonesia Indonésie Thailand Thaïlande Uruguay Paraguay Bolivia Bolivie Ecuador Équateur
Luxembourg Monaco Scotland Écosse Wales
"""
)


@lru_cache(maxsize=1)
def city_names() -> tuple[str, ...]:
    singles = [w for w in CITIES.split() if w not in _MULTI_FIRST]
    return tuple(sorted(set(singles + _MULTI), key=len, reverse=True))


@lru_cache(maxsize=1)
def city_keys() -> frozenset[str]:
    return frozenset(fold(c) for c in city_names())


@lru_cache(maxsize=1)
def not_phi_place_keys() -> frozenset[str]:
    multi = [
        "Nova Scotia",
        "New Brunswick",
        "British Columbia",
        "Prince Edward Island",
        "Northwest Territories",
        "Czech Republic",
        "South Africa",
        "New Zealand",
        "Nouvelle-Zélande",
        "United Kingdom",
        "Sri Lanka",
        "United States",
        "North America",
        "Amérique du Nord",
        "Territoires du Nord-Ouest",
    ]
    return frozenset(fold(p) for p in [*NOT_PHI_PLACES, *multi, *countries()])
