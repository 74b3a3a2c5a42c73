"""Who is on duty: rota layers, overrides and presence, holidays and business hours."""
