// Organizations: create, members and roles, invites (and accepting one from its link), audit log.

import {h, append, field, options, when} from './dom.js';
import {api, qs} from './api.js';
import {pagedList} from './pager.js';
import {page, form, section, table, button, confirmed, messageBox, run, link} from './ui.js';

const ROLES = ['owner', 'admin', 'member', 'reader'];

function slugOf(name) {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64) || 'org';
}

export async function render(main, ctx) {
  if (ctx.rest[0]) {
    await detail(main, ctx, ctx.rest[0]);
    return;
  }
  page(main, 'Organizations', 'Teams share provider keys, projects, threads and a plan.');
  const box = messageBox();
  const list = h('div');
  const name = h('input', {type: 'text', name: 'name', required: true, maxlength: 100});
  const slug = h('input', {type: 'text', name: 'slug', required: true, maxlength: 64, pattern: '[a-z0-9\\-]+'});
  let slugTouched = false;
  slug.addEventListener('input', () => { slugTouched = true; });
  name.addEventListener('input', () => {
    if (!slugTouched) {
      slug.value = slugOf(name.value);
    }
  });
  const create = form({'aria-label': 'Create an organization'}, [
    field('Name', name),
    field('Slug', slug, 'Lower-case letters, digits and dashes; unique on this server.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Create organization')),
  ], async () => {
    const org = await api('POST', '/orgs', {name: name.value, slug: slug.value});
    ctx.go(`#/orgs/${encodeURIComponent(org.id)}`);
  }, 'Creating…');
  append(main, section('Your organizations', box.el, list), section('Create an organization', create));
  const orgs = pagedList({noun: 'organizations', render: (rows) => table([
    {label: 'Name', cell: (o) => link(`#/orgs/${encodeURIComponent(o.id)}`, o.name)},
    {label: 'Slug', cell: (o) => h('code', null, o.slug)},
    {label: 'Your role', cell: (o) => o.role},
    {label: 'Created', cell: (o) => when(o.created_at)},
  ], rows, 'You are not in any organization yet.', 'Organizations')});
  list.append(orgs.el);
  await run(box, () => orgs.load('/orgs'), 'Loading organizations…');
}

