// What the palette offers: every state type, and Task presets. Each entry
// makes a fresh state object with helpful defaults (a new state ends the
// workflow until it is connected).

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

export const TASK_PRESETS = [
  {
    id: "python", label: "Python handler", name: "Handler",
    hint: "A Lambda ARN answered by a registered Python handler",
    make: () => ({ Type: "Task", Resource: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:MyFunction`, End: true }),
  },
  {
    id: "lambda", label: "Lambda invoke", name: "Lambda Invoke",
    hint: "arn:aws:states:::lambda:invoke",
    make: () => ({
      Type: "Task", Resource: "arn:aws:states:::lambda:invoke",
      Parameters: { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:MyFunction`, "Payload.$": "$" },
      OutputPath: "$.Payload",
      Retry: [{ ErrorEquals: ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"], IntervalSeconds: 1, MaxAttempts: 3, BackoffRate: 2 }],
      End: true,
    }),
  },
  {
    id: "http", label: "HTTP invoke", name: "Call API",
    hint: "arn:aws:states:::http:invoke",
    make: () => ({
      Type: "Task", Resource: "arn:aws:states:::http:invoke",
      Parameters: {
        ApiEndpoint: "https://api.example.com/items", Method: "GET",
        Authentication: { ConnectionArn: `arn:aws:events:${REGION}:${ACCOUNT}:connection/MyConnection` },
      },
      End: true,
    }),
  },
  {
    id: "activity", label: "Activity", name: "Activity",
    hint: "A worker polls GetActivityTask",
    make: () => ({ Type: "Task", Resource: `arn:aws:states:${REGION}:${ACCOUNT}:activity:MyActivity`, TimeoutSeconds: 3600, End: true }),
  },
  {
    id: "callback", label: "Wait for callback", name: "Wait For Callback",
    hint: ".waitForTaskToken: resumes on SendTaskSuccess",
    make: () => ({
      Type: "Task", Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
      Parameters: { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:MyFunction`, Payload: { "input.$": "$", "taskToken.$": "$$.Task.Token" } },
      HeartbeatSeconds: 3600,
      End: true,
    }),
  },
  {
    id: "approval", label: "Human approval", name: "Approval",
    hint: "A person approves or rejects in the inbox",
    make: () => ({
      Type: "Task", Resource: "arn:aws:states:::statelight:approval",
      Parameters: { Title: "Approve this?", "Data.$": "$", Choices: ["Approve", "Reject"] },
      TimeoutSeconds: 86400,
      End: true,
    }),
  },
  {
    id: "nested", label: "Nested state machine", name: "Start Execution",
    hint: "states:startExecution.sync:2",
    make: () => ({
      Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync:2",
      Parameters: {
        StateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:Child`,
        "Input.$": "$",
      },
      End: true,
    }),
  },
];

export const FLOW_TYPES = [
  { id: "Pass", label: "Pass", name: "Pass", hint: "Pass input to output", make: () => ({ Type: "Pass", End: true }) },
  { id: "Choice", label: "Choice", name: "Choice", hint: "Branch on rules", make: () => ({ Type: "Choice", Choices: [] }) },
  { id: "Wait", label: "Wait", name: "Wait", hint: "Delay for a time", make: () => ({ Type: "Wait", Seconds: 5, End: true }) },
  { id: "Succeed", label: "Succeed", name: "Success", hint: "End successfully", make: () => ({ Type: "Succeed" }) },
  { id: "Fail", label: "Fail", name: "Fail", hint: "End with an error", make: () => ({ Type: "Fail", Error: "Failed", Cause: "" }) },
  {
    id: "Parallel", label: "Parallel", name: "Parallel", hint: "Run branches at once",
    make: () => ({ Type: "Parallel", Branches: [{ StartAt: "", States: {} }, { StartAt: "", States: {} }], End: true }),
  },
  {
    id: "Map", label: "Map", name: "Map", hint: "Run steps for each item",
    make: () => ({ Type: "Map", ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, StartAt: "", States: {} }, End: true }),
  },
];

export function templateById(id) {
  return [...TASK_PRESETS, ...FLOW_TYPES].find((t) => t.id === id) ?? null;
}
