// Saving: the draft autosaves a moment after a change; Save keeps the machine
// (or, while it is invalid, a draft); Publish makes a numbered version. The
// badge in the toolbar says where the work stands (body[data-save-state] too).
import { useCallback, useEffect, useRef, useState } from "react";

import { call, leaving } from "./api.js";

const AUTOSAVE_MS = 1200;
const clock = () => new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
const form = (text, layout) => ({ text, layout: JSON.stringify(layout) });

export function useSaving({ text, layout }, { urls, restored, say, showProblems }) {
  const [status, setStatus] = useState({ kind: "saved", text: restored ? "Draft restored" : "Saved" });
  const settled = useRef(status); // what the badge said when the work last matched what is saved
  const settle = useCallback((next) => {
    settled.current = next;
    setStatus(next);
  }, []);
  const saved = useRef(form(text, layout));
  const dirty = saved.current.text !== text || saved.current.layout !== JSON.stringify(layout);

  useEffect(() => {
    if (!dirty) {
      // back to what is saved (an undo) before the autosave: nothing to save, no badge
      setStatus((current) => (current.kind === "dirty" ? settled.current : current));
      return undefined;
    }
    setStatus({ kind: "dirty", text: "Unsaved changes" });
    const t = setTimeout(async () => {
      setStatus({ kind: "saving", text: "Saving draft…" });
      const r = await call(urls.draft, { body: { definition: text, layout } });
      if (r.ok) {
        saved.current = form(text, layout);
        settle({ kind: "saved", text: `Draft saved ${clock()}` });
      } else setStatus({ kind: "error", text: "Draft not saved" });
    }, AUTOSAVE_MS);
    return () => clearTimeout(t);
  }, [text, layout, dirty, urls.draft, settle]);

  useEffect(() => {
    document.body.dataset.saveState = status.kind;
    if (status.kind !== "dirty" && status.kind !== "saving") return undefined;
    // leaving inside the autosave's second: ask first
    const warn = (e) => {
      if (leaving) return;
      e.preventDefault();
      e.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [status]);

  const save = useCallback(async () => {
    setStatus({ kind: "saving", text: "Saving…" });
    const r = await call(urls.save, { body: { definition: text, layout } });
    if (!r.ok) {
      setStatus({ kind: "error", text: "Not saved" });
      say(r.data?.error ?? "Could not save", "error");
      return;
    }
    saved.current = form(text, layout);
    if (r.data.saved === "definition") {
      settle({ kind: "saved", text: "Saved" });
      say("Saved");
    } else {
      settle({ kind: "saved", text: "Saved as draft" });
      say(`Saved as a draft: fix ${r.data.problems.length} problem(s) to save the machine itself`, "warning");
    }
  }, [text, layout, urls.save, say, settle]);

  const publish = useCallback(async () => {
    const r = await call(urls.publish, { body: { definition: text, layout, description: "" } });
    if (r.ok) {
      saved.current = form(text, layout);
      settle({ kind: "saved", text: `Version ${r.data.version.number} published` });
      say(`Published version ${r.data.version.number}`);
    } else if (r.data?.problems) {
      showProblems();
      say(`Not published: fix ${r.data.problems.length} problem(s) first`, "error");
    } else say(r.data?.error ?? "Could not publish", "error");
  }, [text, layout, urls.publish, say, showProblems, settle]);

  return { status, save, publish };
}
