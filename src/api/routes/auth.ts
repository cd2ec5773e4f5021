/**
 * `/auth`: signup (a user, their tenant and its owner membership, atomically), login, refresh-token rotation,
 * logout, and who-am-I. Tokens travel in bodies and the `Authorization` header only.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Identity, TokenPair } from "../../identity/index.js";
import { memberships, type User } from "../../store/index.js";
import { requestMeta } from "../context.js";
import { defineRoute, IsoDate, iso } from "../route.js";
import type { RouteServices } from "../services.js";
import { TenantDto, tenantDto } from "./tenants.js";

const TokensDto = z
  .object({
    tokenType: z.literal("Bearer"),
    accessToken: z.string(),
    accessTokenExpiresAt: IsoDate,
    refreshToken: z.string(),
    refreshTokenExpiresAt: IsoDate,
  })
  .meta({ id: "Tokens" });

const UserDto = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    platformOperator: z.boolean(),
    createdAt: IsoDate,
  })
  .meta({ id: "User" });

function tokensDto(tokens: TokenPair) {
  return {
    tokenType: tokens.tokenType,
    accessToken: tokens.accessToken,
    accessTokenExpiresAt: iso(tokens.accessTokenExpiresAt),
    refreshToken: tokens.refreshToken,
    refreshTokenExpiresAt: iso(tokens.refreshTokenExpiresAt),
  };
}

function userDto(user: User) {
  return {
    id: user.id,
    email: user.email,
    displayName: user.displayName,
    platformOperator: user.platformRole === "operator",
    createdAt: iso(user.createdAt),
  };
}

const Email = z.string().min(3).max(254);
const Password = z.string().min(1).max(1_024);

export function authRoutes(services: RouteServices, identity: Identity) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["auth"];

    defineRoute(app, {
      id: "auth.signup",
      method: "POST",
      url: "/auth/signup",
      summary: "Create an account with its own tenant (you become its owner) and log in",
      tags,
      body: z
        .object({
          email: Email,
          password: Password.describe("At least 10 characters."),
          displayName: z.string().max(200).nullable().optional(),
          tenantSlug: z.string().min(1).max(64).describe("Lowercase letters, digits and inner hyphens."),
          tenantName: z.string().min(1).max(200),
        })
        .strict(),
      response: { 201: z.object({ user: UserDto, tenant: TenantDto, tokens: TokensDto }) },
      handler: async ({ body, request, reply }) => {
        const result = await identity.signup({ ...body, meta: requestMeta(request) });
        reply.code(201);
        return {
          user: userDto(result.user),
          tenant: tenantDto(result.tenant, "owner"),
          tokens: tokensDto(result.tokens),
        };
      },
    });

    defineRoute(app, {
      id: "auth.login",
      method: "POST",
      url: "/auth/login",
      summary: "Log in with e-mail and password",
      tags,
      body: z.object({ email: Email, password: Password }).strict(),
      response: { 200: z.object({ user: UserDto, tokens: TokensDto }) },
      handler: async ({ body, request }) => {
        const result = await identity.login({ ...body, meta: requestMeta(request) });
        return { user: userDto(result.user), tokens: tokensDto(result.tokens) };
      },
    });

    defineRoute(app, {
      id: "auth.refresh",
      method: "POST",
      url: "/auth/refresh",
      summary: "Exchange a refresh token for a new pair (each refresh token works once)",
      description: "Using a refresh token a second time revokes its whole session: both copies stop working.",
      tags,
      body: z.object({ refreshToken: z.string().min(1).max(512) }).strict(),
      response: { 200: TokensDto },
      handler: async ({ body, request }) =>
        tokensDto(await identity.refresh({ refreshToken: body.refreshToken, meta: requestMeta(request) })),
    });

    defineRoute(app, {
      id: "auth.logout",
      method: "POST",
      url: "/auth/logout",
      summary: "End the refresh token's session",
      tags,
      body: z.object({ refreshToken: z.string().min(1).max(512) }).strict(),
      response: { 204: z.null() },
      handler: async ({ body, request, reply }) => {
        await identity.logout({ refreshToken: body.refreshToken, meta: requestMeta(request) });
        return reply.code(204).send();
      },
    });

    defineRoute(app, {
      id: "auth.me",
      method: "GET",
      url: "/auth/me",
      summary: "Who is calling: the user with their tenants, or the API key with its tenant, role and scopes",
      tags,
      response: {
        200: z.object({
          kind: z.enum(["user", "api_key"]),
          userId: z.string().nullable(),
          email: z.string().nullable(),
          platformOperator: z.boolean(),
          apiKeyId: z.string().nullable(),
          role: z.string().nullable().describe("API keys: the key's role."),
          scopes: z.array(z.string()),
          memberships: z.array(z.object({ tenantId: z.string(), role: z.string() })),
        }),
      },
      handler: async ({ request }) => {
        const principal = request.auth.principal!;
        if (principal.kind === "api_key") {
          return {
            kind: "api_key" as const,
            userId: null,
            email: null,
            platformOperator: false,
            apiKeyId: principal.apiKeyId,
            role: principal.role,
            scopes: [...principal.scopes],
            memberships: [{ tenantId: principal.tenantId, role: principal.role }],
          };
        }
        const own = await memberships.listForUser(services.store, principal.userId);
        return {
          kind: "user" as const,
          userId: principal.userId,
          email: principal.email,
          platformOperator: principal.platformOperator,
          apiKeyId: null,
          role: null,
          scopes: [],
          memberships: own.map((m) => ({ tenantId: m.tenantId, role: m.role })),
        };
      },
    });
  };
}
