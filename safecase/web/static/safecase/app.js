// Safecase front-end entry point.
//
// Loaded as <script type="module">, so it runs only in browsers that GOV.UK Frontend supports;
// older browsers skip it and get the plain, working HTML. This does what GOV.UK's template
// does in an inline <script>, which our CSP (script-src 'self') does not allow.
import { initAll } from "../vendor/govuk-frontend/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");

initAll();

// htmx remembers the current path in sessionStorage on every page; nothing of a safeguarding
// record may stay in the browser (security bar D4), so forget it as soon as htmx writes it.
document.addEventListener("DOMContentLoaded", () => {
  sessionStorage.removeItem("htmx-current-path-for-history");
});
window.addEventListener("pagehide", () => {
  sessionStorage.removeItem("htmx-current-path-for-history");
});
