"""Task handlers the API tests run through the runtime (registered on import)."""
import threading

import engine

# callback tasks hand their token here, as a queue or an e-mail would
sent_tokens = []
token_sent = threading.Event()
# Switchable fails while this is set: a failure the test can fix before a redrive
broken = threading.Event()


@engine.task_handler("arn:aws:states:::sqs:sendMessage")
def send_message(task_input, context):
    sent_tokens.append(task_input["MessageBody"]["token"])
    token_sent.set()
    return {"MessageId": "1"}


@engine.task_handler("Switchable")
def switchable(task_input, context):
    if broken.is_set():
        raise engine.TaskError("Broken", "the switch is off")
    return {"fixed": True}
