"""The pizza kitchen at a person's pace, for the browser journeys (STATELIGHT_HANDLERS of their server).

examples/handlers.py answers in microseconds, so a page that connects a moment
after the start would only ever see states already succeeded. Here each step
of the kitchen takes a moment (registered after the examples: later
registrations win), and the viewer shows every state running before it succeeds.
"""
import time

import engine
from examples import handlers

STEP_SECONDS = 0.6
STEPS = {
    "TakeOrder": handlers.take_order, "MakeDough": handlers.make_dough, "PrepareSauce": handlers.prepare_sauce,
    "GrateCheese": handlers.grate_cheese, "AddToppings": handlers.add_toppings, "Bake": handlers.bake,
    "Deliver": handlers.deliver, "NotifyCustomer": handlers.notify_customer, "RefundOrder": handlers.refund_order,
}


def _at_a_persons_pace(handler):
    def step(task_input, context):
        time.sleep(STEP_SECONDS)
        return handler(task_input, context)
    return step


for _name, _handler in STEPS.items():
    engine.task_handler(_name)(_at_a_persons_pace(_handler))
