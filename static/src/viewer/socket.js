// Websockets that come back by themselves, and an event stream without gaps.
//
// LiveSocket reconnects with backoff (a server restart, a lost network) and
// says where it is in body[data-ws]: "connecting" (first attempt), "open",
// "closed" (until the next attempt opens). EventStream sits on one: it hands
// out history events, each {event: AWS's, run: its state run} and on a run's
// *StateEntered the run's `path` (unpacked from the socket's compact messages,
// designer/viewer/feed.py), strictly in id order, drops duplicates, and when
// it sees a hole in the ids asks the server for a replay after the last event
// it has ({"type": "replay", "after": N}); on every reconnect the URL carries
// ?last_event_id=N so the server replays what was missed while away.

const MIN_DELAY = 250;
const MAX_DELAY = 5000;
const GAP_RETRY_MS = 1500;

export function socketUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  return scheme + window.location.host + path;
}

function setState(state) {
  document.body.dataset.ws = state;
}

export class LiveSocket {
  // path: "/ws/..."; query(): the query string for the next connection (or "")
  constructor(path, { onMessage, onOpen, query } = {}) {
    this.path = path;
    this.onMessage = onMessage ?? (() => {});
    this.onOpen = onOpen ?? (() => {});
    this.query = query ?? (() => "");
    this.attempts = 0;
    this.ws = null;
    this.stopped = false;
    this.timer = null;
    setState("connecting");
    this.connect();
    // a laptop waking up or a tab coming back: try at once rather than at the end of a backoff
    window.addEventListener("online", () => this.retryNow());
    document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && this.retryNow());
  }

  connect() {
    this.timer = null;
    const query = this.query();
    const ws = new WebSocket(socketUrl(this.path) + (query ? `?${query}` : ""));
    this.ws = ws;
    ws.onopen = () => {
      this.attempts = 0;
      setState("open");
      this.onOpen();
    };
    ws.onmessage = (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      this.onMessage(data);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      setState("closed");
      if (!this.stopped) this.schedule();
    };
  }

  schedule() {
    if (this.timer !== null) return;
    const delay = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempts) * (0.75 + Math.random() * 0.5);
    this.attempts = Math.min(this.attempts + 1, 10);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  retryNow() {
    if (this.ws || this.stopped || this.timer === null) return;
    clearTimeout(this.timer);
    this.connect();
  }

  send(data) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(data));
  }

  close() {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.ws?.close();
  }
}

// {type: "events", events, runs, paths} -> [{event, run, path?}]: runs[i] is events[i]'s run,
// paths the frame path of each run opened among them, by the id of its *StateEntered
export function envelopes({ events, runs, paths }) {
  return events.map((event, i) => (event.id in paths ? { event, run: runs[i], path: paths[event.id] } : { event, run: runs[i] }));
}

export class EventStream {
  // onEvents(envelopes): called with each run of new events, in id order, never twice for an id
  constructor(path, { onEvents, onMessage }) {
    this.lastId = 0;
    this.held = new Map(); // events past a hole, until the hole is filled
    this.onEvents = onEvents;
    this.onOtherMessage = onMessage ?? (() => {});
    this.askedAt = 0;
    this.askedAfter = -1;
    this.gapTimer = null;
    this.socket = new LiveSocket(path, {
      query: () => `last_event_id=${this.lastId}`,
      onMessage: (data) => this.receive(data),
      onOpen: () => {
        this.askedAfter = -1; // the connection's own replay covers the hole
      },
    });
  }

  receive(data) {
    if (data.type === "events") this.take(envelopes(data));
    else this.onOtherMessage(data);
  }

  take(envelopes) {
    for (const envelope of envelopes) {
      const { id } = envelope.event;
      if (id > this.lastId && !this.held.has(id)) this.held.set(id, envelope);
    }
    const ready = [];
    while (this.held.has(this.lastId + 1)) {
      ready.push(this.held.get(this.lastId + 1));
      this.held.delete(this.lastId + 1);
      this.lastId += 1;
    }
    if (ready.length) this.onEvents(ready);
    if (this.held.size) this.askForReplay();
  }

  askForReplay() {
    const now = Date.now();
    // one request per hole, repeated only if it stays open
    if (this.askedAfter === this.lastId && now - this.askedAt < GAP_RETRY_MS) return;
    this.askedAfter = this.lastId;
    this.askedAt = now;
    this.socket.send({ type: "replay", after: this.lastId });
    if (this.gapTimer === null) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = null;
        if (this.held.size) this.askForReplay();
      }, GAP_RETRY_MS);
    }
  }
}
