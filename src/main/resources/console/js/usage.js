// Usage: 30 days of messages, tokens and cost as charts, the per-model split, today's quota and
// the rate limit.

import {h, append, field, options, number, usd, when} from './dom.js';
import {api, qs, rateLimit} from './api.js';
import {pagedList} from './pager.js';
import {page, section, table, messageBox, run, scopeOptions} from './ui.js';
import {barChart} from './chart.js';

function messages(n) {
  return `${number(n)} ${n === 1 ? 'message' : 'messages'}`;
}

function lastDays(to, n) {
  const end = new Date(`${to}T00:00:00Z`);
  const days = [];
  for (let i = n - 1; i >= 0; i -= 1) {
    days.push(new Date(end.getTime() - i * 86400000).toISOString().slice(0, 10));
  }
  return days;
}

export async function render(main) {
  page(main, 'Usage', 'What you (or an organization) used over the last 30 days, from the usage ledger.');
  const box = messageBox();
  append(main, box.el);
  const scope = options(h('select', {name: 'scope'}), scopeOptions([]), '');
  const orgs = pagedList({noun: 'organizations', limit: 200, render: (rows) => {
    options(scope, scopeOptions(rows), scope.value);
    return null;
  }});
  await run(box, () => orgs.load('/orgs'), 'Loading…');
  const body = h('div');
  scope.addEventListener('change', load);
  append(main, field('Usage of', scope), orgs.el, body);

  async function load() {
    const orgId = scope.value || null;
    const data = await run(box, () => Promise.all([
      api('GET', `/billing/usage${qs({period: 'last30', org_id: orgId})}`),
      api('GET', `/billing/plan${qs({org_id: orgId})}`),
    ]), 'Loading usage…');
    if (!data) {
      body.replaceChildren();
      return;
    }
    const [usage, plan] = data;
    const days = lastDays(usage.to, 30);
    const perDay = new Map(days.map((d) => [d, {messages: 0, tokens: 0, cost: 0}]));
    for (const row of usage.by_day) {
      const d = perDay.get(row.day);
      if (d) {
        d.messages += row.messages;
        d.tokens += row.tokens;
        d.cost += row.cost_usd;
      }
    }
    const series = (k) => days.map((d) => perDay.get(d)[k]);
    const limits = rateLimit.last;
    body.replaceChildren(
      h('div', {class: 'grid'},
        h('div', {class: 'card'}, h('h2', null, 'Today'),
          h('p', {class: 'stat', id: 'quota-used'}, plan.daily_limit === null
            ? messages(plan.used_today)
            : `${number(plan.used_today)} of ${messages(plan.daily_limit)}`),
          h('p', {class: 'muted'}, plan.daily_limit === null ? 'No daily limit on this plan.'
            : `${number(plan.remaining_today)} left; the count resets at ${when(plan.resets_at)}.`)),
        h('div', {class: 'card'}, h('h2', null, 'Rate limit'),
          h('p', {class: 'stat'}, `${plan.name} tier`),
          h('p', {class: 'muted'}, plan.rate_per_minute ? `${number(plan.rate_per_minute)} requests per minute.` : ''),
          limits ? h('p', {class: 'muted'}, `Right now: ${number(limits.remaining)} of ${number(limits.limit)} left in the current window.`) : null),
        h('div', {class: 'card'}, h('h2', null, 'Last 30 days'),
          h('p', {class: 'stat', id: 'usage-messages'}, messages(usage.messages)),
          h('p', {class: 'muted'}, `${number(usage.tokens)} tokens, ${usd(usage.cost_usd)}`))),
      barChart('Messages per day', days, series('messages')),
      barChart('Tokens per day', days, series('tokens')),
      barChart('Cost per day (USD)', days, series('cost'), usd),
      section('By model', table([
        {label: 'Model', cell: (m) => m.model},
        {label: 'Messages', cell: (m) => number(m.messages), num: true},
        {label: 'Input tokens', cell: (m) => number(m.input_tokens), num: true},
        {label: 'Output tokens', cell: (m) => number(m.output_tokens), num: true},
        {label: 'Cost', cell: (m) => usd(m.cost_usd), num: true},
      ], usage.by_model, 'No calls in the last 30 days.', 'Usage by model')));
  }
  await load();
}
