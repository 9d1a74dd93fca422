// The inspector page: plain browser JavaScript, no bundler (ADR 0046). It renders the
// statecharts' DOT with Graphviz in WebAssembly, keeps the live actor tree from the server's
// WebSocket (or steps through an evidence file), and marks each chart's current state by
// toggling the `current` class on its SVG node. Every text from the server goes in through
// textContent: nothing it sends is ever parsed as HTML.
import { instance } from '/vendor/viz.js';

const TRAIL = 40; // states remembered per actor
const TREE_SESSIONS = 50; // sessions drawn in the tree; the rest are counted
const TIMELINE = 500; // entries kept on the page

const $ = (id) => document.getElementById(id);
const el = (tag, text, className) => {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
};

/** Per machine: the chart section, the SVG node of each state id, the highlighted ids. */
const charts = new Map();
/** Live actors by ref: { ref, id, parent, machine, value, states, status, event, trail, seq }. */
const actors = new Map();
/** Refs the operator pinned, by machine. */
const pinned = new Map();
let arrival = 0;
let treeQueued = false;

async function main() {
  const config = await (await fetch('/api/config')).json();
  $('mode').textContent =
    config.mode === 'live'
      ? `live${config.label ? `: ${config.label}` : ''}`
      : `evidence: ${config.evidence.file}`;
  const viz = await instance();
  for (const [machine, dot] of Object.entries(config.machines)) addChart(viz, machine, dot);
  document.body.dataset.ready = 'true';
  if (config.mode === 'live') connect();
  else await stepEvidence();
}

function addChart(viz, machine, dot) {
  const section = el('section', undefined, 'chart');
  section.id = `chart-${machine}`;
  section.dataset.machine = machine;
  const title = el('h2', machine);
  const focus = el('span', '', 'focus');
  title.append(' ', focus);
  const trail = el('div', '', 'trail');
  const svg = viz.renderSVGElement(dot);
  const nodes = new Map();
  for (const g of svg.querySelectorAll('g.node')) {
    const name = g.querySelector('title')?.textContent;
    if (name) nodes.set(name, g);
  }
  section.append(title, trail, svg);
  $('charts').append(section);
  charts.set(machine, { section, focus, trail, nodes, lit: [] });
}

/** Highlights `states` in `machine`'s chart for `label`, showing `trail` under the title. */
function highlight(machine, label, value, states, trail) {
  const chart = charts.get(machine);
  if (chart === undefined) return;
  for (const g of chart.lit) g.classList.remove('current');
  chart.lit = states.map((id) => chart.nodes.get(id)).filter((g) => g !== undefined);
  for (const g of chart.lit) g.classList.add('current');
  chart.section.dataset.actor = label;
  chart.section.dataset.state = value;
  chart.focus.textContent = label ? `${label}: ${value}` : '';
  chart.trail.textContent = trail.join(' \u2192 ');
  chart.section.dataset.trail = trail.join(' ');
}

// ---- live mode ----

function connect() {
  const socket = new WebSocket(`ws://${location.host}/ws`);
  socket.addEventListener('open', () => status('live', 'live'));
  socket.addEventListener('close', () => status('disconnected', 'down'));
  socket.addEventListener('message', (event) => {
    for (const message of JSON.parse(event.data)) apply(message);
    refresh();
  });
}

function status(text, className) {
  $('connection').textContent = text;
  $('connection').className = className;
}

function apply(message) {
  switch (message.t) {
    case 'reset':
      actors.clear();
      for (const actor of message.actors) upsert(actor);
      $('timeline').replaceChildren();
      for (const entry of message.timeline) addEntry(entry);
      showStats(message.stats, true);
      break;
    case 'actor':
    case 'state':
      upsert(message.actor);
      break;
    case 'timeline':
      addEntry(message.entry);
      break;
    case 'stats':
      showStats(message.stats, false);
      break;
  }
}

function upsert(view) {
  if (view.status !== 'active') {
    actors.delete(view.ref);
    return;
  }
  const known = actors.get(view.ref);
  const trail = known?.trail ?? [];
  if (view.machine !== null && trail.at(-1) !== view.value) {
    trail.push(view.value);
    if (trail.length > TRAIL) trail.shift();
  }
  actors.set(view.ref, { ...view, trail, seq: known?.seq ?? (arrival += 1) });
}

let resets = 0;
function showStats(stats, reset) {
  if (reset) resets += 1;
  const parts = [`${actors.size} live actors`];
  if (stats.dropped > 0)
    parts.push(`${stats.dropped} updates dropped (page too slow; resynchronised ${resets - 1}x)`);
  if (stats.untracked > 0)
    parts.push(`${stats.untracked} actors not tracked (limit ${stats.limits.actors})`);
  $('stats').textContent = parts.join(' \u00b7 ');
}

function refresh() {
  // Charts follow every message; the tree is redrawn at most every 100 ms.
  for (const machine of charts.keys()) {
    const focus = focusOf(machine);
    if (focus === undefined) highlight(machine, '', '', [], []);
    else highlight(machine, focus.id, focus.value, focus.states, focus.trail);
  }
  if (!treeQueued) {
    treeQueued = true;
    setTimeout(drawTree, 100);
  }
}

/** The pinned actor of `machine` if it is still live, else its newest live actor. */
function focusOf(machine) {
  const pin = actors.get(pinned.get(machine));
  if (pin !== undefined) return pin;
  let newest;
  for (const actor of actors.values())
    if (actor.machine === machine && (newest === undefined || actor.seq > newest.seq))
      newest = actor;
  return newest;
}

