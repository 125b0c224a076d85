// Lint config: typescript-eslint's recommended rules over the Pulumi program, the app and the tests.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", "app/node_modules/**", "app/dist/**", "**/*.js", "**/*.mjs"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
