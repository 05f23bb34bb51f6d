"""action_suggest_ipt: suggests IPT, tied to what the person said; never a diagnosis."""

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.said_so_far import concerns_so_far
from actions.stages import IPT_SUGGESTED
from intake.ipt_wording import FOCUS_EXPLANATIONS, describe_concerns, ipt_focus_for


class ActionSuggestIpt(Action):
    def name(self) -> Text:
        return "action_suggest_ipt"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        concerns = concerns_so_far(tracker)
        focus = ipt_focus_for(concerns)
        dispatcher.utter_message(
            response="utter_suggest_ipt",
            rationale=describe_concerns(concerns) or "what you've shared",
            focus_explanation=FOCUS_EXPLANATIONS[focus],
        )
        return [SlotSet("ipt_focus", focus), SlotSet("intake_stage", IPT_SUGGESTED)]
