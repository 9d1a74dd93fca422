/**
 * The loopback guard for child processes a test spawns (ADR 0037): loaded with
 * `NODE_OPTIONS=--require`, which test/harness/loopback-guard.ts sets in every test process, so
 * `bin/rspp.js worker` and any other Node child refuse non-loopback connections too. Plain
 * CommonJS so it loads before anything else, without a TypeScript loader.
 */
'use strict';
const net = require('node:net');
const dgram = require('node:dgram');
const dns = require('node:dns');

function isLoopback(host) {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const name = bare.toLowerCase().replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const mapped = name.startsWith('::ffff:') ? name.slice(7) : name;
  if (net.isIP(mapped) === 4) return mapped.startsWith('127.') || mapped === '0.0.0.0';
  if (net.isIP(name) === 6) return name === '::1' || name === '::' || /^(0+:){7}0*1$/.test(name);
  return false;
}

function refuse(via, host) {
  const error = new Error(
    `loopback guard (child ${process.pid}): ${via} to ${JSON.stringify(host)} refused ` +
      '(tests may only contact 127.0.0.0/8, ::1 or localhost)',
  );
  error.code = 'ERR_LOOPBACK_GUARD';
  process.stderr.write(`${error.message}\n`);
  return error;
}

function dialledHost(args) {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (typeof first === 'object' && first !== null) {
    if (typeof first.path === 'string') return null;
    return typeof first.host === 'string' && first.host !== '' ? first.host : 'localhost';
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return null;
  return typeof args[1] === 'string' && args[1] !== '' ? args[1] : 'localhost';
}

function wrap(target, key, via, hostOf) {
  const original = target[key];
  if (typeof original !== 'function') return;
  target[key] = function guarded(...args) {
    const host = hostOf(args);
    if (host !== null && !isLoopback(host)) throw refuse(via, host);
    return original.apply(this, args);
  };
}

wrap(net.Socket.prototype, 'connect', 'net.Socket#connect', dialledHost);
wrap(dgram.Socket.prototype, 'send', 'dgram.Socket#send', (args) => {
  const address = args.slice(1).find((arg) => typeof arg === 'string');
  return typeof address === 'string' && address !== '' ? address : 'localhost';
});
wrap(dns, 'lookup', 'dns.lookup', (args) => (typeof args[0] === 'string' ? args[0] : null));
