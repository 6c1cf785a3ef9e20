// JSON pointers (RFC 6901) name every state: "/States/P/Branches/0/States/X".
// They are the graph's node ids, the layout's keys, and what the validator's
// problems point at, so a problem finds its node by prefix.

export function escapeToken(token) {
  return String(token).replace(/~/g, "~0").replace(/\//g, "~1");
}

export function unescapeToken(token) {
  return token.replace(/~1/g, "/").replace(/~0/g, "~");
}

export function join(parent, ...tokens) {
  return parent + tokens.map((t) => "/" + escapeToken(t)).join("");
}

export function split(pointer) {
  if (!pointer) return [];
  return pointer.slice(1).split("/").map(unescapeToken);
}

// The value at a pointer, or undefined.
export function get(doc, pointer) {
  let value = doc;
  for (const token of split(pointer)) {
    if (value === null || typeof value !== "object") return undefined;
    value = value[token];
  }
  return value;
}

// Does `pointer` equal `prefix` or lie below it?
export function within(pointer, prefix) {
  return pointer === prefix || pointer.startsWith(prefix + "/");
}
