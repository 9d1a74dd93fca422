/**
 * The offline pocketsphinx STT adapter (`stt-pocketsphinx`, one local process per stream), its
 * settings from `RSPP_STT_POCKETSPHINX_*`, its startup check and a JSGF grammar writer for
 * exact-word recognition. Sole entry point of adapters/providers/pocketsphinx.
 */
export { createPocketsphinxStt, jsgfGrammar, type PocketsphinxSttOptions } from './stt.ts';
export {
  POCKETSPHINX_MODEL_DIR,
  detectPocketsphinx,
  pocketsphinxConfigFromEnv,
  type PocketsphinxConfig,
} from './config.ts';
