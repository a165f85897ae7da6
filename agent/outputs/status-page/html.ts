// Escaping for the status page: findings carry text from the network (host names, DNS
// answers, LDAP values). Numeric references, so the same text is valid HTML and XML (SVG).

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
