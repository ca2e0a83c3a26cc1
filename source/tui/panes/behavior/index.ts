// The Import Behavior pane (the three behaviours; the choice goes to the Queue pane's draft).
export * from './behavior-pane.js';
