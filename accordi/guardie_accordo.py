"""The Accordo di Programma in the iter: the guards accordo_completo, data_fine_accordo and
firme_obbligatorie, the automatic *dichiara vigente* and the Accordo act."""
