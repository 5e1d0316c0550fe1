/** Entry of the web app: registers the custom elements. */
import './app/lab-app.js';
