// The OpenID Connect provider of the browser suite: npm's certified `oidc-provider`, on http://localhost:<port>
// (the portal runs on 127.0.0.1, another site), with its stock development sign-in pages (any password).
// Started by OidcProviderServer.cs; settings come in environment variables so that nothing here names the portal.
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET, OIDC_REDIRECT_URIS (comma-separated), OIDC_ACCOUNTS (JSON: {"sub": {"name": "..."}})
// Prints "listening on http://localhost:<port>" once it serves. POST /test/accounts/<sub>/disable disables an
// account the way an organisation's admin would: its sessions at the provider end and it cannot sign in again.
import http from 'node:http';
import Provider from 'oidc-provider';

const accounts = JSON.parse(process.env.OIDC_ACCOUNTS ?? '{}');
const disabled = new Set();

// The provider's state in memory (oidc-provider's own development adapter, written out here) so that disabling an
// account can end its sessions, as an organisation's provider does when an admin disables a person.
const store = new Map();
class MemoryAdapter {
  constructor(name) { this.name = name; }
  key(id) { return `${this.name}:${id}`; }
  async upsert(id, payload) { store.set(this.key(id), payload); }
  async find(id) { return store.get(this.key(id)); }
  async findByUid(uid) { return [...store.entries()].find(([k, v]) => k.startsWith(`${this.name}:`) && v.uid === uid)?.[1]; }
  async findByUserCode(userCode) { return [...store.values()].find((v) => v.userCode === userCode); }
  async consume(id) { const v = store.get(this.key(id)); if (v) v.consumed = Math.floor(Date.now() / 1000); }
  async destroy(id) { store.delete(this.key(id)); }
  async revokeByGrantId(grantId) { for (const [k, v] of store) if (v.grantId === grantId) store.delete(k); }
}

const server = http.createServer();
server.listen(0, 'localhost', () => {
  const issuer = `http://localhost:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: process.env.OIDC_CLIENT_ID,
      client_secret: process.env.OIDC_CLIENT_SECRET,
      redirect_uris: process.env.OIDC_REDIRECT_URIS.split(','),
      post_logout_redirect_uris: (process.env.OIDC_POST_LOGOUT_REDIRECT_URIS ?? '').split(',').filter(Boolean),
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    // The name claims in the ID token itself, as Entra ID and Keycloak send them (the portal does not call userinfo).
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    async findAccount(ctx, id) {
      if (!accounts[id] || disabled.has(id)) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, name: accounts[id].name, preferred_username: id }) };
    },
    cookies: { keys: ['auditportal-test-provider-cookie-key'] },
    adapter: MemoryAdapter,
  });
  provider.proxy = false;
  const callback = provider.callback();
  server.on('request', (req, res) => {
    const match = req.method === 'POST' && req.url.match(/^\/test\/accounts\/([^/]+)\/disable$/);
    if (match) {
      const sub = decodeURIComponent(match[1]);
      disabled.add(sub);
      for (const [k, v] of store) if (k.startsWith('Session:') && v.accountId === sub) store.delete(k);
      res.writeHead(204).end();
      return;
    }
    callback(req, res);
  });
  console.log(`listening on ${issuer}`);
});
