"""Drivers for hallqueue's serial peripherals, and a simulator beside each.

This package imports nothing from the rest of hallqueue.

Byte-level framing is pure functions on ``bytes`` (no I/O), tested with golden bytes:

- ``escpos_ticket`` — ticket layout → ESC/POS bytes; ``escpos_parse`` — bytes → commands
- ``sam_frames`` — ID reader SAM frames; ``id_card`` — the 256-byte card text block
- ``modbus_rtu`` — Modbus RTU frames and CRC

Drivers talk to a device through ``port.SerialPort`` (path or pyserial URL, reconnecting,
bounded timeouts) and raise ``errors.DeviceError`` subclasses:

- ``printer.TicketPrinter`` — print a ticket, real-time status
- ``id_reader.IdCardReader`` — read one card, or poll one identity per tap
- ``register_bus.RegisterBus`` — one RS-485 line shared by ``window_sign.WindowSign``
  and ``evaluator.Evaluator`` devices by address

``loop_thread.LoopThread`` is the thread of every long-lived worker (the printer monitor,
the simulators, the kiosk's and the sign agent's loops).

``sim`` holds a simulator beside each driver (a pty that speaks the same bytes) and
``cli`` the ``hallqueue simulator …`` / ``hallqueue device …`` commands.
"""
