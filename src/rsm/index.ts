// XEP-0059 Result Set Management: parse a request's <set/>, build a response's <set/>, and page
// an in-memory list. No server state; usable by any module (MAM, MUC, participant lists).
export { NS_RSM, parseRsm, parseRsmSet, pageSize, type RsmRequest } from './request.ts';
export { buildRsmSet, type RsmPage } from './response.ts';
export { paginate, type Paged } from './paginate.ts';
