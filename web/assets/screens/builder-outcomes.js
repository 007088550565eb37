// The builder's outcomes: bonus tiers in ¥ by grade, the promotion rule and
// the IDP rule (bottom N or X %, K periods running, how long, how often).
import { h } from '../dom.js';
import { fmtNum, t } from '../i18n.js';
import { B, del, duration, get, iconBtn, itemTools, items, num, push, sel, set, text } from './builder-fields.js';

const KINDS = ['training', 'mentorship', 'project', 'course', 'other'];
const ROLES = ['manager', 'hrbp'];
const gradeKeys = () => (B.draft.grades || []).map((g) => g && g.key).filter(Boolean);

// gradeChips edits a list of grade keys at p as one checkbox per grade.
function gradeChips(p, label) {
  const keys = gradeKeys();
  const chosen = new Set(get(p) || []);
  return h('div', { class: 'field', 'data-path': p }, h('span', { class: 'label' }, label),
    keys.length ? h('div', { class: 'chips' }, keys.map((k) => h('label', { class: 'choice' }, h('input', { type: 'checkbox', checked: chosen.has(k), 'data-grade': k,
      onchange: (e) => { const now = new Set(get(p) || []); if (e.target.checked) now.add(k); else now.delete(k); set(p, keys.filter((x) => now.has(x))); } }), k))) : h('p', { class: 'muted small' }, t('b.o.noGrades')),
    h('div', { class: 'err' }));
}

function bonus() {
  const bp = '/outcomes/bonus';
  const b = get(bp);
  if (!b) return iconBtn(t('b.o.addBonus'), () => set(bp, { currency: 'CNY', tiers: [{ grades: gradeKeys().slice(0, 1), amount: 1200, label: { zh: '一档', en: 'Tier 1' } }] }), 'add-bonus');
  const tiers = items(bp + '/tiers');
  return h('fieldset', { class: 'sub', id: 'b-bonus', 'data-path': bp }, h('legend', {}, t('b.o.bonus')), h('div', { class: 'err' }),
    h('p', { class: 'muted small' }, t('b.o.currency', { c: b.currency || 'CNY' })),
    tiers.map((x, i) => {
      const p = bp + '/tiers/' + i;
      return h('fieldset', { class: 'item', 'data-key': 'tier-' + i, 'data-path': p, id: 'tier-' + i }, h('legend', {}, t('b.o.tier', { n: i + 1 }) + ' · ¥' + fmtNum(Number(x.amount) || 0, 0)), h('div', { class: 'err' }),
        h('div', { class: 'row' }, num(p + '/amount', t('b.o.amount'), { min: 0, step: 1, required: true }), text(p + '/label/zh', t('b.o.label') + ' · 中文'), text(p + '/label/en', t('b.o.label') + ' · English')),
        gradeChips(p + '/grades', t('b.o.tierGrades')),
        itemTools(bp + '/tiers', i, tiers.length, t('b.o.tier', { n: i + 1 })));
    }),
    iconBtn(t('b.o.addTier'), () => push(bp + '/tiers', { grades: [], amount: 500 }), 'add-tier'),
    h('button', { type: 'button', class: 'danger secondary', onclick: () => del(bp) }, t('b.o.removeBonus')));
}

function promotion() {
  const pp = '/outcomes/promotion';
  if (!get(pp)) return iconBtn(t('b.o.addPromotion'), () => set(pp, { topPercent: 10 }), 'add-promotion');
  return h('fieldset', { class: 'sub', id: 'b-promotion', 'data-path': pp }, h('legend', {}, t('b.o.promotion')), h('div', { class: 'err' }),
    num(pp + '/topPercent', t('b.o.top'), { min: 0, max: 100, hint: t('b.o.topHint') }),
    gradeChips(pp + '/grades', t('b.o.promoGrades')),
    h('button', { type: 'button', class: 'danger secondary', onclick: () => del(pp) }, t('b.o.removePromotion')));
}

