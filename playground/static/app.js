// The playground page: act as a demo person in a local Slack workspace that talks to the real bot.
import { emoji, h, inputValues, mrkdwn, renderBlocks, renderInput, showErrors } from "./blockkit.js";

const API = "/playground/api";
const REACTIONS = ["eyes", "+1", "white_check_mark", "heart", "tada"];
const ROLE_LABEL = { rep: "Rep", coordinator: "Coordinator", supervisor: "Supervisor" };
const HOME = "home";
const ICONS = {
  bot: '<svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><rect x="4" y="7" width="16" height="12" rx="3" fill="#611f69"/><rect x="11" y="3" width="2" height="4" fill="#611f69"/><circle cx="12" cy="3" r="1.6" fill="#ecb22e"/><circle cx="9" cy="12.5" r="1.7" fill="#fff"/><circle cx="15" cy="12.5" r="1.7" fill="#fff"/><rect x="9" y="16" width="6" height="1.4" rx=".7" fill="#fff"/></svg>',
  home: '<svg viewBox="0 0 20 20" width="15" height="15" aria-hidden="true"><path d="M3 9.5 10 3l7 6.5V17h-4.5v-4.5h-5V17H3z" fill="currentColor"/></svg>',
  dm: '<svg viewBox="0 0 20 20" width="12" height="12" aria-hidden="true"><circle cx="10" cy="10" r="6" fill="#2bac76"/></svg>',
  thread: '<svg viewBox="0 0 20 20" width="16" height="16" aria-hidden="true"><path d="M3 4.5A1.5 1.5 0 0 1 4.5 3h11A1.5 1.5 0 0 1 17 4.5v8a1.5 1.5 0 0 1-1.5 1.5H8l-4 3v-3h-.5A1.5 1.5 0 0 1 2 12.5z" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>',
  eye: '<svg viewBox="0 0 20 20" width="13" height="13" aria-hidden="true"><path d="M1.5 10S5 4 10 4s8.5 6 8.5 6-3.5 6-8.5 6-8.5-6-8.5-6z" fill="none" stroke="currentColor" stroke-width="1.5"/><circle cx="10" cy="10" r="2.5" fill="currentColor"/></svg>',
};
const icon = (name) => h("span", { class: `icon icon-${name}`, html: ICONS[name] });

const state = {
  me: null, // Slack user id
  snap: null,
  current: null, // channel id or HOME
  thread: null, // {channel, ts}
  seen: {}, // `${me}:${channel}` -> number of top-level messages seen
  dismissed: new Set(),
  modalKey: "",
  events: null,
};

const $ = (selector) => document.querySelector(selector);

// --- talking to the server -------------------------------------------------------------------------