function drawTree() {
  treeQueued = false;
  const children = new Map();
  const roots = [];
  for (const actor of actors.values()) {
    if (actor.parent !== null && actors.has(actor.parent)) {
      const list = children.get(actor.parent) ?? [];
      list.push(actor);
      children.set(actor.parent, list);
    } else roots.push(actor);
  }
  const item = (actor) => {
    const li = el('li');
    const label = el('span');
    label.append(
      `${actor.id}${actor.machine === null ? '' : ` (${actor.machine})`} `,
      el('span', actor.value, 'state'),
    );
    label.dataset.ref = actor.ref;
    if (actor.machine !== null && pinned.get(actor.machine) === actor.ref)
      label.classList.add('pinned');
    label.addEventListener('click', () => {
      if (actor.machine === null) return;
      if (pinned.get(actor.machine) === actor.ref) pinned.delete(actor.machine);
      else pinned.set(actor.machine, actor.ref);
      refresh();
    });
    li.append(label);
    const kids = children.get(actor.ref);
    if (kids !== undefined) {
      const ul = el('ul');
      for (const kid of kids.sort((a, b) => a.seq - b.seq)) ul.append(item(kid));
      li.append(ul);
    }
    return li;
  };
  roots.sort((a, b) => a.seq - b.seq);
  $('tree').replaceChildren(...roots.slice(0, TREE_SESSIONS).map(item));
  $('tree-note').textContent =
    roots.length > TREE_SESSIONS
      ? `showing ${TREE_SESSIONS} of ${roots.length} sessions`
      : 'click an actor to pin it in its chart';
}

function addEntry(entry, index) {
  const list = $('timeline');
  const turn = entry.turn === null ? '' : ` ${entry.turn}`;
  const reason = entry.reason === null || entry.reason === entry.name ? '' : `(${entry.reason})`;
  const li = el(
    'li',
    `${String(entry.at_ms).padStart(6)} ms ${entry.session}${turn} ${entry.emitted_by} ${entry.name}${reason}`,
    entry.kind,
  );
  if (index !== undefined) li.dataset.step = String(index);
  list.append(li);
  if (index === undefined && list.childElementCount > TIMELINE) list.firstElementChild.remove();
  if (index === undefined) li.scrollIntoView({ block: 'nearest' });
}

// ---- evidence mode ----

async function stepEvidence() {
  const { steps, skipped_lines } = await (await fetch('/api/evidence')).json();
  status(`${steps.length} steps`, 'live');
  $('stepper').hidden = false;
  $('step-note').textContent =
    'turn states derived from the signals (Stage-A evidence holds no snapshots)' +
    (skipped_lines > 0 ? `; ${skipped_lines} unreadable lines skipped` : '');
  for (const step of steps) addEntry(step.entry, step.index);
  let at = 0;
  const go = (index) => {
    at = Math.max(0, Math.min(steps.length - 1, index));
    showStep(steps, at);
  };
  $('step-first').addEventListener('click', () => go(0));
  $('step-prev').addEventListener('click', () => go(at - 1));
  $('step-next').addEventListener('click', () => go(at + 1));
  $('step-last').addEventListener('click', () => go(steps.length - 1));
  document.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowLeft') go(at - 1);
    if (event.key === 'ArrowRight') go(at + 1);
  });
  go(0);
}

function showStep(steps, at) {
  const step = steps[at];
  // Every turn's state at this step: its latest derived value at or before it.
  const turns = new Map();
  for (let i = 0; i <= at; i++) {
    const s = steps[i];
    if (s.turn_key === null) continue;
    const trail = turns.get(s.turn_key)?.trail ?? [];
    const known = turns.get(s.turn_key);
    if (s.turn_value !== null) trail.push(s.turn_value);
    turns.set(s.turn_key, {
      key: s.turn_key,
      session: s.entry.session,
      turn: s.entry.turn,
      value: s.turn_value ?? known?.value ?? '?',
      states: s.turn_value === null ? (known?.states ?? []) : s.turn_states,
      trail,
    });
  }
  const focusKey = step.turn_key ?? [...turns.keys()].at(-1);
  const focus = turns.get(focusKey);
  if (focus === undefined) highlight('turn', '', '', [], []);
  else highlight('turn', focus.turn, focus.value, focus.states, focus.trail);
  $('step-label').textContent =
    `step ${at + 1} / ${steps.length}: ${step.entry.name}${step.entry.turn ? ` (${step.entry.turn})` : ''}`;
  document.body.dataset.step = String(at);
  for (const li of $('timeline').children)
    li.classList.toggle('current', li.dataset.step === String(at));
  $('timeline').children[at]?.scrollIntoView({ block: 'nearest' });
  // The tree: sessions and their turns with the derived state at this step.
  const sessions = new Map();
  for (const t of turns.values()) {
    const list = sessions.get(t.session) ?? [];
    list.push(t);
    sessions.set(t.session, list);
  }
  $('tree').replaceChildren(
    ...[...sessions].map(([session, list]) => {
      const li = el('li');
      li.append(el('span', `${session} (session)`));
      const ul = el('ul');
      for (const t of list) {
        const item = el('li');
        const label = el('span', `${t.turn} (turn) `);
        label.append(el('span', t.value, 'state'));
        item.append(label);
        ul.append(item);
      }
      li.append(ul);
      return li;
    }),
  );
}

main().catch((error) => {
  status(`failed: ${error instanceof Error ? error.message : String(error)}`, 'down');
});
