// The trust topology as inline SVG: each forest a box on a circle, its domains stacked in
// it (the root first), each configured trust an arrow from the trusting domain (holds the
// resources) to the trusted one (holds the accounts), as `netdom trust` and the trust
// wizards name them; a two-way trust has a head at both ends. An arrow's colour is the
// worst status of what crosses the trust. Laid out by arithmetic alone, so the same
// config always gives the same picture.

import type { Status } from '../../../probes/model/finding.js';
import type { TrustConfig } from '../../config/config.js';
import { escapeHtml } from './html.js';

export const STATUS_COLOURS: Record<Status | 'none', string> = {
  critical: '#c62828',
  warning: '#d99a00',
  unknown: '#7b4bb7',
  ok: '#2e7d32',
  none: '#9e9e9e',
};

const NODE_WIDTH = 200;
const NODE_HEIGHT = 24;
const NODE_GAP = 8;
const FOREST_TITLE = 24;
const FOREST_PADDING = 10;
const MARGIN = 40;
/** Characters of a domain name that fit in a node; longer names are cut (the full name is in its tooltip). */
const NODE_CHARACTERS = 27;

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface TopologyNode extends Box {
  domain: string;
  status: Status | 'none';
}

export interface ForestBox extends Box {
  forest: string;
}

export interface TopologyEdge {
  trust: TrustConfig;
  status: Status | 'none';
  /** Where the arrow links to: the trust's group on the page. */
  href: string;
  from: { x: number; y: number };
  control: { x: number; y: number };
  to: { x: number; y: number };
}

