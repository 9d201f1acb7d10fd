/**
 * Reference lists for the synthetic population. Frequencies are rough but skewed on purpose
 * (a few very common surnames, a long tail), because term-frequency adjustment and blocking
 * only show their value on skewed data.
 */

export interface GivenName {
  readonly name: string;
  readonly sex: 'f' | 'm';
  readonly weight: number;
  /** Short forms people actually use on forms; some are outside the matcher's nickname table. */
  readonly nicknames: readonly string[];
}

const given = (sex: 'f' | 'm', weight: number, name: string, ...nicknames: string[]): GivenName => ({ name, sex, weight, nicknames });

export const GIVEN_NAMES: readonly GivenName[] = [
  given('m', 30, 'James', 'Jim', 'Jimmy'),
  given('m', 28, 'William', 'Will', 'Bill', 'Billy'),
  given('m', 26, 'John', 'Johnny', 'Jon'),
  given('m', 25, 'Michael', 'Mike', 'Mick'),
  given('m', 24, 'David', 'Dave'),
  given('m', 22, 'Robert', 'Rob', 'Bob', 'Robbie'),
  given('m', 20, 'Thomas', 'Tom', 'Tommy'),
  given('m', 19, 'Daniel', 'Dan', 'Danny'),
  given('m', 18, 'Matthew', 'Matt'),
  given('m', 17, 'Andrew', 'Andy'),
  given('m', 16, 'Christopher', 'Chris'),
  given('m', 15, 'Joshua', 'Josh'),
  given('m', 15, 'Benjamin', 'Ben'),
  given('m', 14, 'Nicholas', 'Nick'),
  given('m', 13, 'Anthony', 'Tony'),
  given('m', 13, 'Richard', 'Rick', 'Richie'),
  given('m', 12, 'Peter', 'Pete'),
  given('m', 12, 'Stephen', 'Steve'),
  given('m', 11, 'Joseph', 'Joe'),
  given('m', 11, 'Samuel', 'Sam'),
  given('m', 10, 'Edward', 'Ed', 'Eddie'),
  given('m', 10, 'Timothy', 'Tim'),
  given('m', 9, 'Patrick', 'Paddy'),
  given('m', 9, 'Alexander', 'Alex'),
  given('m', 9, 'Lachlan', 'Lachie'),
  given('m', 8, 'Jack'),
  given('m', 8, 'Liam'),
  given('m', 8, 'Oliver', 'Ollie'),
  given('m', 8, 'Noah'),
  given('m', 7, 'Ethan'),
  given('m', 7, 'Lucas'),
  given('m', 7, 'Mark'),
  given('m', 7, 'Paul'),
  given('m', 7, 'Jason'),
  given('m', 6, 'Gregory', 'Greg'),
  given('m', 6, 'Kenneth', 'Ken'),
  given('m', 6, 'Charles', 'Charlie'),
  given('m', 6, 'Hamish'),
  given('m', 5, 'Mohammed'),
  given('m', 5, 'Wei'),
  given('m', 5, 'Minh'),
  given('m', 5, 'Rajesh', 'Raj'),
  given('m', 5, 'Giuseppe', 'Joe'),
  given('m', 4, 'Dimitrios', 'Jim'),
  given('m', 4, 'José'),
  given('m', 4, 'Sean'),
  given('m', 4, 'Declan'),
  given('m', 4, 'Aarav'),
  given('m', 3, 'Kai'),
  given('m', 3, 'Hiroshi'),
  given('m', 3, 'Tevita'),
  given('m', 3, 'Søren'),
  given('f', 30, 'Sarah'),
  given('f', 28, 'Jessica', 'Jess'),
  given('f', 26, 'Emily', 'Em'),
  given('f', 25, 'Elizabeth', 'Liz', 'Beth', 'Lizzie'),
  given('f', 24, 'Emma'),
  given('f', 22, 'Olivia', 'Liv'),
  given('f', 21, 'Charlotte', 'Charlie', 'Lottie'),
  given('f', 20, 'Michelle', 'Shelley'),
  given('f', 19, 'Jennifer', 'Jen', 'Jenny'),
  given('f', 18, 'Rebecca', 'Bec', 'Becky'),
  given('f', 17, 'Katherine', 'Kate', 'Katie', 'Kathy'),
  given('f', 16, 'Amanda', 'Mandy'),
  given('f', 15, 'Margaret', 'Maggie', 'Meg', 'Peggy'),
  given('f', 15, 'Chloe'),
  given('f', 14, 'Hannah'),
  given('f', 14, 'Stephanie', 'Steph'),
  given('f', 13, 'Nicole', 'Nikki'),
  given('f', 13, 'Lauren'),
  given('f', 12, 'Rachel'),
  given('f', 12, 'Natalie', 'Nat'),
  given('f', 12, 'Victoria', 'Vicky', 'Tori'),
  given('f', 11, 'Samantha', 'Sam'),
  given('f', 11, 'Patricia', 'Trish', 'Patty'),
  given('f', 10, 'Susan', 'Sue'),
  given('f', 10, 'Deborah', 'Deb', 'Debbie'),
  given('f', 10, 'Catherine', 'Cathy', 'Cath'),
  given('f', 9, 'Isabella', 'Bella', 'Izzy'),
  given('f', 9, 'Grace'),
  given('f', 9, 'Mia'),
  given('f', 8, 'Ava'),
  given('f', 8, 'Zoe'),
  given('f', 8, 'Ruby'),
  given('f', 8, 'Kimberly', 'Kim'),
  given('f', 7, 'Abigail', 'Abby'),
  given('f', 7, 'Jacqueline', 'Jackie'),
  given('f', 7, 'Anne-Marie'),
  given('f', 6, 'Mei'),
  given('f', 6, 'Priya'),
  given('f', 6, 'Fatima'),
  given('f', 6, 'Linh'),
  given('f', 5, 'María', 'Mari'),
  given('f', 5, 'Siobhan'),
  given('f', 5, 'Zoë'),
  given('f', 5, 'Aroha'),
  given('f', 4, 'Yuki'),
  given('f', 4, 'Ngaio'),
  given('f', 4, 'Chiara'),
  given('f', 3, 'Ingrid'),
  given('f', 3, 'Annika'),
];

