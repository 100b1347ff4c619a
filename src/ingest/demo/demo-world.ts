/**
 * The static world the demo generator draws from: cities, names, sites with their Gateway category ids
 * (LOGPUSH.md §5), DLP profiles and posture rules. Risky domains use the reserved `.example` TLD so the
 * demo never labels a real site malicious.
 */

/** A city users live in or sign in from. */
export interface DemoCity {
  readonly name: string;
  /** ISO 3166-1 alpha-2. */
  readonly country: string;
  readonly lat: number;
  readonly lon: number;
  /** Standard-time offset from UTC in hours (daylight saving ignored: close enough for working hours). */
  readonly utcOffsetHours: number;
}

/** Twenty-six cities on every inhabited continent, with real coordinates. */
export const DEMO_CITIES: readonly DemoCity[] = [
  { name: 'London', country: 'GB', lat: 51.5074, lon: -0.1278, utcOffsetHours: 0 },
  { name: 'Dublin', country: 'IE', lat: 53.3498, lon: -6.2603, utcOffsetHours: 0 },
  { name: 'Paris', country: 'FR', lat: 48.8566, lon: 2.3522, utcOffsetHours: 1 },
  { name: 'Berlin', country: 'DE', lat: 52.52, lon: 13.405, utcOffsetHours: 1 },
  { name: 'Madrid', country: 'ES', lat: 40.4168, lon: -3.7038, utcOffsetHours: 1 },
  { name: 'Amsterdam', country: 'NL', lat: 52.3676, lon: 4.9041, utcOffsetHours: 1 },
  { name: 'Zurich', country: 'CH', lat: 47.3769, lon: 8.5417, utcOffsetHours: 1 },
  { name: 'Stockholm', country: 'SE', lat: 59.3293, lon: 18.0686, utcOffsetHours: 1 },
  { name: 'Warsaw', country: 'PL', lat: 52.2297, lon: 21.0122, utcOffsetHours: 1 },
  { name: 'New York', country: 'US', lat: 40.7128, lon: -74.006, utcOffsetHours: -5 },
  { name: 'Chicago', country: 'US', lat: 41.8781, lon: -87.6298, utcOffsetHours: -6 },
  { name: 'Austin', country: 'US', lat: 30.2672, lon: -97.7431, utcOffsetHours: -6 },
  { name: 'San Francisco', country: 'US', lat: 37.7749, lon: -122.4194, utcOffsetHours: -8 },
  { name: 'Toronto', country: 'CA', lat: 43.6532, lon: -79.3832, utcOffsetHours: -5 },
  { name: 'Mexico City', country: 'MX', lat: 19.4326, lon: -99.1332, utcOffsetHours: -6 },
  { name: 'São Paulo', country: 'BR', lat: -23.5505, lon: -46.6333, utcOffsetHours: -3 },
  { name: 'Buenos Aires', country: 'AR', lat: -34.6037, lon: -58.3816, utcOffsetHours: -3 },
  { name: 'Lagos', country: 'NG', lat: 6.5244, lon: 3.3792, utcOffsetHours: 1 },
  { name: 'Nairobi', country: 'KE', lat: -1.2921, lon: 36.8219, utcOffsetHours: 3 },
  { name: 'Johannesburg', country: 'ZA', lat: -26.2041, lon: 28.0473, utcOffsetHours: 2 },
  { name: 'Dubai', country: 'AE', lat: 25.2048, lon: 55.2708, utcOffsetHours: 4 },
  { name: 'Bengaluru', country: 'IN', lat: 12.9716, lon: 77.5946, utcOffsetHours: 5.5 },
  { name: 'Singapore', country: 'SG', lat: 1.3521, lon: 103.8198, utcOffsetHours: 8 },
  { name: 'Seoul', country: 'KR', lat: 37.5665, lon: 126.978, utcOffsetHours: 9 },
  { name: 'Tokyo', country: 'JP', lat: 35.6762, lon: 139.6503, utcOffsetHours: 9 },
  { name: 'Sydney', country: 'AU', lat: -33.8688, lon: 151.2093, utcOffsetHours: 10 },
];

