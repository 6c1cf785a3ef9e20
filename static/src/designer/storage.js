// localStorage that never throws (it does on opaque origins and when disabled).
export function load(key, fallback = null) {
  try {
    return window.localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}

export function store(key, value) {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    // remembering is a nicety
  }
}
