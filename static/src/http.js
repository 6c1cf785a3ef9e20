// The browser's one way to call the site's JSON endpoints and post its forms: the session
// cookie goes along, and Django's CSRF token (its csrftoken cookie, else a form's hidden
// field) in the X-CSRFToken header. Used by the designer (through designer/api.js), the
// execution viewer, the live lists and the approval cards.

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  return document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

// {ok, status, data}: data is the JSON answer, or {error} when the answer was not JSON.
// `body` goes as JSON, `form` (a FormData) as a form post; a GET has neither.
export async function call(url, { method = "POST", body, form } = {}) {
  const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url, { method, headers, body: payload, credentials: "same-origin" });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: `${response.status} ${response.statusText}` };
  }
  return { ok: response.ok, status: response.status, data };
}
