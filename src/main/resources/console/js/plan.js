// The plan in effect and its features; upgrade and billing-portal links when online billing is on.

import {h, append, field, options, number, when} from './dom.js';
import {api, qs} from './api.js';
import {pagedList} from './pager.js';
import {page, section, table, button, messageBox, run, scopeOptions} from './ui.js';

const ONLINE = new Set(['autumn', 'fallback']);

export async function render(main, ctx) {
  page(main, 'Plan');
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
  append(main, field('Plan of', scope), orgs.el, body);

  async function load() {
    const orgId = scope.value || null;
    const refresh = ctx.params.get('refresh') ? 'true' : null;
    const data = await run(box, () => Promise.all([
      api('GET', `/billing/plan${qs({org_id: orgId, refresh})}`),
      api('GET', '/billing/plans'),
    ]), 'Loading the plan…');
    if (!data) {
      body.replaceChildren();
      return;
    }
    const [current, plans] = data;
    const online = ONLINE.has(current.source);
    const actionBox = messageBox();
    const upgrade = (p) => {
      const b = button(`Switch to ${p.name}`, async () => {
        const back = `${location.origin}/#/plan?refresh=1`;
        const r = await run(actionBox, () => api('POST', '/billing/checkout',
          {plan_id: p.plan_id, success_url: back, cancel_url: `${location.origin}/#/plan`, ...(orgId ? {org_id: orgId} : {})}),
        'Opening checkout…', b);
        if (r && r.url) {
          location.assign(r.url);
        } else if (r) {
          actionBox.ok(`You are on ${p.name} now.`);
          await load();
        }
      });
      return b;
    };
    const manage = button('Manage billing (invoices, payment method, cancel)', async () => {
      const r = await run(actionBox, () => api('POST', '/billing/portal', orgId ? {org_id: orgId} : {}), 'Opening the portal…', manage);
      if (r && r.url) {
        location.assign(r.url);
      } else if (r) {
        actionBox.warn('The billing provider has no portal for this account yet.');
      }
    }, 'secondary');
    body.replaceChildren(
      section('Current plan',
        h('p', {class: 'stat', id: 'plan-name'}, current.name),
        h('p', null, current.daily_limit === null ? 'Unlimited messages per day.'
          : `${number(current.daily_limit)} messages per day; ${number(current.used_today)} used today, resets ${when(current.resets_at)}.`),
        current.rate_per_minute ? h('p', null, `${number(current.rate_per_minute)} requests per minute.`) : null,
        h('h3', null, 'Features'),
        current.features.length ? h('ul', null, current.features.map((f) => h('li', null, f.replaceAll('_', ' '))))
          : h('p', {class: 'muted'}, 'No extra features.'),
        current.source === 'fallback'
          ? h('p', {class: 'notice'}, 'The billing provider did not answer; this is the last plan known.') : null,
        online ? h('div', {class: 'actions'}, manage) : h('p', {class: 'notice', id: 'billing-offline'},
          'Online billing is not configured on this server, so plans cannot be bought here. '
          + 'An operator assigns plans (Operators page, or PUT /admin/users/{id}/plan).'),
        actionBox.el),
      section('Plans on this server', table([
        {label: 'Plan', cell: (p) => p.name},
        {label: 'Messages per day', cell: (p) => (p.daily_limit === null ? 'unlimited' : number(p.daily_limit)), num: true},
        {label: 'Requests per minute', cell: (p) => (p.rate_per_minute ? number(p.rate_per_minute) : '—'), num: true},
        {label: 'Features', cell: (p) => p.features.map((f) => f.replaceAll('_', ' ')).join(', ')},
        {label: '', cell: (p) => (p.plan_id === current.plan_id ? h('span', {class: 'pill good'}, 'current')
          : online ? upgrade(p) : '')},
      ], plans.data, 'No plans.', 'Plans')));
  }
  await load();
}
