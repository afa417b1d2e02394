"""Scellé designation service: judge → expert designations, reminders, answers."""
