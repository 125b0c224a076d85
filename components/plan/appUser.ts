/**
 * The app's non-root user: the compose file runs every image as it (`node` in app/Dockerfile), and
 * it must be able to write the shared data folder. A module of its own: the plan's modules that need
 * it import each other, and a constant read at load time must not wait on that cycle.
 */
export const appUid = 1000;
