/** Shared inputs of the service tests: fixed clock, fake credentials, hosts on loopback servers. */
import { createServiceDeps, type ServiceDeps, type ServiceDepsOptions } from '../../../src/services/index.js';
import type { Hosts, SessionCredentials } from '../../../src/services/types.js';

export const NOW = 1_700_000_123_456;

export const CREDENTIALS: SessionCredentials = {
  skey: '@crypt_5d1f0c2a_9f8e7d6c5b4a39281706f5e4d3c2b1a0',
  wxsid: 'Qk3vT9xY2mZpL8aB',
  wxuin: '2517452105',
  // Exactly as the XML gives it: percent-encoded text that must be encoded once more in queries.
  passTicket: 'MX4l%2Fabc%2Bdef%3Dghi',
  deviceId: 'e123456789012345',
};

export function hostsOf(main: string, push = main, login = main): Hosts {
  return { login, main, push, file: main };
}

export function testDeps(options: ServiceDepsOptions = {}): ServiceDeps {
  return createServiceDeps({ now: () => NOW, random: () => 0.5, ...options });
}

export const never = (): AbortSignal => new AbortController().signal;

export const okBase = { Ret: 0, ErrMsg: '' };
