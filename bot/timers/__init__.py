"""Durable timers: the job worker, the escalation chain, and what each kind of job delivers."""