async function act(action, body) {
  const response = await fetch(`${API}/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ user: state.me, ...body }),
  });
  const result = await response.json().catch(() => ({ ok: false, error: `HTTP ${response.status}` }));
  if (!result.ok) toast(`Slack says: ${result.error}`);
  return result;
}

async function refresh() {
  const me = state.me;
  const response = await fetch(`${API}/state?user=${encodeURIComponent(me)}`);
  if (!response.ok || me !== state.me) return;
  state.snap = await response.json();
  state.snap.userById = Object.fromEntries(state.snap.users.map((u) => [u.id, u]));
  state.snap.channelById = Object.fromEntries(state.snap.channels.map((c) => [c.id, c]));
  if (!state.current || (state.current !== HOME && !state.snap.channelById[state.current])) {
    state.current = dmChannel()?.id || state.snap.channels[0]?.id;
  }
  render();
}

let pending = null;
function scheduleRefresh() {
  clearTimeout(pending);
  pending = setTimeout(refresh, 40);
}

function listen() {
  state.events?.close();
  state.events = new EventSource(`${API}/events?user=${encodeURIComponent(state.me)}`);
  state.events.addEventListener("change", scheduleRefresh);
  state.events.addEventListener("open", scheduleRefresh);
}

// --- model helpers --------------------------------------------------------------------------------

const ctx = () => ({ users: state.snap.userById, channels: state.snap.channelById, me: state.me });
const dmChannel = () => state.snap.channels.find((c) => c.is_im && c.user === state.me);
const isTop = (m) => !m.thread_ts || m.thread_ts === m.ts;
const byTs = (a, b) => Number(a.ts) - Number(b.ts);
const person = (slack) => state.people.find((p) => p.slack === slack);

function channelTitle(channel) {
  return channel.is_im ? state.snap.userById[state.snap.team.bot_user_id]?.name || "supportbot" : `#${channel.name}`;
}

function visibleChannels() {
  return state.snap.channels.filter((c) => !c.is_im && c.members.includes(state.me));
}

function topLevel(channelId) {
  return (state.snap.messages[channelId] || []).filter(isTop);
}

function ephemerals(channelId, threadTs) {
  return state.snap.ephemerals.filter(
    (e) => e.channel === channelId && (e.thread_ts || null) === (threadTs || null) && !state.dismissed.has(e.ts),
  );
}

// --- rendering --------------------------------------------------------------------------------------

function render() {
  renderWho();
  renderSidebar();
  renderPane();
  renderThread();
  renderModal();
}

function renderWho() {
  const select = $("#whoami");
  if (!select.options.length) {
    const groups = {};
    for (const p of state.people) (groups[p.role] ||= []).push(p);
    for (const [role, people] of Object.entries(groups)) {
      select.append(h("optgroup", { label: `${ROLE_LABEL[role] || role}s` },
        people.map((p) => h("option", { value: p.slack }, `${p.name} · ${p.regions.join(", ")}`))));
    }
  }
  select.value = state.me;
  const p = person(state.me);
  $("#me").replaceChildren(avatar(state.me, "small"),
    h("div", {}, h("div", { class: "me-name" }, p.name), h("div", { class: "me-role" }, `${ROLE_LABEL[p.role]} · ${p.regions.join(", ")}`)));
}

function sidebarItem(id, label, icon) {
  const seenKey = `${state.me}:${id}`;
  const count = id === HOME ? 0 : topLevel(id).length;
  if (id === state.current || state.seen[seenKey] === undefined) state.seen[seenKey] = count;
  const unread = count - state.seen[seenKey];
  return h("li", {
    class: ["nav-item", id === state.current ? "active" : "", unread > 0 ? "unread" : ""].join(" "),
    dataset: { channel: id },
    onclick: () => open(id),
  }, h("span", { class: "nav-icon" }, icon), h("span", { class: "nav-label" }, label),
  unread > 0 ? h("span", { class: "badge" }, String(unread)) : null);
}

function renderSidebar() {
  $("#workspace-name").textContent = state.snap.team.domain.replace(/-/g, " ");
  $("#channels").replaceChildren(...visibleChannels().map((c) => sidebarItem(c.id, c.name, "#")));
  const dm = dmChannel();
  $("#dms").replaceChildren(dm ? sidebarItem(dm.id, channelTitle(dm), icon("dm")) : "");
  $("#apps").replaceChildren(sidebarItem(HOME, "supportbot · Home", icon("home")));
}

function open(id) {
  state.current = id;
  state.thread = null;
  if (id === HOME) act("home", {});
  render();
  if (id !== HOME) $("#composer textarea").focus();
}

function renderPane() {
  const home = state.current === HOME;
  const channel = state.snap.channelById[state.current];
  $("#pane-title").textContent = home ? "supportbot" : channelTitle(channel);
  $("#pane-subtitle").textContent = home ? "Home" : channel.is_im ? "Direct message with the bot" : `${channel.members.length} members`;
  $("#messages").hidden = home;
  $("#composer").hidden = home;
  $("#home").hidden = !home;
  if (home) return renderHome();
  const list = $("#messages");
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const items = [...topLevel(channel.id), ...ephemerals(channel.id, null).map((e) => ({ ...e, ephemeral: true }))].sort(byTs);
  list.replaceChildren(...(items.length ? items.map((m) => messageView(m, channel.id)) : [emptyChannel(channel)]));
  if (atBottom || state.lastChannel !== channel.id) list.scrollTop = list.scrollHeight;
  state.lastChannel = channel.id;
  $("#composer textarea").placeholder = `Message ${channelTitle(channel)} — or /escalate, /cases, /oncall`;
}

function emptyChannel(channel) {
  const hint = channel.is_im
    ? "Ask a policy question, e.g. “Czy klient może zwrócić towar bez paragonu?” or “Can a customer return an item without a receipt?”"
    : "Escalated cases for this region appear here, with the on-duty coordinators pinged in the card's thread.";
  return h("div", { class: "empty" }, h("div", { class: "empty-title" }, `This is the very beginning of ${channelTitle(channel)}`), h("div", {}, hint));
}

function renderHome() {
  const home = state.snap.home;
  const pane = $("#home");
  if (!home) {
    pane.replaceChildren(h("div", { class: "empty" }, "Loading the App Home…"));
    return;
  }
  pane.replaceChildren(h("div", { class: "home-card" },
    renderBlocks(home.view.blocks, { ...ctx(), onAction: (el) => act("click", { action_id: el.action_id, value: el.value || "", view_id: home.id }) })));
}

function avatar(userId, size = "") {
  const user = state.snap.userById[userId] || { name: "?" };
  if (user.is_bot) return h("div", { class: `avatar bot ${size}` }, icon("bot"));
  const initials = (user.real_name || user.name).split(/\s+/).map((w) => w[0]).slice(0, 2).join("");
  const hue = [...userId].reduce((a, c) => a + c.charCodeAt(0) * 37, 0) % 360;
  return h("div", { class: `avatar ${size}`, style: `background: hsl(${hue} 45% 42%)` }, initials);
}

function time(ts) {
  return new Date(Number(ts) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function messageView(m, channelId, { inThread = false } = {}) {
  const author = m.ephemeral ? state.snap.team.bot_user_id : m.user; // ephemerals come from the app
  const user = state.snap.userById[author] || { name: author };
  const blockCtx = {
    ...ctx(),
    onAction: (el) => act("click", { action_id: el.action_id, value: el.value || "", channel: channelId, ts: m.ts, ephemeral: Boolean(m.ephemeral) }),
  };
  const body = m.blocks?.length ? renderBlocks(m.blocks, blockCtx) : h("div", { class: "mrkdwn", html: mrkdwn(m.text, ctx()) });
  const header = h("div", { class: "msg-header" },
    h("span", { class: "msg-author" }, user.real_name || user.name),
    user.is_bot ? h("span", { class: "app-tag" }, "APP") : null,
    h("span", { class: "msg-time" }, time(m.ts)),
    m.edited ? h("span", { class: "msg-edited" }, "(edited)") : null);
  const parts = [header, body];
  if (m.ephemeral) {
    parts.unshift(h("div", { class: "ephemeral-note" }, icon("eye"), " Only visible to you ",
      h("button", { type: "button", class: "link", onclick: () => { state.dismissed.add(m.ts); render(); } }, "Dismiss")));
  } else {
    if (m.reactions?.length) parts.push(reactionsView(m, channelId));
    if (!inThread && m.reply_count) {
      parts.push(h("button", { type: "button", class: "replies-link", onclick: () => openThread(channelId, m.ts) },
        `${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`));
    }
  }
  const tools = m.ephemeral ? null : messageTools(m, channelId, inThread);
  return h("div", { class: `message${m.ephemeral ? " ephemeral" : ""}`, dataset: { ts: m.ts } },
    avatar(author), h("div", { class: "msg-main" }, ...parts), tools);
}

function reactionsView(m, channelId) {
  return h("div", { class: "reactions" }, m.reactions.map((r) => {
    const mine = r.users.includes(state.me);
    const names = r.users.map((u) => state.snap.userById[u]?.real_name || u).join(", ");
    return h("button", { type: "button", class: `reaction${mine ? " mine" : ""}`, title: `${names} reacted with :${r.name}:`,
      onclick: () => !mine && act("react", { channel: channelId, ts: m.ts, name: r.name }) }, `${emoji(r.name)} ${r.count}`);
  }));
}

function messageTools(m, channelId, inThread) {
  const picker = h("div", { class: "picker", hidden: true }, REACTIONS.map((name) =>
    h("button", { type: "button", title: `:${name}:`, onclick: () => { picker.hidden = true; act("react", { channel: channelId, ts: m.ts, name }); } }, emoji(name))));
  const menu = h("div", { class: "picker menu", hidden: true }, state.snap.shortcuts.map((s) =>
    h("button", { type: "button", onclick: () => { menu.hidden = true; act("shortcut", { channel: channelId, ts: m.ts, callback_id: s.callback_id }); } }, s.name)));
  return h("div", { class: "msg-tools" },
    h("button", { type: "button", title: "Add reaction", onclick: () => { picker.hidden = !picker.hidden; menu.hidden = true; } }, "☺"),
    inThread ? null : h("button", { type: "button", title: "Reply in thread", onclick: () => openThread(channelId, m.ts) }, icon("thread")),
    h("button", { type: "button", title: "More actions", onclick: () => { menu.hidden = !menu.hidden; picker.hidden = true; } }, "⋮"),
    picker, menu);
}

function openThread(channel, ts) {
  state.thread = { channel, ts };
  render();
  $("#thread textarea").focus();
}

function renderThread() {
  const pane = $("#thread");
  const thread = state.thread;
  const parent = thread && (state.snap.messages[thread.channel] || []).find((m) => m.ts === thread.ts);
  pane.hidden = !parent || state.current === HOME;
  if (pane.hidden) {
    $("#thread-messages").replaceChildren();
    return;
  }
  const replies = (state.snap.messages[thread.channel] || []).filter((m) => m.thread_ts === thread.ts && m.ts !== thread.ts);
  const items = [...replies, ...ephemerals(thread.channel, thread.ts).map((e) => ({ ...e, ephemeral: true }))].sort(byTs);
  $("#thread-subtitle").textContent = channelTitle(state.snap.channelById[thread.channel]);
  const list = $("#thread-messages");
  list.replaceChildren(messageView(parent, thread.channel, { inThread: true }),
    h("div", { class: "thread-count" }, `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`),
    ...items.map((m) => messageView(m, thread.channel, { inThread: true })));
  list.scrollTop = list.scrollHeight;
}

// --- modals -----------------------------------------------------------------------------------------

function renderModal() {
  const view = state.snap.views.at(-1);
  const backdrop = $("#modal-backdrop");
  if (!view) {
    backdrop.hidden = true;
    state.modalKey = "";
    return;
  }
  backdrop.hidden = false;
  const key = `${view.id}:${view.hash}`;
  const form = $("#modal");
  if (key !== state.modalKey) {
    state.modalKey = key;
    const spec = view.view;
    form.replaceChildren(
      h("div", { class: "modal-header" }, h("h2", {}, spec.title?.text || ""),
        h("button", { type: "button", class: "modal-x", title: "Close", onclick: () => act("close", { view_id: view.id }) }, "✕")),
      h("div", { class: "modal-body" }, renderBlocks(spec.blocks, { ...ctx(), renderInput: (b) => renderInput(b, ctx()) })),
      h("div", { class: "modal-footer" },
        h("button", { type: "button", class: "bk-button", onclick: () => act("close", { view_id: view.id }) }, spec.close?.text || "Cancel"),
        spec.submit ? h("button", { type: "submit", class: "bk-button bk-primary" }, spec.submit.text) : null));
    form.dataset.viewId = view.id;
    form.querySelector("input, textarea, select")?.focus();
  }
  showErrors(form, view.errors);
}

async function submitModal(event) {
  event.preventDefault();
  const form = $("#modal");
  const values = inputValues(form);
  const missing = {};
  for (const wrap of form.querySelectorAll(".bk-input")) {
    const value = values[wrap.dataset.blockId];
    if (!wrap.dataset.optional && (value === null || String(value).trim() === "")) missing[wrap.dataset.blockId] = "Please complete this required field.";
  }
  if (Object.keys(missing).length) return showErrors(form, missing);
  const submit = form.querySelector("[type=submit]");
  submit.disabled = true;
  try {
    await act("submit", { view_id: form.dataset.viewId, values });
  } finally {
    submit.disabled = false;
  }
}

// --- composing -------------------------------------------------------------------------------------

// What Slack's client does before sending: escape & < >, and turn @name into a mention.
function toSlackText(text) {
  const byName = Object.fromEntries(state.snap.users.map((u) => [u.name.toLowerCase(), u.id]));
  return text.replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c])
    .replace(/(^|\s)@([\w.-]+)/g, (all, space, name) => {
      const n = name.toLowerCase();
      if (["here", "channel", "everyone"].includes(n)) return `${space}<!${n}>`;
      return byName[n] ? `${space}<@${byName[n]}>` : all;
    });
}

async function send(textarea, threadTs) {
  const text = textarea.value.trim();
  if (!text) return;
  const channel = threadTs ? state.thread.channel : state.current;
  const command = text.match(/^(\/[a-z_-]+)(?:\s+([\s\S]*))?$/i);
  if (command && !threadTs) {
    if (!state.snap.commands.includes(command[1])) {
      toast(`${command[1]} is not a valid command. Try ${state.snap.commands.join(", ")}.`);
      return;
    }
    textarea.value = "";
    await act("command", { channel, command: command[1], text: toSlackText(command[2] || "") });
    return;
  }
  textarea.value = "";
  await act("say", { channel, text: toSlackText(text), thread_ts: threadTs || undefined });
}

function composer(form, threadTs) {
  const textarea = form.querySelector("textarea");
  const hints = form.querySelector(".command-hints");
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send(textarea, threadTs());
    }
  });
  form.addEventListener("submit", (event) => { event.preventDefault(); send(textarea, threadTs()); });
  if (!hints) return;
  textarea.addEventListener("input", () => {
    const word = textarea.value.match(/^\/\S*$/);
    const matches = word ? state.snap.commands.filter((c) => c.startsWith(word[0])) : [];
    hints.hidden = !matches.length;
    hints.replaceChildren(...matches.map((c) => h("button", { type: "button", onclick: () => { textarea.value = `${c} `; hints.hidden = true; textarea.focus(); } },
      h("b", {}, c), " ", h("span", {}, { "/escalate": "[summary] open the escalation form", "/cases": "your queue", "/oncall": "[region | cover | swap | on | off] who is on duty" }[c] || ""))));
  });
}

