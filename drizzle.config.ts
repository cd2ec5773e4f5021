/**
 * drizzle-kit settings for generating the store's migrations from `src/store/schema.ts`:
 * `npx drizzle-kit generate --name <what_changed>` writes the next `src/store/migrations/NNNN_*.sql` (and its
 * snapshot under `meta/`). Argus applies those files itself at startup (`src/store/migrate.ts`), on PGlite and
 * PostgreSQL alike; never edit a migration that has been released, add a new one.
 */
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/schema.ts",
  out: "./src/store/migrations",
});
