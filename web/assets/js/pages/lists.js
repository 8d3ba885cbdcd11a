// Allow and block lists (admin): GET /v1/lists, POST /v1/lists, DELETE /v1/lists/{list}/{field}/{value}.
import { get, post, del, enc } from '../api.js';
import { h, clear, errorBox, announce, tableWrap } from '../dom.js';
import { t } from '../i18n.js';
import { timeEl } from '../format.js';
import { confirmDialog } from './confirm.js';

const FIELDS = ['customer', 'device', 'pincode', 'phone'];

export function render(main, ctx) {
  main.append(h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, t('l.title'))));
  if (!ctx.isAdmin) {
    main.append(h('p', { class: 'notice' }, t('l.adminOnly')));
    return undefined;
  }
  const msg = h('p', { 'aria-live': 'polite', id: 'lists-msg' });
  const table = h('div', { id: 'lists-table' }, h('p', { class: 'muted' }, t('loading')));

  const field = (name, labelKey, control) => h('div', { class: 'field' }, h('label', { for: `l-${name}` }, t(labelKey)), control);
  const form = h('form', { class: 'filters', id: 'lists-form', 'aria-label': t('l.add') },
    field('list', 'l.list', h('select', { id: 'l-list', name: 'list' }, h('option', { value: 'block' }, 'block'), h('option', { value: 'allow' }, 'allow'))),
    field('field', 'l.field', h('select', { id: 'l-field', name: 'field' }, FIELDS.map((f) => h('option', { value: f }, f)))),
    field('value', 'l.value', h('input', { id: 'l-value', name: 'value', type: 'text', required: true, maxlength: 128, autocomplete: 'off' })),
    field('reason', 'l.reason', h('input', { id: 'l-reason', name: 'reason', type: 'text', maxlength: 500, size: 28, autocomplete: 'off' })),
    h('button', { type: 'submit', class: 'btn' }, t('l.add')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    data.value = String(data.value || '').trim();
    if (!data.value) { form.querySelector('#l-value').focus(); return; }
    if (!data.reason) delete data.reason;
    try {
      await post('/v1/lists', data);
      form.reset();
      msg.className = 'ok-msg';
      msg.textContent = `${data.list} · ${data.field} = ${data.value} ✓`;
      announce(msg.textContent);
      load();
    } catch (err) {
      msg.className = 'error';
      msg.textContent = err.message;
    }
  });
  main.append(h('section', { class: 'panel stack' }, form, msg, table));

  async function load() {
    try {
      const data = await get('/v1/lists');
      if (!ctx.isCurrent()) return;
      const entries = data.entries || [];
      clear(table);
      if (!entries.length) {
        table.append(h('p', { class: 'muted' }, t('l.empty')));
        return;
      }
      table.append(tableWrap(h('table', {},
        h('thead', {}, h('tr', {},
          ['l.list', 'l.field', 'l.value', 'l.reason', 'l.added'].map((k) => h('th', { scope: 'col' }, t(k))),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, t('l.remove'))))),
        h('tbody', {}, entries.map((en) => {
          const rm = h('button', { type: 'button', class: 'btn btn-quiet', 'aria-label': `${t('l.remove')} ${en.list} ${en.field} ${en.value}` }, t('l.remove'));
          rm.addEventListener('click', async () => {
            const ok = await confirmDialog(t('l.confirmRemove', { list: en.list, field: en.field, value: en.value }));
            if (!ok) return;
            try {
              await del(`/v1/lists/${enc(en.list)}/${enc(en.field)}/${enc(en.value)}`);
              msg.className = 'ok-msg';
              msg.textContent = `${t('l.remove')}: ${en.list} · ${en.field} = ${en.value} ✓`;
              load();
            } catch (err) {
              msg.className = 'error';
              msg.textContent = err.message;
            }
          });
          return h('tr', {},
            h('td', {}, en.list), h('td', {}, en.field), h('td', { class: 'mono' }, en.value),
            h('td', {}, en.reason || '—'), h('td', {}, timeEl(en.added_at), h('div', { class: 'small muted' }, en.added_by || '')),
            h('td', {}, rm));
        }))), t('l.title')));
    } catch (err) {
      if (ctx.isCurrent() && err.status !== 401) clear(table).append(errorBox(err));
    }
  }
  load();
  return undefined;
}
