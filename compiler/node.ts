// kiln's Node-only library functions (`import { writeArtifact } from 'kiln/node'`): they
// write files, and load the artifact writer (binaryen, ts-morph) when called. Kept out of
// 'kiln' itself so that a browser bundle of the library never reaches them.
export { writeArtifact, type ArtifactOptions } from './frontends/trace/artifact.js';
