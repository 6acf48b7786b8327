// Detail pages: statute article, case, video, service, 普法 article — each with
// its context and links, and "有用 / 没用" feedback recorded through /events.

import { api, reference } from "../api.js";
import { prefs } from "../prefs.js";
import {
  SERVICE_KINDS,
  TYPE_LABELS,
  announce,
  audienceChips,
  docHref,
  duration,
  errorBox,
  esc,
  km,
  linkList,
  paragraphs,
  safeUrl,
  telHref,
} from "../ui.js";

function facts(rows) {
  const items = rows.filter(([, value]) => value !== null && value !== undefined && value !== "");
  if (!items.length) return "";
  return `<dl class="facts">${items
    .map(([label, value]) => `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`)
    .join("")}</dl>`;
}

function section(title, body, id) {
  return `<section class="doc-section" aria-labelledby="${id}"><h2 id="${id}">${esc(title)}</h2>${body}</section>`;
}

function listOrNone(items, none) {
  return items.length ? linkList(items) : `<p class="meta">${esc(none)}</p>`;
}

function chipsFor(doc, taxonomy, extra = []) {
  const chips = [`<span class="chip chip-type">${esc(TYPE_LABELS[doc.type])}</span>`];
  if (doc.status_label) chips.push(`<span class="chip chip-warn">${esc(doc.status_label)}</span>`);
  else if (doc.status) chips.push(`<span class="chip chip-ok">${esc(doc.status)}</span>`);
  for (const label of extra.filter(Boolean)) chips.push(`<span class="chip">${esc(label)}</span>`);
  for (const label of audienceChips(doc.audiences, taxonomy)) {
    chips.push(`<span class="chip chip-aud">${esc(label)}</span>`);
  }
  return `<p class="chips">${chips.join(" ")}</p>`;
}

function byType(links, type) {
  const citing = (links && links.cited_by && links.cited_by[type]) || [];
  const related = ((links && links.related) || []).filter((r) => r.type === type);
  const seen = new Set();
  return [...citing, ...related].filter((item) => !seen.has(item.id) && seen.add(item.id));
}

function statute(doc, taxonomy) {
  const crumbs = [doc.law_title, doc.part, doc.chapter, doc.section].filter(Boolean);
  const name = `${doc.law_short_title || doc.law_title} ${doc.article_no}`;
  const n = doc.neighbours || {};
  const pager = [
    n.prev ? `<a rel="prev" href="${docHref(n.prev.id)}">‹ 上一条 ${esc(n.prev.article_no)}</a>` : "<span></span>",
    n.next ? `<a rel="next" href="${docHref(n.next.id)}">下一条 ${esc(n.next.article_no)} ›</a>` : "",
  ].join("");
  const links = doc.links || {};
  const others = (links.related || []).filter((r) => !["case", "video", "article"].includes(r.type));
  return `<nav class="crumbs" aria-label="所在位置"><ol>${crumbs
    .map((c) => `<li>${esc(c)}</li>`)
    .join("")}</ol></nav>
  <h1>${esc(name)}</h1>
  ${chipsFor(doc, taxonomy, [doc.level])}
  <div class="law-text">${paragraphs(doc.body)}</div>
  ${facts([
    ["时效性", doc.status],
    ["效力级别", doc.level],
    ["制定机关", doc.issuing_body],
    ["公布日期", doc.promulgated_at],
    ["施行日期", doc.effective_at],
  ])}
  <nav class="pager" aria-label="相邻条文">${pager}</nav>
  ${section("引用本条的案例", listOrNone(byType(links, "case"), "暂无引用本条的案例"), "sec-cases")}
  ${section("相关视频", listOrNone(byType(links, "video"), "暂无相关视频"), "sec-videos")}
  ${section("普法文章", listOrNone(byType(links, "article"), "暂无相关文章"), "sec-articles")}
  ${others.length ? section("相关法条", linkList(others), "sec-related") : ""}`;
}

function citesAndRelated(doc, citesTitle) {
  const links = doc.links || {};
  return `${section(citesTitle, listOrNone(links.cites || [], "未引用具体法条"), "sec-cites")}
  ${(links.related || []).length ? section("相关内容", linkList(links.related), "sec-related") : ""}`;
}

