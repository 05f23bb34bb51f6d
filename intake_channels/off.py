"""A channel whose environment variables are not set: the server runs without it, and
its webhook URL answers 503 with the variables it needs."""

from http import HTTPStatus
from typing import Text

from rasa.core.channels.channel import InputChannel
from sanic import Blueprint, response

from intake_channels.checks import OnNewMessage


class ChannelOff(InputChannel):
    def __init__(self, channel_name: Text, needs: Text) -> None:
        self.channel_name = channel_name
        self.needs = needs

    def name(self) -> Text:  # Rasa asks the instance for its URL prefix
        return self.channel_name

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = Blueprint(f"{self.channel_name}_webhook_off", __name__)

        @blueprint.route("/webhook", methods=["GET", "POST"])
        async def webhook(_request):
            return response.json(
                {"error": f"{self.channel_name} is not configured ({self.needs})"},
                status=HTTPStatus.SERVICE_UNAVAILABLE,
            )

        return blueprint
