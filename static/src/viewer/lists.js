// The live lists: a machine's executions (/machines/<pk>/runs/) and the
// approval inbox (/approvals/). Small, no React: the pages are rendered by
// Django and these keep them current over a websocket (designer/consumers.py).
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

// --- the approval inbox ---------------------------------------------------------------

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : document.querySelector("input[name=csrfmiddlewaretoken]")?.value ?? "";
}

// Put the server's new lists in place, keeping the cards that stay (a half-written comment survives).
function mergeInbox(root, html) {
  const incoming = document.createElement("div");
  incoming.innerHTML = html;
  const oldList = root.querySelector(".approval-list");
  const newList = incoming.querySelector(".approval-list");
  if (!oldList || !newList) {
    root.replaceChildren(...incoming.childNodes);
    return;
  }
  const kept = new Map([...oldList.querySelectorAll("article[data-approval]")].map((a) => [a.dataset.approval, a]));
  const children = [...newList.children].map((node) => (node.dataset?.approval && kept.get(node.dataset.approval)) || node);
  oldList.replaceChildren(...children);
  const oldDecided = root.querySelector(".decided");
  const newDecided = incoming.querySelector(".decided");
  if (oldDecided && newDecided) oldDecided.replaceWith(newDecided);
  else if (oldDecided) oldDecided.remove();
  else if (newDecided) root.append(newDecided);
}

function inbox(root) {
  const count = document.getElementById("approval-count");
  new LiveSocket(root.dataset.socket, {
    onMessage(data) {
      if (data.type !== "approvals") return;
      mergeInbox(root, data.html);
      if (count) count.textContent = String(data.count);
    },
  });
  // decide without leaving the page; without JavaScript the form posts and comes back
  root.addEventListener("submit", async (event) => {
    const form = event.target.closest("form.approval-form");
    if (!form) return;
    event.preventDefault();
    const body = new FormData(form, event.submitter);
    body.set("csrfmiddlewaretoken", csrfToken());
    const error = form.querySelector(".approval-error");
    const buttons = form.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    let response;
    try {
      response = await fetch(form.action, {
        method: "POST", body, credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
    } catch {
      response = null;
    }
    const data = response ? await response.json().catch(() => ({})) : { error: "The server did not answer." };
    if (response?.ok) {
      const card = form.closest("article");
      card.dataset.decided = data.result?.Decision ?? "";
      card.remove();
      const list = root.querySelector(".approval-list");
      if (list && !list.querySelector("article") && !list.querySelector("#no-approvals")) {
        const empty = document.createElement("p");
        empty.className = "card empty";
        empty.id = "no-approvals";
        empty.textContent = "Nothing waits for you.";
        list.append(empty);
      }
      return;
    }
    buttons.forEach((b) => { b.disabled = false; });
    if (error) {
      error.textContent = data.error ?? "Could not decide.";
      error.hidden = false;
    }
  });
}

const runs = document.getElementById("executions");
const config = document.getElementById("live-config");
if (runs && config) executionsList(runs, JSON.parse(config.textContent).ws);
const approvals = document.getElementById("approvals");
if (approvals) inbox(approvals);
