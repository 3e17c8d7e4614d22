// SPDX-License-Identifier: MIT
// profile-auth interop suite: a real oidc-provider (npm) on 127.0.0.1, configured for the flows
// the C++ suite drives. Test-only: every key is generated at start, every password is public.
//
//   node server.mjs [port]        (or PORT=…; 0 or nothing: the system picks a free port)
//   PROFILE_AUTH_INTEROP_REFRESH=always|stock   refresh-token rule (default: stock)
//
// Prints one line "READY <issuer>" on stdout once it listens; logs to stderr; exits on
// SIGTERM or SIGINT. The client ids, secrets and the test user below are repeated in
// tests/interop/server.hpp: change both together.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import process from 'node:process';

import Provider, { errors } from 'oidc-provider';

const refreshMode = process.env.PROFILE_AUTH_INTEROP_REFRESH ?? 'stock';
if (refreshMode !== 'always' && refreshMode !== 'stock') {
  console.error(`server.mjs: PROFILE_AUTH_INTEROP_REFRESH must be "always" or "stock", not "${refreshMode}"`);
  process.exit(2);
}
const portArg = process.argv[2] ?? process.env.PORT ?? '0';
if (!/^[0-9]+$/.test(portArg) || Number(portArg) > 65535) {
  console.error(`server.mjs: the port must be a number from 0 to 65535, not "${portArg}"`);
  process.exit(2);
}

// ---- the test world ------------------------------------------------------------------------------
const USERS = { alice: { password: 'wonderland', name: 'Alice Liddell' } };

// Two resource servers (RFC 8707): one gets JWT access tokens (RFC 9068), one opaque tokens.
const JWT_API = 'https://jwt-api.interop.test/';
const OPAQUE_API = 'https://opaque-api.interop.test/';
const RESOURCE_SCOPE = 'api:read api:write';

const NATIVE_REDIRECT = 'http://127.0.0.1/callback';

const clients = [
  {
    // Confidential M2M client authenticating with HTTP Basic. The secret holds '+', '/', '%'
    // and ':' so that a client that does not form-encode Basic credentials fails (NOTES.md).
    client_id: 'm2m-basic',
    client_secret: 'basic+secret/with%odd:bytes',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Confidential M2M client sending its credentials in the form body.
    client_id: 'm2m-post',
    client_secret: 'post+secret/with%odd:bytes',
    token_endpoint_auth_method: 'client_secret_post',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
  },
  {
    // Public native app: authorization code + PKCE, loopback redirect (RFC 8252 §7.3).
    client_id: 'native-app',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [NATIVE_REDIRECT],
  },
  {
    // Confidential web app (Basic) for the code flow of a backend.
    client_id: 'web-app',
    client_secret: 'web-app-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1/web/callback'],
  },
  {
    // Public device (RFC 8628): a TV, a CLI.
    client_id: 'device-app',
    token_endpoint_auth_method: 'none',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  },
];

// ---- HTML (tiny, predictable pages: the suite fills them with plain HTTP POSTs) -----------------
const escapeHtml = (s) =>
  String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title, body) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;

const loginPage = (uid, message) => page('Sign in', `${message ? `<p class="error">${escapeHtml(message)}</p>` : ''}
<form id="login" method="post" action="/interaction/${escapeHtml(uid)}/login">
<input type="text" name="login" value="">
<input type="password" name="password" value="">
<button type="submit">Sign in</button>
</form>`);

const consentPage = (uid, clientId, scopes) => page('Authorize', `<p>${escapeHtml(clientId)} asks for: ${escapeHtml(scopes.join(' '))}</p>
<form id="consent" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
<button type="submit">Allow</button>
</form>
<form id="deny" method="post" action="/interaction/${escapeHtml(uid)}/abort">
<button type="submit">Deny</button>
</form>`);

// ---- the provider ------------------------------------------------------------------------------
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'interop-rs256', use: 'sig', alg: 'RS256' };

