// Entry of the benchmark's transport thread: TypeScript through tsx, as bin/rspp.js does.
import { register } from 'tsx/esm/api';

register();
await import('./transport-thread.ts');