function caseView(doc, taxonomy) {
  const sections = Object.entries(doc.sections || {})
    .map(([heading, text], i) => section(heading, paragraphs(text), `sec-case-${i}`))
    .join("");
  return `<h1>${esc(doc.title)}</h1>
  ${chipsFor(doc, taxonomy, [doc.category, doc.case_type])}
  ${facts([
    ["审理法院", doc.court],
    ["案号", doc.case_no],
    ["裁判日期", doc.decided_at],
    ["案由", doc.cause],
  ])}
  ${section("案情摘要", paragraphs(doc.body), "sec-summary")}
  ${sections}
  ${citesAndRelated(doc, "引用的法条")}`;
}

function videoView(doc, taxonomy) {
  const media = doc.media;
  let player = `<p class="notice">这个视频暂时没有可播放的地址。</p>`;
  if (media && safeUrl(media.src)) {
    const source = safeUrl(doc.url);
    const note = media.sample
      ? `<p class="notice" id="video-note">${esc(media.note)}${
          source ? ` <a href="${esc(source)}" rel="noopener" target="_blank">在来源网站观看（需联网）</a>` : ""
        }</p>`
      : "";
    player = `<figure class="player">
      <video controls preload="metadata" playsinline ${media.sample ? 'aria-describedby="video-note"' : ""}
        aria-label="${esc(doc.title)}">
        <source src="${esc(media.src)}"${media.type ? ` type="${esc(media.type)}"` : ""}>
        <p>你的浏览器不能播放这个视频，可以 <a href="${esc(media.src)}">下载视频</a>。</p>
      </video>
      ${note}
    </figure>`;
  }
  const transcript = doc.transcript
    ? section(
        "文字稿",
        `<details class="transcript"><summary>展开全部文字稿</summary>${paragraphs(doc.transcript)}</details>`,
        "sec-transcript",
      )
    : "";
  return `<h1>${esc(doc.title)}</h1>
  ${chipsFor(doc, taxonomy)}
  ${player}
  ${facts([
    ["发布单位", doc.publisher],
    [media && media.sample ? "原视频时长" : "时长", duration(doc.duration_seconds)],
    ["发布日期", doc.published_at],
    ["审理法院", doc.court],
    ["案号", doc.case_no],
  ])}
  ${section("内容简介", paragraphs(doc.body), "sec-summary")}
  ${transcript}
  ${citesAndRelated(doc, "涉及的法条")}`;
}

function distanceSection(doc, places) {
  if (doc.latitude === null || doc.latitude === undefined) {
    return section("离我多远", `<p class="meta">电话服务，不用跑腿，直接拨打即可。</p>`, "sec-distance");
  }
  const options = (places ? places.places : [])
    .filter((p) => p.path.startsWith(places.home) || p.level === "county")
    .map((p) => {
      const label = p.path.startsWith(places.home + "/") ? p.name : `${p.name}（城区）`;
      const selected = p.path === prefs.town ? " selected" : "";
      return `<option value="${esc(p.path)}"${selected}>${esc(label)}</option>`;
    })
    .join("");
  const shown =
    doc.distance_km !== null && doc.distance_km !== undefined
      ? `<p class="distance" id="distance">距${esc((prefs.town || "").split("/").pop())}中心${esc(
          km(doc.distance_km),
        )}（直线距离，仅供参考）</p>`
      : `<p class="meta" id="distance">选择你所在的镇街，看看这里离你有多远。位置只用于计算距离，保存在本机。</p>`;
  return section(
    "离我多远",
    `${shown}<form class="near-form" id="near-form">
      <label for="town">你在哪里</label>
      <select id="town" name="town"><option value="">请选择镇街</option>${options}</select>
      <button type="submit" class="secondary">显示距离</button>
    </form>`,
    "sec-distance",
  );
}