export const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['Smith', 60], ['Jones', 40], ['Williams', 36], ['Brown', 34], ['Wilson', 30], ['Taylor', 30],
  ['Nguyen', 28], ['Johnson', 24], ['Martin', 22], ['White', 20], ['Anderson', 19], ['Walker', 18],
  ['Thompson', 18], ['Thomas', 17], ['Lee', 17], ['Harris', 16], ['Ryan', 15], ['Robinson', 15],
  ['Kelly', 14], ['King', 14], ['Campbell', 13], ['Clarke', 13], ['Mitchell', 12], ['Young', 12],
  ['Wright', 12], ['Hall', 11], ['Green', 11], ['Hughes', 11], ['Edwards', 10], ['Wood', 10],
  ['Chen', 14], ['Wang', 12], ['Li', 10], ['Zhang', 9], ['Tran', 10], ['Le', 8], ['Pham', 7],
  ['Singh', 12], ['Patel', 11], ['Kumar', 8], ['Sharma', 6], ['Khan', 6], ['Ali', 5],
  ["O'Brien", 9], ["O'Connor", 8], ['McDonald', 8], ['MacKenzie', 5], ['Murphy', 9], ['Sullivan', 7],
  ['Papadopoulos', 5], ['Nikolaidis', 3], ['Rossi', 5], ['Russo', 4], ['Esposito', 3], ['Romano', 3],
  ['García', 4], ['Fernández', 3], ['Muñoz', 3], ['Silva', 4], ['Santos', 3], ['Müller', 3],
  ['Schmidt', 3], ['Van der Berg', 2], ['De Jong', 2], ['Kowalski', 3], ['Nowak', 3], ['Ivanov', 2],
  ['Tanaka', 2], ['Sato', 2], ['Kim', 6], ['Park', 5], ['Choi', 3], ['Fonoti', 2], ['Tupou', 2],
  ['Ngata', 2], ['Henare', 2], ['Baker', 9], ['Cooper', 9], ['Turner', 8], ['Parker', 8], ['Collins', 8],
  ['Stewart', 8], ['Morris', 7], ['Bell', 7], ['Ward', 7], ['Cook', 7], ['Bailey', 7], ['Cox', 6],
  ['Richardson', 6], ['Howard', 6], ['Watson', 6], ['Price', 5], ['Bennett', 5], ['Gray', 5], ['James', 5],
  ['Reid', 5], ['Morgan', 5], ['Hill', 5], ['Scott', 5], ['Davies', 5], ['Evans', 5], ['Roberts', 5],
  ['Lewis', 5], ['Jackson', 5], ['Moore', 5], ['Hunt', 4], ['Fraser', 4], ['Fitzgerald', 4], ['Doherty', 3],
  ['Abernethy', 2], ['Blackwood', 2], ['Carmichael', 2], ['Delaney', 2], ['Ellison', 2], ['Featherstone', 1],
  ['Galbraith', 1], ['Hetherington', 1], ['Ingleby', 1], ['Jardine', 1], ['Kilpatrick', 1], ['Lockhart', 1],
  ['Macquarie', 1], ['Northcott', 1], ['Oakley', 1], ['Pemberton', 1], ['Quinlan', 1], ['Rutherford', 1],
  ['Sinclair', 2], ['Thornton', 2], ['Underwood', 1], ['Vickers', 1], ['Whitaker', 1], ['Yardley', 1],
];

