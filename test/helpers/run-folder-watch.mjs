// Runs the folder-watch job in a process of its own (a look, then a take), for the test that
// kills it with SIGKILL at a random moment. It runs the compiled dist/ (the tests' global setup
// builds it), as the sync loop will: a third of the start-up of the sources through tsx.
const [dataDir, vaultRef] = process.argv.slice(2);
const { openDesk } = await import('../../dist/app/desk.js');
const { folderWatch } = await import('../../dist/sync/folder-watch.js');
// pdf-lib is loaded on the first document: loaded first, so that a kill lands among the files.
await import('../../dist/documents/pdf.js');

const desk = await openDesk({ dataDir, command: 'folder-watch test' });
const vault = await desk.vaults.get(vaultRef);
const run = folderWatch({ settleMs: 0 });
const signal = new AbortController().signal;
process.stdout.write('ready\n');
for (let pass = 0; pass < 2; pass++) {
  await run({
    desk,
    vault,
    signal,
    procore: () => Promise.reject(new Error('the folder watch does not use Procore')),
    report: () => undefined,
    now: () => Date.now(),
  });
}
process.stdout.write('done\n');
