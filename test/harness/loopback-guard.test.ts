// The loopback guard (test/harness/loopback-guard.ts, a vitest setup file): loopback connections
// work through net, http, fetch and dgram; anything else is refused by the guard itself, before a
// packet or a DNS query leaves the process.
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LoopbackGuardError,
  allowLiveHosts,
  isLoopbackHost,
  takeLoopbackViolations,
} from './loopback-guard.ts';

const REFUSED = ['10.0.0.1', '169.254.169.254', 'example.com'] as const;

let v4: http.Server;
let v6: http.Server;
const portOf = (server: http.Server | net.Server) => (server.address() as net.AddressInfo).port;

async function listen(host: string): Promise<http.Server> {
  const server = http.createServer((_req, res) => res.end('pong'));
  server.listen(0, host);
  await once(server, 'listening');
  return server;
}

beforeAll(async () => {
  v4 = await listen('127.0.0.1');
  v6 = await listen('::1');
});
afterAll(async () => {
  v4.closeAllConnections();
  v6.closeAllConnections();
  await Promise.all([
    new Promise((resolve) => v4.close(resolve)),
    new Promise((resolve) => v6.close(resolve)),
  ]);
});

/** Connects with net.connect and resolves once connected (then closes). */
async function netConnect(host: string, port: number): Promise<void> {
  const socket = net.connect({ host, port });
  await once(socket, 'connect');
  socket.destroy();
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The guard error behind a failure, looking through `cause` (fetch wraps it). */
function guardErrorOf(failure: unknown): LoopbackGuardError | undefined {
  for (let e: unknown = failure; e !== undefined && e !== null; e = (e as Error).cause) {
    if (e instanceof LoopbackGuardError) return e;
  }
  return undefined;
}

describe('loopback guard', () => {
  it('classifies loopback hosts without a resolver', () => {
    for (const host of ['127.0.0.1', '127.9.9.9', '::1', '[::1]', 'localhost', 'LOCALHOST.']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, true]);
    }
    for (const host of [...REFUSED, '::ffff:10.0.0.1', '128.0.0.1', 'localhost.example.com']) {
      expect([host, isLoopbackHost(host)]).toEqual([host, false]);
    }
  });

  it.each([
    ['127.0.0.1', () => v4],
    ['::1', () => v6],
    ['localhost', () => v4],
  ] as const)('lets net, http and fetch reach %s', async (host, server) => {
    const port = portOf(server());
    const authority = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
    await netConnect(host, port);
    expect(await httpGet(`http://${authority}/`)).toBe('pong');
    expect(await (await fetch(`http://${authority}/`)).text()).toBe('pong');
    expect(takeLoopbackViolations()).toEqual([]);
  });

  it.each(REFUSED)('refuses net.connect, new Socket().connect and http to %s', (host) => {
    expect(() => net.connect({ host, port: 80 })).toThrow(LoopbackGuardError);
    expect(() => net.createConnection(80, host)).toThrow(host);
    expect(() => new net.Socket().connect(443, host)).toThrow(LoopbackGuardError);
    expect(() => http.get(`http://${host}/`)).toThrow(LoopbackGuardError);
    expect(takeLoopbackViolations().map((v) => v.host)).toEqual([host, host, host, host]);
  });

  it.each(REFUSED)('fails fetch to %s with the guard error as its cause', async (host) => {
    const failure: unknown = await fetch(`http://${host}/latest/meta-data/`).catch(
      (e: unknown) => e,
    );
    expect(guardErrorOf(failure)?.host).toBe(host);
    expect(takeLoopbackViolations()).toEqual([{ via: 'net.Socket#connect', host }]);
  });

  it('lets dgram send to a loopback address and refuses other addresses', async () => {
    const receiver = dgram.createSocket('udp4');
    receiver.bind(0, '127.0.0.1');
    await once(receiver, 'listening');
    const port = receiver.address().port;
    const sender = dgram.createSocket('udp4');
    const received = once(receiver, 'message');
    sender.send('ping', port, '127.0.0.1');
    expect(String((await received)[0])).toBe('ping');
    expect(() => sender.send('ping', 53, '10.0.0.1')).toThrow(LoopbackGuardError);
    expect(() => sender.send('ping', 0, 4, 53, '169.254.169.254')).toThrow(LoopbackGuardError);
    expect(() => sender.connect(53, 'example.com')).toThrow(LoopbackGuardError);
    expect(takeLoopbackViolations().map((v) => v.host)).toEqual([
      '10.0.0.1',
      '169.254.169.254',
      'example.com',
    ]);
    sender.close();
    receiver.close();
  });

  it('refuses DNS queries for names that are not loopback, before any resolver runs', async () => {
    expect(() => dns.lookup('example.com', () => undefined)).toThrow(LoopbackGuardError);
    await expect(dns.promises.lookup('example.com')).rejects.toThrow(LoopbackGuardError);
    await expect(dns.promises.resolve('example.com')).rejects.toThrow(LoopbackGuardError);
    expect(() => dns.resolve4('example.com', () => undefined)).toThrow(LoopbackGuardError);
    expect((await dns.promises.lookup('localhost')).address).toMatch(/^(127\.|::1$)/);
    expect(takeLoopbackViolations()).toHaveLength(4);
  });

  it('records a refusal a library swallowed, so the after-each check fails the test', async () => {
    // A library that catches the throw (and retries, or gives up quietly) still leaves a trace.
    await fetch('http://169.254.169.254/').catch(() => undefined);
    expect(takeLoopbackViolations()).toEqual([
      { via: 'net.Socket#connect', host: '169.254.169.254' },
    ]);
  });

  it.runIf(process.env['RSPP_LIVE_PROVIDER_SMOKE'] !== '1')(
    'allows live hosts only under RSPP_LIVE_PROVIDER_SMOKE=1',
    () => {
      expect(() => allowLiveHosts(['example.com'])).toThrow(
        /RSPP_LIVE_PROVIDER_SMOKE expected "1", received/,
      );
      expect(() => net.connect({ host: 'example.com', port: 80 })).toThrow(LoopbackGuardError);
      expect(takeLoopbackViolations()).toHaveLength(1);
    },
  );

  it('is loaded by Node child processes a test spawns: they reach loopback and are refused elsewhere', async () => {
    // What the child tries: connect to this test's server, then to each refused host.
    const script = `
      const net = require('node:net');
      const tryHost = (host, port) => new Promise((done) => {
        try {
          const s = net.connect({ host, port }, () => { s.destroy(); done(host + ' connected'); });
          s.on('error', (e) => done(host + ' ' + e.code));
        } catch (e) { done(host + ' ' + e.code); }
      });
      (async () => {
        const lines = [await tryHost('127.0.0.1', ${String(portOf(v4))})];
        for (const h of ${JSON.stringify(REFUSED)}) lines.push(await tryHost(h, 80));
        process.stdout.write(lines.join('\\n'));
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      '127.0.0.1 connected',
      ...REFUSED.map((host) => `${host} ERR_LOOPBACK_GUARD`),
    ]);
  });
});
