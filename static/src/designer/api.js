// The designer's calls to its endpoints: JSON through the site's one fetch/CSRF module.
export { call } from "../http.js";

// Navigating away on purpose (after Run): no "unsaved changes?" question.
export let leaving = false;
export function navigate(url) {
  leaving = true;
  window.location.assign(url);
}
