// Provider keys (bring your own key): add with an optional base URL, check live, list hints, delete.

import {h, append, field, when, options} from './dom.js';
import {api, qs} from './api.js';
import {pagedList} from './pager.js';
import {page, form, section, table, button, confirmed, messageBox, run, scopeOptions} from './ui.js';

const PROVIDERS = ['openai', 'anthropic', 'google', 'mistral', 'cohere', 'ollama', 'vllm', 'custom'];

export async function render(main) {
  page(main, 'Provider keys',
    'Your own keys for model providers. Calls with them are billed by the provider to you; the key is stored encrypted and never shown again, only its last characters.');
  const box = messageBox();
  append(main, box.el);
  const isAdmin = (o) => o.role === 'owner' || o.role === 'admin';
  const owner = options(h('select', {name: 'owner'}), scopeOptions([]), '');
  const viewing = options(h('select', {name: 'view'}), scopeOptions([]), '');
  const orgs = pagedList({noun: 'organizations', limit: 200, render: (rows) => {
    options(owner, scopeOptions(rows, isAdmin), owner.value);
    options(viewing, scopeOptions(rows), viewing.value);
    return null;
  }});
  await run(box, () => orgs.load('/orgs'), 'Loading…');
  append(main, orgs.el);
  const admins = () => orgs.rows.filter(isAdmin);
  const provider = options(h('select', {name: 'provider', required: true}), PROVIDERS, 'openai');
  const key = h('input', {type: 'password', name: 'api_key', required: true, maxlength: 4096, autocomplete: 'off'});
  const baseUrl = h('input', {type: 'url', name: 'base_url', maxlength: 2048, placeholder: 'https://…'});
  const check = h('input', {type: 'checkbox', name: 'validate', checked: true});
  const listBox = messageBox();
  const list = h('div');

  const addForm = form({'aria-label': 'Add a provider key'}, [
    field('For', owner, admins().length ? 'Organization keys are used by every member; owners and admins manage them.' : null),
    field('Provider', provider),
    field('API key', key),
    field('Base URL (optional)', baseUrl, 'Required for custom (OpenAI-style, version included, e.g. https://host/v1); '
      + 'ollama and vllm default to the server\'s address.'),
    h('label', null, check, ' Check the key with the provider before saving it'),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Save key')),
  ], async () => {
    const body = {provider: provider.value, api_key: key.value.trim(), validate: check.checked};
    if (baseUrl.value.trim()) {
      body.base_url = baseUrl.value.trim();
    }
    if (owner.value) {
      body.org_id = owner.value;
    }
    const saved = await api('POST', '/provider-keys', body);
    key.value = '';
    await load();
    return `Saved the ${saved.provider} key ${saved.hint}${body.validate ? ' (the provider accepted it)' : ''}.`;
  }, 'Saving…');

  viewing.addEventListener('change', load);

  append(main, section('Add a key', addForm),
    section('Stored keys', field('Show keys of', viewing), listBox.el, list));

  async function load() {
    const orgId = viewing.value || null;
    const found = await run(listBox, () => api('GET', `/provider-keys${qs({org_id: orgId})}`), 'Loading keys…');
    if (!found) {
      return;
    }
    const canManage = !orgId || admins().some((o) => o.id === orgId);
    list.replaceChildren(table([
      {label: 'Provider', cell: (k) => k.provider},
      {label: 'Key', cell: (k) => h('code', null, k.key_hint)},
      {label: 'Base URL', cell: (k) => k.base_url || 'server default'},
      {label: 'Added', cell: (k) => when(k.created_at)},
      {label: 'Checked', cell: (k) => (k.validated_at ? when(k.validated_at) : 'never')},
      {label: 'State', cell: (k) => h('span', {class: k.is_valid ? 'pill good' : 'pill bad'}, k.is_valid ? 'usable' : 'rejected')},
      {label: 'Actions', cell: (k) => (canManage ? actions(k, orgId) : '—')},
    ], found.data, 'No provider keys here: calls use the server\'s own keys where it has them.', 'Provider keys'));
  }

  function actions(k, orgId) {
    const validate = button('Check now', async () => {
      const r = await run(listBox, () => api('POST', `/provider-keys/${k.provider}/validate${qs({org_id: orgId})}`),
        'Asking the provider…', validate);
      if (r) {
        await load();
        if (r.valid) {
          listBox.ok(`${k.provider}: ${r.message}`);
        } else {
          listBox.error(`${k.provider}: ${r.message}`);
        }
      }
    }, 'secondary');
    const del = button('Delete', async () => {
      if (!confirmed(`Delete the ${k.provider} key ${k.key_hint}?`)) {
        return;
      }
      if (await run(listBox, () => api('DELETE', `/provider-keys/${k.provider}${qs({org_id: orgId})}`), 'Deleting…', del)) {
        await load();
        listBox.ok(`Deleted the ${k.provider} key.`);
      }
    }, 'danger');
    validate.setAttribute('aria-label', `Check the ${k.provider} key`);
    del.setAttribute('aria-label', `Delete the ${k.provider} key`);
    return h('div', {class: 'actions'}, validate, del);
  }
  await load();
}
