// A modal confirmation (<dialog>): resolves true on Confirm, false on Cancel or Escape.
import { h } from '../dom.js';
import { t } from '../i18n.js';

export function confirmDialog(message, { confirmLabel = t('confirm'), danger = true } = {}) {
  return new Promise((resolve) => {
    const opener = document.activeElement;
    const ok = h('button', { type: 'submit', value: 'ok', class: ['btn', danger ? 'btn-danger' : null], id: 'confirm-ok' }, confirmLabel);
    const cancel = h('button', { type: 'submit', value: 'cancel', class: 'btn btn-quiet', id: 'confirm-cancel' }, t('cancel'));
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-msg', id: 'confirm-dialog' },
      h('form', { method: 'dialog' }, h('p', { id: 'confirm-msg' }, message), h('div', { class: 'btn-row' }, cancel, ok)));
    dialog.addEventListener('close', () => {
      const yes = dialog.returnValue === 'ok';
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(yes);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
