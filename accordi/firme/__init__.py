"""Firme digitali: PKI di sviluppo, apposizione e verifica di firme PAdES e CAdES."""
