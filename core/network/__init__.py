"""The centres of the network and the municipalities each one serves."""
