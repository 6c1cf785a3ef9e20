// The live lists: a machine's executions (/machines/<pk>/runs/) and the
// approval inbox (/approvals/). Small, no React: the pages are rendered by
// Django and these keep them current over a websocket (designer/consumers.py).
import { decideOnCards } from "../approvals/card.js";
import { LiveSocket } from "./socket.js";

// --- a machine's executions -------------------------------------------------------

function formatTime(seconds) {
  const d = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function runRow(execution) {
  const li = document.createElement("li");
  li.className = "card run";
  const link = document.createElement("a");
  link.className = "run-name";
  link.href = execution.url;
  link.textContent = execution.name;
  const time = document.createElement("time");
  time.className = "muted";
  const pill = document.createElement("span");
  pill.className = "pill status-pill";
  li.append(link, time, pill);
  updateRow(li, execution);
  return li;
}

function updateRow(li, execution) {
  li.dataset.execution = execution.name;
  li.dataset.pk = String(execution.pk);
  li.dataset.status = execution.status;
  li.dataset.started = String(execution.startDate);
  const time = li.querySelector("time");
  time.dateTime = new Date(execution.startDate * 1000).toISOString();
  time.textContent = formatTime(execution.startDate);
  const pill = li.querySelector(".status-pill");
  pill.dataset.status = execution.status;
  pill.textContent = execution.status;
}

function executionsList(list, path) {
  const empty = document.getElementById("no-runs");
  const rows = () => new Map([...list.querySelectorAll("li[data-pk]")].map((li) => [li.dataset.pk, li]));
  const upsert = (execution) => {
    const existing = rows().get(String(execution.pk));
    if (existing) {
      updateRow(existing, execution);
      return;
    }
    const li = runRow(execution);
    // newest first
    const after = [...list.children].find((other) => Number(other.dataset.started ?? 0) < execution.startDate);
    list.insertBefore(li, after ?? null);
  };
  new LiveSocket(path, {
    onMessage(data) {
      if (data.type === "executions") {
        // on (re)connect: the latest ones, to catch up with what happened while away
        for (const execution of [...data.executions].reverse()) upsert(execution);
      } else if (data.type === "execution") {
        upsert(data.execution);
      }
      if (empty) empty.hidden = list.children.length > 0;
    },
  });
}

// --- the start form: a sample input chosen fills the input ---------------------------

function sampleChooser(select, input, samples) {
  select.addEventListener("change", () => {
    input.value = samples[Number(select.value)].text;
  });
}

// --- the approval inbox ---------------------------------------------------------------

const DECIDED_ROWS = 20;

function fromHtml(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// The page comes with the cards; the socket says which opened and closed (designer/approvals/consumers.py).
function inbox(root) {
  const count = document.getElementById("approval-count");
  const list = root.querySelector(".approval-list");
  const empty = root.querySelector("#no-approvals");
  const decided = root.querySelector(".decided");
  const decidedRows = decided.querySelector("tbody");
  const cardOf = (id) => list.querySelector(`article[data-approval="${id}"]`);
  // a card already shown stays as it is: a half-written comment survives a reconnect
  const show = (id, html) => cardOf(id) ?? list.insertBefore(fromHtml(html), empty);
  const settle = (pending) => {
    if (count) count.textContent = String(pending);
    empty.hidden = Boolean(list.querySelector("article"));
    decided.hidden = !decidedRows.children.length;
  };
  const addDecided = (html) => {
    decidedRows.prepend(fromHtml(html));
    while (decidedRows.children.length > DECIDED_ROWS) decidedRows.lastElementChild.remove();
  };
  new LiveSocket(root.dataset.socket, {
    onMessage(data) {
      if (data.type === "inbox") {
        const ids = new Set(data.cards.map((card) => String(card.id)));
        list.querySelectorAll("article[data-approval]").forEach((card) => ids.has(card.dataset.approval) || card.remove());
        data.cards.forEach((card) => show(card.id, card.html));
        decidedRows.replaceChildren(...data.decided.map(fromHtml));
      } else if (data.type === "opened") {
        show(data.id, data.html);
      } else if (data.type === "closed") {
        cardOf(data.id)?.remove();
        if (data.decided) addDecided(data.decided);
      } else return;
      settle(data.count);
    },
  });
  // decided here: the card goes at once (the socket's "closed" follows with the decision's row)
  decideOnCards(root, (card) => {
    card.remove();
    settle(list.querySelectorAll("article").length);
  });
}

const runs = document.getElementById("executions");
const config = document.getElementById("live-config");
if (runs && config) executionsList(runs, JSON.parse(config.textContent).ws);
const samples = document.getElementById("sample-inputs");
if (samples) sampleChooser(document.getElementById("start-sample"), document.getElementById("start-input"), JSON.parse(samples.textContent));
const approvals = document.getElementById("approvals");
if (approvals) inbox(approvals);