/** Given names (ASCII, so they make plain email local parts). */
export const FIRST_NAMES: readonly string[] = [
  'Ada',
  'Alan',
  'Amara',
  'Ana',
  'Arjun',
  'Ben',
  'Carla',
  'Chen',
  'Chloe',
  'Daniel',
  'Diego',
  'Elena',
  'Emma',
  'Fatima',
  'Felix',
  'Grace',
  'Hana',
  'Hugo',
  'Ines',
  'Ivan',
  'Jade',
  'James',
  'Kenji',
  'Kofi',
  'Lars',
  'Leila',
  'Liam',
  'Lucia',
  'Maya',
  'Mei',
  'Mohammed',
  'Nina',
  'Noah',
  'Olga',
  'Omar',
  'Priya',
  'Rafael',
  'Sara',
  'Sofia',
  'Tariq',
  'Tom',
  'Yuki',
  'Zara',
  'Zoe',
];

/** Family names. */
export const LAST_NAMES: readonly string[] = [
  'Adeyemi',
  'Andersen',
  'Bauer',
  'Becker',
  'Costa',
  'Dubois',
  'Fernandez',
  'Fischer',
  'Garcia',
  'Gupta',
  'Hansen',
  'Ito',
  'Johnson',
  'Kim',
  'Kowalski',
  'Lee',
  'Lopez',
  'Martin',
  'Meyer',
  'Mueller',
  'Nakamura',
  'Nguyen',
  'Novak',
  'Okafor',
  'Olsen',
  'Patel',
  'Petrov',
  'Rossi',
  'Santos',
  'Sato',
  'Schmidt',
  'Silva',
  'Singh',
  'Smith',
  'Tanaka',
  'Wang',
  'Weber',
  'Williams',
  'Wong',
  'Zhang',
];

/** The demo company's email domain (reserved `.example` TLD). */
export const EMAIL_DOMAIN = 'demo-corp.example';

/** A site visited, with the Gateway category ids it is logged with (parent first, then subcategory). */
export interface DemoSite {
  readonly host: string;
  readonly categoryIds: readonly number[];
}

/** Everyday work sites in harmless categories (Technology 26, Business 3, Internet Communication 12…). */
export const BENIGN_SITES: readonly DemoSite[] = [
  { host: 'github.com', categoryIds: [26, 155] },
  { host: 'api.github.com', categoryIds: [26, 69] },
  { host: 'registry.npmjs.org', categoryIds: [26, 109] },
  { host: 'www.google.com', categoryIds: [26, 145] },
  { host: 'www.bing.com', categoryIds: [26, 145] },
  { host: 'outlook.office365.com', categoryIds: [12, 168] },
  { host: 'slack.com', categoryIds: [12, 118] },
  { host: 'zoom.us', categoryIds: [12, 111] },
  { host: 'www.linkedin.com', categoryIds: [24, 136] },
  { host: 'www.salesforce.com', categoryIds: [3, 75] },
  { host: 'www.ft.com', categoryIds: [3, 89] },
  { host: 'www.bbc.co.uk', categoryIds: [7, 122] },
  { host: 'en.wikipedia.org', categoryIds: [6, 189] },
  { host: 'www.booking.com', categoryIds: [27, 160] },
  { host: 'cdn.jsdelivr.net', categoryIds: [26, 81] },
  { host: 'www.dropbox.com', categoryIds: [26, 95] },
  { host: 'stackoverflow.com', categoryIds: [26, 155] },
  { host: 'docs.aws.amazon.com', categoryIds: [26, 109] },
];

