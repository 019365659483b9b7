"""The web process: the resident's chat widget and sample page, and the staff console.

One aiohttp application (``create_app``) so that ``make run`` starts a single web
server next to Rasa. The browser never talks to the Rasa HTTP API: the widget uses the
socket.io channel, and the console calls the API server-side with a token.
"""
