"""Drivers for hallqueue's serial peripherals, and a simulator beside each.

This package imports nothing from the rest of hallqueue.
"""
