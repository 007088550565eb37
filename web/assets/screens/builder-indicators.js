// The builder's basics and indicators: the field's catalogue (DOMAIN.md's
// indicator table) with a default rule and a description each, weights with
// a live total per level, and each indicator's scoring rule.
import { h } from '../dom.js';
import { t, txt } from '../i18n.js';
import { B, Shape, bilingual, del, iconBtn, itemTools, items, push, sel, set, text, total, weight } from './builder-fields.js';
import { ruleEditor } from './builder-rules.js';

const T = (zh, en) => ({ zh, en });
// The catalogue: what operations teams measure, with the figures the field uses.
export const CATALOGUE = [
  { key: 'fanGrowth', name: T('粉丝净增长率', 'Fan net growth rate'), category: 'growth', unit: '%', weight: 20, baseline: 10, stretch: 20, source: '企微后台', scoring: { method: 'linear' },
    about: T('每月新增粉丝减去流失，除以月初粉丝数；来自微信/企微后台。', 'New fans minus those lost, over the month\'s opening count; from the WeChat/WeCom backend.') },
  { key: 'conversion', name: T('渠道转化率', 'Channel conversion rate'), category: 'growth', unit: '%', weight: 15, baseline: 15, stretch: 25, source: 'CRM', scoring: { method: 'linear' },
    about: T('触达用户中成交的比例；只考核转化会引发骚扰，宜配满意度指标。', 'Share of reached users who buy; a conversion-only target breeds pestering, so pair it with satisfaction.') },
  { key: 'retention', name: T('新用户 30 日留存率', 'New-user 30-day retention'), category: 'business', unit: '%', weight: 20, baseline: 35, stretch: 50, source: 'CRM', scoring: { method: 'linear' },
    about: T('30 天后仍活跃的新用户比例；基线 35%，挑战 50%。', 'New users still active after 30 days; baseline 35%, stretch 50%.') },
  { key: 'responseTime', name: T('平均响应时长', 'Average response time'), category: 'efficiency', unit: 'min', direction: 'lower', weight: 10, baseline: 5, stretch: 3, source: '工单系统', scoring: { method: 'linear' },
    about: T('客服首次回复的平均分钟数，越低越好；≤5 分钟达标，≤3 分钟为挑战。', 'Average minutes to first reply, lower is better; 5 min meets, 3 min is the stretch.') },
  { key: 'satisfaction', name: T('客户满意度', 'Customer satisfaction'), category: 'experience', unit: '%', weight: 20,
    scoring: { method: 'bands', bands: [{ min: 0, max: 70, points: 0 }, { min: 70, max: 80, points: 60 }, { min: 80, max: 90, points: 80 }, { min: 90, max: 95, points: 90 }, { min: 95, max: 100, points: 100 }] }, source: '满意度调研',
    about: T('满意度调研中满意客户的比例，分档计分（80–90 分档得 80 分）。', 'Share of satisfied customers in the survey, scored in bands (80–90 scores 80).') },
  { key: 'groupActivity', name: T('社群活跃度', 'Community activity participation'), category: 'interaction', unit: '%', weight: 15, baseline: 15, stretch: 25, source: '社群后台', scoring: { method: 'linear' },
    about: T('评论、打卡、转发等参与活动的成员比例；基线 15%，挑战 25%。', 'Share of members who comment, check in or share; baseline 15%, stretch 25%.') },
  { key: 'interactionRate', name: T('内容互动率', 'Content interaction rate'), category: 'interaction', unit: '%', weight: 10, baseline: 10, stretch: 15, source: 'CMS', scoring: { method: 'linear' },
    about: T('点赞、评论、转发数除以阅读数。', 'Likes, comments and reposts over reads.') },
  { key: 'contentOutput', name: T('内容产出', 'Content output'), category: 'efficiency', unit: '篇', weight: 10, baseline: 8, stretch: 12, source: 'CMS', scoring: { method: 'linear' },
    about: T('当月发布的文章、视频和活动数；每周 2 篇为基线。', 'Posts, videos and events published in the month; two a week is the baseline.') },
  { key: 'complaintRate', name: T('投诉率', 'Complaint rate'), category: 'experience', unit: '%', direction: 'lower', weight: 10, baseline: 5, source: '工单系统', scoring: { method: 'threshold', pass: 100, fail: 0 },
    about: T('投诉工单占服务量的比例，不超过 5% 即达标（达标/不达标计分）。', 'Complaints over tickets served; at most 5% passes (pass/fail).') },
  { key: 'nps', name: T('净推荐值 NPS', 'Net promoter score'), category: 'experience', weight: 10, baseline: 40, stretch: 60, source: '调研', scoring: { method: 'linear' },
    about: T('推荐者比例减去贬损者比例；基线 40，挑战 60。', 'Promoters minus detractors; baseline 40, stretch 60.') },
  { key: 'promotionRoi', name: T('推广 ROI', 'Promotion ROI'), category: 'business', weight: 15, baseline: 3, stretch: 5, source: '电商数据', scoring: { method: 'linear' },
    about: T('推广带来的销售额除以投入；1:3 为基线，1:5 为挑战。', 'Sales from promotion over its cost; 1:3 is the baseline, 1:5 the stretch.') },
  { key: 'repurchase', name: T('复购率', 'Repurchase rate'), category: 'business', unit: '%', weight: 15, baseline: 20, stretch: 35, source: '电商数据', scoring: { method: 'linear' },
    about: T('当期再次下单的老客户比例。', 'Share of existing customers who order again in the period.') },
  { key: 'collaboration', name: T('跨部门协作', 'Cross-department collaboration'), category: 'behaviour', kind: 'behavioural', weight: 10,
    about: T('由上级和协作部门评分的行为指标。', 'A behavioural indicator rated by the manager and the departments worked with.') },
  { key: 'cultureFit', name: T('文化价值观', 'Culture fit'), category: 'behaviour', kind: 'behavioural', weight: 10,
    about: T('上级按价值观锚定行为评分。', 'Rated by the manager against behaviours anchored on the values.') },
];
export const CATEGORIES = ['growth', 'interaction', 'business', 'efficiency', 'experience', 'behaviour', 'insight'];

