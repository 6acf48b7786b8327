// 法搜 resident page: a hash router over four views, the search box with
// suggestions, and 长辈模式. Every request goes to the public /api/v1 API.
//
// Routes: #/ home · #/search?q=…&type=… results · #/doc/<id> detail · #/welcome onboarding

import { announce, searchHref } from "./ui.js";
import { prefs } from "./prefs.js";
import { attachSuggestions } from "./suggest.js";
import { renderHome } from "./views/home.js";
import { forgetResults, renderResults, rememberScroll } from "./views/results.js";
import { renderDocument } from "./views/document.js";
import { renderOnboarding } from "./views/onboarding.js";

const view = document.getElementById("view");
const input = document.getElementById("q");
const form = document.getElementById("search-form");
const elderToggle = document.getElementById("elder-toggle");

let renderSeq = 0;
let firstRender = true;
let currentName = null;

function parseRoute() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, queryString = ""] = hash.split("?");
  const params = new URLSearchParams(queryString);
  if (path === "/search" && params.get("q")) {
    return { name: "search", q: params.get("q"), type: params.get("type") || "" };
  }
  if (path.startsWith("/doc/")) return { name: "doc", id: decodeURIComponent(path.slice(5)) };
  if (path === "/welcome") return { name: "welcome" };
  return { name: "home" };
}

async function route() {
  const seq = ++renderSeq;
  const current = parseRoute();
  if (currentName === "search") rememberScroll();
  currentName = current.name;
  const ctx = { isCurrent: () => seq === renderSeq };
  input.value = current.name === "search" ? current.q : input.value;
  document.body.dataset.view = current.name;
  let restored = false;
  view.setAttribute("aria-busy", "true");
  try {
    if (current.name === "search") restored = await renderResults(view, current, ctx);
    else if (current.name === "doc") await renderDocument(view, current.id, ctx);
    else if (current.name === "welcome") await renderOnboarding(view, ctx);
    else await renderHome(view, ctx);
  } finally {
    if (ctx.isCurrent()) {
      view.removeAttribute("aria-busy");
      const heading = view.querySelector("h1");
      document.title = heading ? `${heading.textContent.trim()} · 法搜` : "法搜 · 用大白话查法律";
      // Move focus to the new view's heading (not on first load: the page just opened).
      if (!firstRender && heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: restored });
        if (!restored) window.scrollTo(0, 0);
      }
      firstRender = false;
    }
  }
}

function search(q) {
  const text = q.trim();
  if (!text) {
    input.focus();
    return;
  }
  performance.clearMarks("fasou:submit");
  performance.mark("fasou:submit");
  input.blur();
  forgetResults();
  const target = searchHref(text);
  if (location.hash === target) route();
  else location.hash = target;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  suggestions.close();
  search(input.value);
});

const suggestions = attachSuggestions(input, document.getElementById("suggest-list"), search);

function applyElder(on) {
  document.documentElement.toggleAttribute("data-elder", on);
  if (on) document.documentElement.dataset.elder = "1";
  elderToggle.setAttribute("aria-pressed", String(on));
}

elderToggle.addEventListener("click", () => {
  const on = !prefs.elder;
  prefs.elder = on;
  applyElder(on);
  announce(on ? "已开启长辈模式：字更大，颜色更清楚" : "已关闭长辈模式");
  route(); // simpler layout (e.g. no automatic loading) takes effect at once
});

// Links in old bookmarks: /?q=…&type=… → #/search?…
const legacy = new URLSearchParams(location.search);
if (legacy.get("q") && !location.hash) {
  history.replaceState(null, "", "/" + searchHref(legacy.get("q"), legacy.get("type") || ""));
}

prefs.clientId(); // generated once per device, kept in localStorage
applyElder(prefs.elder);
window.addEventListener("hashchange", route);
route();
