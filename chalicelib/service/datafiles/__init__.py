"""The shop's data files (the catalog, the promotions, the delivery and tax rates), each
checked whole into domain objects before anything loads, naming the first bad entry: the
loaders (tools/data/) check a file before they write it, and the adapter checks what it
reads back. `values` holds the checks of the money and percentages they write as strings.
"""
