import { userInfo } from "node:os";
import { assertPasswordPolicy, hashPassword } from "../../identity/index.js";
import { audit, MEMBER_ROLES, memberships, type Store, tenants, users, withPlatform } from "../../store/index.js";
import { defineCommand, EXIT_FAILURE, EXIT_OK, requireOption, UsageError } from "../command.js";
import { openStore, STORE_DETAILS, storeOptions, withStore } from "../store.js";

const DEFAULT_PASSWORD_ENV = "ARGUS_USER_PASSWORD";

/**
 * `argus user add`: the operator's way in. Signup over the API creates a new tenant per account; this command creates
 * (or updates) an account from the server's shell — a platform operator, or an owner of an existing tenant such as
 * the built-in `default` tenant that `argus start --config-dir` fills.
 */
export const userCommand = defineCommand({
  name: "user",
  summary: "Create or update an account from the server: platform operators, members of existing tenants.",
  usage:
    "argus user add --email EMAIL [--password-env VAR] [--operator | --no-operator] [--tenant SLUG --role ROLE] [--data-dir DIR | --database-url URL]",
  details: [
    "  add                 The only action: creates the user if the e-mail is new, otherwise updates it",
    "  --email EMAIL       The account",
    `  --password-env VAR  Environment variable holding the password (default ${DEFAULT_PASSWORD_ENV}); required for a`,
    "                      new user, resets the password of an existing one. Never passed on the command line.",
    "  --operator          Make the user a platform operator (platform networks, tenant suspension, status)",
    "  --no-operator       Remove the platform operator role",
    `  --tenant SLUG       Add the user to this tenant (the built-in one is 'default') with --role (${MEMBER_ROLES.join(", ")})`,
    "  --role ROLE         The membership role (default owner)",
    ...STORE_DETAILS,
    "",
  ].join("\n"),
  options: {
    email: { type: "string" },
    "password-env": { type: "string" },
    operator: { type: "boolean" },
    "no-operator": { type: "boolean" },
    tenant: { type: "string" },
    role: { type: "string" },
    ...storeOptions,
  },
  actions: ["add"],
  async run(values, io) {
    const email = requireOption(values.email, "--email");
    if (values.operator && values["no-operator"])
      throw new UsageError("--operator and --no-operator exclude each other");
    const role = values.role ?? "owner";
    if (!(MEMBER_ROLES as readonly string[]).includes(role)) {
      throw new UsageError(`--role must be one of ${MEMBER_ROLES.join(", ")}, got '${role}'`);
    }
    if (values.role !== undefined && values.tenant === undefined) throw new UsageError("--role needs --tenant");
    const passwordEnv = values["password-env"] ?? DEFAULT_PASSWORD_ENV;
    const password = io.env[passwordEnv];
    return withStore(await openStore(values, io), async (store) => {
      const existing = await users.getByEmail(store, email);
      if (existing === null && (password === undefined || password === "")) {
        io.stderr(`argus user: ${email} is a new user: set its password in the environment variable ${passwordEnv}.\n`);
        return EXIT_FAILURE;
      }
      const tenant = values.tenant === undefined ? null : await tenants.getBySlug(store, values.tenant);
      if (values.tenant !== undefined && tenant === null) {
        io.stderr(`argus user: no tenant '${values.tenant}'.\n`);
        return EXIT_FAILURE;
      }
      if (password !== undefined && password !== "") assertPasswordPolicy(password);
      const passwordHash = password === undefined || password === "" ? undefined : await hashPassword(password);
      const platformRole = values.operator ? "operator" : values["no-operator"] ? null : undefined;
      // One transaction: a refused membership change (the last owner) leaves the user untouched too.
      const user = await withPlatform(store, async (scoped) => {
        const saved = await saveUser(scoped, { email, passwordHash, platformRole, existingId: existing?.id });
        if (tenant !== null) await addMember(scoped, { tenantId: tenant.id, userId: saved.id, role: role as never });
        return saved;
      });
      io.stdout(
        `${existing === null ? "Created" : "Updated"} user ${user.email} (${user.id})${user.platformRole ? `, platform ${user.platformRole}` : ""}${tenant === null ? "" : `, ${role} of '${tenant.slug}'`}.\n`,
      );
      return EXIT_OK;
    });
  },
});

const cliActor = () => ({ type: "system" as const, id: `cli:${userInfo().username}` });

/** Inside the caller's transaction (`scoped`). */
async function saveUser(
  scoped: Store,
  input: {
    email: string;
    passwordHash: string | undefined;
    platformRole: "operator" | null | undefined;
    existingId: string | undefined;
  },
) {
  if (input.existingId === undefined) {
    const created = await users.create(scoped, {
      email: input.email,
      passwordHash: input.passwordHash!,
      platformRole: input.platformRole ?? null,
    });
    await audit.record(scoped, {
      tenantId: null,
      actor: cliActor(),
      action: "user.create",
      resourceType: "user",
      resourceId: created.id,
      after: { email: created.email, platformRole: created.platformRole },
    });
    return created;
  }
  const before = await users.get(scoped, input.existingId);
  const updated = await users.update(scoped, input.existingId, {
    ...(input.passwordHash === undefined ? {} : { passwordHash: input.passwordHash }),
    ...(input.platformRole === undefined ? {} : { platformRole: input.platformRole }),
  });
  await audit.record(scoped, {
    tenantId: null,
    actor: cliActor(),
    action: "user.update",
    resourceType: "user",
    resourceId: updated.id,
    before: { platformRole: before?.platformRole ?? null },
    after: { platformRole: updated.platformRole, passwordChanged: input.passwordHash !== undefined },
  });
  return updated;
}

async function addMember(
  scoped: Store,
  input: { tenantId: string; userId: string; role: (typeof MEMBER_ROLES)[number] },
): Promise<void> {
  const current = await memberships.get(scoped, input.tenantId, input.userId);
  if (current?.role === input.role) return;
  if (current === null) await memberships.add(scoped, input);
  else await memberships.setRole(scoped, input.tenantId, input.userId, input.role);
  await audit.record(scoped, {
    tenantId: input.tenantId,
    actor: cliActor(),
    action: current === null ? "member.add" : "member.role_change",
    resourceType: "member",
    resourceId: input.userId,
    before: current === null ? null : { role: current.role },
    after: { role: input.role },
  });
}
