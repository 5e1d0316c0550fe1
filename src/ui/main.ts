/** Entry of the web app: registers the custom elements, the service worker (production builds) and the DevTools helpers (window.lab). */
import { installLabConsole } from './console.js';
import { registerServiceWorker } from './sw-register.js';
import './app/lab-app.js';

installLabConsole();
void registerServiceWorker();
