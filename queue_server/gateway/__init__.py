"""The push gateway: screens' and phones' sockets held on one asyncio loop.

The centre (Flask-SocketIO, threads) costs four threads per socket: with 1,000 screens its
emits woke 1,000 writer threads on two cores and it held ~200 MB. A gateway is a separate
process (`hallqueue gateway`) running python-socketio's asyncio server on aiohttp; it hears
the centre's events through the message queue the centre's processes already share (Redis)
and sends them to its sockets, a few tens of kilobytes each and no thread.

It speaks the same protocol as the centre (docs/events.md): connect with a token, `join` a
site or window with `since`, catch-up pages before the acknowledgement, heartbeats, the
phones' ticket rooms; the checks are the centre's own (`calling.joins`), read from the same
database. It writes nothing.

The embedded centre needs none of this: without a message queue it holds its sockets itself.
"""
