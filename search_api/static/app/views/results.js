// Results: tabs 全部/法条/案例/视频/服务, cards with highlighted snippets and labels,
// infinite scroll by the API's next_cursor (a 加载更多 button is always there too).

import { api, reference } from "../api.js";
import { prefs } from "../prefs.js";
import { announce, card, errorBox, esc, searchHref } from "../ui.js";

const TABS = [
  ["", "全部"],
  ["statute_article", "法条"],
  ["case", "案例"],
  ["video", "视频"],
  ["service", "服务"],
];
const PAGE_SIZE = 10;

// The list shown last, so going back from a document restores it (and its scroll).
let last = null;
// Per-query counts by type, from the unfiltered search, for the tab labels.
const typeCounts = new Map();
let observer = null;

// A new search (submit) starts fresh; only going back restores the remembered list.
export function forgetResults() {
  last = null;
}

export function rememberScroll() {
  if (last) last.scrollY = window.scrollY;
}

function requestParams(q, type, cursor) {
  return {
    q,
    type,
    size: PAGE_SIZE,
    cursor,
    profile: prefs.persona ? prefs.clientId() : undefined,
    near: prefs.town || undefined,
  };
}

function tabsHtml(q, type) {
  const counts = typeCounts.get(q);
  const buttons = TABS.map(([value, label]) => {
    const selected = value === type;
    const badge = counts ? badgeHtml(value ? counts[value] || 0 : counts.__all) : "";
    return `<button type="button" role="tab" id="tab-${value || "all"}" data-type="${value}"
      aria-selected="${selected}" aria-controls="results-panel" tabindex="${selected ? 0 : -1}"
      >${label}${badge}</button>`;
  });
  return `<div class="tabs" role="tablist" aria-label="按类型筛选">${buttons.join("")}</div>`;
}

function noticesHtml(data) {
  const out = [];
  if (data.did_you_mean && data.did_you_mean !== data.query) {
    out.push(`<p>你是不是要找：<a href="${searchHref(data.did_you_mean)}">${esc(data.did_you_mean)}</a></p>`);
  }
  if (data.notice) out.push(`<p>${esc(data.notice)}</p>`);
  for (const note of (data.understanding && data.understanding.notes) || []) {
    out.push(`<p>${esc(note)}</p>`);
  }
  return out.length ? `<div class="notice" role="note">${out.join("")}</div>` : "";
}

function summaryText(state) {
  if (!state.total) return "没有找到结果";
  return `共 ${state.total} 条结果`;
}

function renderShell(view, q, type) {
  view.innerHTML = `<h1 class="results-title">“${esc(q)}”的搜索结果</h1>
  ${tabsHtml(q, type)}
  <div role="tabpanel" id="results-panel" aria-labelledby="tab-${type || "all"}">
    <div id="notices"></div>
    <p class="summary" id="summary">正在搜索…</p>
    <ol class="cards" id="result-list"></ol>
    <div class="more" id="more"></div>
  </div>`;
  view.querySelector(".tabs").addEventListener("click", (event) => {
    const tab = event.target.closest("[role=tab]");
    if (tab) location.hash = searchHref(q, tab.dataset.type);
  });
  view.querySelector(".tabs").addEventListener("keydown", (event) => {
    const tabs = [...view.querySelectorAll("[role=tab]")];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step) {
      event.preventDefault();
      tabs[(index + step + tabs.length) % tabs.length].focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      tabs[event.key === "Home" ? 0 : tabs.length - 1].focus();
    }
  });
}

function badgeHtml(count) {
  return count !== undefined ? `<span class="tab-count">${count}<span class="sr-only"> 条</span></span>` : "";
}

function updateTabCounts(view, q) {
  const counts = typeCounts.get(q);
  if (!counts) return;
  for (const [value, label] of TABS) {
    const tab = view.querySelector(`#tab-${value || "all"}`);
    tab.innerHTML = label + badgeHtml(value ? counts[value] || 0 : counts.__all);
  }
}

