// Search-box suggestions (GET /api/v1/suggest): characters, pinyin (laodong),
// initials (ldht). An ARIA 1.2 combobox: ↑/↓ move, Enter picks, Esc closes.

import { api } from "./api.js";
import { esc } from "./ui.js";

const DEBOUNCE_MS = 120;
const KIND_LABELS = { query: "常见问题", law: "法律", term: "词语" };
const MATCH_LABELS = { pinyin: "拼音", initials: "拼音首字母", homophone: "同音字" };

export function attachSuggestions(input, list, onPick) {
  let timer = 0;
  let inflight = null;
  let items = [];
  let active = -1;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    active = index;
    list.querySelectorAll("[role=option]").forEach((el, i) => {
      el.setAttribute("aria-selected", String(i === index));
    });
    if (index >= 0) input.setAttribute("aria-activedescendant", `suggest-${index}`);
    else input.removeAttribute("aria-activedescendant");
  }

  function render(suggestions) {
    items = suggestions;
    if (!items.length) return close();
    list.innerHTML = items
      .map((s, i) => {
        const how = MATCH_LABELS[s.match] ? ` · ${MATCH_LABELS[s.match]}` : "";
        return `<li id="suggest-${i}" role="option" aria-selected="false" data-index="${i}">
          <span class="suggest-text">${esc(s.text)}</span>
          <span class="suggest-kind">${esc(KIND_LABELS[s.kind] || "")}${how}</span></li>`;
      })
      .join("");
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
  }

  async function fetchFor(text) {
    if (inflight) inflight.abort();
    inflight = new AbortController();
    try {
      const data = await api.suggest(text, inflight.signal);
      if (input.value.trim() === text && document.activeElement === input) {
        render(data.suggestions);
      }
    } catch {
      // Suggestions are a convenience: a failure just shows none.
    }
  }

  function pick(index) {
    const item = items[index];
    if (!item) return;
    input.value = item.text;
    close();
    onPick(item.text);
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (!text) return close();
    timer = setTimeout(() => fetchFor(text), DEBOUNCE_MS);
  });

  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      highlight((active + 1) % items.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      pick(active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  // mousedown, not click: the input must not lose focus (and close the list) first.
  list.addEventListener("mousedown", (event) => {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    pick(Number(option.dataset.index));
  });

  input.addEventListener("blur", () => setTimeout(close, 150));

  return { close };
}
