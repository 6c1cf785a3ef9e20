// Short human text for edges and node subtitles. Never throws: a definition
// being edited is often half-written.

const OPERATORS = {
  StringEquals: "==", StringLessThan: "<", StringGreaterThan: ">",
  StringLessThanEquals: "<=", StringGreaterThanEquals: ">=", StringMatches: "matches",
  NumericEquals: "==", NumericLessThan: "<", NumericGreaterThan: ">",
  NumericLessThanEquals: "<=", NumericGreaterThanEquals: ">=",
  BooleanEquals: "==", TimestampEquals: "==", TimestampLessThan: "<",
  TimestampGreaterThan: ">", TimestampLessThanEquals: "<=", TimestampGreaterThanEquals: ">=",
  IsNull: "is null", IsPresent: "is present", IsNumeric: "is numeric",
  IsString: "is string", IsBoolean: "is boolean", IsTimestamp: "is timestamp",
};

function clip(text, max = 40) {
  text = String(text);
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

function literal(value) {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? "";
}

export function conditionSummary(rule) {
  if (!rule || typeof rule !== "object") return "?";
  if (typeof rule.Condition === "string") return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, "");
  if (Array.isArray(rule.And)) return rule.And.map(conditionSummary).join(" and ");
  if (Array.isArray(rule.Or)) return rule.Or.map(conditionSummary).join(" or ");
  if (rule.Not) return "not (" + conditionSummary(rule.Not) + ")";
  for (const key of Object.keys(rule)) {
    const base = key.endsWith("Path") && OPERATORS[key.slice(0, -4)] ? key.slice(0, -4) : key;
    if (OPERATORS[base]) {
      const operand = key === base ? literal(rule[key]) : rule[key];
      const op = OPERATORS[base];
      if (base.startsWith("Is")) return `${rule.Variable ?? "?"} ${rule[key] === false ? "is not" : "is"} ${op.slice(3)}`;
      return `${rule.Variable ?? "?"} ${op} ${operand}`;
    }
  }
  return "rule";
}

export function ruleLabel(rule, index) {
  if (rule && typeof rule.Comment === "string" && rule.Comment) return clip(rule.Comment);
  const text = conditionSummary(rule);
  return clip(text === "rule" ? `Rule ${index + 1}` : text);
}

export function catchLabel(catcher) {
  const errors = catcher && Array.isArray(catcher.ErrorEquals) ? catcher.ErrorEquals : [];
  return clip(errors.length ? errors.join(", ") : "Catch");
}

function lastPart(arn) {
  const parts = String(arn).split(":");
  return parts[parts.length - 1] || arn;
}

// One line under the state's name.
export function stateSummary(state) {
  if (!state || typeof state !== "object") return "";
  switch (state.Type) {
    case "Task": {
      const resource = typeof state.Resource === "string" ? state.Resource : "";
      const args = state.Arguments ?? state.Parameters;
      if (resource.startsWith("arn:aws:states:::")) {
        const service = resource.slice("arn:aws:states:::".length);
        const fn = args && typeof args === "object" ? args.FunctionName ?? args["FunctionName.$"] : null;
        return clip(fn ? `${service} · ${lastPart(fn)}` : service, 36);
      }
      if (resource.includes(":activity:")) return clip("activity · " + lastPart(resource), 36);
      return clip(resource ? lastPart(resource) : "no resource", 36);
    }
    case "Wait":
      for (const key of ["Seconds", "SecondsPath", "Timestamp", "TimestampPath"]) {
        if (state[key] !== undefined) return clip(key === "Seconds" ? `${state[key]} s` : `${key} ${state[key]}`, 36);
      }
      return "";
    case "Choice": {
      const rules = Array.isArray(state.Choices) ? state.Choices.length : 0;
      return `${rules} rule${rules === 1 ? "" : "s"}${state.Default ? " + default" : ""}`;
    }
    case "Fail":
      return clip(state.Error ?? state.ErrorPath ?? "", 36);
    case "Parallel": {
      const n = Array.isArray(state.Branches) ? state.Branches.length : 0;
      return `${n} branch${n === 1 ? "" : "es"}`;
    }
    case "Map":
      return state.MaxConcurrency !== undefined ? `concurrency ${state.MaxConcurrency}` : "";
    default:
      return "";
  }
}
