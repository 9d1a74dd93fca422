/** Memory lease adapter: the in-process, deterministic implementation of the lease port. */
export {
  createMemoryLeases,
  type MemoryLeases,
  type MemoryLeasesOptions,
} from './memory-leases.ts';
