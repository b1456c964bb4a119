"""Wire protocols: decode requests into neutral parameters, encode results and errors back."""