function toast(text) {
  const el = h("div", { class: "toast", role: "status" }, text);
  $("#toasts").append(el);
  setTimeout(() => el.remove(), 5000);
}

// --- start ------------------------------------------------------------------------------------------

function switchTo(slack) {
  const id = person(slack)?.id || slack;
  state.me = slack;
  state.current = null;
  state.thread = null;
  state.modalKey = "";
  state.snap = null;
  const url = new URL(location.href);
  url.searchParams.set("as", id);
  history.replaceState(null, "", url);
  listen();
}

async function start() {
  const people = (await (await fetch(`${API}/people`)).json()).people;
  const wanted = new URLSearchParams(location.search).get("as");
  const chosen = people.find((p) => p.id === wanted || p.slack === wanted) || people.find((p) => p.role === "rep") || people[0];
  state.snap = { people };
  state.people = people;
  $("#whoami").addEventListener("change", (event) => switchTo(event.target.value));
  composer($("#composer"), () => null);
  composer($("#thread-composer"), () => state.thread?.ts);
  $("#thread-close").addEventListener("click", () => { state.thread = null; render(); });
  $("#modal").addEventListener("submit", submitModal);
  document.addEventListener("keydown", (event) => {
    const view = state.snap?.views?.at(-1);
    if (event.key === "Escape" && view) act("close", { view_id: view.id });
  });
  switchTo(chosen.slack);
}

start();
