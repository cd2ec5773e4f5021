/**
 * `/tenants/{tenant}/members`: who belongs to the tenant and with which role. People are added by the e-mail of an
 * existing account. Only owners grant, change or remove the owner role, and a tenant never loses its last owner.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { type Member, memberships, users } from "../../store/index.js";
import { tenantContext } from "../context.js";
import { ApiCode, ApiError, notFound } from "../errors.js";
import { ROLES } from "../permissions.js";
import { defineRoute, IsoDate, iso, TenantParams } from "../route.js";
import { mutateTenant, type RouteServices, readTenant } from "../services.js";

const RoleSchema = z.enum(ROLES);

const MemberDto = z
  .object({
    userId: z.string(),
    email: z.string(),
    displayName: z.string().nullable(),
    role: RoleSchema,
    createdAt: IsoDate,
  })
  .meta({ id: "Member" });

function dto(member: Pick<Member, "userId" | "role" | "createdAt"> & { email: string; displayName: string | null }) {
  return {
    userId: member.userId,
    email: member.email,
    displayName: member.displayName,
    role: member.role,
    createdAt: iso(member.createdAt),
  };
}

const MemberParams = TenantParams.extend({ userId: z.string().min(1).max(128) });

export function memberRoutes(services: RouteServices) {
  return async function plugin(app: FastifyInstance): Promise<void> {
    const tags = ["members"];
    const base = "/tenants/:tenant/members";

    /** Owner-level changes need an owner (a person or a key with the owner role). */
    function requireOwnerFor(request: Parameters<typeof tenantContext>[0], ...roles: string[]): void {
      if (roles.includes("owner") && tenantContext(request).actor.role !== "owner") {
        throw new ApiError(ApiCode.Forbidden, "Only owners may grant, change or remove the owner role.");
      }
    }

    defineRoute(app, {
      id: "members.list",
      method: "GET",
      url: base,
      summary: "List members",
      tags,
      params: TenantParams,
      response: { 200: z.object({ items: z.array(MemberDto) }) },
      handler: async ({ request }) => {
        const members = await readTenant(services, request, (scoped, tenantId) => memberships.list(scoped, tenantId));
        return { items: members.map(dto) };
      },
    });

    defineRoute(app, {
      id: "members.add",
      method: "POST",
      url: base,
      summary: "Add an existing user by e-mail",
      tags,
      params: TenantParams,
      body: z.object({ email: z.string().email().max(320), role: RoleSchema }).strict(),
      response: { 201: MemberDto },
      handler: async ({ body, request, reply }) => {
        requireOwnerFor(request, body.role);
        // Users are platform rows: looked up outside the tenant's scope, which only shows its own members.
        const user = await users.getByEmail(services.store, body.email);
        if (user === null) throw notFound(`A user with the e-mail '${body.email}'`);
        const added = await mutateTenant(services, request, async (scoped, tenantId) => {
          if ((await memberships.get(scoped, tenantId, user.id)) !== null) {
            throw new ApiError(ApiCode.Conflict, `${body.email} is already a member; change their role instead.`);
          }
          const result = await memberships.add(scoped, { tenantId, userId: user.id, role: body.role });
          const member = dto({ ...result, email: user.email, displayName: user.displayName });
          return {
            result: member,
            audit: { action: "member.add", resourceType: "member", resourceId: user.id, after: member },
          };
        });
        reply.code(201);
        return added;
      },
    });

    defineRoute(app, {
      id: "members.update",
      method: "PATCH",
      url: `${base}/:userId`,
      summary: "Change a member's role",
      tags,
      params: MemberParams,
      body: z.object({ role: RoleSchema }).strict(),
      response: { 200: MemberDto },
      handler: async ({ params, body, request }) =>
        mutateTenant(services, request, async (scoped, tenantId) => {
          const member = (await memberships.list(scoped, tenantId)).find((m) => m.userId === params.userId);
          if (member === undefined) throw notFound(`Member '${params.userId}'`);
          requireOwnerFor(request, body.role, member.role);
          const { before, after } = await memberships.setRole(scoped, tenantId, params.userId, body.role);
          const result = dto({ ...after, email: member.email, displayName: member.displayName });
          return {
            result,
            audit: {
              action: "member.role_change",
              resourceType: "member",
              resourceId: params.userId,
              before: { role: before.role },
              after: { role: after.role },
            },
          };
        }),
    });

    defineRoute(app, {
      id: "members.remove",
      method: "DELETE",
      url: `${base}/:userId`,
      summary: "Remove a member (never the last owner)",
      tags,
      params: MemberParams,
      response: { 204: z.null() },
      handler: async ({ params, request, reply }) => {
        await mutateTenant(services, request, async (scoped, tenantId) => {
          const member = (await memberships.list(scoped, tenantId)).find((m) => m.userId === params.userId);
          if (member === undefined) throw notFound(`Member '${params.userId}'`);
          requireOwnerFor(request, member.role);
          await memberships.remove(scoped, tenantId, params.userId);
          return {
            result: null,
            audit: { action: "member.remove", resourceType: "member", resourceId: params.userId, before: dto(member) },
          };
        });
        return reply.code(204).send();
      },
    });
  };
}
