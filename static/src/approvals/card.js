// Deciding on an approval card without leaving the page. The card is the server's
// (templates/approvals/card.html): the inbox (viewer/lists.js) and the execution viewer
// (viewer/Panels.jsx) show the same one. Its form posts as it is (choice, comment,
// field:<name>) to the decide endpoint; a refusal is said on the card.
import { call } from "../http.js";

// Decide through the cards inside `root`; onDecided(card, result) after each decision taken.
// Returns the function that stops it.
export function decideOnCards(root, onDecided) {
  const submit = async (event) => {
    const form = event.target.closest?.("form.approval-form");
    if (!form) return;
    event.preventDefault();
    const decision = new FormData(form, event.submitter); // before the buttons are disabled: a disabled one sends no choice
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    let answer;
    try {
      answer = await call(form.action, { form: decision });
    } catch {
      answer = { ok: false, data: { error: "The server did not answer." } };
    }
    if (answer.ok) {
      onDecided(form.closest("article"), answer.data.result);
      return;
    }
    buttons.forEach((b) => { b.disabled = false; });
    const error = form.querySelector(".approval-error");
    if (error) {
      error.textContent = answer.data?.error ?? "Could not decide.";
      error.hidden = false;
    }
  };
  root.addEventListener("submit", submit);
  return () => root.removeEventListener("submit", submit);
}