export interface Locality {
  readonly suburb: string;
  readonly postcode: string;
  readonly state: string;
  readonly stateName: string;
  /** Landline area code digit for the state (02 NSW/ACT, 03 VIC/TAS, 07 QLD, 08 SA/WA/NT). */
  readonly areaCode: string;
}

const locality = (suburb: string, postcode: string, state: string, stateName: string, areaCode: string): Locality => ({
  suburb, postcode, state, stateName, areaCode,
});

export const LOCALITIES: readonly Locality[] = [
  locality('Surry Hills', '2010', 'NSW', 'New South Wales', '2'),
  locality('Parramatta', '2150', 'NSW', 'New South Wales', '2'),
  locality('Bondi', '2026', 'NSW', 'New South Wales', '2'),
  locality('Newtown', '2042', 'NSW', 'New South Wales', '2'),
  locality('Chatswood', '2067', 'NSW', 'New South Wales', '2'),
  locality('Penrith', '2750', 'NSW', 'New South Wales', '2'),
  locality('Newcastle', '2300', 'NSW', 'New South Wales', '2'),
  locality('Wollongong', '2500', 'NSW', 'New South Wales', '2'),
  locality('Saint Ives', '2075', 'NSW', 'New South Wales', '2'),
  locality('Fitzroy', '3065', 'VIC', 'Victoria', '3'),
  locality('Saint Kilda', '3182', 'VIC', 'Victoria', '3'),
  locality('Brunswick', '3056', 'VIC', 'Victoria', '3'),
  locality('Mount Waverley', '3149', 'VIC', 'Victoria', '3'),
  locality('Geelong', '3220', 'VIC', 'Victoria', '3'),
  locality('Ballarat', '3350', 'VIC', 'Victoria', '3'),
  locality('Footscray', '3011', 'VIC', 'Victoria', '3'),
  locality('Fortitude Valley', '4006', 'QLD', 'Queensland', '7'),
  locality('Southport', '4215', 'QLD', 'Queensland', '7'),
  locality('Toowoomba', '4350', 'QLD', 'Queensland', '7'),
  locality('Cairns', '4870', 'QLD', 'Queensland', '7'),
  locality('Glenelg', '5045', 'SA', 'South Australia', '8'),
  locality('Norwood', '5067', 'SA', 'South Australia', '8'),
  locality('Fremantle', '6160', 'WA', 'Western Australia', '8'),
  locality('Subiaco', '6008', 'WA', 'Western Australia', '8'),
  locality('Joondalup', '6027', 'WA', 'Western Australia', '8'),
  locality('Sandy Bay', '7005', 'TAS', 'Tasmania', '3'),
  locality('Launceston', '7250', 'TAS', 'Tasmania', '3'),
  locality('Braddon', '2612', 'ACT', 'Australian Capital Territory', '2'),
  locality('Belconnen', '2617', 'ACT', 'Australian Capital Territory', '2'),
  locality('Darwin City', '0800', 'NT', 'Northern Territory', '8'),
];

