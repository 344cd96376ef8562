// Operators: billing status, plans of users and organizations, suspending and reactivating users.

import {h, append, field, options, number} from './dom.js';
import {api} from './api.js';
import {page, form, section, table, messageBox, run} from './ui.js';

/** Whether the contract this server serves has an operation (features arrive at different times). */
async function served(path) {
  try {
    const res = await fetch('/openapi.yaml', {cache: 'no-store', credentials: 'omit'});
    return res.ok && (await res.text()).includes(`\n  ${path}:`);
  } catch (e) {
    return false;
  }
}

export async function render(main) {
  page(main, 'Operators', 'For the operators of this server (CHRYSALIS_ADMIN_EMAILS, with a verified address).');
  const box = messageBox();
  append(main, box.el);
  let status;
  try {
    box.loading('Loading billing status…');
    status = await api('GET', '/admin/billing/status');
    box.clear();
  } catch (err) {
    if (err.status === 403) {
      box.warn('Your account is not an operator of this server. Operators are listed in CHRYSALIS_ADMIN_EMAILS and must have verified their address.');
    } else {
      box.error(err);
    }
    return;
  }
  const plans = (await run(box, () => api('GET', '/billing/plans'), 'Loading plans…')) || {data: []};
  const planIds = plans.data.map((p) => [p.plan_id, p.name]);
  const metrics = Object.entries(status.metrics || {});
  append(main, section('Billing',
    h('p', null, `Mode: ${status.mode === 'autumn' ? 'Autumn (online billing)' : 'local ledger'}. Outbox: `
      + `${number(status.outbox.pending)} pending, ${number(status.outbox.failed)} parked, ${number(status.outbox.delivered)} delivered.`),
    table([
      {label: 'Counter', cell: ([k]) => k.replaceAll('_', ' ')},
      {label: 'Value', cell: ([, v]) => number(v), num: true},
    ], metrics, 'No counters.', 'Billing counters')));

  const planForm = (kind) => {
    const id = h('input', {type: 'text', name: `${kind}_id`, required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+'});
    const plan = options(h('select', {name: 'plan'}), planIds, plans.default_plan);
    return form({'aria-label': `Set the plan of ${kind === 'user' ? 'a user' : 'an organization'}`}, [
      field(kind === 'user' ? 'User id (usr_…)' : 'Organization id (org_…)', id),
      field('Plan', plan),
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Set plan')),
    ], async () => {
      const r = await api('PUT', `/admin/${kind}s/${encodeURIComponent(id.value.trim())}/plan`, {plan_id: plan.value});
      return `${id.value.trim()} is on ${r.plan ? r.plan.name : plan.value} now.`;
    }, 'Saving…');
  };
  append(main, section('Plan of a user', planForm('user')), section('Plan of an organization', planForm('org')));
  if (status.mode === 'autumn') {
    main.append(h('p', {class: 'notice'}, 'With online billing, subscriptions come from Autumn; an assignment here applies where Autumn has none.'));
  }

  if (await served('/admin/users/{id}/status')) {
    const id = h('input', {type: 'text', name: 'status_user_id', required: true, maxlength: 64, pattern: '[A-Za-z0-9_\\-]+'});
    const state = options(h('select', {name: 'status'}), [['suspended', 'suspended (every session and key stops at once)'], ['active', 'active']], 'suspended');
    append(main, section('Suspend or reactivate a user', form({'aria-label': 'Suspend or reactivate a user'}, [
      field('User id (usr_…)', id),
      field('Status', state),
      h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Apply')),
    ], async () => {
      await api('PUT', `/admin/users/${encodeURIComponent(id.value.trim())}/status`, {status: state.value});
      return `${id.value.trim()} is ${state.value} now.`;
    }, 'Saving…')));
  }
}