async function detail(main, ctx, orgId) {
  const box = messageBox();
  page(main, 'Organization', box.el);
  const data = await run(box, () => Promise.all([
    api('GET', `/orgs/${encodeURIComponent(orgId)}`),
    api('GET', `/billing/plan${qs({org_id: orgId})}`),
  ]), 'Loading the organization…');
  if (!data) {
    append(main, h('p', null, link('#/orgs', 'All organizations')));
    return;
  }
  const [org, plan] = data;
  const me = ctx.me();
  const canAdmin = org.role === 'owner' || org.role === 'admin';
  const heading = main.querySelector('h1');
  heading.textContent = org.name;
  document.title = `${org.name} · Chrysalis Forge`;
  append(main, h('p', {class: 'muted'}, `Slug ${org.slug} · your role: ${org.role} · plan: ${plan.name}`));

  const membersBox = messageBox();
  const members = h('div');
  append(main, section('Members', membersBox.el, members));

  const memberList = pagedList({noun: 'members', render: (rows) => table([
    {label: 'Member', cell: (m) => [m.display_name ? `${m.display_name} ` : '', h('span', {class: 'muted'}, m.email)]},
    {label: 'Role', cell: (m) => (canAdmin ? roleSelect(m) : m.role)},
    {label: 'Joined', cell: (m) => when(m.joined_at)},
    {label: 'Actions', cell: (m) => (canAdmin || m.user_id === me.id ? removeButton(m) : '—')},
  ], rows, 'No members.', 'Members')});
  members.append(memberList.el);

  async function loadMembers() {
    await run(membersBox, () => memberList.load(`/orgs/${encodeURIComponent(orgId)}/members`), 'Loading members…');
  }

  function roleSelect(m) {
    const sel = options(h('select', {'aria-label': `Role of ${m.email}`}), ROLES, m.role);
    sel.addEventListener('change', async () => {
      const ok = await run(membersBox, () => api('PATCH', `/orgs/${encodeURIComponent(orgId)}/members/${encodeURIComponent(m.user_id)}`,
        {role: sel.value}), 'Changing the role…');
      if (ok) {
        membersBox.ok(`${m.email} is now ${ok.role || sel.value}.`);
      } else {
        sel.value = m.role;
      }
    });
    return sel;
  }

  function removeButton(m) {
    const self = m.user_id === me.id;
    const b = button(self ? 'Leave' : 'Remove', async () => {
      if (!confirmed(self ? `Leave ${org.name}?` : `Remove ${m.email} from ${org.name}?`)) {
        return;
      }
      if (await run(membersBox, () => api('DELETE', `/orgs/${encodeURIComponent(orgId)}/members/${encodeURIComponent(m.user_id)}`),
        'Removing…', b)) {
        if (self) {
          ctx.go('#/orgs');
          return;
        }
        await loadMembers();
        membersBox.ok(`Removed ${m.email}.`);
      }
    }, 'danger');
    b.setAttribute('aria-label', self ? `Leave ${org.name}` : `Remove ${m.email}`);
    return b;
  }

  await loadMembers();
  if (!canAdmin) {
    return;
  }

  const invitesBox = messageBox();
  const invites = h('div');
  const email = h('input', {type: 'email', name: 'email', required: true, maxlength: 254});
  const role = options(h('select', {name: 'role'}), ROLES.filter((r) => org.role === 'owner' || r !== 'owner'), 'member');
  const inviteForm = form({'aria-label': 'Invite someone'}, [
    field('Email', email, 'They get a mail with a link. They join once they open it signed in with this address, verified.'),
    field('Role', role),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Invite')),
  ], async () => {
    const r = await api('POST', `/orgs/${encodeURIComponent(orgId)}/invite`, {email: email.value.trim(), role: role.value});
    email.value = '';
    await loadInvites();
    return `Invited ${r.email} as ${r.role}: a mail with a link to accept is on its way.`;
  }, 'Inviting…');
  append(main, section('Invite', inviteForm), section('Pending invites', invitesBox.el, invites));

  const inviteList = pagedList({noun: 'invites', render: (rows) => table([
    {label: 'Email', cell: (i) => i.email},
    {label: 'Role', cell: (i) => i.role},
    {label: 'State', cell: (i) => h('span', {class: i.status === 'pending' ? 'pill' : 'pill bad'}, i.status)},
    {label: 'Expires', cell: (i) => when(i.expires_at)},
    {label: 'Actions', cell: revokeButton},
  ], rows, 'No pending invites.', 'Pending invites')});
  invites.append(inviteList.el);

  function revokeButton(i) {
    const b = button('Revoke', async () => {
      if (!confirmed(`Revoke the invite for ${i.email}?`)) {
        return;
      }
      if (await run(invitesBox, () => api('DELETE', `/orgs/${encodeURIComponent(orgId)}/invites/${encodeURIComponent(i.id)}`),
        'Revoking…', b)) {
        await loadInvites();
      }
    }, 'danger');
    b.setAttribute('aria-label', `Revoke the invite for ${i.email}`);
    return b;
  }

  async function loadInvites() {
    await run(invitesBox, () => inviteList.load(`/orgs/${encodeURIComponent(orgId)}/invites`), 'Loading invites…');
  }
  await loadInvites();

  const auditBox = messageBox();
  const audit = h('div');
  append(main, section('Audit log', auditBox.el, audit));
  if (!plan.features.includes('audit_logs')) {
    auditBox.warn(`The audit log comes with plans that include audit logs; ${org.name} is on ${plan.name}.`);
    return;
  }
  const action = h('input', {type: 'text', name: 'action', maxlength: 100, pattern: '[a-z_.]+', placeholder: 'member.role_changed'});
  const auditList = pagedList({noun: 'audit entries', render: (rows) => table([
    {label: 'When', cell: (e) => when(e.created_at)},
    {label: 'Action', cell: (e) => h('code', null, e.action)},
    {label: 'By', cell: (e) => e.actor_id || '—'},
    {label: 'Target', cell: (e) => e.target || '—'},
    {label: 'From', cell: (e) => e.ip || '—'},
  ], rows, action.value ? `No ${action.value} entries.` : 'Nothing recorded yet.', 'Audit log')});
  const filter = form({class: 'inline', 'aria-label': 'Filter the audit log'}, [
    field('Action (exact)', action, 'Lower-case letters, dots and underscores; empty for every action.'),
    h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'secondary'}, 'Filter')),
  ], () => auditList.load(`/orgs/${encodeURIComponent(orgId)}/audit`, {action: action.value.trim()}), 'Loading the audit log…');
  audit.append(filter, auditList.el);
  await run(auditBox, () => auditList.load(`/orgs/${encodeURIComponent(orgId)}/audit`), 'Loading the audit log…');
}

/**
 * #/invite/<id>?token=<secret> (the link in the invite mail): the signed-in account accepts the
 * invite sent to its address. The address must be verified first; the link is kept for the tab so
 * the verification page can lead back to it.
 */
export async function invite(main, ctx) {
  const inviteId = ctx.rest[0] || '';
  const token = ctx.params.get('token') || '';
  const box = messageBox();
  page(main, 'Organization invite', box.el);
  if (!inviteId || !token) {
    box.error('This page needs the link from the invite mail.');
    return;
  }
  box.loading('Accepting the invite…');
  try {
    const accepted = await api('POST', `/invites/${encodeURIComponent(inviteId)}/accept`, {token});
    sessionStorage.removeItem(PENDING_INVITE);
    const org = await api('GET', `/orgs/${encodeURIComponent(accepted.org_id)}`);
    box.ok(`You joined ${org.name} as ${accepted.role}.`);
    append(main, h('p', null, link(`#/orgs/${encodeURIComponent(org.id)}`, `Open ${org.name}`)));
  } catch (err) {
    if (err.code === 'email_not_verified') {
      sessionStorage.setItem(PENDING_INVITE, location.hash);
      box.warn(`Verify ${ctx.me().email} first: open the link in the verification mail, then come back to this invite.`);
      const resendBox = messageBox();
      const resend = button('Mail me a new verification link', async () => {
        if (await run(resendBox, () => api('POST', '/auth/verify/resend'), 'Sending…', resend)) {
          resendBox.ok('A new verification link is on its way.');
        }
      }, 'secondary');
      append(main, h('div', {class: 'actions'}, resend, button('I have verified: try again', () => invite(main, ctx))),
        resendBox.el);
      return;
    }
    box.error(err.status === 404
      ? `${err.message} The invite may be for another address than ${ctx.me().email}, revoked, replaced by a newer mail, or already used.`
      : err);
  }
}

/** sessionStorage key of an invite link waiting for the address to be verified. */
export const PENDING_INVITE = 'forge.pendingInvite';