export const STREET_NAMES: readonly string[] = [
  'George', 'King', 'Queen', 'Victoria', 'Albert', 'Elizabeth', 'Church', 'High', 'Park', 'Station',
  'Railway', 'Bridge', 'Beach', 'Ocean', 'Hill', 'Smith', 'Brunswick', 'Oxford', 'Crown', 'Bourke',
  'Collins', 'Flinders', 'Swanston', 'Lygon', 'Chapel', 'Sydney', 'Pacific', 'Marine', 'Forest', 'Wattle',
  'Banksia', 'Acacia', 'Jacaranda', 'Waratah', 'Eucalyptus', 'Kookaburra', 'Magpie', 'Rosella', 'Lorikeet', 'Currawong',
  'Macquarie', 'Hume', 'Mitchell', 'Sturt', 'Flinders Park', 'Princes', 'Darling', 'Murray', 'Hawkesbury', 'Nepean',
];

/** Full street type and how channels abbreviate it. */
export const STREET_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['Street', 'St'], ['Road', 'Rd'], ['Avenue', 'Ave'], ['Drive', 'Dr'], ['Court', 'Ct'], ['Place', 'Pl'],
  ['Crescent', 'Cres'], ['Parade', 'Pde'], ['Lane', 'Ln'], ['Terrace', 'Tce'], ['Close', 'Cl'], ['Way', 'Way'],
];

export const EMAIL_DOMAINS: ReadonlyArray<readonly [string, number]> = [
  ['gmail.com', 40], ['outlook.com', 15], ['hotmail.com', 12], ['bigpond.com', 10], ['yahoo.com.au', 8],
  ['icloud.com', 8], ['optusnet.com.au', 4], ['live.com.au', 3],
];

export interface ProductCategory {
  readonly category: string;
  /** Typical unit price in dollars; prices are drawn around it. */
  readonly typicalPrice: number;
}

export const PRODUCT_CATEGORIES: readonly ProductCategory[] = [
  { category: 'Servicing', typicalPrice: 320 },
  { category: 'Tyres', typicalPrice: 210 },
  { category: 'Accessories', typicalPrice: 85 },
  { category: 'Parts', typicalPrice: 140 },
  { category: 'Apparel', typicalPrice: 60 },
  { category: 'Detailing', typicalPrice: 120 },
  { category: 'Extended Warranty', typicalPrice: 900 },
];

/** Keys next to each other on a QWERTY keyboard, for realistic typos. */
export const KEYBOARD_NEIGHBOURS: Readonly<Record<string, string>> = {
  a: 'qwsz', b: 'vghn', c: 'xdfv', d: 'serfcx', e: 'wsdr', f: 'drtgvc', g: 'ftyhbv', h: 'gyujnb',
  i: 'ujko', j: 'huikmn', k: 'jiolm', l: 'kop', m: 'njk', n: 'bhjm', o: 'iklp', p: 'ol',
  q: 'wa', r: 'edft', s: 'awedxz', t: 'rfgy', u: 'yhji', v: 'cfgb', w: 'qase', x: 'zsdc',
  y: 'tghu', z: 'asx',
};
