/** The official-account platform simulator (seed 004): token, qrcode/create, showqrcode, and "the user scans". */
export { startOfficialSimulator, type OfficialSimulator, type OfficialSimulatorOptions } from './server.js';
export { simulateScan, type ScanRequest, type ScanResult } from './control.js';
export { createOfficialWorld, type OfficialWorld, type OfficialWorldOptions } from './world.js';
