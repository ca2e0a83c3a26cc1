// Loading the console. Ink decides once, when it is first imported, whether it runs in CI (the
// is-in-ci package reads CI and CONTINUOUS_INTEGRATION); if so it draws nothing until the app
// exits, and the console would be a blank screen. The console only ever runs on a terminal a person
// is looking at, so those variables are hidden while ink loads and put back afterwards.
// React picks its build from NODE_ENV when it loads: unless the user set it, the console runs the
// production build (half the code of the development one, without its checks on every render).
const CI_VARIABLES = ['CI', 'CONTINUOUS_INTEGRATION'] as const;

export async function loadConsole(): Promise<typeof import('./run-console.js')> {
  process.env.NODE_ENV ??= 'production';
  const saved = CI_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of CI_VARIABLES) delete process.env[name];
  try {
    return await import('./run-console.js');
  } finally {
    for (const [name, value] of saved) if (value !== undefined) process.env[name] = value;
  }
}
