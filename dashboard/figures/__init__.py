"""Every figure the pages draw: Plotly charts, one shared look (`style`), and the model diagram."""
