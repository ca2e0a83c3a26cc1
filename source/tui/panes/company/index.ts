// The Company pane (Select Company, one company per vault).
export * from './company-pane.js';
