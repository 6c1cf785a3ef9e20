// What the inspector shows for each state type, as data. `ql` limits a field
// to one query language; kinds: text, number, numberOrExpr, json, state
// (a state of the same scope), select, bool. Retry, Catch, Choices,
// Branches and the transition (Next/End) have their own editors.

const JSONPATH = "JSONPath";
const JSONATA = "JSONata";

const f = (key, kind, extra = {}) => ({ key, kind, ...extra });

const INPUT = f("InputPath", "text", { ql: JSONPATH, group: "Input/output", hint: "$" });
const PARAMETERS = f("Parameters", "json", { ql: JSONPATH, group: "Input/output" });
const RESULT_SELECTOR = f("ResultSelector", "json", { ql: JSONPATH, group: "Input/output" });
const RESULT_PATH = f("ResultPath", "text", { ql: JSONPATH, group: "Input/output", hint: "$" });
const OUTPUT_PATH = f("OutputPath", "text", { ql: JSONPATH, group: "Input/output", hint: "$" });
const ARGUMENTS = f("Arguments", "json", { ql: JSONATA, group: "Input/output" });
const OUTPUT = f("Output", "json", { ql: JSONATA, group: "Input/output" });
const ASSIGN = f("Assign", "json", { group: "Variables" });

export const STATE_FIELDS = {
  Task: [
    f("Resource", "text", { group: "Task", required: true }),
    PARAMETERS, ARGUMENTS, INPUT, RESULT_SELECTOR, RESULT_PATH, OUTPUT_PATH, OUTPUT, ASSIGN,
    f("TimeoutSeconds", "numberOrExpr", { group: "Timeouts" }),
    f("TimeoutSecondsPath", "text", { ql: JSONPATH, group: "Timeouts" }),
    f("HeartbeatSeconds", "numberOrExpr", { group: "Timeouts" }),
    f("HeartbeatSecondsPath", "text", { ql: JSONPATH, group: "Timeouts" }),
    f("Credentials", "json", { group: "Task" }),
  ],
  Pass: [INPUT, PARAMETERS, f("Result", "json", { ql: JSONPATH, group: "Input/output" }), RESULT_PATH, OUTPUT_PATH, OUTPUT, ASSIGN],
  Choice: [INPUT, OUTPUT_PATH, OUTPUT, ASSIGN],
  Wait: [
    f("Seconds", "numberOrExpr", { group: "Wait" }),
    f("Timestamp", "text", { group: "Wait", hint: "2030-01-01T00:00:00Z" }),
    f("SecondsPath", "text", { ql: JSONPATH, group: "Wait" }),
    f("TimestampPath", "text", { ql: JSONPATH, group: "Wait" }),
    INPUT, OUTPUT_PATH, OUTPUT, ASSIGN,
  ],
  Succeed: [INPUT, OUTPUT_PATH, OUTPUT],
  Fail: [
    f("Error", "text", { group: "Fail" }),
    f("Cause", "text", { group: "Fail" }),
    f("ErrorPath", "text", { ql: JSONPATH, group: "Fail" }),
    f("CausePath", "text", { ql: JSONPATH, group: "Fail" }),
  ],
  Parallel: [INPUT, PARAMETERS, ARGUMENTS, RESULT_SELECTOR, RESULT_PATH, OUTPUT_PATH, OUTPUT, ASSIGN],
  Map: [
    f("ItemsPath", "text", { ql: JSONPATH, group: "Items", hint: "$" }),
    f("Items", "json", { ql: JSONATA, group: "Items" }),
    f("ItemSelector", "json", { group: "Items" }),
    f("ItemReader", "json", { group: "Items" }),
    f("ItemBatcher", "json", { group: "Items" }),
    f("MaxConcurrency", "numberOrExpr", { group: "Concurrency" }),
    f("MaxConcurrencyPath", "text", { ql: JSONPATH, group: "Concurrency" }),
    f("ToleratedFailurePercentage", "numberOrExpr", { group: "Concurrency" }),
    f("ToleratedFailurePercentagePath", "text", { ql: JSONPATH, group: "Concurrency" }),
    f("ToleratedFailureCount", "numberOrExpr", { group: "Concurrency" }),
    f("ToleratedFailureCountPath", "text", { ql: JSONPATH, group: "Concurrency" }),
    f("Label", "text", { group: "Concurrency" }),
    f("ResultWriter", "json", { group: "Items" }),
    INPUT, PARAMETERS, RESULT_SELECTOR, RESULT_PATH, OUTPUT_PATH, OUTPUT, ASSIGN,
  ],
};

export const MACHINE_FIELDS = [
  f("Comment", "text"),
  f("QueryLanguage", "select", { options: ["", JSONPATH, JSONATA] }),
  f("TimeoutSeconds", "number"),
  f("Version", "text"),
];

export const HAS_TRANSITION = new Set(["Task", "Pass", "Wait", "Parallel", "Map"]);
export const HAS_RETRY_CATCH = new Set(["Task", "Parallel", "Map"]);

export function queryLanguage(definition, state) {
  return (state && state.QueryLanguage) || (definition && definition.QueryLanguage) || JSONPATH;
}

// The fields to show for a state in its query language (a field the state
// already has is always shown, so nothing is hidden by the switch).
export function fieldsFor(definition, state) {
  const ql = queryLanguage(definition, state);
  return (STATE_FIELDS[state?.Type] ?? []).filter((field) => !field.ql || field.ql === ql || (state && state[field.key] !== undefined));
}
