import 'reflect-metadata';
import { Controller, Get, Module, Post } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mongoose from 'mongoose';
import type { CryptoKey, JWK, KeyObject } from 'jose' with { 'resolution-mode': 'import' };
import { ApiKeyStore } from './api-keys';
import { AuthGuard } from './auth.guard';
import type { AuthSettings } from './auth-settings';
import { Authenticator } from './authenticator';
import { OpenRoute, RequireScope } from './route-access';
import { routeInventory, undeclaredRoutes } from './route-inventory';
import { SCOPES } from './scopes';
import { TokenVerifier } from './token-verifier';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

@Controller('things')
class ThingsController {
  @RequireScope(SCOPES.segmentsRead)
  @Get()
  list() {
    return { things: [] };
  }

  @RequireScope(SCOPES.segmentsWrite)
  @Post()
  create() {
    return { created: true };
  }

  @Get('forgotten')
  forgotten() {
    return { reached: true };
  }
}

@Controller('health')
@OpenRoute('probes')
class ProbeController {
  @Get()
  ok() {
    return { ok: true };
  }
}

describe('libs/auth: bearer tokens checked against a real JWKS endpoint', () => {
  let jose: Jose;
  let key: KeyObject | CryptoKey;
  let otherKey: KeyObject | CryptoKey;
  let jwksServer: Server;
  let issuer = '';
  let settings: AuthSettings;
  let app: NestFastifyApplication;

  const token = async (
    claims: Record<string, unknown>,
    options: { expiresIn?: string | number; signWith?: KeyObject | CryptoKey; issuer?: string; audience?: string } = {},
  ) =>
    new jose.SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(options.issuer ?? issuer)
      .setAudience(options.audience ?? 'urn:o2o:platform')
      .setSubject('client-1')
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.signWith ?? key);

  const call = (method: 'GET' | 'POST', url: string, bearer?: string) =>
    app
      .getHttpAdapter()
      .getInstance()
      .inject({ method, url, headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });

  beforeAll(async () => {
    jose = await import('jose');
    const pair = await jose.generateKeyPair('RS256');
    key = pair.privateKey;
    otherKey = (await jose.generateKeyPair('RS256')).privateKey;
    const publicJwk: JWK = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwksServer = createServer((request, response) => {
      response.setHeader('content-type', 'application/json');
      if (request.url === '/.well-known/openid-configuration') response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
      else if (request.url === '/jwks') response.end(JSON.stringify({ keys: [publicJwk] }));
      else response.writeHead(404).end('{}');
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
    settings = {
      issuer,
      audience: 'urn:o2o:platform',
      clockSkewSeconds: 30,
      rolesClaim: 'realm_access.roles',
      algorithms: ['RS256'],
      apiKeyCacheSeconds: 10,
    };

    @Module({
      imports: [DiscoveryModule],
      controllers: [ThingsController, ProbeController],
      providers: [
        { provide: TokenVerifier, useValue: new TokenVerifier(settings) },
        // Never reached here (no API key is presented); the API key store has its own integration test.
        { provide: ApiKeyStore, useValue: new ApiKeyStore(mongoose.createConnection(), settings) },
        Authenticator,
        { provide: APP_GUARD, useClass: AuthGuard },
      ],
    })
    class TestModule {}
    app = await NestFactory.create<NestFastifyApplication>(TestModule, new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await new Promise((resolve) => jwksServer?.close(resolve));
  });

  it('lists every route with its declaration, and finds the one that declares nothing', () => {
    const routes = routeInventory(app).map((r) => `${r.method} ${r.path} ${r.access?.kind ?? 'none'}`);
    expect(routes).toEqual(['GET /health open', 'GET /things scope', 'POST /things scope', 'GET /things/forgotten none']);
    expect(undeclaredRoutes(app).map((r) => r.path)).toEqual(['/things/forgotten']);
  });

  it('refuses a route without a declared scope even with a valid token (deny by default)', async () => {
    const response = await call('GET', '/things/forgotten', await token({ scope: 'segments:read segments:write' }));
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({
      success: false,
      error: { code: 'forbidden', message: 'this route declares no scope, so nobody may call it' },
    });
  });

  it('answers 401 without a credential, with one error shape and an RFC 6750 challenge', async () => {
    const response = await call('GET', '/things');
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="o2o"');
    expect(response.json()).toEqual({ success: false, error: { code: 'unauthorized', message: 'a bearer token or API key is required' } });
  });

  it('answers 403 naming the scope when the token lacks it, and lets the right scope through', async () => {
    const reader = await token({ scope: 'segments:read' });
    expect((await call('GET', '/things', reader)).statusCode).toBe(200);
    const refused = await call('POST', '/things', reader);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toEqual({
      success: false,
      error: { code: 'forbidden', message: 'this call needs the scope segments:write', requiredScope: 'segments:write' },
    });
    expect(refused.headers['www-authenticate']).toContain('error="insufficient_scope"');
  });

  it('grants the scopes of the roles in the configured claim', async () => {
    const marketer = await token({ realm_access: { roles: ['marketer'] } });
    expect((await call('POST', '/things', marketer)).statusCode).toBe(201);
    const agent = await token({ realm_access: { roles: ['agent'] } });
    expect((await call('POST', '/things', agent)).statusCode).toBe(403);
  });

  it.each([
    ['another audience', { audience: 'urn:someone-else' }, 'jwt_claim_validation_failed'],
    ['another issuer', { issuer: 'http://127.0.0.1:1' }, 'jwt_claim_validation_failed'],
    ['expired beyond the clock skew', { expiresIn: Math.floor(Date.now() / 1000) - 31 }, 'jwt_expired'],
  ])('refuses a token for %s with 401', async (_case, options, reason) => {
    const response = await call('GET', '/things', await token({ scope: 'segments:read' }, options));
    expect(response.statusCode).toBe(401);
    expect(response.json()).toEqual({ success: false, error: { code: 'unauthorized', message: `invalid credential: ${reason}` } });
  });

  it('refuses a token signed by a key the issuer does not publish, and garbage', async () => {
    expect((await call('GET', '/things', await token({ scope: 'segments:read' }, { signWith: otherKey }))).statusCode).toBe(401);
    expect((await call('GET', '/things', 'not-a-token')).statusCode).toBe(401);
    expect((await call('GET', '/things', 'o2o_notakey')).statusCode).toBe(401);
  });

  it('accepts a token expired within the clock skew', async () => {
    const response = await call(
      'GET',
      '/things',
      await token({ scope: 'segments:read' }, { expiresIn: Math.floor(Date.now() / 1000) - 10 }),
    );
    expect(response.statusCode).toBe(200);
  });

  it('leaves open routes open', async () => {
    expect((await call('GET', '/health')).statusCode).toBe(200);
  });

  it('answers from memory only for a token verified before that holds the scope', async () => {
    const authenticator = app.get(Authenticator);
    const fresh = await token({ scope: 'segments:read', nonce: 'memory' });
    expect(authenticator.authorizeFromMemory(`Bearer ${fresh}`, SCOPES.segmentsRead)).toBeUndefined();
    await authenticator.authorize(`Bearer ${fresh}`, SCOPES.segmentsRead);
    expect(authenticator.authorizeFromMemory(`Bearer ${fresh}`, SCOPES.segmentsRead)?.subject).toBe('client-1');
    expect(authenticator.authorizeFromMemory(`Bearer ${fresh}`, SCOPES.segmentsWrite)).toBeUndefined();
    expect(authenticator.authorizeFromMemory(undefined, SCOPES.segmentsRead)).toBeUndefined();
  });
});
