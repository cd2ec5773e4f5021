/**
 * The plumbing the versioned resources (monitors, triggers, scripts, networks) share: find a live row or answer 404,
 * then list, get, create, update, delete, history and rollback, every change with its audit row in the same
 * transaction. Route files keep what differs: permission ids, schemas and OpenAPI text (in their `defineRoute`
 * calls), validation, conflict checks and the store calls.
 *
 * @example
 * const resource = versionedResource({ owner: tenantOwner(services), resourceType: "trigger", label: "Trigger",
 *   find: triggers.get, dto });
 * defineRoute(app, { id: "triggers.get", …, handler: ({ params, request }) => resource.get(request, params.id) });
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Store } from "../../store/index.js";
import { notFound } from "../errors.js";
import { type ApiPage, paginate } from "../paginate.js";
import { type Mutation, mutatePlatform, mutateTenant, type RouteServices, readTenant } from "../services.js";

/** Whose rows a route reaches: the request's tenant (its id) or the platform's (`null`, operators). */
export interface Owner<O extends string | null> {
  read<T>(request: FastifyRequest, fn: (scoped: Store, owner: O) => Promise<T>): Promise<T>;
  mutate<T>(request: FastifyRequest, fn: (scoped: Store, owner: O) => Promise<Mutation<T>>): Promise<T>;
}

/** Rows of the request's tenant, read and changed inside `withTenant`. */
export function tenantOwner(services: RouteServices): Owner<string> {
  return {
    read: (request, fn) => readTenant(services, request, fn),
    mutate: (request, fn) => mutateTenant(services, request, fn),
  };
}

/** Platform rows (`tenant_id` null), for operators: read outside any tenant scope, audited with no tenant. */
export function platformOwner(services: RouteServices): Owner<null> {
  return {
    read: (_request, fn) => fn(services.store, null),
    mutate: (request, fn) => mutatePlatform(services, request, (scoped) => fn(scoped, null)),
  };
}

export interface VersionedResourceOptions<Row extends { id: string }, Dto extends object, O extends string | null> {
  owner: Owner<O>;
  /** The audit `resourceType`, and the noun in "Version 3 of monitor 'x'". */
  resourceType: string;
  /** Audit actions are `<actionPrefix>.create`, `.update`, `.delete`, `.rollback`. @default resourceType */
  actionPrefix?: string;
  /** Names a missing row in the 404: `Monitor 'x' was not found.` */
  label: string;
  /** The owner's live row by id, or `null`. */
  find(scoped: Store, owner: NoInfer<O>, id: string): Promise<Row | null>;
  dto(row: Row): Dto;
  /** Answer a create with `Location: <collection>/<id>`. @default true */
  location?: boolean;
}

/** The owner's config history of one row, oldest first; empty when there is no such row. */
export type History<V, O> = (scoped: Store, owner: O, id: string) => Promise<V[]>;

export interface VersionedResource<Row extends { id: string }, Dto extends object, O extends string | null> {
  /** The owner's live row, or a 404 naming it. */
  live(scoped: Store, owner: O, id: string): Promise<Row>;
  get(request: FastifyRequest, id: string): Promise<Dto>;
  /** One page of the rows `keep` accepts, ordered by `keyOf`. */
  list(
    request: FastifyRequest,
    query: { limit: number; cursor?: string | undefined },
    load: (scoped: Store, owner: O) => Promise<Row[]>,
    keyOf: (row: Row) => string,
    keep?: (row: Row) => unknown,
  ): Promise<ApiPage<Dto>>;
  /** Saves what `build` returns (after its checks) and answers 201. */
  create(request: FastifyRequest, reply: FastifyReply, build: (scoped: Store, owner: O) => Promise<Row>): Promise<Dto>;
  /** Replaces the live row `id` with what `save` returns. */
  update(
    request: FastifyRequest,
    id: string,
    save: (scoped: Store, owner: O, before: Row) => Promise<Row>,
  ): Promise<Dto>;
  /** Removes the live row `id` through `drop` (which refuses when it is still in use) and answers 204. */
  remove(
    request: FastifyRequest,
    reply: FastifyReply,
    id: string,
    drop: (scoped: Store, owner: O, before: Row) => Promise<void>,
  ): Promise<FastifyReply>;
  versions<V, Item>(
    request: FastifyRequest,
    id: string,
    history: History<V, O>,
    item: (version: V) => Item,
  ): Promise<{ items: Item[] }>;
  /** Saves version `version` of `id` again, as a new version, through `restore` (which re-validates it). */
  rollback<V extends { version: number }>(
    request: FastifyRequest,
    id: string,
    version: number,
    history: History<V, O>,
    restore: (scoped: Store, owner: O, before: Row, target: V) => Promise<Row>,
  ): Promise<Dto>;
}

