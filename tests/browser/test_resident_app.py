"""The resident page in headless Chromium at 360×740, against the live server.

Covers what a resident does: search and open a result, switch tabs, pick a
suggestion (pinyin too), onboard and get a feed, 长辈模式 across reloads,
有用/没用 feedback reaching the events table, a video that really plays, a
service's phone and distance, a statute's context — plus axe-core accessibility
checks and the first-load byte budget. Screenshots of the main screens land in
``tests/_artifacts/screenshots/``.
"""

from __future__ import annotations

import itertools
import re
import time
import uuid

import pytest
import sqlalchemy as sa

from indexer.catalog.tables import profile_events
from tests.browser.conftest import AppPage

LABOUR_30 = "sa-d95306c6045f174e"
RIDER_CASE = "case-ba47e17bfbe58b73"
ELDER_CASE = "case-f389cbcf0e429c53"
WAGE_VIDEO = "video-552ff74e5b10302a"
LEGAL_AID = "svc-e0692ee60c1b74d4"
#: First load of / must transfer at most this much (compressed), all resources included.
FIRST_LOAD_BUDGET = 200 * 1024


def search(app: AppPage, text: str):  # type: ignore[no-untyped-def]
    page = app.page
    page.fill("#q", text)
    page.press("#q", "Enter")
    page.wait_for_selector("#result-list li")
    return page


def card_types(page) -> set[str]:  # type: ignore[no-untyped-def]
    classes = page.eval_on_selector_all("#result-list > li", "els => els.map(e => e.className)")
    return {re.search(r"card-(\w+)", c).group(1) for c in classes}