function idp() {
  const ip = '/outcomes/idp';
  const r = get(ip);
  if (!r) {
    return iconBtn(t('b.o.addIdp'), () => set(ip, { bottomCount: 2, consecutive: 2, duration: 'P60D', checkinEvery: 'P14D', mentorRole: 'manager',
      items: [{ kind: 'training', title: { zh: '专项技能培训', en: 'Skills training' } }, { kind: 'mentorship', title: { zh: '导师一对一带教', en: 'One-to-one mentoring' } }] }), 'add-idp');
  }
  const byPercent = r.bottomPercent != null;
  const mode = (m) => {
    if (m === 'percent') { delete r.bottomCount; r.bottomPercent = r.bottomPercent ?? 10; } else { delete r.bottomPercent; r.bottomCount = r.bottomCount || 2; }
    set(ip, r);
  };
  const plan = items(ip + '/items');
  return h('fieldset', { class: 'sub', id: 'b-idp', 'data-path': ip }, h('legend', {}, t('b.o.idp')), h('div', { class: 'err' }),
    h('p', { class: 'muted small', id: 'b-idp-says' }, byPercent ? t('b.o.idpSaysPct', { x: fmtNum(r.bottomPercent), k: r.consecutive || 2 }) : t('b.o.idpSaysN', { n: r.bottomCount || 0, k: r.consecutive || 2 })),
    h('fieldset', { class: 'field', 'data-path': ip + '/bottomCount' }, h('legend', {}, t('b.o.who')),
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'idp-mode', id: 'idp-mode-count', checked: !byPercent, onchange: () => mode('count') }), t('b.o.bottomN')),
      h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'idp-mode', id: 'idp-mode-percent', checked: byPercent, onchange: () => mode('percent') }), t('b.o.bottomPct')),
      h('div', { class: 'err' })),
    h('div', { class: 'row' },
      byPercent ? num(ip + '/bottomPercent', t('b.o.pct'), { min: 0, max: 100, required: true }) : num(ip + '/bottomCount', t('b.o.n'), { min: 1, step: 1, int: true, required: true, id: 'f-outcomes-idp-bottomCount-n' }),
      num(ip + '/consecutive', t('b.o.k'), { min: 1, step: 1, int: true, placeholder: '2', hint: t('b.o.kHint') }),
      duration(ip + '/duration', t('b.o.duration'), { required: true }), duration(ip + '/checkinEvery', t('b.o.checkin'), { required: true }),
      sel(ip + '/mentorRole', t('b.o.mentor'), ROLES.map((x) => [x, t('b.role.' + x)]), { none: t('b.role.manager') })),
    h('h4', {}, t('b.o.items')),
    h('div', { 'data-path': ip + '/items' }, h('div', { class: 'err' }), plan.map((x, i) => {
      const p = ip + '/items/' + i;
      return h('div', { class: 'row item-row', 'data-key': 'idpitem-' + i, 'data-path': p },
        sel(p + '/kind', t('b.o.kind'), KINDS.map((k) => [k, t('b.o.kind.' + k)]), { required: true }),
        text(p + '/title/zh', t('b.o.title') + ' · 中文', { required: true }), text(p + '/title/en', t('b.o.title') + ' · English'),
        itemTools(ip + '/items', i, plan.length, t('b.o.item', { n: i + 1 })));
    })),
    iconBtn(t('b.o.addItem'), () => push(ip + '/items', { kind: 'training', title: { zh: '培训', en: 'Training' } }), 'add-item'),
    h('button', { type: 'button', class: 'danger secondary', onclick: () => del(ip) }, t('b.o.removeIdp')));
}

export function outcomesSection() {
  return h('section', { class: 'card', id: 'b-outcomes', 'aria-labelledby': 'b-outcomes-h' }, h('h2', { id: 'b-outcomes-h' }, t('b.sec.outcomes')),
    h('div', { 'data-path': '/outcomes' }, h('div', { class: 'err' })), h('div', { class: 'stack' }, bonus(), promotion(), idp()));
}
