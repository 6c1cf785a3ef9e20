"""The pizza kitchen at the test's signal, for the browser journeys (STATELIGHT_HANDLERS of their server).

examples/handlers.py answers in microseconds, so a page that connects a moment
after the start would only ever see states already succeeded: whether it saw a
state run would depend on how fast the machine is. Here each kitchen step waits
at a gate the test opens (registered after the examples: later registrations win),
so a state runs for as long as the test wants to look at it.

Gates are files in the folder STATELIGHT_TEST_GATES names, one folder per execution
(by its name): `<state>.<attempt>` lets that attempt of that state go on (attempts
count from 0), `all` lets every step go on. The test's side is `Gates`.
"""
import os
import time
from pathlib import Path

import engine
from examples import handlers

STEPS = {
    "TakeOrder": handlers.take_order, "MakeDough": handlers.make_dough, "PrepareSauce": handlers.prepare_sauce,
    "GrateCheese": handlers.grate_cheese, "AddToppings": handlers.add_toppings, "Bake": handlers.bake,
    "Deliver": handlers.deliver, "NotifyCustomer": handlers.notify_customer, "RefundOrder": handlers.refund_order,
}
POLL_SECONDS = 0.02


class Gates:
    """The gates of one execution, by its name."""

    def __init__(self, folder: Path, execution_name: str):
        self.folder = Path(folder) / execution_name
        self.folder.mkdir(parents=True, exist_ok=True)

    def open(self, state: str, attempt: int = 0):
        (self.folder / f"{state}.{attempt}").touch()

    def open_all(self):
        (self.folder / "all").touch()

    def is_open(self, state: str, attempt: int) -> bool:
        return (self.folder / "all").exists() or (self.folder / f"{state}.{attempt}").exists()


def _at_the_tests_signal(name, handler):
    def step(task_input, context):
        gates = Gates(os.environ["STATELIGHT_TEST_GATES"], context.execution_arn.rsplit(":", 1)[-1])
        while not gates.is_open(name, context.attempt):
            time.sleep(POLL_SECONDS)
        return handler(task_input, context)
    return step


for _name, _handler in STEPS.items():
    engine.task_handler(_name)(_at_the_tests_signal(_name, _handler))