def recorded_events(app: AppPage, client: str, want: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (kind, doc_id) events stored for ``client``, once ``want`` are all there (≤ 5 s)."""
    deadline = time.monotonic() + 5
    while True:
        with app.server.runtime.catalog.engine.connect() as conn:
            rows = conn.execute(
                sa.select(profile_events.c.kind, profile_events.c.doc_id).where(
                    profile_events.c.client_id == client
                )
            ).all()
        found = {(kind, doc) for kind, doc in rows}
        if want <= found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_search_and_open_a_result(app: AppPage) -> None:
    page = app.open()
    app.screenshot("01-home")
    search(app, "老板拖欠工资怎么办")
    assert page.locator("#result-list > li").count() == 10
    assert page.locator("#result-list em").count() > 0  # highlighted snippets
    assert "共" in page.inner_text("#summary")
    assert page.locator("h1").inner_text() == "“老板拖欠工资怎么办”的搜索结果"
    app.screenshot("02-results")
    first = page.locator("#result-list .card-title a").first
    title = first.inner_text()
    first.click()
    page.wait_for_selector(".doc h1")
    assert page.locator(".doc").inner_text().count(title[:6]) >= 1
    assert page.evaluate("document.activeElement.tagName") == "H1"  # focus moved to the view
    page.go_back()
    page.wait_for_selector("#result-list li")
    assert page.locator("#result-list .card-title a").first.inner_text() == title


def test_status_and_audience_labels_on_cards(app: AppPage) -> None:
    page = app.open()
    search(app, "农村土地承包法第三十一条")  # the starter corpus has this version as repealed
    first = page.locator("#result-list > li").first
    assert first.locator(".chip-warn").inner_text() == "已废止"
    search(app, "子女不给赡养费")
    assert page.locator("#result-list .chip-aud", has_text="适合老年人").count() >= 1


def test_switch_tabs(app: AppPage) -> None:
    page = app.open()
    search(app, "拖欠工资")
    tabs = {"法条": "statute_article", "案例": "case", "视频": "video", "服务": "service"}
    for label, doc_type in tabs.items():
        page.get_by_role("tab", name=re.compile(label)).click()
        app.wait_until(
            "t => location.hash.includes('type=' + t)"
            " && document.querySelector('#result-list li.card-' + t)",
            doc_type,
        )
        assert card_types(page) == {doc_type}, label
        selected = page.get_by_role("tab", selected=True)
        assert label in selected.inner_text()
        if doc_type == "case":
            app.screenshot("03-results-cases")
    page.get_by_role("tab", name=re.compile("全部")).click()
    app.wait_until("() => !location.hash.includes('type=')")
    page.wait_for_selector("#result-list li")
    assert len(card_types(page)) >= 2
    # Keyboard: arrows move between tabs.
    page.get_by_role("tab", selected=True).focus()
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.textContent").startswith("法条")


def test_infinite_scroll_appends_the_next_page(app: AppPage) -> None:
    page = app.open()
    search(app, "劳动合同")
    first_ids = page.eval_on_selector_all(
        "#result-list .card-title a", "els => els.map(a => a.getAttribute('href'))"
    )
    page.locator("#more").scroll_into_view_if_needed()
    app.wait_until("() => document.querySelectorAll('#result-list > li').length >= 20")
    ids = page.eval_on_selector_all(
        "#result-list .card-title a", "els => els.map(a => a.getAttribute('href'))"
    )
    assert ids[:10] == first_ids and len(set(ids)) == len(ids)


def test_suggestions_including_pinyin(app: AppPage) -> None:
    page = app.open()
    page.fill("#q", "")
    page.type("#q", "ldht", delay=30)
    page.wait_for_selector("#suggest-list:not([hidden]) [role=option]")
    options = page.locator("#suggest-list [role=option]").all_inner_texts()
    assert any("劳动合同" in o for o in options), options
    assert page.get_attribute("#q", "aria-expanded") == "true"
    app.screenshot("04-suggestions")
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#q", "aria-activedescendant") == "suggest-0"
    picked = page.locator("#suggest-0 .suggest-text").inner_text()
    page.keyboard.press("Enter")
    page.wait_for_selector("#result-list li")
    assert page.input_value("#q") == picked
    assert picked in page.locator("h1").inner_text()
    # Chinese input with a homophone typo still gets completions.
    page.fill("#q", "")
    page.type("#q", "劳动和同", delay=30)
    page.wait_for_selector("#suggest-list:not([hidden]) [role=option]")
    assert any(
        "劳动合同" in o for o in page.locator("#suggest-list [role=option]").all_inner_texts()
    )


def test_onboarding_then_feed(app: AppPage) -> None:
    page = app.open()
    assert page.locator("#feed-body").get_by_text("选择我的身份").is_visible()
    page.get_by_role("link", name="选择我的身份").click()
    page.wait_for_selector("#onboarding")
    app.screenshot("05-onboarding")
    page.get_by_label("老人").check()
    page.get_by_label("所在县（市、区）").select_option(label="东阳市")
    page.get_by_role("button", name="保存，看看推荐").click()
    page.wait_for_selector("#feed-list li")
    assert page.locator("#feed-list > li").count() >= 4
    assert "老人" in page.locator("#feed-body .meta").first.inner_text()
    assert page.locator("#feed-list .chip-aud", has_text="适合老年人").count() >= 1
    app.screenshot("06-home-feed")
    profile = app.context.request.get(f"{app.server.base_url}/api/v1/profiles/{app.client_id()}")
    assert profile.ok
    body = profile.json()
    assert body["declared"]["age_band"] == "60_plus"
    assert body["declared"]["region"] == "浙江省/金华市/东阳市"
    assert body["audiences"] == {"elderly": 1.0}
    # Once onboarded, opening a recommendation is recorded as a view (it shapes the feed).
    opened = page.locator("#feed-list .card-title a").first
    opened_id = opened.get_attribute("href").removeprefix("#/doc/")
    opened.click()
    app.ready()
    assert ("view", opened_id) in recorded_events(app, app.client_id(), {("view", opened_id)})
    page.go_back()
    app.ready()
    page.wait_for_selector("#feed-list li")
    # More items on request, none repeated.
    before = page.locator("#feed-list > li").count()
    page.get_by_role("button", name="查看更多推荐").click()
    app.wait_until("n => document.querySelectorAll('#feed-list > li').length > n", before)
    hrefs = page.eval_on_selector_all("#feed-list a[href^='#/doc/']", "e => e.map(a => a.href)")
    assert len(hrefs) == len(set(hrefs))
    # Erasure from the same screen.
    page.goto(app.server.base_url + "/#/welcome")
    page.get_by_role("button", name="清除我的信息").click()
    page.wait_for_selector("#feed-body .invite")
    gone = app.context.request.get(f"{app.server.base_url}/api/v1/profiles/{app.client_id()}")
    assert gone.status == 404


def test_elderly_mode_persists_across_reload(app: AppPage) -> None:
    page = app.open()
    normal_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert not page.locator(".callbar").is_visible()
    page.get_by_role("button", name="长辈模式").click()
    assert page.get_attribute("#elder-toggle", "aria-pressed") == "true"
    page.reload()
    app.ready()
    assert page.evaluate("document.documentElement.dataset.elder") == "1"
    assert page.get_attribute("#elder-toggle", "aria-pressed") == "true"
    size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert size >= normal_size * 1.2
    call = page.locator(".callbar")
    assert call.is_visible() and call.get_attribute("href") == "tel:12348"
    assert call.bounding_box()["height"] >= 56  # one big tap target
    app.screenshot("07-elder-home")
    search(app, "子女不给赡养费")
    app.screenshot("08-elder-results")
    assert not page.locator(".chip-aud").first.is_visible()  # simpler cards
    page.get_by_role("button", name="长辈模式").click()
    page.reload()
    app.ready()
    assert page.evaluate("document.documentElement.dataset.elder") is None


def test_feedback_is_recorded(app: AppPage) -> None:
    page = app.open(f"#/doc/{ELDER_CASE}")
    client = app.client_id()
    page.get_by_role("button", name="有用").click()
    page.wait_for_selector("#fb-status:has-text('谢谢')")
    assert page.get_attribute(".fb[data-kind=useful]", "aria-pressed") == "true"
    want = {("useful", ELDER_CASE)}
    found = recorded_events(app, client, want)
    assert want <= found
    # Without onboarding, reading is not tracked: no view event, only the explicit feedback.
    assert ("view", ELDER_CASE) not in found
    page.get_by_role("button", name="没用").click()
    app.wait_until(
        "() => document.querySelector('.fb[data-kind=not_useful]')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    assert page.get_attribute(".fb[data-kind=useful]", "aria-pressed") == "false"
    page.reload()
    app.ready()
    assert page.get_attribute(".fb[data-kind=not_useful]", "aria-pressed") == "true"
    want = {("not_useful", ELDER_CASE)}
    assert want <= recorded_events(app, client, want)


def test_a_video_page_plays(app: AppPage) -> None:
    page = app.open(f"#/doc/{WAGE_VIDEO}")
    video = page.locator("video")
    assert video.is_visible()
    assert "本地示例片段" in page.locator(".player .notice").inner_text()  # never claims the remote
    state = page.evaluate(
        """async () => {
          const v = document.querySelector('video');
          const canplay = new Promise(r => v.readyState >= 2
            ? r(true) : v.addEventListener('canplay', () => r(true), {once: true}));
          v.muted = true;
          await v.play();
          await canplay;
          await new Promise(r => setTimeout(r, 400));
          return {ready: v.readyState, time: v.currentTime, duration: v.duration, error: v.error};
        }"""
    )
    assert state["ready"] >= 2 and state["time"] > 0 and state["error"] is None, state
    assert 5 < state["duration"] < 60
    page.evaluate("document.querySelector('video').pause()")
    assert page.locator("#sec-transcript + details summary").inner_text() == "展开全部文字稿"
    app.screenshot("09-video")


def test_service_page_calls_and_measures_distance(app: AppPage) -> None:
    page = app.open(f"#/doc/{LEGAL_AID}")
    call = page.locator("a.call.big")
    assert call.get_attribute("href") == "tel:057986000101"
    assert "艺海北路" in page.locator(".facts").inner_text()
    page.get_by_label("你在哪里").select_option(label="横店镇")
    page.get_by_role("button", name="显示距离").click()
    page.wait_for_selector("#distance.distance")
    assert "约 16.5 公里" in page.locator("#distance").inner_text()
    page.reload()  # the town is remembered on this device
    app.ready()
    assert "约 16.5 公里" in page.locator("#distance").inner_text()
    app.screenshot("10-service")


def test_statute_page_shows_its_context(app: AppPage) -> None:
    page = app.open(f"#/doc/{LABOUR_30}")
    assert page.locator("h1").inner_text() == "劳动合同法 第三十条"
    crumbs = page.locator(".crumbs").inner_text()
    assert "中华人民共和国劳动合同法" in crumbs and "第三章" in crumbs
    assert "2008-01-01" in page.locator(".facts").inner_text()
    assert "泥水工追索劳动报酬纠纷案" in page.locator("#sec-cases + ul").inner_text()
    assert "农民工被拖欠工资" in page.locator("#sec-videos + ul").inner_text()
    app.screenshot("11-statute")
    page.locator("a[rel=next]").click()
    app.wait_until("() => document.querySelector('h1').textContent.includes('第三十一条')")
    page.locator("a[rel=prev]").click()
    app.wait_until("() => document.querySelector('h1').textContent.includes('第三十条')")


def test_case_page_links_its_cited_articles(app: AppPage) -> None:
    page = app.open(f"#/doc/{RIDER_CASE}")
    cites = page.locator("#sec-cites + ul a")
    assert cites.all_inner_texts() == [
        "中华人民共和国劳动合同法 第七条",
        "中华人民共和国劳动合同法 第十条",
    ]
    app.screenshot("12-case")
    cites.first.click()
    app.wait_until("() => document.querySelector('h1').textContent === '劳动合同法 第七条'")
    assert "外卖骑手与配送公司确认劳动关系纠纷案" in page.locator("#sec-cases + ul").inner_text()


def test_keyboard_focus_order(app: AppPage) -> None:
    page = app.open()
    order = []
    for _ in range(5):
        page.keyboard.press("Tab")
        order.append(
            page.evaluate(
                "(document.activeElement.id || document.activeElement.textContent || '').trim()"
            )
        )
    assert order == ["跳到主要内容", "法搜", "elder-toggle", "q", "搜索"]


SCREENS = {
    "home": "",
    "results": "#/search?q=老板拖欠工资怎么办",
    "statute": f"#/doc/{LABOUR_30}",
    "case": f"#/doc/{RIDER_CASE}",
    "video": f"#/doc/{WAGE_VIDEO}",
    "service": f"#/doc/{LEGAL_AID}",
    "onboarding": "#/welcome",
}


@pytest.mark.parametrize("elder", [False, True], ids=["normal", "elder"])
def test_accessibility_of_every_screen(app: AppPage, elder: bool) -> None:
    """axe-core (the engine behind Lighthouse's accessibility audit): labels, names,
    contrast ≥ 4.5:1, heading order, landmarks, ARIA — no violations on any screen."""
    found = {}
    for name, route in SCREENS.items():
        page = app.open(route)
        if elder:
            page.evaluate("localStorage.setItem('fasou.elder', '1')")
            page.reload()
            app.ready()
        page.wait_for_load_state("networkidle")
        if name == "results":
            page.wait_for_selector("#result-list li")
        violations = app.axe()
        if violations:
            found[name] = violations
        headings = page.eval_on_selector_all(
            "h1, h2, h3, h4", "els => els.filter(e => e.offsetParent).map(e => +e.tagName[1])"
        )
        assert headings and headings[0] == 1 and headings.count(1) == 1, (name, headings)
        assert all(b - a <= 1 for a, b in itertools.pairwise(headings)), (name, headings)
    assert not found, found


@pytest.mark.parametrize("onboarded", [False, True], ids=["new", "returning"])
def test_first_load_is_within_the_byte_budget(app: AppPage, onboarded: bool) -> None:
    """Everything the first screen pulls — page, scripts, styles, icon, and for a returning
    resident /taxonomy, /places and /feed — as transferred (gzip), from a cold cache."""
    if onboarded:
        client = f"test-{uuid.uuid4().hex[:12]}"
        app.context.request.put(
            f"{app.server.base_url}/api/v1/profiles/{client}", data={"age_band": "60_plus"}
        )
        app.context.add_init_script(
            f"localStorage.setItem('fasou.client', '{client}');"
            "localStorage.setItem('fasou.persona', 'elderly');"
        )
    page = app.open()
    if onboarded:
        page.wait_for_selector("#feed-list li")
    page.wait_for_load_state("networkidle")
    entries = page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .map(e => ({name: e.name, bytes: e.transferSize}))"""
    )
    total = sum(e["bytes"] for e in entries)
    assert all(e["name"].startswith(app.server.base_url) for e in entries), entries
    fetched: dict[str, int] = {}
    for entry in entries:  # a URL used twice (the icon) is fetched once, then 0 from cache
        fetched[entry["name"]] = max(fetched.get(entry["name"], 0), entry["bytes"])
    assert all(fetched.values()), entries  # transfer sizes are reported for every resource
    assert total <= FIRST_LOAD_BUDGET, (total, entries)
    assert any("/api/v1/feed" in name for name in fetched) == onboarded
