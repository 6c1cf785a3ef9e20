"""Task handlers for the viewer journeys' server (STATELIGHT_HANDLERS), besides the kitchen's.

Postbox takes a callback's task token and keeps it: the answer comes from a
person, through the execution viewer (SendTaskSuccess/Failure from the page).
"""
import engine


@engine.task_handler("Postbox")
def postbox(task_input, context):
    return {"posted": True}  # ignored: a .waitForTaskToken task waits for its token
