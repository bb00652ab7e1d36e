import { setupServer } from "msw/node";

/** Each test declares the endpoints it expects with `server.use(...)`; anything else fails it. */
export const server = setupServer();
