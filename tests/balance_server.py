"""The REST channel alone in a Sanic server with two worker processes; each reply names
the worker that handled the message. GET /worker names the worker that answers, GET /block keeps one busy for a second.
Usage: python tests/balance_server.py PORT  (tests/test_worker_balance.py)"""

import os
import sys
import time

from sanic import Sanic, response

from intake_channels.rest import IntakeRestInput


async def answer_with_pid(message) -> None:
    time.sleep(0.002)  # a turn's work: the worker is busy, as under load
    await message.output_channel.send_text_message(message.sender_id, str(os.getpid()))


app = Sanic("balance_test")
app.blueprint(IntakeRestInput().blueprint(answer_with_pid), url_prefix="/webhooks/rest")


@app.get("/worker")
async def worker(_request):
    return response.text(str(os.getpid()))


@app.get("/block")
async def block(_request):
    time.sleep(1)  # blocks this worker's event loop: it accepts no connection meanwhile
    return response.text(str(os.getpid()))


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(sys.argv[1]), workers=2, access_log=False)
