// Threads and projects: browse and filter, a thread's relations, context tree and messages.

import {h, append, field, options, when} from './dom.js';
import {api, all, qs} from './api.js';
import {page, form, section, table, messageBox, run, link} from './ui.js';

const STATUSES = [['', 'any status'], ['active', 'active'], ['paused', 'paused'], ['done', 'done'], ['archived', 'archived']];

function threadLink(t) {
  return link(`#/threads/${encodeURIComponent(t.id)}`, t.title || t.id);
}

function threadTable(rows, empty) {
  return table([
    {label: 'Title', cell: threadLink},
    {label: 'Status', cell: (t) => h('span', {class: 'pill'}, t.status)},
    {label: 'Updated', cell: (t) => when(t.updated_at)},
  ], rows, empty, 'Threads');
}

export async function render(main, ctx) {
  if (ctx.rest[0]) {
    await detail(main, ctx, ctx.rest[0]);
    return;
  }
  page(main, 'Threads', 'Conversations kept on the server, with their summaries, relations and context trees.');
  const box = messageBox();
  append(main, box.el);
  const projects = (await run(box, () => all('/v1/projects'), 'Loading projects…')) || [];
  const status = options(h('select', {name: 'status'}), STATUSES, ctx.params.get('status') || '');
  const project = options(h('select', {name: 'project'}),
    [['', 'any project'], ...projects.map((p) => [p.id, p.name])], ctx.params.get('project') || '');
  const text = h('input', {type: 'text', name: 'q', maxlength: 200, placeholder: 'words in the title'});
  const list = h('div');
  let rows = [];
  const draw = () => {
    const needle = text.value.trim().toLowerCase();
    list.replaceChildren(threadTable(rows.filter((t) => !needle || (t.title || '').toLowerCase().includes(needle)),
      'No threads match.'));
  };
  const load = async () => {
    const found = await run(box, () => all('/v1/threads', {status: status.value, project_id: project.value}), 'Loading threads…');
    rows = found || [];
    draw();
  };
  status.addEventListener('change', load);
  project.addEventListener('change', load);
  text.addEventListener('input', draw);

  const title = h('input', {type: 'text', name: 'title', maxlength: 200});
  const newProject = options(h('select', {name: 'new_project'}), [['', 'no project'], ...projects.map((p) => [p.id, p.name])], '');
  const create = form({'aria-label': 'Start a thread'}, [
    field('Title', title),
    field('Project', newProject),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Start thread')),
  ], async () => {
    const body = {};
    if (title.value.trim()) {
      body.title = title.value.trim();
    }
    if (newProject.value) {
      body.project_id = newProject.value;
    }
    const t = await api('POST', '/v1/threads', body);
    ctx.go(`#/threads/${encodeURIComponent(t.id)}`);
  }, 'Creating…');

  append(main, 
    section('Find threads', h('form', {class: 'inline', 'aria-label': 'Filter threads', onsubmit: (e) => e.preventDefault()},
      field('Status', status), field('Project', project), field('Title contains', text)), list),
    section('Projects', table([
      {label: 'Project', cell: (p) => link(`#/projects/${encodeURIComponent(p.id)}`, p.name)},
      {label: 'Slug', cell: (p) => h('code', null, p.slug)},
      {label: 'Description', cell: (p) => p.description || ''},
      {label: 'Updated', cell: (p) => when(p.updated_at)},
    ], projects, 'No projects yet.', 'Projects')),
    section('Start a thread', create));
  await load();
}

function refList(refs) {
  const items = refs.filter(Boolean);
  return items.length ? h('ul', null, items.map((r) => h('li', null, threadLink(r), ' ', h('span', {class: 'pill'}, r.status))))
    : h('span', {class: 'muted'}, 'none');
}

function tree(nodes) {
  if (!nodes || !nodes.length) {
    return null;
  }
  return h('ul', null, nodes.map((n) => h('li', null, h('strong', null, n.title || n.id),
    n.body ? [' — ', n.body] : null, tree(n.children))));
}

async function detail(main, ctx, id) {
  const box = messageBox();
  page(main, 'Thread', box.el);
  const data = await run(box, () => Promise.all([
    api('GET', `/v1/threads/${encodeURIComponent(id)}`),
    all('/v1/sessions', {}, 1000),
  ]), 'Loading the thread…');
  if (!data) {
    append(main, h('p', null, link('#/threads', 'All threads')));
    return;
  }
  const [t, sessions] = data;
  main.querySelector('h1').textContent = t.title || t.id;
  document.title = `${t.title || t.id} · Chrysalis Forge`;
  const rel = t.relations;
  append(main, 
    h('p', {class: 'muted'}, h('span', {class: 'pill'}, t.status), ` · ${t.id} · updated ${when(t.updated_at)}`),
    t.summary ? section('Summary', h('p', null, t.summary)) : null,
    section('Relations', h('dl', null,
      h('dt', null, 'Continues from'), h('dd', null, refList([rel.continues_from])),
      h('dt', null, 'Continued by'), h('dd', null, refList(rel.continued_by)),
      h('dt', null, 'Parent'), h('dd', null, refList([rel.parent])),
      h('dt', null, 'Children'), h('dd', null, refList(rel.children)),
      h('dt', null, 'Related'), h('dd', null, refList(rel.related)))),
    section('Context tree', h('div', {class: 'tree'}, tree(t.contexts) || h('p', {class: 'muted'}, 'No context nodes.'))));
  const mine = sessions.filter((s) => s.thread_id === t.id);
  const messages = h('div');
  append(main, section('Messages', messages));
  if (!mine.length) {
    messages.append(h('p', {class: 'muted'}, 'No messages of yours in this thread yet.'));
    return;
  }
  for (const s of mine) {
    const sBox = messageBox();
    const chat = h('div', {class: 'chat'});
    messages.append(h('h3', null, `Session ${s.title || s.id} (${s.status})`), sBox.el, chat);
    const full = await run(sBox, () => api('GET', `/v1/sessions/${encodeURIComponent(s.id)}`), 'Loading messages…');
    if (full) {
      for (const m of full.messages) {
        chat.append(h('div', {class: `bubble ${m.role}`}, h('span', {class: 'who'}, `${m.role}${m.model ? ` · ${m.model}` : ''} · ${when(m.created_at)}`), m.content));
      }
      if (full.has_more_messages) {
        chat.append(h('p', {class: 'muted'}, 'Older messages are not shown.'));
      }
    }
  }
}

/** #/projects/<id>: a project and its threads. */
export async function project(main, ctx) {
  const id = ctx.rest[0] || '';
  const box = messageBox();
  page(main, 'Project', box.el);
  const p = await run(box, () => api('GET', `/v1/projects/${encodeURIComponent(id)}`), 'Loading the project…');
  if (!p) {
    return;
  }
  main.querySelector('h1').textContent = p.name;
  append(main, p.description ? h('p', null, p.description) : null,
    section('Threads', threadTable(p.threads.data, 'No threads in this project.'),
      p.threads.has_more ? link(`#/threads?project=${encodeURIComponent(p.id)}`, 'All threads of this project') : null));
}
