"""The adesioni in the signing service: the adesione act and what happens when it is signed."""
