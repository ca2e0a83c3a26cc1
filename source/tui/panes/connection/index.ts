// The Connection pane (environment, Grant Access, Disconnect).
export * from './connection-pane.js';
