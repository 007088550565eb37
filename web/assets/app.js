// Perfloop UI: a dependency-free single page over /api/v1, as native ES
// modules with no build step. Views are plain functions that build DOM;
// the hash is the route. This entry only wires the router to the window.
import { render } from './router.js';
import { S } from './state.js';

window.addEventListener('hashchange', render);
window.addEventListener('perfloop:render', render);
window.addEventListener('storage', (e) => { if (e.key === 'pl.token' && e.newValue !== S.token) { S.token = e.newValue || ''; S.me = null; S.cache.clear(); render(); } });
render();
