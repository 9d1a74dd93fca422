/**
 * Vitest setup file: tests may only open connections to loopback addresses. Every outbound
 * connection attempt of this process (TCP and TLS through `net.Socket#connect`, which carries
 * `net.connect`, `http`, `https`, `tls`, `ws`, NATS and the `fetch` of Node's bundled undici;
 * UDP through `dgram.Socket#send`/`#connect`; name resolution through `dns`) is checked before
 * anything reaches the network. A refused attempt throws a {@link LoopbackGuardError} naming the
 * address, and is recorded so that the test fails even when a library swallows the throw.
 *
 * @remarks Host names other than `localhost` (and `*.localhost`) are refused without a DNS query:
 * whether a name resolves to loopback is not something a test may find out from a resolver.
 * Node child processes spawned with this environment load `loopback-guard-child.cjs` (ADR 0037). Live provider tests may allow named hosts with
 * {@link allowLiveHosts}, and only when `RSPP_LIVE_PROVIDER_SMOKE=1`.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach } from 'vitest';

/** What the guard refused, and through which entry point. */
export interface LoopbackViolation {
  /** `net.Socket#connect`, `dgram.Socket#send`, `dns.lookup`... */
  readonly via: string;
  /** The host or address as given. */
  readonly host: string;
}

/** The error a refused connection attempt throws (code `ERR_LOOPBACK_GUARD`). */
export class LoopbackGuardError extends Error {
  /** Stable code. */
  readonly code = 'ERR_LOOPBACK_GUARD';
  /** The refused host or address. */
  readonly host: string;

  /** Builds the error for one refused attempt. */
  constructor(violation: LoopbackViolation) {
    super(
      `loopback guard: ${violation.via} to ${JSON.stringify(violation.host)} refused ` +
        '(tests may only contact 127.0.0.0/8, ::1 or localhost)',
    );
    this.name = 'LoopbackGuardError';
    this.host = violation.host;
  }
}

interface GuardState {
  installed: boolean;
  violations: LoopbackViolation[];
  allowed: Set<string>;
}

/** The guard a child process loads through `NODE_OPTIONS` (plain CommonJS, no loader needed). */
export const CHILD_GUARD = fileURLToPath(new URL('./loopback-guard-child.cjs', import.meta.url));

// One state per process, shared by every import of this file (the setup file and a test file
// importing it may get distinct module instances).
const STATE_KEY = Symbol.for('rspp.test.loopback-guard');
const state: GuardState = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as
  GuardState | undefined) ?? { installed: false, violations: [], allowed: new Set() };
(globalThis as Record<symbol, unknown>)[STATE_KEY] = state;

/** Whether an address or host name is loopback without asking a resolver. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const mapped = name.startsWith('::ffff:') ? name.slice('::ffff:'.length) : name;
  if (isIP(mapped) === 4) {
    // 0.0.0.0 reaches this host on Linux (a server bound to any address, then dialled back).
    return mapped.startsWith('127.') || mapped === '0.0.0.0';
  }
  if (isIP(name) === 6) return name === '::1' || name === '::' || /^(0+:){7}0*1$/.test(name);
  return false;
}

/** Refuses (throws and records) a host that is neither loopback nor allowed for a live test. */
function check(via: string, host: string): void {
  if (isLoopbackHost(host) || state.allowed.has(host.toLowerCase())) return;
  const violation = { via, host };
  state.violations.push(violation);
  throw new LoopbackGuardError(violation);
}

const field = (value: unknown, key: string): unknown =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;

/**
 * The host a `net.Socket#connect` call dials, or null for an IPC path. Mirrors Node's argument
 * normalization: `(options)`, `([options, cb])` from `net.connect`, `(port[, host])`, `(path)`.
 */
function dialledHost(args: readonly unknown[]): string | null {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'object' && first !== null) {
    if (typeof field(first, 'path') === 'string') return null;
    const host = field(first, 'host');
    return typeof host === 'string' && host !== '' ? host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null;
  return typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost';
}

/** The address of a `dgram.Socket#send` call: the first string after the message. */
function datagramHost(args: readonly unknown[]): string {
  const address = args.slice(1).find((arg) => typeof arg === 'string');
  return typeof address === 'string' && address !== '' ? address : 'localhost';
}

