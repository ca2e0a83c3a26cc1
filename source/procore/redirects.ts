// The redirect URIs of Grant Access, as registered with the Procore app: the out-of-band one
// (Procore shows the code) and the fixed loopback one (Procore wants the exact URI, port included).

export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
export const LOOPBACK_PORT = 53682;
export const LOOPBACK_REDIRECT = `http://localhost:${LOOPBACK_PORT}/callback`;