/** Domains in Security threats (21) or Security Risks (32) subcategories (LOGPUSH.md §5.1, §5.2). */
export const SECURITY_RISK_SITES: readonly DemoSite[] = [
  { host: 'invoice-viewer-download.example', categoryIds: [21, 117] },
  { host: 'secure-account-verify.example', categoryIds: [21, 131] },
  { host: 'mailbox-quota-reset.example', categoryIds: [21, 131] },
  { host: 'c2-relay.example', categoryIds: [21, 80] },
  { host: 'qx7vd2kpl9.example', categoryIds: [21, 176] },
  { host: 'gift-card-winner.example', categoryIds: [21, 191] },
  { host: 'track-keystrokes.example', categoryIds: [21, 153] },
  { host: 'fresh-domain-0417.example', categoryIds: [32, 169] },
];

/** Domains in Questionable Content (17), Violence (29) or CIPA (34) (LOGPUSH.md §5.3). */
export const HIGH_RISK_SITES: readonly DemoSite[] = [
  { host: 'cheap-pills-online.example', categoryIds: [17, 87] },
  { host: 'exploit-forum.example', categoryIds: [17, 102] },
  { host: 'miracle-cure-news.example', categoryIds: [17, 162] },
  { host: 'tactical-gear-shop.example', categoryIds: [29, 166] },
  { host: 'restricted-content.example', categoryIds: [34, 182] },
];

/** Where malicious files are fetched from (a file-sharing category, so only `malicious_file` fires). */
export const MALICIOUS_FILE_SITES: readonly DemoSite[] = [
  { host: 'files.sharebox.example', categoryIds: [26, 95] },
  { host: 'dl.freeware-mirror.example', categoryIds: [26, 193] },
];

/** Names of malicious files. */
export const MALICIOUS_FILE_NAMES: readonly string[] = [
  'Invoice_2291.pdf.exe',
  'payroll-update.docm',
  'VPN-client-setup.msi',
  'shipping-label.zip',
  'Q3-bonus-details.xlsm',
];

/** Names of everyday files. */
export const BENIGN_FILE_NAMES: readonly string[] = [
  'Q3-report.xlsx',
  'roadmap.pptx',
  'meeting-notes.docx',
  'architecture.pdf',
  'expenses.csv',
  'logo.png',
  'contract-draft.docx',
];

/** A DLP profile (Cloudflare predefined profile names; ids fixed for the demo). */
export interface DemoDlpProfile {
  readonly id: string;
  readonly name: string;
}

/** The DLP profiles that demo matches reference. */
export const DLP_PROFILES: readonly DemoDlpProfile[] = [
  { id: '4e1f9c2a-7b3d-4c5e-9a10-2d6f8b1c3e01', name: 'Financial Information' },
  {
    id: '4e1f9c2a-7b3d-4c5e-9a10-2d6f8b1c3e02',
    name: 'Social Security, Insurance, Tax, and Identifier Numbers',
  },
  { id: '4e1f9c2a-7b3d-4c5e-9a10-2d6f8b1c3e03', name: 'Credentials and Secrets' },
  { id: '4e1f9c2a-7b3d-4c5e-9a10-2d6f8b1c3e04', name: 'Source Code' },
];

/** Where DLP matches happen: webmail and storage for single matches, a personal cloud for bursts. */
export const DLP_HOSTS: readonly string[] = ['outlook.office365.com', 'www.dropbox.com', 'slack.com'];

/** Where a DLP burst exfiltrates to. */
export const EXFILTRATION_HOST = 'personal-cloud-drive.example';

/** The demo's posture rules (ids fixed for the demo). */
export const POSTURE_RULES = {
  sentinelOne: { id: '9a0c1d2e-3f40-4b51-8c62-7d8e9f0a1b01', name: 'SentinelOne threat status' },
  crowdStrike: { id: '9a0c1d2e-3f40-4b51-8c62-7d8e9f0a1b02', name: 'CrowdStrike ZTA score' },
} as const;

/** Internal applications users sign in to through Access. */
export const APPS: readonly string[] = [
  'intranet.demo-corp.example',
  'wiki.demo-corp.example',
  'crm.demo-corp.example',
  'git.demo-corp.example',
  'hr.demo-corp.example',
];
