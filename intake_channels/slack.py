"""Slack, on only when SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are set.

Rasa's SlackInput with its request-signature check kept, plus:
- the Slack Web API base URL from SLACK_API_URL (tests point it at a local fake);
- every retry Slack sends (X-Slack-Retry-Num) is acknowledged and dropped, whatever its
  reason, so a message is answered once (Rasa drops only `http_timeout` retries);
- the common input checks (intake_channels/checks.py); an event whose user id is not a
  conversation id is acknowledged and dropped;
- conversations are `slack:<user id>` (intake_channels/ownership.py), so no other
  channel can write into them.
Without the variables the channel's URL answers 503 and the server runs without it.
"""

import os
from http import HTTPStatus
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import InputChannel, OutputChannel
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response

from intake_channels import ownership
from intake_channels.checks import OnNewMessage, checked, is_conversation_id, max_message_chars
from intake_channels.off import ChannelOff

DEFAULT_API_URL = "https://slack.com/api/"
CHANNEL = "slack"


class IntakeSlackInput(SlackInput):
    @classmethod
    def name(cls) -> Text:
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        token, secret = os.environ.get("SLACK_BOT_TOKEN"), os.environ.get("SLACK_SIGNING_SECRET")
        if not token or not secret:
            return ChannelOff("slack", "SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET")
        channel = cls(
            token,
            slack_channel=os.environ.get("SLACK_CHANNEL"),
            slack_signing_secret=secret,
            slack_retry_reason_header="x-slack-retry-reason",
            slack_retry_number_header="x-slack-retry-num",
        )
        channel.api_url = os.environ.get("SLACK_API_URL") or DEFAULT_API_URL
        channel.max_message_chars = max_message_chars(credentials)
        return channel

    async def process_message(self, request, on_new_message, text, sender_id, metadata) -> Any:
        if request.headers.get(self.retry_num_header):
            # Slack retries when it did not see our 200 in time; the first delivery is
            # already being answered.
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        if not is_conversation_id(sender_id):
            return response.text("", status=HTTPStatus.OK, headers={"X-Slack-No-Retry": "1"})
        metadata = dict(metadata or {})
        # Replies go to the event's channel; a DM without one goes to the user.
        metadata["out_channel"] = metadata.get("out_channel") or sender_id
        return await super().process_message(
            request, on_new_message, text, ownership.conversation_id(CHANNEL, sender_id), metadata
        )

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(checked(on_new_message, self.max_message_chars))

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> OutputChannel:
        bot = SlackBot(self.slack_token, channel or self.slack_channel, thread_id, self.proxy)
        bot.client.base_url = self.api_url.rstrip("/") + "/"
        return bot
