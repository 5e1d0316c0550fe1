/** Entry of the web app: registers the custom elements and the DevTools helpers (window.lab.gpu). */
import { installLabGpu } from '../gpu/console.js';
import './app/lab-app.js';

installLabGpu();
