"""The cart domain: plain Python with no I/O. Rules, values and the errors they raise."""
