"""Reminder emails: the message, and the senders (simulated or SMTP)."""
