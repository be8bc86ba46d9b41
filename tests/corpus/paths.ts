// Where the shared external corpora live: ../shared beside the checkout (as in CI).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
export const SHARED = process.env.KILN_SHARED ?? join(ROOT, '..', 'shared');
export const HLO_CORPUS = join(SHARED, 'corpus', 'hlo');
export const HLO_NEGATIVE = join(SHARED, 'corpus', 'hlo-negative');
export const haveCorpus = existsSync(HLO_CORPUS);
