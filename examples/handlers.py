"""Python task handlers for the example workflows (registered through STATELIGHT_HANDLERS,
whose default is this module; `python -m engine run ... --handlers examples.handlers` uses them too).

Each handler is registered by Lambda function name, so any Lambda ARN or
`arn:aws:states:::lambda:invoke` FunctionName ending in that name runs it.

The seed's workflows (examples/two_tasks.asl.json, examples/parallel.asl.json,
and the seed's retry/catch example once fixed):
    FirstFunction       {"greeting": "Hello from FirstFunction", ...input}
    SecondFunction      {"farewell": "Goodbye from SecondFunction", ...input}
    TaskA, TaskB        {"task": "TaskA"|"TaskB", "input": input}  (the Parallel example's branches)
    UnreliableFunction  fails with UnreliableError on its first `failures` attempts (input
                        field, default 2), then returns {"succeededOnAttempt": n}: with the
                        seed's Retry (MaxAttempts 3) it succeeds on the third attempt; with
                        {"failures": 9} it exhausts the retries and the Catch takes over.

The pizza workflow (take an order, make the dough, add toppings, bake, deliver):
    TakeOrder       validates {"customer", "pizza", "toppings": [...], "address"}; an
                    order without a pizza fails with InvalidOrder.
                    Returns {"orderId", "customer", "pizza", "toppings", "address"}.
    MakeDough       {"dough": "ready", "orderId"}                    (Parallel branch 1)
    PrepareSauce    {"sauce": "tomato", "orderId"}                   (Parallel branch 2)
    GrateCheese     {"cheese": "mozzarella", "orderId"}              (Parallel branch 3)
    AddToppings     {"orderId", "toppings": [...], "assembled": true}
    Bake            fails with OvenNotHot on its first attempt, then
                    {"orderId", "baked": true, "minutes": 12}        (exercises Retry)
    Deliver         {"orderId", "deliveredTo": address, "status": "delivered"}; an address
                    containing "nowhere" fails with AddressNotFound    (exercises Catch)
    RefundOrder     {"orderId", "refunded": true}                   (the Catch target)
    NotifyCustomer  {"orderId", "notified": customer}
The human approval step (e.g. "ApproveOrder") is the built-in approval resource, not a handler.

TakeOrder, Bake and Deliver log what they do (the `logging` module, logger "examples.pizza"): the
execution viewer shows those lines under each attempt of the state.
"""
from __future__ import annotations

import logging
import uuid

import engine

kitchen = logging.getLogger("examples.pizza")


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {"value": value}


# --- the seed's workflows --------------------------------------------------------

@engine.task_handler("FirstFunction")
def first_function(task_input, context):
    return {**_as_dict(task_input), "greeting": "Hello from FirstFunction"}


@engine.task_handler("SecondFunction")
def second_function(task_input, context):
    return {**_as_dict(task_input), "farewell": "Goodbye from SecondFunction"}


@engine.task_handler("TaskA")
def task_a(task_input, context):
    return {"task": "TaskA", "input": task_input}


@engine.task_handler("TaskB")
def task_b(task_input, context):
    return {"task": "TaskB", "input": task_input}


class UnreliableError(Exception):
    """What UnreliableFunction raises on the attempts it is told to fail."""


@engine.task_handler("UnreliableFunction")
def unreliable_function(task_input, context):
    failures = _as_dict(task_input).get("failures", 2)
    if not isinstance(failures, int) or isinstance(failures, bool):
        failures = 2
    if context.attempt < failures:
        raise UnreliableError(f"attempt {context.attempt + 1} of UnreliableFunction failed (it fails {failures} times)")
    return {"succeededOnAttempt": context.attempt + 1}


# --- the pizza workflow ------------------------------------------------------------

class InvalidOrder(Exception):
    pass


class OvenNotHot(Exception):
    pass


class AddressNotFound(Exception):
    pass


def _order_id(task_input) -> str:
    return str(_as_dict(task_input).get("orderId", ""))


@engine.task_handler("TakeOrder")
def take_order(task_input, context):
    order = _as_dict(task_input)
    if not order.get("pizza"):
        raise InvalidOrder("an order needs a pizza")
    toppings = order.get("toppings", [])
    taken = {
        "orderId": order.get("orderId") or uuid.uuid5(uuid.NAMESPACE_URL, context.execution_arn).hex[:12],
        "customer": order.get("customer", "guest"), "pizza": order["pizza"],
        "toppings": toppings if isinstance(toppings, list) else [toppings],
        "address": order.get("address", "the counter"),
    }
    kitchen.info("order %s: a %s for %s, toppings: %s", taken["orderId"], taken["pizza"], taken["customer"],
                 ", ".join(map(str, taken["toppings"])) or "none")
    return taken


@engine.task_handler("MakeDough")
def make_dough(task_input, context):
    return {"dough": "ready", "orderId": _order_id(task_input)}


@engine.task_handler("PrepareSauce")
def prepare_sauce(task_input, context):
    return {"sauce": "tomato", "orderId": _order_id(task_input)}


@engine.task_handler("GrateCheese")
def grate_cheese(task_input, context):
    return {"cheese": "mozzarella", "orderId": _order_id(task_input)}


@engine.task_handler("AddToppings")
def add_toppings(task_input, context):
    order = _as_dict(task_input)
    toppings = order.get("toppings", [])
    return {"orderId": _order_id(order), "toppings": toppings, "assembled": True}


@engine.task_handler("Bake")
def bake(task_input, context):
    if context.attempt == 0:
        kitchen.info("oven at 180°C, it needs 250°C")
        raise OvenNotHot("the oven is still warming up")
    kitchen.info("oven at 250°C, baking 12 minutes")
    return {"orderId": _order_id(task_input), "baked": True, "minutes": 12}


@engine.task_handler("Deliver")
def deliver(task_input, context):
    order = _as_dict(task_input)
    address = str(order.get("address", "the counter"))
    if "nowhere" in address.lower():
        raise AddressNotFound(f"cannot find {address}")
    kitchen.info("order %s out for delivery to %s", _order_id(order), address)
    return {"orderId": _order_id(order), "deliveredTo": address, "status": "delivered"}


@engine.task_handler("RefundOrder")
def refund_order(task_input, context):
    return {"orderId": _order_id(task_input), "refunded": True}


@engine.task_handler("NotifyCustomer")
def notify_customer(task_input, context):
    order = _as_dict(task_input)
    return {"orderId": _order_id(order), "notified": order.get("customer", "guest")}