export function versionedResource<Row extends { id: string }, Dto extends object, O extends string | null>(
  options: VersionedResourceOptions<Row, Dto, O>,
): VersionedResource<Row, Dto, O> {
  const { owner, resourceType, label, dto } = options;
  const prefix = options.actionPrefix ?? resourceType;

  async function live(scoped: Store, ownerId: O, id: string): Promise<Row> {
    const found = await options.find(scoped, ownerId, id);
    if (found === null) throw notFound(`${label} '${id}'`);
    return found;
  }

  /** A change to the live row `id`, audited with its state before and after. */
  async function change(
    request: FastifyRequest,
    id: string,
    action: string,
    run: (scoped: Store, ownerId: O, before: Row) => Promise<{ result: Row; after: unknown }>,
  ): Promise<Dto> {
    const saved = await owner.mutate(request, async (scoped, ownerId) => {
      const before = await live(scoped, ownerId, id);
      const { result, after } = await run(scoped, ownerId, before);
      return {
        result,
        audit: { action: `${prefix}.${action}`, resourceType, resourceId: result.id, before: dto(before), after },
      };
    });
    return dto(saved);
  }

  return {
    live,
    get: async (request, id) => dto(await owner.read(request, (scoped, ownerId) => live(scoped, ownerId, id))),
    list: async (request, query, load, keyOf, keep = () => true) => {
      const all = await owner.read(request, load);
      const page = paginate(all.filter(keep), keyOf, query.limit, query.cursor);
      return { items: page.items.map(dto), nextCursor: page.nextCursor };
    },
    create: async (request, reply, build) => {
      const saved = await owner.mutate(request, async (scoped, ownerId) => {
        const result = await build(scoped, ownerId);
        return {
          result,
          audit: { action: `${prefix}.create`, resourceType, resourceId: result.id, after: dto(result) },
        };
      });
      reply.code(201);
      if (options.location !== false) reply.header("location", `${request.url.split("?")[0]}/${saved.id}`);
      return dto(saved);
    },
    update: (request, id, save) =>
      change(request, id, "update", async (scoped, ownerId, before) => {
        const result = await save(scoped, ownerId, before);
        return { result, after: dto(result) };
      }),
    remove: async (request, reply, id, drop) => {
      await owner.mutate(request, async (scoped, ownerId) => {
        const before = await live(scoped, ownerId, id);
        await drop(scoped, ownerId, before);
        return {
          result: null,
          audit: { action: `${prefix}.delete`, resourceType, resourceId: before.id, before: dto(before) },
        };
      });
      return reply.code(204).send();
    },
    versions: async (request, id, history, item) => {
      const versions = await owner.read(request, async (scoped, ownerId) => {
        const found = await history(scoped, ownerId, id);
        if (found.length === 0) throw notFound(`${label} '${id}'`);
        return found;
      });
      return { items: versions.map(item) };
    },
    rollback: (request, id, version, history, restore) =>
      change(request, id, "rollback", async (scoped, ownerId, before) => {
        const target = (await history(scoped, ownerId, before.id)).find((v) => v.version === version);
        if (target === undefined) throw notFound(`Version ${version} of ${resourceType} '${id}'`);
        const result = await restore(scoped, ownerId, before, target);
        return { result, after: { ...dto(result), restoredVersion: version } };
      }),
  };
}
