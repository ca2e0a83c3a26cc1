// Ink, as the console imports it. In the build this file is replaced by a one-file bundle of ink
// and its dependencies (bin/bundle-ink.mjs): loading ink's ~600 modules one by one took about
// 0.4 s of the console's first second. React stays outside the bundle, so the console and ink
// share one React. Tests and the type checker see ink itself through this file.
export * from 'ink';
