// Lets Node run kiln's TypeScript: tsx's loader, plus plain-binaryen.mjs. For scripts run
// as `node --import ./bin/register.mjs FILE.ts` (npm run bench); `kiln` itself runs the
// JavaScript bin/build.mjs builds.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

register();
// Registered after tsx, so it runs before tsx: see plain-binaryen.mjs.
registerHooks('./plain-binaryen.mjs', import.meta.url);
