"""`kesher backup` and `kesher restore`: a logical backup of the graph and the attachment files."""