function serviceView(doc, taxonomy, places) {
  const call = doc.phone
    ? `<a class="button call big" href="${telHref(doc.phone)}">拨打 ${esc(doc.phone)}</a>`
    : "";
  return `<h1>${esc(doc.title)}</h1>
  ${chipsFor(doc, taxonomy, [SERVICE_KINDS[doc.kind]])}
  ${call}
  ${facts([
    ["地址", doc.address],
    ["办公时间", doc.hours],
    ["服务内容", (doc.services || []).join("、")],
    ["距离", doc.distance_km !== null && doc.distance_km !== undefined ? km(doc.distance_km) : ""],
  ])}
  ${distanceSection(doc, places)}
  ${section("服务介绍", paragraphs(doc.body), "sec-summary")}
  ${(doc.links && doc.links.related && doc.links.related.length) ? section("相关内容", linkList(doc.links.related), "sec-related") : ""}`;
}

function articleView(doc, taxonomy) {
  return `<h1>${esc(doc.title)}</h1>
  ${chipsFor(doc, taxonomy)}
  ${facts([
    ["作者", doc.author],
    ["发布日期", doc.published_at],
  ])}
  <div class="article-text">${paragraphs(doc.body)}</div>
  ${citesAndRelated(doc, "引用的法条")}`;
}

function feedbackHtml(docId) {
  const given = prefs.feedback(docId);
  const button = (kind, label) =>
    `<button type="button" class="fb" data-kind="${kind}" aria-pressed="${given === kind}">${label}</button>`;
  return `<section class="feedback" aria-labelledby="fb-h">
    <h2 id="fb-h">这条内容对你有用吗？</h2>
    <div class="fb-buttons">${button("useful", "有用")}${button("not_useful", "没用")}</div>
    <p class="meta" id="fb-status">${given ? "已收到你的反馈，谢谢！" : ""}</p>
  </section>`;
}

function wireFeedback(view, docId) {
  view.querySelector(".feedback").addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-kind]");
    if (!button) return;
    const status = view.querySelector("#fb-status");
    try {
      await api.event(prefs.clientId(), button.dataset.kind, docId);
      prefs.setFeedback(docId, button.dataset.kind);
      view.querySelectorAll(".fb").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      status.textContent = "已收到你的反馈，谢谢！";
      announce("已收到你的反馈，谢谢");
    } catch (error) {
      status.textContent = "反馈没有发送成功，请稍后再试。";
    }
  });
}

function wireDistance(view, doc, ctx) {
  const form = view.querySelector("#near-form");
  if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const town = form.querySelector("#town").value;
    prefs.town = town;
    if (!town) return;
    const fresh = await api.document(doc.id, { near: town, links: false });
    if (!ctx.isCurrent()) return;
    const line = view.querySelector("#distance");
    line.className = "distance";
    line.textContent = `距${town.split("/").pop()}中心${km(fresh.distance_km)}（直线距离，仅供参考）`;
    announce(line.textContent);
  });
}

const VIEWS = {
  statute_article: statute,
  case: caseView,
  video: videoView,
  service: serviceView,
  article: articleView,
};

export async function renderDocument(view, id, ctx) {
  view.innerHTML = `<h1 class="sr-only">正在打开</h1><p class="loading">正在加载…</p>`;
  let doc;
  let taxonomy = null;
  let places = null;
  try {
    [doc, taxonomy, places] = await Promise.all([
      api.document(id, { near: prefs.town || undefined }),
      reference.taxonomy().catch(() => null),
      reference.places().catch(() => null),
    ]);
  } catch (error) {
    if (!ctx.isCurrent()) return;
    const missing = error.status === 404;
    view.innerHTML = `<h1>${missing ? "找不到这条内容" : "打开失败"}</h1>${errorBox(error)}
      <p><a href="#/">回到首页</a></p>`;
    return;
  }
  if (!ctx.isCurrent()) return;
  const render = VIEWS[doc.type] || articleView;
  view.innerHTML = `<article class="doc doc-${esc(doc.type)}">${render(doc, taxonomy, places)}</article>
    ${feedbackHtml(doc.id)}`;
  wireFeedback(view, doc.id);
  wireDistance(view, doc, ctx);
  // Reading history shapes recommendations only for residents who asked for them.
  if (prefs.persona) api.event(prefs.clientId(), "view", doc.id).catch(() => {});
}
