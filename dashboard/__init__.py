"""What the pages share: the session, the address, the server's shared resources, the sidebar, live refresh, the
Streamlit work-arounds, the figures (`figures/`) and what each page draws (`views/`)."""
