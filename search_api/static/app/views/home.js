// Home: popular questions, the "为你推荐" feed (GET /feed) or its onboarding
// invitation, and the 12348 hotline.

import { api, reference } from "../api.js";
import { prefs } from "../prefs.js";
import { card, errorBox, esc, searchHref } from "../ui.js";

// Plain-language questions residents often start with.
const POPULAR = [
  "老板拖欠工资怎么办",
  "离婚孩子归谁",
  "被狗咬了谁负责",
  "子女不给赡养费",
  "外卖骑手受伤谁赔",
  "预付卡商家跑路",
];
const FEED_SIZE = 6;

function popularHtml() {
  return POPULAR.map((q) => `<li><a class="pill" href="${searchHref(q)}">${esc(q)}</a></li>`).join("");
}

async function fillFeed(view, ctx) {
  const body = view.querySelector("#feed-body");
  if (!prefs.persona) {
    body.innerHTML = `<div class="invite">
      <p>告诉我们你是谁，推荐更适合你的法律知识。</p>
      <a class="button primary" href="#/welcome">选择我的身份</a>
    </div>`;
    return;
  }
  let cursor = null;
  const [taxonomy, places] = await Promise.all([
    reference.taxonomy().catch(() => null),
    reference.places().catch(() => null),
  ]);
  const persona = taxonomy && taxonomy.personas.find((p) => p.id === prefs.persona);
  const place = places && places.places.find((p) => p.path === prefs.region);
  const who = [persona && persona.label, place ? place.name : prefs.region ? "" : "其他地区"]
    .filter(Boolean)
    .join(" · ");
  body.innerHTML = `<p class="meta">按你的身份推荐：${esc(who)} <a href="#/welcome">修改</a></p>
    <ol class="cards" id="feed-list"></ol><div class="more" id="feed-more"></div>`;

  async function load() {
    const more = view.querySelector("#feed-more");
    more.innerHTML = `<p class="meta">正在加载…</p>`;
    try {
      const data = await api.feed({
        profile: prefs.clientId(),
        size: FEED_SIZE,
        cursor: cursor || undefined,
        near: prefs.town || undefined,
      });
      if (!ctx.isCurrent()) return;
      view.querySelector("#feed-list").insertAdjacentHTML(
        "beforeend",
        data.items.map((item) => card(item, taxonomy, 3)).join(""),
      );
      cursor = data.next_cursor;
      more.innerHTML = cursor ? `<button type="button" class="secondary">查看更多推荐</button>` : "";
      if (cursor) more.querySelector("button").addEventListener("click", load);
    } catch (error) {
      more.innerHTML = errorBox(error);
    }
  }
  await load();
}

export async function renderHome(view, ctx) {
  view.innerHTML = `<section class="hero">
    <h1>用大白话查法律</h1>
    <p class="lead">法条、案例、普法视频和身边的法律服务，一搜就有。</p>
  </section>
  <section aria-labelledby="popular-h">
    <h2 id="popular-h">大家都在问</h2>
    <ul class="pills">${popularHtml()}</ul>
  </section>
  <section aria-labelledby="feed-h" class="feed">
    <h2 id="feed-h">为你推荐</h2>
    <div id="feed-body"></div>
  </section>
  <section aria-labelledby="help-h" class="help-card">
    <h2 id="help-h">不知道怎么办？</h2>
    <p>拨打 12348 公共法律服务热线，律师免费解答。</p>
    <a class="button call" href="tel:12348">拨打 12348</a>
  </section>`;
  await fillFeed(view, ctx);
}