const configuration = {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  scopes: ['openid', 'offline_access'],
  claims: { openid: ['sub'], profile: ['name'] },
  pkce: { required: () => true },
  // Fixed routes: the suite checks that discovery reports exactly these.
  routes: {
    authorization: '/auth',
    token: '/token',
    userinfo: '/me',
    jwks: '/jwks',
    revocation: '/token/revocation',
    introspection: '/token/introspection',
    registration: '/reg',
    device_authorization: '/device/auth',
    code_verification: '/device',
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    registration: { enabled: true }, // open: no initial access token
    deviceFlow: {
      enabled: true,
      // The provider supplies `form` (with its CSRF field); the page around it is ours.
      userCodeInputSource: async (ctx, form, out, err) => {
        ctx.body = page('Enter the code', `${err ? `<p class="error" id="device-error">${escapeHtml(err.name)}</p>` : ''}${form}
<button type="submit" form="op.deviceInputForm">Continue</button>`);
      },
      userCodeConfirmSource: async (ctx, form, client, deviceInfo, userCode) => {
        ctx.body = page('Confirm the device', `<p>${escapeHtml(client.clientId)} shows ${escapeHtml(userCode)}</p>${form}
<button type="submit" form="op.deviceConfirmForm">Continue</button>
<button type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>`);
      },
      successSource: async (ctx) => {
        ctx.body = page('Device signed in', '<p id="device-success">You may close this page.</p>');
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource: async (ctx, client, oneOf) => oneOf,
      // A code or refresh token request without `resource` gets a token for what was granted.
      useGrantedResource: async () => true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        if (resourceIndicator === JWT_API) {
          return {
            scope: RESOURCE_SCOPE,
            audience: JWT_API,
            accessTokenTTL: 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          };
        }
        if (resourceIndicator === OPAQUE_API) {
          return { scope: RESOURCE_SCOPE, audience: OPAQUE_API, accessTokenTTL: 600, accessTokenFormat: 'opaque' };
        }
        throw new errors.InvalidTarget();
      },
    },
  },
  // The two refresh-token rules the suite runs under (NOTES.md): "always" issues one to every
  // client allowed the refresh_token grant; "stock" keeps oidc-provider's default (scope
  // offline_access, which the authorization endpoint drops unless prompt=consent).
  ...(refreshMode === 'always'
    ? { issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token') }
    : {}),
  // OAuth 2.1: every refresh rotates the refresh token, for public and confidential clients.
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    Grant: 86400,
    IdToken: 3600,
    Interaction: 600,
    RefreshToken: 86400,
    Session: 86400,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, sub) => {
    if (!USERS[sub]) return undefined;
    return { accountId: sub, claims: async () => ({ sub, name: USERS[sub].name }) };
  },
};

// ---- start: bind first, so the issuer carries the real port --------------------------------------
const server = createServer();
server.on('error', (err) => {
  console.error(`server.mjs: cannot listen on 127.0.0.1:${portArg}: ${err.message}`);
  process.exit(1);
});
server.listen(Number(portArg), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, configuration);

  // invalid_grant and friends never say why on the wire (NOTES.md): the reason is logged here.
  for (const event of ['grant.error', 'server_error', 'introspection.error', 'revocation.error',
    'registration_create.error', 'authorization.error', 'code_verification.error']) {
    provider.on(event, (ctx, err) => {
      console.error(`[${event}] ${err.error ?? err.name}: ${err.error_description ?? ''} ${err.error_detail ?? err.message ?? ''}`);
    });
  }

  const readForm = (req) => new Promise((resolve, reject) => {
    let size = 0;
    const chunks = [];
    req.on('data', (c) => {
      size += c.length;
      if (size > 16384) reject(new Error('form too large'));
      else chunks.push(c);
    });
    req.on('end', () => resolve(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });

  const send = (res, status, html) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.end(html);
  };

  // The interaction pages: GET shows login or consent; POST …/login, …/confirm, …/abort.
  const interaction = async (req, res, uid, action) => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.InvalidRequest('interaction mismatch');
    const { prompt, params, session } = details;
    if (req.method === 'GET' && !action) {
      if (prompt.name === 'login') return send(res, 200, loginPage(uid));
      const scopes = [...(prompt.details.missingOIDCScope ?? []),
        ...Object.values(prompt.details.missingResourceScopes ?? {}).flat()];
      return send(res, 200, consentPage(uid, params.client_id, scopes));
    }
    if (req.method !== 'POST') return send(res, 405, page('Method not allowed', ''));
    const form = await readForm(req);
    if (action === 'login') {
      const user = USERS[form.get('login')];
      if (!user || user.password !== form.get('password')) {
        return send(res, 200, loginPage(uid, 'Wrong user name or password.'));
      }
      return provider.interactionFinished(req, res, { login: { accountId: form.get('login') } },
        { mergeWithLastSubmission: false });
    }
    if (action === 'abort') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'the user refused the request',
      }, { mergeWithLastSubmission: false });
    }
    if (action === 'confirm' && prompt.name === 'consent') {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } },
        { mergeWithLastSubmission: true });
    }
    return send(res, 400, page('Unexpected step', `<p>${escapeHtml(action)} does not fit ${escapeHtml(prompt.name)}</p>`));
  };

  const providerCallback = provider.callback();
  server.on('request', (req, res) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/.exec(req.url.split('?')[0]);
    if (!m) return providerCallback(req, res);
    interaction(req, res, m[1], m[2]).catch((err) => {
      console.error(`[interaction] ${err.name}: ${err.message}`);
      if (!res.headersSent) send(res, 400, page('Interaction failed', `<p>${escapeHtml(err.message)}</p>`));
    });
    return undefined;
  });

  console.error(`server.mjs: oidc-provider on ${issuer}, refresh tokens: ${refreshMode}`);
  console.log(`READY ${issuer}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
