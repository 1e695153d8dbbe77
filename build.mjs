// Placeholder build: replaced by the extension issue (esbuild: the sidecar, the extension bundle, the custom node).
console.log('build: nothing to build yet');
