"""The dashboard: page config and navigation, nothing else.

Run with `streamlit run dashboard/app.py`; the config is found via the
MONITOR_CONFIG environment variable (default: config.toml in the working folder).
"""

import sys
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parent
if str(ROOT.parent) not in sys.path:  # `streamlit run dashboard/app.py` from the project folder
    sys.path.insert(0, str(ROOT.parent))

# A local icon: a Material icon as favicon is fetched from fonts.gstatic.com, and the page asks no other host.
st.set_page_config(page_title="Discourse monitor", page_icon=str(ROOT / "favicon.png"), layout="wide")

pages = [
    st.Page(ROOT / "pages" / "overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page(ROOT / "pages" / "compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page(ROOT / "pages" / "sources.py", title="Sources", icon=":material/rss_feed:", url_path="sources"),
    st.Page(ROOT / "pages" / "articles.py", title="Articles", icon=":material/search:", url_path="articles"),
    st.Page(ROOT / "pages" / "article.py", title="Article", icon=":material/article:", url_path="article"),
    st.Page(ROOT / "pages" / "lexicon.py", title="Lexicon", icon=":material/menu_book:", url_path="lexicon"),
]
pages += [
    st.Page(ROOT / "pages" / "watches.py", title="Watches", icon=":material/visibility:", url_path="watches"),
    st.Page(ROOT / "pages" / "alerts.py", title="Alerts", icon=":material/notifications:", url_path="alerts"),
]
briefing = ROOT / "pages" / "briefing.py"
if briefing.exists():
    pages.append(st.Page(briefing, title="Briefing", icon=":material/summarize:", url_path="briefing"))

# Read by context.open_page: a page run without this navigation must start over through it.
st.session_state["_navigation"] = True
st.navigation(pages).run()