// fromCatalogue is a new indicator: the entry without its description, a key not yet taken.
export function fromCatalogue(entry) {
  const { about, ...ind } = JSON.parse(JSON.stringify(entry));
  ind.kind = ind.kind || 'quantitative';
  const taken = new Set((B.draft.indicators || []).map((x) => x.key));
  let key = ind.key;
  for (let n = 2; taken.has(key); n++) key = ind.key + n;
  ind.key = key;
  return ind;
}

export function basicsSection() {
  const periods = ['monthly', 'quarterly', 'annual'];
  return h('section', { class: 'card', id: 'b-basics', 'aria-labelledby': 'b-basics-h' }, h('h2', { id: 'b-basics-h' }, t('b.sec.basics')),
    h('div', { class: 'row' }, text('/key', t('b.key'), { required: true, code: true, hint: t('b.keyHint') }),
      sel('/period', t('b.period'), periods.map((p) => [p, t('b.period.' + p)]), { required: true }),
      text('/timezone', t('b.tz'), { required: true, list: 'b-zones', code: true })),
    h('datalist', { id: 'b-zones' }, ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/Berlin', 'UTC'].map((z) => h('option', { value: z }))),
    bilingual('/name', t('b.name')));
}

// The catalogue entry chosen, kept across redraws.
let picked = CATALOGUE[0].key;
function catalogueBox() {
  const e = CATALOGUE.find((x) => x.key === picked) || CATALOGUE[0];
  const rule = e.kind === 'behavioural' ? t('b.cat.rated') : t('b.method.' + e.scoring.method) + (e.baseline != null ? ' · ' + t('b.baselineShort') + ' ' + e.baseline + (e.unit || '') : '') + (e.stretch != null ? ' · ' + t('b.stretchShort') + ' ' + e.stretch + (e.unit || '') : '');
  const pick = h('select', { id: 'b-cat', 'aria-describedby': 'b-cat-about', onchange: (ev) => { picked = ev.target.value; B.changed(true); } },
    CATEGORIES.map((c) => {
      const inCat = CATALOGUE.filter((x) => x.category === c);
      return inCat.length ? h('optgroup', { label: t('b.cat.' + c) }, inCat.map((x) => h('option', { value: x.key, selected: x.key === e.key }, txt(x.name)))) : null;
    }));
  return h('div', { class: 'catalogue' },
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'b-cat' }, t('b.cat.pick')), pick),
      h('div', { class: 'field' }, h('button', { type: 'button', id: 'b-cat-add', onclick: () => push('/indicators', fromCatalogue(e)) }, t('b.cat.add')))),
    h('p', { id: 'b-cat-about', class: 'muted small' }, txt(e.about) + ' ' + t('b.cat.default', { rule, w: e.weight })),
    iconBtn(t('b.ind.custom'), () => push('/indicators', fromCatalogue({ key: 'indicator', name: T('新指标', 'New indicator'), category: 'business', weight: 10, baseline: 0, stretch: 100, scoring: { method: 'linear' } })), 'add-custom'));
}

