// Small rendering helpers shared by the views: escaping, labels, result cards.

export const TYPE_LABELS = {
  statute_article: "法条",
  case: "案例",
  video: "视频",
  service: "服务",
  article: "普法文章",
};

export const SERVICE_KINDS = {
  law_firm: "律师事务所",
  lawyer: "律师",
  legal_aid: "法律援助",
  mediation: "人民调解",
  notary: "公证",
  judicial_office: "司法所",
  hotline: "服务热线",
  arbitration: "仲裁",
};

// Audiences that say nothing to a resident ("适合普通居民") are not shown.
const SILENT_AUDIENCES = new Set(["residents"]);
const MAX_AUDIENCE_CHIPS = 2;

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(value) {
  return String(value ?? "").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

// The API escapes snippets and marks matches with <em>; keep exactly that markup.
export function snippetHtml(snippet) {
  return String(snippet ?? "").replace(/<(?!\/?em>)/g, "&lt;");
}

// Only web links from source data become hrefs (never javascript: or data:).
export function safeUrl(url) {
  return /^(https?:\/\/|\/)/i.test(String(url ?? "")) ? url : null;
}

export function docHref(id) {
  return `#/doc/${encodeURIComponent(id)}`;
}

export function searchHref(q, type) {
  const params = new URLSearchParams({ q });
  if (type) params.set("type", type);
  return `#/search?${params}`;
}

export function duration(seconds) {
  if (!seconds && seconds !== 0) return "";
  const m = Math.floor(seconds / 60);
  const s = seconds % 60;
  if (m >= 60) return `${Math.floor(m / 60)}小时${m % 60}分`;
  return m ? `${m}分${s ? s + "秒" : ""}` : `${s}秒`;
}

export function km(distance) {
  if (distance === null || distance === undefined) return "";
  return distance < 1 ? `约 ${Math.round(distance * 1000)} 米` : `约 ${distance} 公里`;
}

export function audienceChips(ids, taxonomy) {
  if (!taxonomy || !ids) return [];
  const labels = new Map(taxonomy.audiences.map((a) => [a.id, a.label]));
  return ids
    .filter((id) => !SILENT_AUDIENCES.has(id) && labels.has(id))
    .slice(0, MAX_AUDIENCE_CHIPS)
    .map((id) => `适合${labels.get(id)}`);
}

export function chips(hit, taxonomy) {
  const out = [`<span class="chip chip-type">${esc(TYPE_LABELS[hit.type] || hit.type)}</span>`];
  if (hit.status_label) out.push(`<span class="chip chip-warn">${esc(hit.status_label)}</span>`);
  for (const label of audienceChips(hit.audiences, taxonomy)) {
    out.push(`<span class="chip chip-aud">${esc(label)}</span>`);
  }
  return out.join(" ");
}

export function metaLine(hit) {
  const parts = [];
  switch (hit.type) {
    case "statute_article":
      parts.push(hit.level, hit.effective_at && `${hit.effective_at} 施行`);
      break;
    case "case":
      parts.push(hit.court, hit.case_no);
      break;
    case "video":
      parts.push(hit.publisher, duration(hit.duration_seconds));
      break;
    case "service":
      parts.push(SERVICE_KINDS[hit.kind], km(hit.distance_km));
      break;
    default:
      parts.push(hit.author, hit.published_at);
  }
  return parts.filter(Boolean).map(esc).join(" · ");
}

export function telHref(phone) {
  return "tel:" + String(phone).replace(/[^\d+]/g, "");
}

// A result or feed card; `level` is the heading level of its title (2 or 3).
export function card(hit, taxonomy, level = 2) {
  const meta = metaLine(hit);
  const call =
    hit.type === "service" && hit.phone
      ? `<a class="button call-inline" href="${telHref(hit.phone)}">拨打 ${esc(hit.phone)}</a>`
      : "";
  return `<li class="card card-${esc(hit.type)}">
  <article>
    <p class="chips">${chips(hit, taxonomy)}</p>
    <h${level} class="card-title"><a href="${docHref(hit.id)}">${esc(hit.title)}</a></h${level}>
    ${hit.snippet ? `<p class="snippet">${snippetHtml(hit.snippet)}</p>` : ""}
    ${meta ? `<p class="meta">${meta}</p>` : ""}
    ${call}
  </article>
</li>`;
}

// A short list of linked documents (cites, cited by, related).
export function linkList(items) {
  return `<ul class="links">${items
    .map((item) => {
      const label = `${esc(item.title || `${item.law_title || ""}${item.article_no || ""}`)}`;
      const kind = item.type ? `<span class="chip chip-type">${esc(TYPE_LABELS[item.type])}</span> ` : "";
      if (item.available === false || !item.id) {
        return `<li>${label} <span class="meta">（本站暂未收录）</span></li>`;
      }
      return `<li>${kind}<a href="${docHref(item.id)}">${label}</a></li>`;
    })
    .join("")}</ul>`;
}

export function announce(text) {
  const status = document.getElementById("status");
  status.textContent = "";
  // A fresh text node makes screen readers repeat an identical message.
  requestAnimationFrame(() => (status.textContent = text));
}

export function paragraphs(text) {
  return String(text ?? "")
    .split(/\n+/)
    .filter((line) => line.trim())
    .map((line) => `<p>${esc(line)}</p>`)
    .join("");
}

export function errorBox(error) {
  const message =
    error && error.name === "AbortError"
      ? "网络较慢，请稍后再试。"
      : (error && error.message) || "出错了，请稍后再试。";
  return `<div class="notice notice-error" role="alert"><p>${esc(message)}</p>
  <p>也可以拨打 <a href="tel:12348">12348</a> 公共法律服务热线咨询。</p></div>`;
}
