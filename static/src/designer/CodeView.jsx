// The ASL as JSON in CodeMirror 6, in sync both ways. Typing hands a parsed
// definition up (debounced); text that does not parse stays here with its
// error and never reaches the graph. A definition changed elsewhere replaces
// the text, unless it is what the text already says.
import { json, jsonParseLinter } from "@codemirror/lang-json";
import { linter, lintGutter } from "@codemirror/lint";
import { Annotation } from "@codemirror/state";
import { EditorView, basicSetup } from "codemirror";
import { useEffect, useRef } from "react";

// marks the changes that came from outside, so they are not handed back
const External = Annotation.define();
// CodeMirror styles itself with <style> elements: the page's Content-Security-Policy lets in
// only those carrying its nonce (templates/base.html)
const styleNonce = document.querySelector('meta[name="csp-nonce"]')?.content ?? "";

export function CodeView({ text, onText, error }) {
  const host = useRef(null);
  const view = useRef(null);
  const onTextRef = useRef(onText);
  onTextRef.current = onText;
  const timer = useRef(null);

  useEffect(() => {
    view.current = new EditorView({
      doc: text,
      parent: host.current,
      extensions: [
        EditorView.cspNonce.of(styleNonce),
        basicSetup,
        json(),
        linter(jsonParseLinter(), { delay: 300 }),
        lintGutter(),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged || update.transactions.every((t) => t.annotation(External))) return;
          clearTimeout(timer.current);
          const value = update.state.doc.toString();
          timer.current = setTimeout(() => onTextRef.current(value), 250);
        }),
        EditorView.theme({ "&": { height: "100%", fontSize: "12.5px" }, ".cm-scroller": { fontFamily: "var(--mono)" } }),
      ],
    });
    return () => {
      clearTimeout(timer.current);
      view.current.destroy();
    };
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current === text) return;
    try {
      if (JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(text))) return; // same document, your formatting
    } catch {
      // the editor holds invalid JSON: a change from the graph wins
    }
    v.dispatch({ changes: { from: 0, to: current.length, insert: text }, annotations: External.of(true) });
  }, [text]);

  return (
    <div className="sl-code" data-code-error={error ? "true" : "false"}>
      {error ? <div className="sl-code-error" role="status">Invalid JSON — the graph keeps the last valid version. {error}</div> : null}
      <div className="sl-code-host" ref={host} />
    </div>
  );
}
