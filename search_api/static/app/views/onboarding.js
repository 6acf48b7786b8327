// "为你推荐" onboarding: who you are and where, stored as a profile (PUT /profiles/{id}).
// The answers and the profile body each stands for come from GET /taxonomy.

import { api, reference } from "../api.js";
import { prefs } from "../prefs.js";
import { announce, errorBox, esc } from "../ui.js";

export async function renderOnboarding(view, ctx) {
  let taxonomy;
  let places;
  try {
    [taxonomy, places] = await Promise.all([reference.taxonomy(), reference.places()]);
  } catch (error) {
    if (ctx.isCurrent()) view.innerHTML = `<h1>为你推荐</h1>${errorBox(error)}`;
    return;
  }
  if (!ctx.isCurrent()) return;
  const chosen = prefs.persona;
  const region = prefs.region ?? places.home;
  const personas = taxonomy.personas
    .map(
      (p) => `<label class="tile">
        <input type="radio" name="persona" value="${esc(p.id)}"${p.id === chosen ? " checked" : ""} required>
        <span>${esc(p.label)}</span>
      </label>`,
    )
    .join("");
  const counties = places.places
    .filter((p) => p.level === "county")
    .map((p) => `<option value="${esc(p.path)}"${p.path === region ? " selected" : ""}>${esc(p.name)}</option>`)
    .join("");
  view.innerHTML = `<h1>为你推荐</h1>
  <p class="lead">回答两个问题，我们推荐更适合你的法律知识、案例和身边的服务。</p>
  <form id="onboarding" class="onboarding">
    <fieldset>
      <legend>你是？</legend>
      <div class="tiles">${personas}</div>
    </fieldset>
    <fieldset>
      <legend>你在哪里？</legend>
      <label for="region">所在县（市、区）</label>
      <select id="region" name="region">
        ${counties}
        <option value=""${region === "" ? " selected" : ""}>其他地区</option>
      </select>
    </fieldset>
    <p id="onboarding-error" class="form-error" role="alert"></p>
    <div class="actions">
      <button type="submit" class="primary">保存，看看推荐</button>
      <a class="button secondary" href="#/">先不选</a>
    </div>
  </form>
  <section class="privacy" aria-labelledby="privacy-h">
    <h2 id="privacy-h">我的信息</h2>
    <p>你的选择、反馈和（选择身份后的）浏览记录只用来推荐内容，不包含姓名、手机号等个人信息。</p>
    <button type="button" class="secondary" id="forget">清除我的信息</button>
  </section>`;

  const form = view.querySelector("#onboarding");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const personaId = new FormData(form).get("persona");
    const persona = taxonomy.personas.find((p) => p.id === personaId);
    const error = view.querySelector("#onboarding-error");
    if (!persona) {
      error.textContent = "请先选择你的身份";
      form.querySelector("input[name=persona]").focus();
      return;
    }
    const regionPath = form.querySelector("#region").value;
    const body = { ...persona.declared };
    if (regionPath) body.region = regionPath;
    try {
      await api.putProfile(prefs.clientId(), body);
    } catch (err) {
      error.textContent = err.message || "保存失败，请稍后再试";
      return;
    }
    prefs.saveProfile(persona.id, regionPath);
    announce("已保存，为你推荐以下内容");
    location.hash = "#/";
  });

  view.querySelector("#forget").addEventListener("click", async () => {
    try {
      await api.deleteProfile(prefs.clientId());
    } catch {
      // erasure is idempotent on the server; forget locally regardless
    }
    prefs.forgetProfile();
    announce("已清除你的信息");
    location.hash = "#/";
  });
}