export interface TopologyLayout {
  width: number;
  height: number;
  forests: ForestBox[];
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export interface TopologyInput {
  domains: { name: string; forest: string }[];
  /** Each domain's worst status; a domain with nothing reported is grey. */
  domainStatus: ReadonlyMap<string, Status>;
  trusts: { trust: TrustConfig; status: Status | undefined; href: string }[];
}

const round = (value: number): number => Math.round(value * 10) / 10;

export function layoutTopology(input: TopologyInput): TopologyLayout {
  const forestNames = [...new Set(input.domains.map((domain) => domain.forest))].sort();
  const members = forestNames.map((forest) =>
    input.domains
      .filter((domain) => domain.forest === forest)
      .map((domain) => domain.name)
      .sort((a, b) => Number(b === forest) - Number(a === forest) || a.localeCompare(b)),
  );
  const heights = members.map(
    (domains) => FOREST_TITLE + domains.length * (NODE_HEIGHT + NODE_GAP) - NODE_GAP + 2 * FOREST_PADDING,
  );
  const boxWidth = NODE_WIDTH + 2 * FOREST_PADDING;
  const count = forestNames.length;
  // Neighbours on the circle stay a box width and a gap apart; two forests sit side by side.
  const radius = count <= 1 ? 0 : Math.max(170, (boxWidth + 70) / (2 * Math.sin(Math.PI / count)));
  // Placed around (0, 0) first, then moved so the picture starts at the margin: two forests side by side take one row's height.
  const centres = forestNames.map((_, index) => {
    // The first forest on the left, then clockwise.
    const angle = Math.PI + (2 * Math.PI * index) / Math.max(1, count);
    return { x: radius * Math.cos(angle), y: radius * Math.sin(angle) };
  });
  const left = Math.min(...centres.map((point) => point.x - boxWidth / 2));
  const top = Math.min(...centres.map((point, index) => point.y - (heights[index] ?? 0) / 2));
  const right = Math.max(0, ...centres.map((point) => point.x + boxWidth / 2));
  const bottom = Math.max(0, ...centres.map((point, index) => point.y + (heights[index] ?? 0) / 2));
  const centre = { x: MARGIN - left, y: MARGIN - top };
  const forests: ForestBox[] = [];
  const nodes: TopologyNode[] = [];
  forestNames.forEach((forest, index) => {
    const height = heights[index] ?? 0;
    const at = centres[index] ?? { x: 0, y: 0 };
    const box = {
      forest,
      x: round(centre.x + at.x - boxWidth / 2),
      y: round(centre.y + at.y - height / 2),
      width: boxWidth,
      height,
    };
    forests.push(box);
    (members[index] ?? []).forEach((domain, row) => {
      nodes.push({
        domain,
        status: input.domainStatus.get(domain) ?? 'none',
        x: box.x + FOREST_PADDING,
        y: round(box.y + FOREST_TITLE + FOREST_PADDING + row * (NODE_HEIGHT + NODE_GAP)),
        width: NODE_WIDTH,
        height: NODE_HEIGHT,
      });
    });
  });
  const nodeOf = new Map(nodes.map((node) => [node.domain, node]));
  const forestOf = new Map(input.domains.map((domain) => [domain.name, domain.forest]));
  const edges: TopologyEdge[] = [];
  for (const { trust, status, href } of input.trusts) {
    const trusting = nodeOf.get(trust.trusting);
    const trusted = nodeOf.get(trust.trusted);
    if (trusting === undefined || trusted === undefined) continue;
    const start = middle(trusting);
    const end = middle(trusted);
    const length = Math.hypot(end.x - start.x, end.y - start.y) || 1;
    // A trust inside a forest bows out of the box, past the domains stacked between its ends;
    // between forests a slight bow keeps two one-way trusts of a pair apart.
    const bow = forestOf.get(trust.trusting) === forestOf.get(trust.trusted) ? NODE_WIDTH * 0.75 : length * 0.12;
    const control = {
      x: (start.x + end.x) / 2 + ((end.y - start.y) / length) * bow,
      y: (start.y + end.y) / 2 - ((end.x - start.x) / length) * bow,
    };
    edges.push({
      trust,
      status: status ?? 'none',
      href,
      from: roundPoint(edgeOf(trusting, control)),
      control: roundPoint(control),
      to: roundPoint(edgeOf(trusted, control)),
    });
  }
  return {
    width: count === 0 ? 2 * MARGIN : Math.ceil(2 * MARGIN + right - left),
    height: count === 0 ? 2 * MARGIN : Math.ceil(2 * MARGIN + bottom - top),
    forests,
    nodes,
    edges,
  };
}

function middle(box: Box): { x: number; y: number } {
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

function roundPoint(point: { x: number; y: number }): { x: number; y: number } {
  return { x: round(point.x), y: round(point.y) };
}

/** Where the line from a box's middle towards a point leaves the box, a few pixels out so the arrow head shows. */
function edgeOf(box: Box, towards: { x: number; y: number }): { x: number; y: number } {
  const centre = middle(box);
  const dx = towards.x - centre.x;
  const dy = towards.y - centre.y;
  const scale = Math.min(
    dx === 0 ? Infinity : (box.width / 2 + 3) / Math.abs(dx),
    dy === 0 ? Infinity : (box.height / 2 + 3) / Math.abs(dy),
  );
  return Number.isFinite(scale) ? { x: centre.x + dx * scale, y: centre.y + dy * scale } : centre;
}

function describeEdge(edge: TopologyEdge): string {
  const { trust } = edge;
  const how = trust.twoWay
    ? `${trust.trusting} and ${trust.trusted} trust each other`
    : `${trust.trusting} trusts ${trust.trusted} (users of ${trust.trusted} may use resources of ${trust.trusting})`;
  const state = edge.status === 'none' ? 'nothing reported yet' : edge.status.toUpperCase();
  return `${how}; ${trust.type} trust; ${state}`;
}

export function renderTopology(layout: TopologyLayout): string {
  const markers = Object.entries(STATUS_COLOURS)
    .map(
      ([status, colour]) =>
        `<marker id="head-${status}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="${colour}"/></marker>`,
    )
    .join('');
  const forests = layout.forests
    .map(
      (box) =>
        `<rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="8" fill="#f3f5f8" stroke="#aab4c3"/><text x="${box.x + FOREST_PADDING}" y="${box.y + 17}" font-size="12" fill="#4a5568">forest ${escapeHtml(box.forest)}</text>`,
    )
    .join('\n');
  const nodes = layout.nodes
    .map((node) => {
      const label =
        node.domain.length > NODE_CHARACTERS ? `${node.domain.slice(0, NODE_CHARACTERS - 1)}\u2026` : node.domain;
      return `<g class="node" data-domain="${escapeHtml(node.domain)}"><title>${escapeHtml(node.domain)}: ${node.status === 'none' ? 'nothing reported yet' : node.status.toUpperCase()}</title><rect x="${node.x}" y="${node.y}" width="${node.width}" height="${node.height}" rx="4" fill="#fff" stroke="${STATUS_COLOURS[node.status]}" stroke-width="2"/><text x="${node.x + 8}" y="${node.y + 16}" font-size="13">${escapeHtml(label)}</text></g>`;
    })
    .join('\n');
  const edges = layout.edges
    .map((edge) => {
      const head = `url(#head-${edge.status})`;
      const path = `M${edge.from.x},${edge.from.y} Q${edge.control.x},${edge.control.y} ${edge.to.x},${edge.to.y}`;
      return `<a href="#${escapeHtml(edge.href)}" class="edge" data-trusting="${escapeHtml(edge.trust.trusting)}" data-trusted="${escapeHtml(edge.trust.trusted)}" data-status="${edge.status}"><title>${escapeHtml(describeEdge(edge))}</title><path d="${path}" fill="none" stroke="${STATUS_COLOURS[edge.status]}" stroke-width="2.5"${edge.trust.type === 'external' ? ' stroke-dasharray="7 4"' : ''} marker-end="${head}"${edge.trust.twoWay ? ` marker-start="${head}"` : ''}/></a>`;
    })
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="Trust topology" font-family="system-ui, sans-serif">
<defs>${markers}</defs>
${forests}
${edges}
${nodes}
</svg>`;
}
