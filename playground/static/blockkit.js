// Block Kit and mrkdwn for the playground: what the bot sends, drawn as Slack draws it.
// Everything from the workspace is untrusted text: it is HTML-escaped before any markup is added.

const EMOJI = {
  eyes: "👀", "+1": "👍", thumbsup: "👍", "-1": "👎", white_check_mark: "✅", heavy_check_mark: "✔️",
  heart: "❤️", tada: "🎉", warning: "⚠️", rotating_light: "🚨", raised_hands: "🙌", pray: "🙏",
  fire: "🔥", wave: "👋", bell: "🔔", mag: "🔍", memo: "📝", point_right: "👉", x: "❌",
  hourglass: "⌛", clock1: "🕐", busts_in_silhouette: "👥", inbox_tray: "📥", sos: "🆘",
  red_circle: "🔴", large_orange_circle: "🟠", large_yellow_circle: "🟡", large_green_circle: "🟢",
  large_blue_circle: "🔵", white_circle: "⚪", question: "❓", bulb: "💡", book: "📖", lock: "🔒",
};

export function emoji(name) {
  return EMOJI[name] || `:${name}:`;
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "html") el.innerHTML = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

const HTML = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => HTML[c]);
}

// Slack escapes exactly these three in message text.
export function unescapeSlack(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function safeUrl(url) {
  return /^(https?:|mailto:)/i.test(url) ? url : null;
}

function token(inner, ctx) {
  const [target, label] = splitOnce(inner, "|");
  if (target.startsWith("@")) {
    const user = ctx.users?.[target.slice(1)];
    const name = label || (user ? user.real_name || user.name : target.slice(1));
    const me = ctx.me && target.slice(1) === ctx.me ? " mention-me" : "";
    return `<span class="mention${me}" data-user="${escapeHtml(target.slice(1))}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith("!")) {
    const special = target.slice(1).split("^")[0];
    if (["here", "channel", "everyone"].includes(special)) {
      return `<span class="mention mention-me">@${special}</span>`;
    }
    return `<span class="mention">${escapeHtml(label || special)}</span>`;
  }
  if (target.startsWith("#")) {
    const channel = ctx.channels?.[target.slice(1)];
    return `<span class="channel-link">#${escapeHtml(label || channel?.name || target.slice(1))}</span>`;
  }
  const url = safeUrl(unescapeSlack(target));
  if (!url) return escapeHtml(unescapeSlack(`<${inner}>`));
  const text = label ? unescapeSlack(label) : url;
  return `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

function splitOnce(text, sep) {
  const at = text.indexOf(sep);
  return at < 0 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

// mrkdwn -> HTML: <@U..>, <!here>, <#C..>, <url|label>, *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes.
export function mrkdwn(text, ctx = {}) {
  const pieces = [];
  const hold = (html) => `\u0000${pieces.push(html) - 1}\u0000`;
  let source = String(text ?? "");
  source = source.replace(/```([\s\S]*?)```/g, (_, code) => hold(`<pre>${escapeHtml(unescapeSlack(code))}</pre>`));
  source = source.replace(/`([^`\n]+)`/g, (_, code) => hold(`<code>${escapeHtml(unescapeSlack(code))}</code>`));
  source = source.replace(/<([^<>\n]+)>/g, (_, inner) => hold(token(inner, ctx)));
  let html = escapeHtml(unescapeSlack(source));
  html = html.replace(/(^|[\s(\u0000>])\*(?!\s)([^*\n]+?)\*(?=$|[\s.,;:!?)\u0000<])/g, "$1<b>$2</b>");
  html = html.replace(/(^|[\s(\u0000>])_(?!\s)([^_\n]+?)_(?=$|[\s.,;:!?)\u0000<])/g, "$1<i>$2</i>");
  html = html.replace(/(^|[\s(\u0000>])~(?!\s)([^~\n]+?)~(?=$|[\s.,;:!?)\u0000<])/g, "$1<s>$2</s>");
  html = html.replace(/:([a-z0-9_+-]+):/g, (all, name) => (EMOJI[name] ? EMOJI[name] : all));
  html = html.replace(/^&gt; ?(.*)$/gm, '<span class="quote">$1</span>');
  html = html.replace(/\n/g, "<br>");
  return html.replace(/\u0000(\d+)\u0000/g, (_, i) => pieces[Number(i)]);
}

export function textObject(obj, ctx) {
  if (!obj) return h("span");
  if (obj.type === "mrkdwn") return h("span", { class: "mrkdwn", html: mrkdwn(obj.text, ctx) });
  const plain = obj.emoji === false ? obj.text : String(obj.text).replace(/:([a-z0-9_+-]+):/g, (a, n) => EMOJI[n] || a);
  return h("span", { class: "plain" }, plain);
}

function button(element, block, ctx) {
  const cls = ["bk-button", element.style ? `bk-${element.style}` : ""].join(" ").trim();
  const onclick = async (event) => {
    const el = event.currentTarget;
    el.disabled = true;
    el.classList.add("busy");
    try {
      await ctx.onAction?.(element, block);
    } finally {
      el.disabled = false;
      el.classList.remove("busy");
    }
  };
  if (element.url) {
    return h("a", { class: cls, href: element.url, target: "_blank", rel: "noopener noreferrer" }, textObject(element.text, ctx));
  }
  return h("button", { type: "button", class: cls, onclick, dataset: { actionId: element.action_id } }, textObject(element.text, ctx));
}

function element(el, block, ctx) {
  switch (el.type) {
    case "button":
      return button(el, block, ctx);
    case "image":
      return h("img", { class: "bk-image-small", src: el.image_url, alt: el.alt_text || "" });
    case "mrkdwn":
    case "plain_text":
      return textObject(el, ctx);
    default:
      return h("span", { class: "bk-unsupported" }, `[${el.type}]`);
  }
}

export function renderBlock(block, ctx) {
  switch (block.type) {
    case "header":
      return h("div", { class: "bk-header" }, textObject(block.text, ctx));
    case "section": {
      const body = h("div", { class: "bk-section-body" });
      if (block.text) body.append(h("div", { class: "bk-section-text" }, textObject(block.text, ctx)));
      if (block.fields?.length) {
        body.append(h("div", { class: "bk-fields" }, block.fields.map((f) => h("div", { class: "bk-field" }, textObject(f, ctx)))));
      }
      const accessory = block.accessory ? h("div", { class: "bk-accessory" }, element(block.accessory, block, ctx)) : null;
      return h("div", { class: "bk-section" }, body, accessory);
    }
    case "context":
      return h("div", { class: "bk-context" }, (block.elements || []).map((el) => element(el, block, ctx)));
    case "divider":
      return h("hr", { class: "bk-divider" });
    case "actions":
      return h("div", { class: "bk-actions" }, (block.elements || []).map((el) => element(el, block, ctx)));
    case "image":
      return h("img", { class: "bk-image", src: block.image_url, alt: block.alt_text || "" });
    case "input":
      return ctx.renderInput ? ctx.renderInput(block) : h("div", { class: "bk-unsupported" }, "[input]");
    default:
      return h("div", { class: "bk-unsupported" }, `[${block.type} block]`);
  }
}

export function renderBlocks(blocks, ctx) {
  return h("div", { class: "bk" }, (blocks || []).map((b) => renderBlock(b, ctx)));
}

// --- modal inputs --------------------------------------------------------------------------------

function placeholder(el) {
  return el.placeholder ? el.placeholder.text : undefined;
}

export function renderInput(block, ctx) {
  const el = block.element || {};
  const id = `input-${block.block_id}`;
  let control;
  if (el.type === "plain_text_input") {
    const attrs = { id, name: block.block_id, placeholder: placeholder(el), maxlength: el.max_length };
    control = el.multiline ? h("textarea", { ...attrs, rows: 4 }) : h("input", { ...attrs, type: "text" });
    control.value = el.initial_value || "";
  } else if (el.type === "static_select") {
    control = h("select", { id, name: block.block_id },
      h("option", { value: "" }, placeholder(el) || "Select an option"),
      (el.options || []).map((o) => h("option", { value: o.value }, o.text.text)));
    control.value = el.initial_option?.value || "";
  } else if (el.type === "users_select") {
    const people = Object.values(ctx.users || {}).filter((u) => !u.is_bot);
    control = h("select", { id, name: block.block_id, class: "users-select" },
      h("option", { value: "" }, placeholder(el) || "Select a person"),
      people.map((u) => h("option", { value: u.id }, `${u.real_name || u.name} (@${u.name})`)));
    control.value = el.initial_user || "";
  } else {
    control = h("div", { class: "bk-unsupported" }, `[${el.type}]`);
  }
  control.dataset.kind = el.type;
  const label = h("label", { for: id, class: "bk-input-label" }, block.label?.text || "",
    block.optional ? h("span", { class: "optional" }, " (optional)") : null);
  const hint = block.hint ? h("div", { class: "bk-input-hint" }, block.hint.text) : null;
  const error = h("div", { class: "bk-input-error", role: "alert", dataset: { errorFor: block.block_id } });
  return h("div", { class: "bk-input", dataset: { blockId: block.block_id, optional: block.optional ? "1" : "" } },
    label, control, hint, error);
}

// The values of a modal's inputs by block id (null when empty), as the playground API takes them.
export function inputValues(form) {
  const values = {};
  for (const wrap of form.querySelectorAll(".bk-input")) {
    const control = wrap.querySelector("input, textarea, select");
    if (!control) continue;
    values[wrap.dataset.blockId] = control.value === "" ? (control.dataset.kind === "plain_text_input" ? "" : null) : control.value;
  }
  return values;
}

export function showErrors(form, errors) {
  for (const slot of form.querySelectorAll("[data-error-for]")) {
    const message = errors?.[slot.dataset.errorFor] || "";
    slot.textContent = message;
    slot.closest(".bk-input").classList.toggle("has-error", Boolean(message));
  }
}