type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

/**
 * Replaces `target[key]` with a version that checks its arguments first; a refusal throws, or
 * rejects when `promised` (the API returns promises).
 */
function wrap(
  target: object,
  key: string,
  via: string,
  hostOf: (args: unknown[]) => string | null,
  promised = false,
) {
  const original = (target as Record<string, unknown>)[key];
  if (typeof original !== 'function') return;
  const guarded = function (this: unknown, ...args: unknown[]): unknown {
    const host = hostOf(args);
    try {
      if (host !== null) check(via, host);
    } catch (refusal) {
      if (promised && refusal instanceof Error) return Promise.reject(refusal);
      throw refusal;
    }
    return (original as AnyFunction).apply(this, args);
  };
  Object.defineProperty(target, key, { value: guarded, writable: true, configurable: true });
}

/** A DNS query for anything but a loopback name is refused before the resolver sees it. */
function guardDns(): void {
  const nameOf = (args: unknown[]) => (typeof args[0] === 'string' ? args[0] : null);
  wrap(dns, 'lookup', 'dns.lookup', nameOf);
  wrap(dns.promises, 'lookup', 'dns.promises.lookup', nameOf, true);
  // resolve* ask a name server over the network; c-ares answers loopback names itself.
  const apis = [
    [dns, false],
    [dns.Resolver.prototype, false],
    [dns.promises, true],
    [dns.promises.Resolver.prototype, true],
  ] as const;
  for (const [api, promised] of apis) {
    for (const key of new Set([...Object.keys(api), ...Object.getOwnPropertyNames(api)])) {
      if (key.startsWith('resolve') || key === 'reverse' || key === 'lookupService') {
        wrap(api, key, `dns.${key}`, nameOf, promised);
      }
    }
  }
}

/** Installs the guard once per process. */
function install(): void {
  if (state.installed) return;
  state.installed = true;
  wrap(net.Socket.prototype, 'connect', 'net.Socket#connect', dialledHost);
  wrap(dgram.Socket.prototype, 'send', 'dgram.Socket#send', datagramHost);
  wrap(dgram.Socket.prototype, 'connect', 'dgram.Socket#connect', (args) =>
    typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost',
  );
  guardDns();
  // Named ESM imports of node:dns see the wrapped functions only after this.
  syncBuiltinESMExports();
  guardChildren();
}

/** Node processes a test spawns (with this process's environment) load the plain-JS guard. */
function guardChildren(): void {
  const require = `--require ${JSON.stringify(CHILD_GUARD)}`;
  const options = process.env['NODE_OPTIONS'] ?? '';
  if (!options.includes(CHILD_GUARD)) process.env['NODE_OPTIONS'] = `${options} ${require}`.trim();
}

/**
 * Returns and forgets the violations recorded so far; a test that provokes refusals on purpose
 * takes them, so that the after-each check does not fail it.
 */
export function takeLoopbackViolations(): LoopbackViolation[] {
  return state.violations.splice(0);
}

/**
 * Allows connections to the named hosts for the rest of this test file: for live provider tests
 * only, so it throws unless `RSPP_LIVE_PROVIDER_SMOKE=1`.
 */
export function allowLiveHosts(hosts: readonly string[]): void {
  if (process.env['RSPP_LIVE_PROVIDER_SMOKE'] !== '1') {
    throw new Error(
      'allowLiveHosts: RSPP_LIVE_PROVIDER_SMOKE expected "1", received ' +
        JSON.stringify(process.env['RSPP_LIVE_PROVIDER_SMOKE'] ?? null),
    );
  }
  for (const host of hosts) state.allowed.add(host.toLowerCase());
}

function failOnViolations(): void {
  const violations = takeLoopbackViolations();
  if (violations.length === 0) return;
  const list = violations.map((v) => `${v.via} ${JSON.stringify(v.host)}`).join(', ');
  throw new Error(`loopback guard: this test tried to contact non-loopback hosts: ${list}`);
}

install();
afterEach(failOnViolations);
afterAll(failOnViolations);
