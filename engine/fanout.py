"""Parallel and Map states on the engine's side: launching children one at a time
(so they run in a fixed order), counting their ends against the tolerated
failures, and aborting what is left when the fan-out fails."""
from __future__ import annotations

from . import errors
from .effects import Cancel
from .frames import ABORTED, BLOCKED_ON, DONE, RUNNING, Fan
from .serialize import depth_of, size_in_bytes
from .states import BLOCKED


class FanOut:
    """The Parallel and Map part of Execution (a mixin)."""

    def start_parallel(self, state, frame):
        branch_input = state.flow.effective_input(frame.data, frame)
        self._event(frame, "ParallelStateStarted")
        frame.fan = Fan("parallel", len(state.branches), input=branch_input)
        return self._launch(frame, state)

    def start_map(self, state, frame):
        items = state.read_items(frame)
        if state.batching:
            items = state.batches(frame, items)
        fan = Fan("map", len(items), items=items)
        self._event(frame, "MapStateStarted", {"length": len(items)})
        fan.limit, fan.tolerated_count, fan.tolerated_percentage = state.limits(frame)
        frame.fan = fan
        if state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunStarted", {"mapRunArn": self._map_run_arn(state)})
        return self._launch(frame, state)

    def _map_run_arn(self, state) -> str:
        import uuid  # only a DISTRIBUTED Map needs it

        parts = self.execution_context["Id"].split(":")
        region, account = (parts[3], parts[4]) if len(parts) > 4 else ("us-east-1", "123456789012")
        run_id = uuid.UUID(int=self.draw_random().getrandbits(128), version=4)
        return (f"arn:aws:states:{region}:{account}:mapRun:{self.machine_context['Name']}/"
                f"{state.label or state.name}:{run_id}")

    def _launch(self, frame, state):
        """Start the next child of a fan-out (one per call, so children run in order)."""
        fan = frame.fan
        if fan.failure is None and fan.launched == fan.total and fan.running == 0:
            return self._fan_out_done(frame, state)
        if fan.failure is not None or not fan.can_launch():
            return BLOCKED
        index = fan.launched
        fan.launched += 1
        fan.running += 1
        if fan.kind == "parallel":
            child = self._new_frame(frame, index, state.branches[index], fan.input)
            child.size = size_in_bytes(fan.input)
        else:
            item = fan.items[index] if state.batching else state.select_item(frame, index, fan.items[index])
            child = self._new_frame(frame, index, state.processor, item)
            # an item taken as it is is part of the Map's input: no bigger than it
            items_from_input = state.item_selector is None and not state.batching and state.items is None
            child.size = frame.size if items_from_input else size_in_bytes(item)
            if not items_from_input:  # an ItemSelector nests the input at most its own depth deeper
                selector = state.item_selector
                nesting = getattr(selector, "nesting", None) if not state.batching else None
                child.depth = frame.depth + nesting if nesting is not None else depth_of(item)
            if state.mode == "DISTRIBUTED":
                child.silent = True
            else:
                # AWS links an iteration's start to the last state event of the one before
                previous, fan.after_iteration = fan.after_iteration, None
                self._event(frame, "MapIterationStarted", {"name": state.name, "index": index}, previous)
                child.last_id = frame.last_id
        fan.children.append(child.id)
        frame.resume = ("launch",)
        self._queue(frame, first=True)
        self._queue(child, first=True)
        return BLOCKED

    def _child_ended(self, child):
        parent = self.frames[child.parent]
        self._dirty.add(parent.id)
        fan = parent.fan
        fan.running -= 1
        state = parent.machine.states[parent.state]
        iteration = fan.kind == "map" and not child.silent
        if child.status == DONE:
            fan.succeeded += 1
            if iteration:
                self._event(parent, "MapIterationSucceeded", {"name": state.name, "index": child.index}, child.last_id)
                fan.after_iteration = child.last_id
        else:
            fan.failed += 1
            if iteration:
                self._event(parent, "MapIterationFailed", {"name": state.name, "index": child.index}, child.last_id)
                fan.after_iteration = parent.last_id = child.last_id  # a failure links back past its event
            if fan.failure is None and (fan.kind == "parallel" or fan.exceeds_tolerance()):
                fan.failure = (child.error, child.cause)
                self._abort_children(parent)
        if fan.kind == "parallel" and parent.last_id < child.last_id:
            parent.last_id = child.last_id
        if fan.failure is not None and fan.running == 0:
            parent.resume = ("fan_out_failed",)
            self._queue(parent)
        elif fan.failure is None and (fan.can_launch() or fan.running == 0):
            parent.resume = ("launch",)
            self._queue(parent)

    def _fan_out_done(self, frame, state):
        fan = frame.fan
        results = [self.frames[child_id].output for child_id in fan.children]
        self._forget_children(frame)
        if fan.kind == "map" and state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunSucceeded")
        # the Exited event links where Succeeded does, to the last event before it
        last = frame.last_id
        self._event(frame, "ParallelStateSucceeded" if fan.kind == "parallel" else "MapStateSucceeded")
        frame.last_id = last
        return state.next, state.flow.output(frame.data, results, frame)

    def _fan_out_failed(self, frame, state):
        fan = frame.fan
        error, cause = fan.failure
        if fan.kind == "map" and (fan.tolerated_count is not None or fan.tolerated_percentage is not None):
            error, cause = "States.ExceedToleratedFailureThreshold", (
                "The specified tolerated failure threshold was exceeded")
        if fan.kind == "map" and state.mode == "DISTRIBUTED":
            self._event(frame, "MapRunFailed", {k: v for k, v in (("error", error), ("cause", cause)) if v is not None})
        failure = errors.StatesError(cause, error, verbatim=True)
        failure.fan_event = "ParallelStateFailed" if fan.kind == "parallel" else "MapStateFailed"
        raise failure

    def _forget_fan(self, frame):
        if frame.fan is not None:
            self._forget_children(frame)

    def _forget_children(self, frame):
        for child_id in frame.fan.children:
            self._drop_frame(self.frames[child_id])
        frame.fan = None

    def _drop_frame(self, frame):
        if frame.fan is not None:
            self._forget_children(frame)
        del self.frames[frame.id]
        if frame.id < self._unreported:
            self._dirty.add(frame.id)  # the store has it: tell it the frame is gone
        else:
            self._dirty.discard(frame.id)  # never stored: nothing to tell (and nothing piles up)

    def _abort_children(self, frame):
        for child_id in frame.fan.children:
            child = self.frames[child_id]
            if child.status in (RUNNING, BLOCKED_ON):
                self._abort_frame(child)
                frame.fan.running -= 1
                if frame.fan.kind == "map":
                    state = frame.machine.states[frame.state]
                    self._event(frame, "MapIterationAborted", {"name": state.name, "index": child.index})

    def _abort_frame(self, frame):
        state = frame.machine.states[frame.state]
        if frame.fan is not None:
            self._abort_children(frame)
        if frame.effect is not None:
            self.pending.pop(frame.effect, None)
            self._step.effects.append(Cancel(frame.effect))
            frame.effect = None
        for timer_id in list(frame.timers):
            self._cancel_timer(frame, timer_id)
        if frame.status == BLOCKED_ON and state.type in ("Task", "Wait", "Map", "Parallel"):
            self._event(frame, state.type + "StateAborted")
        frame.status = ABORTED
        frame.resume = None
        self._dirty.add(frame.id)

    def _abort_all(self):
        root = next((f for f in self.frames.values() if f.parent is None), None)
        if root is not None and root.status in (RUNNING, BLOCKED_ON):
            self._abort_frame(root)
        for frame in self.frames.values():
            for timer_id in list(frame.timers):
                self._cancel_timer(frame, timer_id)
