"""Block Kit as the workspace reads it: a button in blocks, and a modal's `state.values`."""

from __future__ import annotations

from collections.abc import Iterator

from playground.records import JSON, SlackError, View


def find_button(blocks: list[JSON], action_id: str) -> tuple[str, str]:
    """The block id and label of the button `action_id` in `blocks`."""
    for block in blocks:
        for element in _elements(block):
            if element.get("action_id") == action_id:
                return str(block.get("block_id", "")), str(element.get("text", {}).get("text", ""))
    raise SlackError(f"no button {action_id!r}")


def state_values(view: View, values: dict[str, str]) -> JSON:
    """`view.state.values` as Slack sends it, from the inputs' initial values and `values` by block id."""
    state: JSON = {}
    for block in view.view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        kind, action_id = element["type"], element["action_id"]
        if kind == "plain_text_input":
            value = values.get(block_id, element.get("initial_value"))
            state[block_id] = {action_id: {"type": kind, "value": value}}
        elif kind == "static_select":
            chosen = values.get(block_id)
            option = next((o for o in element.get("options", []) if o["value"] == chosen), None)
            if chosen is None:
                option = element.get("initial_option")
            state[block_id] = {action_id: {"type": kind, "selected_option": option}}
        elif kind == "users_select":
            state[block_id] = {
                action_id: {
                    "type": kind,
                    "selected_user": values.get(block_id, element.get("initial_user")),
                }
            }
    return state


def _elements(block: JSON) -> Iterator[JSON]:
    if "elements" in block:
        yield from block["elements"]
    if "accessory" in block:
        yield block["accessory"]
