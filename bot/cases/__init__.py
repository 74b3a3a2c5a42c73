"""Cases: the rules of each transition, the desk every platform calls, and the replies it shows."""
