/**
 * The status page script's transports part: one card per transport from
 * `GET status`'s `transports` (HTTP per peer, NATS JetStream), naming it, its
 * state, where it has applied up to and how far behind it is. DOM calls
 * only, like the rest of the page.
 */
export const TRANSPORTS_SCRIPT = String.raw`
  var KINDS = { http: 'HTTP', nats: 'NATS JetStream' };
  function renderTransport(t) {
    var card = el('article', null, 'card transport');
    card.dataset.transport = t.kind;
    card.dataset.key = 'transport:' + t.kind + ':' + t.name;
    card.appendChild(el('h3', (KINDS[t.kind] || t.kind) + ' · ' + t.name, 'name'));
    var bad = t.state === 'failing' || t.state === 'disconnected';
    var state = el('p', t.state, 'state state-' + (bad ? 'failing' : t.state === 'connecting' ? 'syncing' : 'ok'));
    state.dataset.field = 'state';
    card.appendChild(state);
    var dl = el('dl');
    field(dl, t.kind === 'nats' ? 'Stream position' : 'Peer seq pulled', t.position === null || t.position === undefined ? 'unknown' : String(t.position), 'position');
    field(dl, t.kind === 'nats' ? 'Messages behind' : 'Changes behind', t.lag === null || t.lag === undefined ? 'unknown' : String(t.lag), 'lag');
    var n = t.nats;
    if (n) {
      field(dl, 'Stream', n.stream + ' (last ' + (n.streamLastSeq === null || n.streamLastSeq === undefined ? '?' : n.streamLastSeq) + ')', 'stream');
      field(dl, 'Connected to', n.connectedTo || 'none', 'server');
      field(dl, 'Published', 'to local seq ' + n.publishedSeq + ', ' + n.messagesPublished + ' message(s); ' + n.unpublished + ' change(s) not yet', 'published');
      field(dl, 'Applied', n.messagesApplied + ' message(s), ' + n.messagesRefused + ' refused', 'applied');
      if (n.catchUp) field(dl, 'Catching up', 'over ' + n.catchUp.via + ': ' + n.catchUp.reason, 'catch-up');
      else if (n.lastCatchUp) field(dl, 'Last catch-up', (n.lastCatchUp.ok ? 'done ' : 'failed ') + when(n.lastCatchUp.at) + ': ' + n.lastCatchUp.reason, 'last-catch-up');
    }
    card.appendChild(dl);
    if (t.lastError) { var error = el('p', t.lastError.code + ': ' + t.lastError.message, 'problem'); error.dataset.field = 'error'; card.appendChild(error); }
    return card;
  }
  function renderTransports(list, hasPeers) {
    // Peers without a transport: data travels through one per HTTP peer, so this server has no database and syncs files only.
    var none = hasPeers ? 'No data transports: this server syncs files only with its peers (no database).' : 'No transports: no peers and no NATS (SYNC_NATS_URL).';
    place($('transports'), list.length === 0 ? [el('p', none, 'muted')] : list.map(renderTransport));
  }
`;
