"""What the pages share: session state access, the sidebar, live refresh and Plotly figure builders."""
