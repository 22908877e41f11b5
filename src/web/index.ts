/** The browser console for a webwx client (`webwx web`). */
export { startWebConsole, type WebConsole, type WebConsoleOptions } from './console.js';
export { buildConsoleServer, type ConsoleActions, type ConsoleServer, type ConsoleServerOptions, type SendOutcome } from './server.js';
export { consoleDiagram, withoutEdgeLabels, type ConsoleDiagram } from './diagram-view.js';
export { activeNodeIds, activeStatePaths, topOf } from './active-states.js';
export { createTransitionTracker, type TransitionTracker } from './transitions.js';
export { applyUpdate, createConsoleHub, INITIAL_STATE, LIMITS, type ConsoleHub, type ConsoleState, type ConsoleUpdate } from './view.js';
export { normaliseAvatar, qrImageUrl } from './images.js';
