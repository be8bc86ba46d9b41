export function selectAndScatterKernels(..._: unknown[]): undefined { return undefined; }