function indicatorCard(ind, i, n) {
  const p = '/indicators/' + i;
  const name = txt(ind.name, ind.key) || t('b.ind.n', { n: i + 1 });
  const quantitative = ind.kind !== 'behavioural';
  if (ind.scoring != null && (typeof ind.scoring !== 'object' || Array.isArray(ind.scoring))) throw new Shape(p + '/scoring');
  if (ind.name != null && typeof ind.name !== 'object') throw new Shape(p + '/name');
  return h('fieldset', { class: 'item', id: 'ind-' + i, 'data-key': 'ind-' + i, 'data-path': p },
    h('legend', {}, name), h('div', { class: 'err' }),
    bilingual(p + '/name', t('b.ind.name')),
    h('div', { class: 'row' },
      text(p + '/key', t('b.ind.key'), { required: true, code: true, hint: t('b.ind.keyHint') }),
      sel(p + '/category', t('b.ind.category'), CATEGORIES.map((c) => [c, t('b.cat.' + c)]), { required: true }),
      sel(p + '/kind', t('b.ind.kind'), [['quantitative', t('b.kind.quantitative')], ['behavioural', t('b.kind.behavioural')]], { required: true, then: (k) => switchKind(ind, k) })),
    weight(p + '/weight', t('b.ind.weight'), { suffix: ' · ' + name }),
    quantitative ? h('div', { class: 'row' },
      text(p + '/unit', t('b.ind.unit')), sel(p + '/direction', t('b.ind.direction'), [['higher', t('b.dir.higher')], ['lower', t('b.dir.lower')]], { none: t('b.dir.higher') }),
      text(p + '/source', t('b.ind.source'))) : h('p', { class: 'muted small' }, t('b.ind.rated')),
    quantitative && ind.scoring ? ruleEditor(i) : null,
    itemTools('/indicators', i, n, name));
}
// switchKind keeps an indicator valid for its new kind: behavioural ones are rated, not scored.
function switchKind(ind, k) {
  if (k === 'behavioural') delete ind.scoring;
  else if (!ind.scoring) { ind.scoring = { method: 'linear' }; if (typeof ind.baseline !== 'number') ind.baseline = 0; if (typeof ind.stretch !== 'number') ind.stretch = 100; }
  set('/indicators', B.draft.indicators);
}

// levelsBox edits per-level weights: one column per level, a total under each.
function levelsBox(inds) {
  const lw = B.draft.levelWeights || {};
  const levels = Object.keys(lw);
  const addLevel = () => {
    const name = (document.getElementById('b-level-new').value || '').trim();
    if (!name || lw[name]) return;
    const w = {};
    for (const x of inds) w[x.key] = x.weight;
    set('/levelWeights/' + name.replace(/~/g, '~0').replace(/\//g, '~1'), w);
  };
  return h('div', { id: 'b-levels', 'data-path': '/levelWeights' }, h('h3', {}, t('b.levels')), h('p', { class: 'muted small' }, t('b.levelsHint')),
    levels.map((l) => {
      const lp = '/levelWeights/' + l.replace(/~/g, '~0').replace(/\//g, '~1');
      const sum = Object.values(lw[l] || {}).reduce((s, v) => s + (Number(v) || 0), 0);
      return h('fieldset', { class: 'item level', 'data-path': lp, 'data-key': 'level-' + l }, h('legend', {}, t('b.level', { level: l })), h('div', { class: 'err' }),
        h('div', { class: 'grid3' }, inds.map((x) => weight(lp + '/' + x.key.replace(/~/g, '~0').replace(/\//g, '~1'), txt(x.name, x.key), { suffix: ' · ' + l }))),
        total('b-total-' + l, sum, t('b.total.level', { level: l })),
        h('button', { type: 'button', class: 'danger secondary', onclick: () => del(lp) }, t('b.level.remove', { level: l })));
    }),
    h('div', { class: 'row' }, h('div', { class: 'field' }, h('label', { for: 'b-level-new' }, t('b.level.new')), h('input', { id: 'b-level-new', type: 'text', placeholder: 'senior', autocomplete: 'off' })),
      h('div', { class: 'field' }, h('button', { type: 'button', class: 'secondary', id: 'b-level-add', onclick: addLevel }, t('b.level.add')))));
}

export function indicatorsSection() {
  const inds = items('/indicators');
  const sum = inds.reduce((s, x) => s + (Number(x && x.weight) || 0), 0);
  const behaviour = inds.filter((x) => x && x.kind === 'behavioural').reduce((s, x) => s + (Number(x.weight) || 0), 0);
  return h('section', { class: 'card', id: 'b-indicators', 'aria-labelledby': 'b-ind-h' }, h('h2', { id: 'b-ind-h' }, t('b.sec.indicators')),
    h('p', { class: 'muted small' }, t('b.ind.advice')),
    catalogueBox(),
    h('div', { 'data-path': '/indicators', class: 'sticky-total' }, total('b-total', sum, t('b.total')), inds.length ? h('p', { class: 'muted small', id: 'b-split' }, t('b.split', { q: sum - behaviour, b: behaviour })) : null, h('div', { class: 'err' })),
    inds.map((x, i) => indicatorCard(x, i, inds.length)),
    inds.length ? levelsBox(inds) : null);
}