function appendHits(view, hits, taxonomy) {
  view.querySelector("#result-list").insertAdjacentHTML(
    "beforeend",
    hits.map((hit) => card(hit, taxonomy, 2)).join(""),
  );
}

function renderMore(view, state, ctx) {
  const more = view.querySelector("#more");
  if (observer) observer.disconnect();
  if (!state.next_cursor) {
    more.innerHTML = state.hits.length ? `<p class="meta end">已经到底了</p>` : "";
    return;
  }
  more.innerHTML = `<button type="button" class="secondary" id="load-more">加载更多</button>`;
  const button = more.querySelector("#load-more");
  button.addEventListener("click", () => loadMore(view, state, ctx));
  // Infinite scroll, except in 长辈模式 (a button is easier to follow than a moving page).
  if (!prefs.elder && "IntersectionObserver" in window) {
    observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) loadMore(view, state, ctx);
    }, { rootMargin: "300px" });
    observer.observe(more);
  }
}

async function loadMore(view, state, ctx) {
  if (state.loading || !state.next_cursor) return;
  state.loading = true;
  const button = view.querySelector("#load-more");
  if (button) {
    button.disabled = true;
    button.textContent = "正在加载…";
  }
  try {
    const [data, taxonomy] = await Promise.all([
      api.search(requestParams(state.q, state.type, state.next_cursor)),
      reference.taxonomy().catch(() => null),
    ]);
    if (!ctx.isCurrent()) return;
    state.hits.push(...data.hits);
    state.next_cursor = data.next_cursor;
    appendHits(view, data.hits, taxonomy);
    announce(`已加载 ${state.hits.length} 条，共 ${state.total} 条`);
  } catch (error) {
    view.querySelector("#more").insertAdjacentHTML("afterbegin", errorBox(error));
  } finally {
    state.loading = false;
    if (ctx.isCurrent()) renderMore(view, state, ctx);
  }
}

// Returns true when a remembered list was restored (the router then keeps its scroll).
export async function renderResults(view, { q, type }, ctx) {
  const key = location.hash;
  renderShell(view, q, type);
  if (last && last.key === key) {
    const taxonomy = await reference.taxonomy().catch(() => null);
    showState(view, last, taxonomy, ctx);
    window.scrollTo(0, last.scrollY || 0);
    return true;
  }
  try {
    const wantCounts = type && !typeCounts.has(q);
    const [data, taxonomy, all] = await Promise.all([
      api.search(requestParams(q, type)),
      reference.taxonomy().catch(() => null),
      wantCounts ? api.search({ q, size: 1 }).catch(() => null) : null,
    ]);
    if (!ctx.isCurrent()) return false;
    const facetsFrom = type ? all : data;
    if (facetsFrom) {
      typeCounts.set(q, { ...(facetsFrom.facets.type || {}), __all: facetsFrom.total });
    }
    last = { key, q, type, hits: data.hits, total: data.total, next_cursor: data.next_cursor,
      data, scrollY: 0, loading: false };
    updateTabCounts(view, q);
    showState(view, last, taxonomy, ctx);
    performance.mark("fasou:results");
    if (performance.getEntriesByName("fasou:submit").length) {
      performance.measure("fasou:query-to-results", "fasou:submit", "fasou:results");
    }
    announce(summaryText(last));
  } catch (error) {
    if (!ctx.isCurrent()) return false;
    view.querySelector("#summary").textContent = "";
    view.querySelector("#notices").innerHTML = errorBox(error);
  }
  return false;
}

function showState(view, state, taxonomy, ctx) {
  view.querySelector("#notices").innerHTML = noticesHtml(state.data);
  view.querySelector("#summary").textContent = summaryText(state);
  appendHits(view, state.hits, taxonomy);
  renderMore(view, state, ctx);
}
