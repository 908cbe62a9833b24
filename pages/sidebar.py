"""The sidebar gets out of the way of the page just chosen in it, where it covers that page.

Streamlit closes its sidebar after a page link is followed only on a phone's user agent. A
laptop's browser zoomed to 200% (a 640 px wide page) or a narrow window keeps it open over the
page it just opened, title included, until closed by hand each time. A small script closes it
after a page link is followed whenever the sidebar lies over the page rather than beside it.
"""

from __future__ import annotations

from pages.page_script import page_script

_SCRIPT = """
function watch() {
    const followed = (event) => {
        if (!event.target.closest?.('[data-testid="stSidebarNav"] a')) return;
        setTimeout(() => { // after Streamlit's own handling of the click
            const sidebar = document.querySelector('[data-testid="stSidebar"]');
            const main = document.querySelector('[data-testid="stMain"]');
            const close = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
            if (!sidebar || !main || !close) return;
            const side = sidebar.getBoundingClientRect();
            if (side.right > 0 && main.getBoundingClientRect().left < side.right - 1) close.click();
        }, 0);
    };
    document.addEventListener('click', followed, true);
    return () => document.removeEventListener('click', followed, true);
}
"""

_mount = page_script("sidebar", _SCRIPT)


def close_sidebar_over_the_page() -> None:
    """Mount the script (it renders nothing); app.py does, once per run."""
    _mount(key="sidebar_closer")
