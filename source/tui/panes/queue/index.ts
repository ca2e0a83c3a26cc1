// The Queue pane (queue, options, OK / Cancel of the whole Procore configuration).
export * from './queue-pane.js';
